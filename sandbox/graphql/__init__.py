"""Intuit's GraphQL APIs in the simulator: Projects (projectManagement*) and project Budgets (businessPlanning*)."""
