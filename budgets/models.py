"""Budgets and budget lines arrive with the Budgets API work."""
