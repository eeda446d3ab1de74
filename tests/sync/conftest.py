"""Sync tests use the live-sandbox fixtures of tests/live_quickbooks.py (qbo, connected_company, qb...)."""

from tests.live_quickbooks import rid  # noqa: F401 - re-exported for the tests' imports
