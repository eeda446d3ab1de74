"""The month-end close in a real browser: a project manager forecasts a job's cost to complete; an accountant reviews
it from the WIP schedule, sees the estimate at completion move to the forecast, closes the period, and exports the
stored WIP and its journal entry as spreadsheets whose figures are the page's."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from budgets.models import CostForecast
from closes.models import WipClose
from projects.models import LedgerLine, TxnStatus
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.projects.test_project_page import budget, estimate, line, make_kitchen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERIOD = "2026-02-28"


def snap(page, step):
    folder = ARTIFACTS / "month-end"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{step}.png"), full_page=True)


def kitchen_row(page):
    return page.locator("table.wip tbody tr", has_text="Kitchen Remodel")


def test_forecast_review_close_and_export(
    live_server, browser, company, project_manager, accountant, password, tmp_path
):
    kitchen = make_kitchen(company)
    estimate(company, "50000.00", status=TxnStatus.ACCEPTED, txn_date=date(2026, 1, 5))
    budget(company, "20000.00")
    for amount, day in (("1200.00", date(2026, 1, 10)), ("8500.00", date(2026, 2, 3)), ("3000.00", date(2026, 3, 10))):
        line(company, amount, txn_date=day)  # the March bill is after the period end
    line(company, "20000.00", txn_type="Invoice", kind=LedgerLine.Kind.REVENUE, txn_date=date(2026, 1, 31))
    url = live_server.url

    manager = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    manager.set_default_timeout(15_000)
    sign_in(manager, url, project_manager, password)
    manager.goto(f"{url}/c/{company.pk}/projects/{kitchen.pk}/")
    manager.click("text=forecast the cost to complete")
    manager.fill("input[name=period_end]", PERIOD)
    manager.fill("input[name=cost_to_complete]", "14000")
    manager.fill("textarea[name=comment]", "Framing ran long; drywall and finishes still to come.")
    manager.click("button:has-text('Send for review')")
    manager.wait_for_selector("text=Framing ran long")
    snap(manager, "1-forecast-sent")
    forecast = CostForecast.objects.get()
    assert (forecast.status, forecast.cost_to_date) == (CostForecast.Status.SUBMITTED, Decimal("9700.00"))

    page = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url, accountant, password)
    page.goto(f"{url}/c/{company.pk}/wip/?as_of={PERIOD}")
    assert kitchen_row(page).locator("[data-col=estimated_cost]").inner_text() == "20,000.00"  # the budget so far
    kitchen_row(page).locator("[data-estimate-source]").click()
    page.click("button:has-text('Mark reviewed')")
    page.wait_for_selector("text=Reviewed")

    page.goto(f"{url}/c/{company.pk}/wip/?as_of={PERIOD}")
    row = kitchen_row(page)
    assert row.locator("[data-col=estimated_cost]").inner_text() == "23,700.00"  # 9,700 spent + 14,000 to come
    assert row.locator("[data-estimate-source]").inner_text() == "reviewed forecast"
    assert row.locator("[data-col=cost_to_date]").inner_text() == "9,700.00"  # the March bill is not in February
    earned = row.locator("[data-col=earned]").inner_text()
    snap(page, "2-wip-reviewed")

    page.click("[data-close-period]")
    page.wait_for_selector("[data-close-state=closed]")
    snap(page, "3-closed")
    close = WipClose.objects.get()
    assert close.period_end == date(2026, 2, 28) and close.closed_by == accountant

    with page.expect_download() as stored:
        page.click(".exports >> text=Excel")
    path = tmp_path / "wip.xlsx"
    stored.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    kitchen_cells = dict(zip(headers, next(r for r in rows if r[0] == "Kitchen Remodel"), strict=True))
    assert (
        kitchen_cells["Estimated cost at completion"] == Decimal("23700")
        or kitchen_cells["Estimated cost at completion"] == 23700
    )
    assert f"{kitchen_cells['Earned revenue']:,.2f}" == earned
    assert rows[-1][0].startswith("Total")

    with page.expect_download() as booked:
        page.click("[data-journal] >> text=Excel")
    journal = openpyxl.load_workbook(io.BytesIO(booked.value.path().read_bytes())).active
    totals = list(journal.iter_rows(values_only=True))[-1]
    assert totals[1] == "Total" and totals[2] == totals[3] > 0  # debits equal credits
