"""A new user's first hour, in a real browser on a desktop and on a phone-sized screen: sign up, confirm the email,
sign in, connect a company through the consent page, watch the first sync fill in (a real Celery worker takes the
sync that connecting queued), read the dashboard, open a project. Screenshots of each step are kept in
test-artifacts/first-hour/, and on the phone no main page scrolls sideways."""

import re

import pytest
from django.core import mail

from quickbooks.models import Company, SyncRun
from sandbox.demo import DEMO_REALM_ID
from tests.browser.conftest import ARTIFACTS
from tests.e2e.conftest import start_worker, wait_until, worker_env  # noqa: F401 - fixtures of the real worker

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SCREENS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "Harbour-lights-42"


@pytest.fixture
def app(settings, live_server, live_sandbox, start_worker):  # noqa: F811 - the imported fixture
    settings.QBO_SANDBOX_URL = live_sandbox.base_url.rstrip("/")
    settings.QBO_CLIENT_ID, settings.QBO_CLIENT_SECRET = live_sandbox.client_id, live_sandbox.client_secret
    settings.QBO_REDIRECT_URI = f"{live_server.url}/quickbooks/callback/"
    settings.QBO_APP_URL = f"{settings.QBO_SANDBOX_URL}/app"
    start_worker(
        QBO_SANDBOX_URL=settings.QBO_SANDBOX_URL,
        QBO_CLIENT_ID=live_sandbox.client_id,
        QBO_CLIENT_SECRET=live_sandbox.client_secret,
        QBO_RETRY_MAX_WAIT_SECONDS="0.2",
    )
    return live_server.url


def snap(page, screen, step):
    folder = ARTIFACTS / "first-hour"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{screen}-{step}.png"), full_page=True)
    if screen == "phone":  # usable at 390 px: nothing wider than the screen
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= SCREENS["phone"]["width"], f"{step} is {width}px wide on a phone"


@pytest.mark.parametrize("screen", SCREENS)
def test_a_new_user_signs_up_connects_and_reads_the_books(app, browser, screen):
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(20_000)
    email = f"dana.{screen}@example.com"

    page.goto(app + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Check your inbox')")
    snap(page, screen, "1-check-your-inbox")

    [letter] = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", letter.body).group(0)
    page.goto(app + "/" + link.split("://", 1)[1].split("/", 1)[1])
    page.click("button[type=submit]")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Connect a QuickBooks company")
    snap(page, screen, "2-signed-in")

    page.click("button:has-text('Connect a QuickBooks company')")
    page.wait_for_url("**/connect/oauth2**")
    snap(page, screen, "3-consent")
    page.check(f"input[value='{DEMO_REALM_ID}']")
    page.click("button[value=approve]")
    page.wait_for_selector("h1:has-text('Sync with QuickBooks')")
    assert "Its first sync has started" in page.locator(".messages").inner_text()
    snap(page, screen, "4-first-sync-started")

    company = Company.objects.get(realm_id=DEMO_REALM_ID)
    done = wait_until(
        lambda: SyncRun.objects.filter(company=company, status=SyncRun.Status.SUCCEEDED).exists(), timeout=180
    )
    assert done, "the first sync, queued when the company was connected, did not finish"
    page.wait_for_selector("table.sync-runs >> text=Succeeded", timeout=30_000)  # the page refreshed by itself
    snap(page, screen, "5-first-sync-done")

    page.click("nav >> text=Dashboard") if screen == "desktop" else page.goto(f"{app}/c/{company.pk}/")
    page.wait_for_selector("table.dashboard >> text=Kitchen Remodel")
    snap(page, screen, "6-dashboard")

    page.click("table.dashboard >> text=Kitchen Remodel")
    page.wait_for_selector("h1:has-text('Kitchen Remodel')")
    assert page.locator("#contract-value").inner_text() != "0.00"
    snap(page, screen, "7-project")
    context.close()
