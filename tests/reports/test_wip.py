"""The WIP schedule: figures as of a period end by transaction date, the construction accounting formulas (over and
under billing, a projected loss recognised in full), totals, filters, sorting, exports, who may see it, and a constant
number of queries however many projects. Its reconciliation with QuickBooks' own data and with the dashboard is in
tests/reports/test_reconciliation.py."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import LedgerLine, Project, TxnStatus
from reports.wip import WipRow, last_month_end
from tests.projects.test_project_page import budget, estimate, line

pytestmark = pytest.mark.django_db
D = Decimal


def wip_url(company, **params):
    url = reverse("reports:wip", args=[company.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def row_of(response, project) -> WipRow:
    return next(row for row in response.context["schedule"].rows if row.project_id == project.pk)


def test_a_projected_loss_is_recognised_in_full_and_billing_splits_into_over_and_under():
    losing = WipRow(1, "Dock", "Harbor", "In progress", original_contract=D("1000.00"), original_budget=D("1200.00"))
    losing.cost_to_date, losing.billed_to_date = D("600.00"), D("450.00")

    assert (losing.percent_complete, losing.earned) == (D("50.0"), D("500.00"))
    assert (losing.projected_loss, losing.loss_provision) == (D("-200.00"), D("-100.00"))
    assert losing.gross_profit == D("-200.00")  # the whole loss, now: earned 500 - cost 600 - the provision 100
    assert (losing.over_billing, losing.under_billing, losing.backlog) == (D("0.00"), D("50.00"), D("500.00"))
    assert (losing.estimated_gross_profit, losing.estimated_margin) == (D("-200.00"), D("-20.0"))

    earning = WipRow(2, "Deck", "Harbor", "In progress", original_contract=D("900.00"), change_orders=D("100.00"))
    earning.original_budget, earning.change_order_cost, earning.forecast = D("700.00"), D("50.00"), D("800.00")
    earning.cost_to_date, earning.billed_to_date = D("200.00"), D("400.00")
    assert (earning.estimated_cost, earning.estimate_source) == (D("800.00"), "reviewed forecast")
    assert (earning.earned, earning.over_billing, earning.under_billing) == (D("250.00"), D("150.00"), D("0.00"))
    assert earning.loss_provision is None and earning.gross_profit == D("50.00")


def test_figures_are_as_of_the_period_end_by_transaction_date(login, viewer, company, kitchen, contract, ledger):
    budget(company, "20000.00")
    estimate(
        company, "10000.00", status=TxnStatus.ACCEPTED, qbo_id="late", accepted_date=date(2026, 3, 2),
        txn_date=date(2026, 2, 1),
    )  # fmt: skip
    client = login(viewer)

    early = row_of(client.get(wip_url(company, as_of="2026-02-03")), kitchen)
    late = row_of(client.get(wip_url(company, as_of="2026-12-31")), kitchen)

    # Up to 3 February: the time (1,200) and the subcontractor bill (4,000); the invoice (20,000).
    assert (early.cost_to_date, early.billed_to_date) == (D("5200.00"), D("20000.00"))
    assert early.original_contract == D("48000.00")  # the estimate accepted on 2 March is not in it yet
    assert (late.cost_to_date, late.billed_to_date) == (D("10000.00"), D("19000.00"))
    assert late.original_contract == D("58000.00") and late.change_orders == D("2500.00")
    assert late.estimated_cost == D("21500.00")  # budget + signed change orders' cost
    assert late.earned == (D("10000") / D("21500") * D("60500")).quantize(D("0.01"))


def test_the_default_period_is_the_last_month_end_and_totals_add_up(login, viewer, company, kitchen, contract, ledger):
    other = Project.objects.create(company=company, qbo_id="17", name="Attic", customer_name="Ames", status="OPEN")
    line(company, "700.00", project_qbo_id="17", txn_date=date(2026, 1, 3))
    response = login(viewer).get(wip_url(company))

    found = response.context["schedule"]
    assert found.as_of == last_month_end(timezone.localdate())
    assert [row.project for row in found.rows] == ["Attic", "Kitchen Remodel"]
    totals = response.context["totals"]
    assert totals["cost_to_date"] == sum((row.cost_to_date for row in found.rows), D(0))
    assert (
        totals["revised_contract"]
        == row_of(response, kitchen).revised_contract + row_of(response, other).revised_contract
    )
    page = response.content.decode()
    assert "Billings in excess of earnings" in page and "recognised in full" in page
    assert "without a percent complete" in page  # neither has a budget or forecast


def test_filters_and_sorting(login, viewer, company, kitchen, contract, ledger):
    Project.objects.create(company=company, qbo_id="17", name="Attic", customer_name="Ames", status="OPEN")
    line(company, "700.00", project_qbo_id="17", txn_date=date(2026, 1, 3))
    client = login(viewer)

    only_open = client.get(wip_url(company, as_of="2026-12-31", status="OPEN")).context["schedule"].rows
    by_cost = client.get(wip_url(company, as_of="2026-12-31", sort="-cost_to_date")).context["schedule"].rows
    searched = client.get(wip_url(company, as_of="2026-12-31", q="okaf")).context["schedule"].rows

    assert [row.project for row in only_open] == ["Attic"]
    assert [row.project for row in by_cost] == ["Kitchen Remodel", "Attic"]
    assert [row.project for row in searched] == ["Kitchen Remodel"]


def test_exports_carry_real_numbers_and_a_totals_row(login, viewer, company, kitchen, contract, ledger):
    budget(company, "20000.00")
    client = login(viewer)

    xlsx = client.get(wip_url(company, as_of="2026-12-31", export="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    csv_text = b"".join(client.get(wip_url(company, as_of="2026-12-31", export="csv")).streaming_content).decode()

    assert rows[0][:4] == ("Project", "Customer", "Status", "Original contract")
    assert rows[1][0] == "Kitchen Remodel" and rows[1][8] == 10000  # cost to date, a number
    assert sheet.cell(row=2, column=10).number_format == "0.0%" and rows[-1][0] == "Total, 1 project"
    assert "Kitchen Remodel" in csv_text and "10000.00" in csv_text


def test_queries_do_not_grow_with_the_number_of_projects(login, viewer, company):
    client = login(viewer)
    client.get(wip_url(company, as_of="2026-12-31"))  # the first visit also writes the company to the session

    def queries_for(count: int) -> int:
        for n in range(Project.objects.count(), count):
            Project.objects.create(company=company, qbo_id=str(500 + n), name=f"Job {n:03}", customer_name="X")
            line(company, "10.00", project_qbo_id=str(500 + n), txn_date=date(2026, 1, 1))
            line(company, "12.00", project_qbo_id=str(500 + n), kind=LedgerLine.Kind.REVENUE, txn_date=date(2026, 1, 1))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(wip_url(company, as_of="2026-12-31")).status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(60)


def test_only_members_see_a_company_s_wip(login, outsider, company, kitchen):
    assert login(outsider).get(wip_url(company)).status_code in (403, 404)


def test_a_reviewed_forecast_is_the_estimate_at_completion_from_its_period_on(
    login, viewer, accountant, project_manager, company, kitchen, contract, ledger
):
    from budgets.forecasts import enter_forecast, review_forecast
    from quickbooks.models import Membership

    budget(company, "20000.00")
    manager = Membership.objects.get(user=project_manager, company=company)
    forecast = enter_forecast(
        project=kitchen, period_end=date(2026, 3, 31), comment="Framing ran long", by=manager,
        cost_to_complete=D("14000.00"),
    )  # fmt: skip
    client = login(viewer)
    assert row_of(client.get(wip_url(company, as_of="2026-04-30")), kitchen).estimate_source == "revised budget"

    review_forecast(
        forecast_id=forecast.pk, project=kitchen, by=Membership.objects.get(user=accountant, company=company)
    )

    before = row_of(client.get(wip_url(company, as_of="2026-02-28")), kitchen)
    after = row_of(client.get(wip_url(company, as_of="2026-04-30")), kitchen)
    assert before.estimated_cost == D("21500.00")  # the period before the forecast's: the revised budget
    # Cost to date at 31 March (9,700: everything but the April lines) + 14,000 still to spend.
    assert (after.estimated_cost, after.estimate_source) == (D("23700.00"), "reviewed forecast")


def test_the_page_shows_fifty_projects_at_a_time_the_totals_all_of_them(login, viewer, company):
    for n in range(60):
        Project.objects.create(company=company, qbo_id=str(700 + n), name=f"Job {n:03}", customer_name="X")
        line(company, "10.00", project_qbo_id=str(700 + n), txn_date=date(2026, 1, 1))
    client = login(viewer)

    first = client.get(wip_url(company, as_of="2026-12-31"))
    everything = client.get(wip_url(company, as_of="2026-12-31", all=1)).content.decode()

    assert len(first.context["page"].object_list) == 50 and "Page 1 of 2" in first.content.decode()
    assert first.context["totals"]["cost_to_date"] == D("600.00")  # every project's, not the page's
    assert everything.count("data-wip-row=") == 60 and "Page 1 of" not in everything


def test_the_class_filter_finds_projects_by_their_estimates_and_lines(
    login, viewer, company, kitchen, contract, ledger
):
    from quickbooks.models import ReferenceRecord

    ReferenceRecord.objects.create(company=company, entity="Class", qbo_id="5", name="Renovation")
    Project.objects.create(company=company, qbo_id="17", name="Attic", customer_name="Ames", status="OPEN")
    line(company, "700.00", project_qbo_id="17", txn_date=date(2026, 1, 3), class_qbo_id="5", class_name="Renovation")
    client = login(viewer)

    classed = client.get(wip_url(company, as_of="2026-12-31", klass="5")).context["schedule"].rows
    everything = client.get(wip_url(company, as_of="2026-12-31")).context["schedule"].rows

    assert [row.project for row in classed] == ["Attic"] and len(everything) == 2
