"""A newcomer's first minute, in a real browser: sign in with the demo login and land on the dashboard."""

import pytest
from django.core.management import call_command

from quickbooks.management.commands.demo_setup import DEMO_COMPANY, DEMO_EMAIL
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_login_signs_in_to_the_company_dashboard(live_server, page):
    call_command("demo_setup", password="demo-pass-123", stdout=open("/dev/null", "w"))  # noqa: SIM115

    page.goto(live_server.url)
    page.fill("input[name=login]", DEMO_EMAIL)
    page.fill("input[name=password]", "demo-pass-123")
    page.click("button[type=submit]")

    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text() == DEMO_COMPANY
    assert "No projects yet" in page.locator("table.data").inner_text()
    assert page.locator(".company-switcher summary").inner_text().strip() == DEMO_COMPANY


def test_the_company_switcher_moves_between_companies(live_server, page, viewer, password):
    second = CompanyFactory(name="Second Site Ltd.")
    MembershipFactory(user=viewer, company=second)

    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", viewer.email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.click(".company-switcher summary")
    page.click(".company-switcher >> text=Second Site Ltd.")

    page.wait_for_selector("h1:has-text('Second Site Ltd.')")
    assert page.locator(".company-switcher summary").inner_text().strip() == "Second Site Ltd."


def test_a_wrong_password_is_explained_in_the_page(live_server, page, viewer):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", viewer.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")

    assert "not correct" in page.locator("main").inner_text()
