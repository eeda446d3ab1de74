"""An accountant writes a three-line project estimate in a real browser, watches the totals follow the typing,
saves and sends it, sees it arrive in QuickBooks (the sandbox), marks it accepted and then sees its total in the
dashboard's contract value."""

import re

import pytest

from projects.models import Estimate, Project
from quickbooks.models import OutboxItem
from quickbooks.sync.push import outbox_send
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.factories import CompanyFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_line(page, index, item, qty, price, cost):
    page.select_option(f"select[name=lines-{index}-item]", item)
    page.fill(f"input[name=lines-{index}-qty]", qty)
    page.fill(f"input[name=lines-{index}-unit_price]", price)
    page.fill(f"input[name=lines-{index}-unit_cost]", cost)


def test_an_accountant_writes_and_sends_a_three_line_estimate(
    live_server, connected_company, project_setup, sent, page, admin_user, password
):
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    other = CompanyFactory(name="Another Client Co.")  # so that picking the company is a real choice
    MembershipFactory(user=admin_user, company=other, role="admin")
    sign_in(page, live_server.url, admin_user, password)
    page.goto(f"{live_server.url}/c/{other.pk}/")
    page.click(".company-switcher summary")
    page.click(f".company-switcher >> text={connected_company.name}")
    page.click(f"table.data >> text={project.name}")
    page.wait_for_selector(f"h1:has-text('{project.name}')")
    page.click("text=New estimate")
    page.wait_for_selector("h1:has-text('New estimate')")
    total = page.locator("[data-total-amount]")

    page.select_option("select[name=lines-0-item]", project_setup["item"])
    assert page.input_value("input[name=lines-0-unit_price]") == "250"  # the item's price, filled in
    page.fill("input[name=lines-0-qty]", "4")
    assert total.inner_text() == "1,000.00"
    page.fill("input[name=lines-0-unit_cost]", "180")
    assert page.locator("[data-line]").nth(0).locator("[data-line-markup]").inner_text() == "38.9%"

    page.click("text=Add line")
    page.click("text=Add line")
    assert page.locator("[data-line]").count() == 3
    fill_line(page, 1, project_setup["item"], "2.5", "310.10", "200")
    assert total.inner_text() == "1,775.25"
    fill_line(page, 2, project_setup["item"], "3", "33.335", "20")
    assert total.inner_text() == "1,875.26"  # 100.005 rounds half up, as the server and QuickBooks round
    assert page.locator("[data-total-cost]").inner_text() == "1,280.00"
    page.fill("textarea[name=private_note]", "Phase 1, browser")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "estimate_form_filled_in.png"), full_page=True)

    page.click("button:has-text('Save and send to QuickBooks')")
    page.wait_for_selector("text=Saved and queued for QuickBooks")
    assert page.locator("[data-sync-state]").inner_text() == "Waiting to be sent to QuickBooks"

    item = OutboxItem.objects.get()
    assert sent.outbox == [("quickbooks.tasks.outbox_send", [item.pk])]
    assert outbox_send(item_id=item.pk) == "sent"
    page.reload()

    estimate = Estimate.objects.get()
    assert page.locator("[data-sync-state]").inner_text() == "Synced"
    assert page.locator("[data-qbo-id]").inner_text() == estimate.qbo_id != ""
    assert page.locator("[data-total]").inner_text() == "1,875.26"

    page.click("nav >> text=Dashboard")
    row = page.locator("table.dashboard tbody tr", has_text=project.name)
    assert not re.search(r"\b1,875\.26\b", row.inner_text()), "a pending estimate is a proposal, not the contract"

    page.go_back()
    page.select_option("select[name=status]", "Accepted")
    page.fill("input[name=accepted_by]", "Maya Okafor")
    page.click("text=Save status and send to QuickBooks")
    page.wait_for_selector("text=Marked Accepted. Queued for QuickBooks.")
    accepted = OutboxItem.objects.exclude(pk=item.pk).get()
    assert outbox_send(item_id=accepted.pk) == "sent"
    page.click("nav >> text=Dashboard")
    row = page.locator("table.dashboard tbody tr", has_text=project.name)
    assert re.search(r"\b1,875\.26\b", row.inner_text()), "accepted in QuickBooks: in the contract value"
