"""Helpers for these tests live in the root plugin tests/live_quickbooks.py; re-exported for old imports."""

from tests.live_quickbooks import approve_on_consent_page, connect_through_consent, new_realm  # noqa: F401
