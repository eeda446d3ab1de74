"""The sync engine: keeps Costline's local copies and QuickBooks in step (docs/architecture.md, The sync engine)."""
