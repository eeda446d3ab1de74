"""The sync engine: keeps Costline's local copies and QuickBooks in step (DESIGN.md section 4)."""
