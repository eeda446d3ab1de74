"""An admin connects the demo company to QuickBooks (the sandbox) from the UI, sees its capabilities,
disconnects and reconnects: real browser, real consent page, real token exchange."""

import pytest

from quickbooks.models import Company
from tests.browser.conftest import sign_in
from tests.quickbooks.conftest import new_realm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_for_browser(settings, live_server, live_sandbox):
    settings.QBO_SANDBOX_URL = live_sandbox.base_url.rstrip("/")
    settings.QBO_CLIENT_ID, settings.QBO_CLIENT_SECRET = live_sandbox.client_id, live_sandbox.client_secret
    settings.QBO_REDIRECT_URI = f"{live_server.url}/quickbooks/callback/"
    return live_server


def approve(page, realm_id):
    page.wait_for_url("**/connect/oauth2**")
    page.check(f"input[value='{realm_id}']")
    page.click("button[value=approve]")
    page.wait_for_selector("h1:has-text('Sync with QuickBooks')")  # connected: its first sync shows here


def test_an_admin_connects_disconnects_and_reconnects(
    app_for_browser, live_sandbox, page, admin_user, company, password
):
    realm_id = new_realm(live_sandbox)
    sign_in(page, app_for_browser.url, admin_user, password)

    page.click("nav >> text=QuickBooks")
    page.click("button:has-text('Connect to QuickBooks')")
    approve(page, realm_id)

    assert "is connected to QuickBooks" in page.locator(".messages").inner_text()
    page.click("nav >> text=QuickBooks")
    assert "Available" in page.locator("table.data").inner_text()
    assert Company.objects.get(pk=company.pk).realm_id == realm_id

    page.click("button:has-text('Disconnect')")
    page.wait_for_selector("h1:has-text('Disconnect')")  # it asks first
    page.click("button:has-text('Disconnect')")
    page.wait_for_selector("button:has-text('Reconnect to QuickBooks')")
    assert Company.objects.get(pk=company.pk).connection_state == Company.ConnectionState.DISCONNECTED

    page.click("button:has-text('Reconnect to QuickBooks')")
    approve(page, realm_id)
    assert Company.objects.get(pk=company.pk).connection_state == Company.ConnectionState.CONNECTED
