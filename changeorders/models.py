"""Change orders arrive with the change-order work."""
