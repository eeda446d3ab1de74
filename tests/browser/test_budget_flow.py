"""An accountant builds a project budget in a real browser: starts it from the accepted estimate's costs, imports three
more lines from a spreadsheet, sends it to QuickBooks (the sandbox), then reads budget vs actual. Each line's actual
to date equals what QuickBooks' own bills and expenses, read back over its API, sum to for that line's item or
account, to the cent; the cost that matches no line is the unbudgeted row."""

from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

from budgets.models import Budget
from budgets.sync import fetch_budget
from projects.models import Project
from quickbooks.models import OutboxItem
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.changeorders.conftest import accept_estimate_in_quickbooks
from tests.live_quickbooks import rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEADERS = ["Type", "Item", "Account", "Description", "Class", "Location", "Quantity", "Unit cost", "Amount", "Date"]
ACTUAL = 4  # the column of "Actual to date" in the budget vs actual table


def costs_in_quickbooks(qb, setup) -> dict:
    """Accounts, and bills and a card expense charged to the project: to an item, to budgeted accounts, and to an
    account no budget line names."""
    accounts = {
        name: qb.create("Account", {"Name": f"{name} {rid()[:5]}", "AccountType": kind}, request_id=rid())
        for name, kind in (
            ("Materials", "Cost of Goods Sold"),
            ("Subcontractors", "Expense"),
            ("Equipment", "Expense"),
            ("Permits", "Expense"),
            ("Card", "Credit Card"),
            ("Payables", "Accounts Payable"),
        )
    }
    vendor = qb.create("Vendor", {"DisplayName": f"Supplier {rid()[:5]}"}, request_id=rid())
    project = {"value": setup["project"]}

    def on_account(name, amount):
        return {
            "DetailType": "AccountBasedExpenseLineDetail",
            "Amount": Decimal(amount),
            "ProjectRef": project,
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": accounts[name]["Id"]}},
        }

    item_line = {
        "DetailType": "ItemBasedExpenseLineDetail",
        "Amount": Decimal("526.50"),
        "ProjectRef": project,
        "ItemBasedExpenseLineDetail": {"ItemRef": {"value": setup["item"]}, "Qty": 3, "UnitPrice": Decimal("175.50")},
    }
    bill = {
        "VendorRef": {"value": vendor["Id"]},
        "APAccountRef": {"value": accounts["Payables"]["Id"]},
        "ProjectRef": project,
    }
    qb.create("Bill", {**bill, "Line": [item_line, on_account("Materials", "812.37")]}, request_id=rid())
    qb.create("Bill", {**bill, "Line": [on_account("Subcontractors", "1999.99")]}, request_id=rid())
    qb.create("Bill", {**bill, "Line": [on_account("Permits", "230.00")]}, request_id=rid())
    card = {"PaymentType": "CreditCard", "AccountRef": {"value": accounts["Card"]["Id"]}, "ProjectRef": project}
    qb.create("Purchase", {**card, "Line": [on_account("Materials", "45.10")]}, request_id=rid())
    return accounts


def sums_in_quickbooks(qb, project_id: str) -> dict[tuple[str, str], Decimal]:
    """QuickBooks' own bills and expenses, read over its API and summed per item or account for the project."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: Decimal("0.00"))
    for entity in ("Bill", "Purchase"):
        for page in qb.query_pages(entity):
            for document in page:
                for line in document.get("Line", []):
                    tied = (line.get("ProjectRef") or document.get("ProjectRef") or {}).get("value")
                    if tied != project_id:
                        continue
                    if item := (line.get("ItemBasedExpenseLineDetail") or {}).get("ItemRef"):
                        sums[("Item", item["value"])] += Decimal(str(line["Amount"]))
                    else:
                        account = line["AccountBasedExpenseLineDetail"]["AccountRef"]["value"]
                        sums[("Account", account)] += Decimal(str(line["Amount"]))
    return sums


def spreadsheet(path, accounts) -> None:
    """Three more lines, written as an accountant would in the downloadable template's columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["Account", "", accounts["Materials"]["Name"], "Lumber and board", "", "", None, None, 1500, None])
    sheet.append(["Account", "", accounts["Subcontractors"]["Name"], "Electrician", "", "", 40, 62.5, None, None])
    sheet.append(["Account", "", accounts["Equipment"]["Name"], "Scaffold hire", "", "", None, None, "350.00", None])
    book.save(path)


def send_waiting() -> None:
    for item in OutboxItem.objects.filter(status="pending"):
        assert outbox_send(item_id=item.pk) == "sent", OutboxItem.objects.get(pk=item.pk).last_error


def snap(page, step):
    folder = ARTIFACTS / "budget"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{step}.png"), full_page=True)


def test_an_accountant_builds_imports_sends_and_reads_budget_vs_actual_to_the_cent(
    live_server, browser, connected_company, project_setup, qb, sent, accountant, password, tmp_path
):
    accept_estimate_in_quickbooks(qb, project_setup)  # cost side: 4 x 180.00 of the item
    accounts = costs_in_quickbooks(qb, project_setup)
    pull.pull_changes(company=connected_company)
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    url = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url, accountant, password)

    page.goto(f"{url}/c/{connected_company.pk}/projects/{project.pk}/")
    page.click("text=budget vs actual by line")
    page.click("text=Start from the accepted estimate")
    page.wait_for_selector("h1:has-text('lines')")
    assert page.locator("[data-total-amount]").inner_text() == "720.00"
    page.fill("input[name=lines-0-qty]", "5")  # the live total follows the typing
    assert page.locator("[data-total-amount]").inner_text() == "900.00"
    page.fill("input[name=lines-0-qty]", "4")
    snap(page, "1-from-estimate")
    page.click("button[value=save]")
    page.wait_for_selector("text=Saved in Costline")

    page.click("text=Import lines from a spreadsheet")
    path = tmp_path / "three-lines.xlsx"
    spreadsheet(path, accounts)
    page.set_input_files("input[type=file]", str(path))
    page.click("text=Upload and check")
    page.wait_for_selector("button:has-text('Import 3 lines')")
    snap(page, "2-import-preview")
    page.click("button:has-text('Import 3 lines')")
    page.wait_for_selector("[data-budget-panel]")
    budget = Budget.objects.get(company=connected_company)
    assert budget.lines.count() == 4 and budget.total == Decimal("5070.00") and not budget.qbo_id

    page.click("button:has-text('Send to QuickBooks')")
    send_waiting()
    page.reload()
    budget.refresh_from_db()
    assert page.locator("[data-budget-id]").inner_text() == budget.qbo_id
    remote = fetch_budget(qb, budget.qbo_id)
    assert sum(Decimal(str(line["amount"])) for line in remote["budgetDetails"]) == Decimal("5070.00")
    snap(page, "3-budget-vs-actual")

    sums = sums_in_quickbooks(qb, project.qbo_id)
    rows = page.locator("table.budget-vs-actual tbody tr")
    shown = {}
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        shown[cells.nth(0).inner_text().split("\n")[0]] = cells.nth(ACTUAL).inner_text()
    item_name = page.locator("table.budget-vs-actual tbody tr").first.locator("td").first.inner_text()
    expected = {
        ("Item", project_setup["item"]): item_name,
        **{("Account", accounts[name]["Id"]): accounts[name]["Name"] for name in ("Materials", "Subcontractors")},
    }
    for key, label in expected.items():
        row = next(text for text in shown if text.startswith(label.split(":")[0]))
        assert shown[row] == f"{sums[key]:,.2f}", (label, shown)
    equipment = next(text for text in shown if text.startswith(accounts["Equipment"]["Name"]))
    assert shown[equipment] in ("0.00", "—")  # nothing spent on it yet
    unbudgeted = next(text for text in shown if text.startswith("Unbudgeted"))
    assert shown[unbudgeted] == f"{sums[('Account', accounts['Permits']['Id'])]:,.2f}" == "230.00"
