"""Projects, project estimates and the ledger of actuals arrive with the sync engine (issues 5 and 6)."""
