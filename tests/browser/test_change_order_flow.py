"""A project manager drafts a change order in a real browser, watching the new contract total follow the typing; an
accountant sends it to QuickBooks (the sandbox) and records the customer's acceptance; the dashboard's contract value
and the project's revised budget then move by exactly the change order's price and cost."""

import re
from decimal import Decimal

import pytest

from budgets.sync import adopt_budget
from changeorders.models import ChangeOrder
from projects.models import Project
from quickbooks.models import OutboxItem
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.changeorders.conftest import accept_estimate_in_quickbooks
from tests.sync.domain.test_live_sandbox import CREATE_BUDGET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def budget_in_quickbooks(qb, company, setup):
    """The project's budget, 720.00 (4 x 180.00 of the item), made in QuickBooks and adopted by its id."""
    line = {
        "type": "ITEM",
        "itemId": setup["item"],
        "unitCost": Decimal("180"),
        "quantity": Decimal("4"),
        "date": "2026-04-01",
        "description": "Cabinets",
    }
    created = qb.graphql(
        CREATE_BUDGET,
        {
            "budgetInput": {
                "budgetName": "Kitchen budget",
                "budgetType": "PROJECT",
                "linkedEntityId": setup["project"],
                "state": "LOCKED",
                "startDate": "2026-04-01",
                "endDate": "2026-12-31",
                "budgetDetails": [line],
            }
        },
    )
    return adopt_budget(company, created["businessPlanningCreateBudget"]["budget"]["budgetId"], qb)


def dashboard_row(page, url, company, project):
    page.goto(f"{url}/c/{company.pk}/")
    return page.locator("table.dashboard tbody tr", has_text=project.name).inner_text()


def send_waiting() -> None:
    for item in OutboxItem.objects.filter(status="pending"):
        assert outbox_send(item_id=item.pk) == "sent", OutboxItem.objects.get(pk=item.pk).last_error


def test_a_change_order_drafted_sent_and_accepted_moves_contract_and_revised_budget_by_its_amounts(
    live_server, browser, connected_company, project_setup, qb, sent, project_manager, accountant, password
):
    accept_estimate_in_quickbooks(qb, project_setup)
    pull.pull_changes(company=connected_company)
    assert budget_in_quickbooks(qb, connected_company, project_setup).total == Decimal("720.00")
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    url = live_server.url

    manager = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    manager.set_default_timeout(15_000)
    sign_in(manager, url, project_manager, password)
    assert re.search(r"\b1,000\.00\b", dashboard_row(manager, url, connected_company, project))
    manager.click(f"table.data >> text={project.name}")
    assert manager.locator("#estimated-cost").inner_text() == "720.00"
    manager.click("text=New change order")
    manager.wait_for_selector("h1:has-text('New change order')")
    parent = manager.locator("select[name=estimate] option").nth(1).get_attribute("value")
    manager.select_option("select[name=estimate]", parent)
    assert manager.wait_for_selector(f"details[data-parent='{parent}'][open]")  # its lines, shown
    manager.select_option("select[name=lines-0-item]", project_setup["item"])
    assert manager.locator("select[name=lines-0-item] option").nth(1).inner_text().startswith("Cabinets")
    manager.fill("input[name=lines-0-description]", "Pantry cabinets")
    manager.fill("input[name=lines-0-qty]", "2")
    manager.fill("input[name=lines-0-unit_price]", "300")
    manager.fill("input[name=lines-0-unit_cost]", "200")
    assert manager.locator("[data-line]").nth(0).locator("[data-line-cost]").inner_text() == "400.00"
    assert manager.locator("[data-change-amount]").inner_text() == "600.00"
    assert manager.locator("[data-contract-after]").inner_text() == "1,600.00"
    ARTIFACTS.mkdir(exist_ok=True)
    manager.screenshot(path=str(ARTIFACTS / "change_order_form_filled_in.png"), full_page=True)
    manager.click("button:has-text('Save draft')")
    manager.wait_for_selector("text=An accountant will send it to QuickBooks.")
    change_order = ChangeOrder.objects.get(company=connected_company)
    assert not OutboxItem.objects.exists()

    books = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    books.set_default_timeout(15_000)
    sign_in(books, url, accountant, password)
    books.goto(f"{url}/c/{connected_company.pk}/projects/{project.pk}/")
    books.click(f"a:has-text('{change_order.title}')")
    books.click("button:has-text('Send to QuickBooks')")
    books.wait_for_selector("text=Queued for QuickBooks")
    send_waiting()
    books.reload()
    assert books.locator("[data-sync-state]").inner_text() == "Synced"
    assert re.search(r"\b1,000\.00\b", dashboard_row(books, url, connected_company, project)), "pending: not yet"

    books.go_back()
    books.select_option("select[name=status]", "Accepted")
    books.fill("input[name=accepted_by]", "Dana Reyes")
    books.fill("input[name=accepted_date]", "2026-05-03")
    books.click("button:has-text('Save and send to QuickBooks')")
    books.wait_for_selector("text=Marked Accepted and queued for QuickBooks.")
    send_waiting()

    row = dashboard_row(books, url, connected_company, project)
    assert re.search(r"\b1,600\.00\b", row), row  # 1,000.00 + exactly the change order's 600.00
    books.click(f"table.data >> text={project.name}")
    assert books.locator("#estimated-cost").inner_text() == "1,120.00"  # 720.00 + exactly its 400.00 cost
    assert books.locator("[data-revised-contract]").inner_text() == "1,600.00"
    assert books.locator("[data-revised-budget]").inner_text() == "1,120.00"
    books.screenshot(path=str(ARTIFACTS / "change_order_accepted_project.png"), full_page=True)
    books.click(f"a:has-text('{ChangeOrder.objects.get().title}')")
    books.click("text=Print for signature")
    books.click("text=Show the cost impact")
    summary = books.locator("table.summary").inner_text()
    assert "Previous contract total\t1,000.00" in summary and "New contract total (before tax)\t1,600.00" in summary
    assert "Cost impact\t400.00" in summary
    books.emulate_media(media="print")
    assert not books.locator("nav.screen-only").is_visible()  # the print has no app chrome
    books.screenshot(path=str(ARTIFACTS / "change_order_print.png"), full_page=True)
    history = [a for a in ChangeOrder.objects.get().events.values_list("action", "by__email")]
    assert history == [("drafted", project_manager.email), ("sent", accountant.email), ("status", accountant.email)]
