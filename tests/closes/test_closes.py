"""The month-end close: closing stores the WIP as the page shows it and keeps it as it was whatever arrives later;
reopening (with a reason) shows what changed since, figure by figure, with the transactions that moved it; closing
again keeps the history; who may do what; the stored figures' exports; the profit fade; a constant number of queries.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from closes import services
from closes.models import ClosedFiguresError, WipClose
from projects.models import Estimate, Project
from quickbooks.models import Membership
from tests.projects.test_project_page import line

pytestmark = pytest.mark.django_db
D = Decimal
PERIOD = date(2026, 2, 28)


def membership(user, company) -> Membership:
    return Membership.objects.get(user=user, company=company)


def close_url(company):
    return reverse("closes:close", args=[company.pk])


def detail_url(close, **params):
    url = reverse("closes:detail", args=[close.company_id, close.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def reopen_url(close):
    return reverse("closes:reopen", args=[close.company_id, close.pk])


def wip_url(company, as_of=PERIOD):
    return reverse("reports:wip", args=[company.pk]) + f"?as_of={as_of:%Y-%m-%d}"


def stored_row(close, project) -> dict:
    return next(services.revived(row) for row in close.rows if row["project_id"] == project.pk)


# --- Closing ---------------------------------------------------------------------------------------------------


def test_closing_stores_the_wip_as_the_page_shows_it(login, accountant, company, kitchen, books):
    client = login(accountant)
    page = client.get(wip_url(company))
    assert b"Close this period" in page.content

    response = client.post(close_url(company), {"period_end": "2026-02-28"})

    close = WipClose.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(close)
    assert (close.state, close.closed_by, close.period_end) == ("closed", accountant, PERIOD)
    assert timezone.now() - close.closed_at < timedelta(minutes=1)
    shown = page.context["schedule"]
    assert [services.revived(row) for row in close.rows] == [row.figures() for row in shown.rows]
    assert services.revived(close.totals) == {**shown.totals, "net_over_under": shown.net_over_under}
    kitchen_row = stored_row(WipClose.objects.get(), kitchen)  # read back from the database: Decimals, exact
    assert kitchen_row["cost_to_date"] == D("9700.00") and isinstance(kitchen_row["cost_to_date"], Decimal)
    assert (kitchen_row["estimated_cost"], kitchen_row["estimated_margin"]) == (D("21500.00"), D("57.4"))

    detail = client.get(detail_url(close)).content.decode()
    assert "Kitchen Remodel" in detail and "9,700.00" in detail and "Closed by" in detail
    # The WIP page now says the period is closed, with a link to the stored version.
    again = client.get(wip_url(company)).content.decode()
    assert "Closed period." in again and detail_url(close) in again and "Close this period" not in again


def test_a_late_bill_dated_inside_the_period_does_not_move_the_close(login, accountant, company, kitchen, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))

    line(company, "700.00", txn_date=date(2026, 2, 20), doc_number="B-77")  # entered after the close, dated before
    line(company, "900.00", txn_date=date(2026, 3, 2), doc_number="B-78")  # after the period end: in no comparison

    stored = WipClose.objects.get(pk=close.pk)
    assert stored_row(stored, kitchen)["cost_to_date"] == D("9700.00")
    assert services.revived(stored.totals)["cost_to_date"] == D("10400.00")  # with Attic's 700.00
    page = login(accountant).get(detail_url(stored)).content.decode()
    assert "9,700.00" in page and "10,400.00" not in page.split("The stored WIP")[1].split("<tfoot>")[0]

    comparison = services.changes_since(stored)
    [changed] = comparison.projects
    assert changed.project == "Kitchen Remodel"
    cost = next(f for f in changed.figures if f.name == "cost_to_date")
    assert (cost.stored, cost.now, cost.difference) == (D("9700.00"), D("10400.00"), D("700.00"))
    [cause] = changed.causes
    assert (cause.what, cause.figure, cause.stored, cause.now) == ("Bill B-77, 20 Feb 2026", "cost", None, D("700.00"))
    assert "not in the close" in cause.change
    totals = {f.name: f for f in comparison.totals}
    assert totals["cost_to_date"].difference == D("700.00")


def test_reopening_shows_what_changed_line_by_line(login, accountant, company, kitchen, books, contract):
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    line(company, "700.00", txn_date=date(2026, 2, 20), doc_number="B-77")
    Estimate.objects.filter(pk=contract.pk).update(
        booked_subtotal=D("50000.00"), sync_token="3", qbo_updated_at=timezone.now() + timedelta(minutes=5)
    )  # the signed estimate edited in QuickBooks after the close
    Project.objects.create(company=company, qbo_id="18", name="Basement", customer_name="Ames", status="OPEN")
    client = login(accountant)

    assert b"Say why" in client.post(reopen_url(close), {"reason": "  "}).content  # a reason is required
    assert WipClose.objects.get(pk=close.pk).state == "closed"
    response = client.post(reopen_url(close), {"reason": "Subcontractor's February bill arrived late"})

    assert response.status_code == 302 and response["Location"] == detail_url(close)
    close.refresh_from_db()
    assert (close.state, close.reopened_by, close.reopen_reason) == (
        "reopened",
        accountant,
        "Subcontractor's February bill arrived late",
    )
    page = client.get(detail_url(close)).content.decode()
    assert "What changed since the close" in page and "Subcontractor&#x27;s February bill arrived late" in page
    assert "Bill B-77, 20 Feb 2026 (cost): not in the close" in page
    assert "Estimate 1001 (contract): changed in QuickBooks since the close" in page
    assert "Basement — added: not in the close" in page
    kitchen_change = page.split(f'data-project-change="{kitchen.pk}"')[1]
    assert "9,700.00" in kitchen_change and "10,400.00" in kitchen_change  # cost to date, stored and now
    assert "48,000.00" in kitchen_change and "50,000.00" in kitchen_change  # original contract
    assert stored_row(close, kitchen)["original_contract"] == D("48000.00")  # the close itself did not move


def test_a_period_is_closed_once_unless_reopened_and_every_close_is_kept(login, accountant, company, books):
    client = login(accountant)
    client.post(close_url(company), {"period_end": "2026-02-28"})
    first = WipClose.objects.get()

    response = client.post(close_url(company), {"period_end": "2026-02-28"}, follow=True)

    assert WipClose.objects.count() == 1
    assert "already closed" in response.content.decode() and "Reopen it, with the reason" in response.content.decode()
    with pytest.raises(ValidationError, match="already closed"):
        services.wip_close(company, PERIOD, membership(accountant, company))

    services.wip_reopen(first, membership(accountant, company), "A late bill")
    line(company, "700.00", txn_date=date(2026, 2, 20))
    client.post(close_url(company), {"period_end": "2026-02-28"})

    first.refresh_from_db()
    second = WipClose.objects.exclude(pk=first.pk).get()
    assert (first.state, second.state) == ("reopened", "closed")
    assert services.revived(second.totals)["cost_to_date"] == services.revived(first.totals)["cost_to_date"] + 700
    listing = client.get(reverse("closes:list", args=[company.pk])).content.decode()
    assert listing.count("data-close=") == 2 and "A late bill" in listing
    assert "Every close of this period" in client.get(detail_url(second)).content.decode()
    with pytest.raises(ValidationError, match="not ended yet"):
        services.wip_close(company, timezone.localdate() + timedelta(days=1), membership(accountant, company))


def test_reopening_needs_a_reason_and_happens_once(accountant, company, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    with pytest.raises(ValidationError, match="Say why"):
        services.wip_reopen(close, membership(accountant, company), " ")
    services.wip_reopen(close, membership(accountant, company), "Estimate revised")
    with pytest.raises(ValidationError, match="already reopened"):
        services.wip_reopen(close, membership(accountant, company), "Again")


# --- Kept as it was --------------------------------------------------------------------------------------------


def test_a_close_s_figures_cannot_be_changed(accountant, company, kitchen, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))

    close.rows[0]["cost_to_date"] = D("1.00")
    with pytest.raises(ClosedFiguresError, match="rows"):
        close.save()
    close.refresh_from_db()
    close.period_end = date(2026, 1, 31)
    with pytest.raises(ClosedFiguresError, match="period_end"):
        close.save()
    with pytest.raises(ClosedFiguresError):
        WipClose.objects.filter(pk=close.pk).update(totals={})
    with pytest.raises(ClosedFiguresError):
        WipClose.objects.get(pk=close.pk).delete()
    assert stored_row(WipClose.objects.get(pk=close.pk), kitchen)["cost_to_date"] == D("9700.00")

    reopened = services.wip_reopen(close, membership(accountant, company), "A late bill")
    reopened.reopen_reason = "Something else"
    with pytest.raises(ClosedFiguresError, match="reopening is kept"):
        reopened.save()


# --- Who may ---------------------------------------------------------------------------------------------------


def test_viewers_read_closes_but_cannot_close_or_reopen(login, viewer, accountant, company, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    client = login(viewer)

    assert client.post(close_url(company), {"period_end": "2026-01-31"}).status_code == 403
    assert client.post(reopen_url(close), {"reason": "Because"}).status_code == 403
    assert client.get(reopen_url(close)).status_code == 403
    listing = client.get(reverse("closes:list", args=[company.pk]))
    assert listing.status_code == 200 and b"Close this period" not in listing.content
    detail = client.get(detail_url(close))
    assert detail.status_code == 200 and b"Reopen this period" not in detail.content
    assert b"Close this period" not in client.get(wip_url(company, date(2026, 1, 31))).content
    assert WipClose.objects.count() == 1 and WipClose.objects.get().state == "closed"
    with pytest.raises(Exception, match="accountant role"):
        services.wip_close(company, date(2026, 1, 31), membership(viewer, company))


def test_outsiders_see_nothing_of_a_company_s_closes(login, outsider, accountant, company, other_company, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    client = login(outsider)

    assert client.get(reverse("closes:list", args=[company.pk])).status_code in (403, 404)
    assert client.get(detail_url(close)).status_code in (403, 404)
    assert client.post(reopen_url(close), {"reason": "x"}).status_code in (403, 404)
    assert client.post(close_url(company), {"period_end": "2026-01-31"}).status_code in (403, 404)
    # Their own company's address with our close's id: not found.
    foreign = reverse("closes:detail", args=[other_company.pk, close.pk])
    assert client.get(foreign).status_code == 404


# --- Exports and the profit fade -------------------------------------------------------------------------------


def test_exports_carry_the_stored_figures(login, viewer, accountant, company, kitchen, books):
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    line(company, "700.00", txn_date=date(2026, 2, 20))  # later: not in the stored figures
    client = login(viewer)

    workbook = client.get(detail_url(close, export="xlsx"))
    rows = list(openpyxl.load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    csv_text = b"".join(client.get(detail_url(close, export="csv")).streaming_content).decode()

    assert rows[0][:4] == ("Project", "Customer", "Status", "Original contract")
    kitchen_row = next(row for row in rows if row[0] == "Kitchen Remodel")
    assert kitchen_row[8] == 9700 and kitchen_row[3] == 48000  # cost to date and original contract, numbers
    assert rows[-1][0] == "Total, 2 projects" and rows[-1][8] == 10400
    assert "Kitchen Remodel" in csv_text and "9700.00" in csv_text and "10400.00" in csv_text
    assert "11100.00" not in csv_text  # the late bill's total


def test_the_profit_fade_draws_each_project_s_margin_across_closed_periods(login, viewer, accountant, company, books):
    by = membership(accountant, company)
    services.wip_close(company, date(2026, 1, 31), by)
    from budgets.models import Budget

    Budget.objects.filter(company=company).update(total=D("30000.00"))  # the budget grows: the margin fades
    services.wip_close(company, PERIOD, by)

    page = login(viewer).get(reverse("closes:list", args=[company.pk])).content.decode()

    chart = page.split("<svg", 1)[1].split("</svg>")[0]
    assert "Profit fade" in chart and "Kitchen Remodel" in chart
    assert "31 January 2026: estimated margin 57.4%" in chart  # (50,500 - 21,500) / 50,500
    assert "28 February 2026: estimated margin 37.6%" in chart  # (50,500 - 31,500) / 50,500
    assert chart.count('class="fade"') == 1  # Attic has no budget: no margin, no line
    assert "<script" not in page.split("Profit fade", 1)[1].split("</section>")[0]


def test_the_closes_list_takes_the_same_queries_however_many_closes(login, viewer, accountant, company, books):
    client = login(viewer)
    client.get(reverse("closes:list", args=[company.pk]))  # the first visit also writes the company to the session
    by = membership(accountant, company)
    ends = [date(2025, month, 28) for month in range(1, 13)]

    def queries_for(count: int) -> int:
        for period_end in ends[WipClose.objects.count() : count]:
            services.wip_close(company, period_end, by)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("closes:list", args=[company.pk])).status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(10)


def test_the_admin_shows_closes_read_only(client, accountant, company, books):
    from django.contrib import admin

    from tests.factories import UserFactory

    services.wip_close(company, PERIOD, membership(accountant, company))
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    model_admin = admin.site._registry[WipClose]
    request = type("R", (), {"user": staff})()

    assert client.get(reverse("admin:closes_wipclose_changelist"), {"q": "harbor"}).status_code == 200
    assert not model_admin.has_add_permission(request) and not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request) and model_admin.has_view_permission(request)


def test_a_forecast_reviewed_after_the_close_shows_on_reopening(accountant, company, kitchen, books):
    from budgets.models import CostForecast

    def forecast(estimate: str, reviewed_at):
        return CostForecast.objects.create(
            company=company, project=kitchen, period_end=PERIOD, cost_to_complete=D(estimate) - D("9700.00"),
            cost_to_date=D("9700.00"), estimated_cost_at_completion=D(estimate), comment="Tile crew",
            status=CostForecast.Status.REVIEWED, reviewed_by=accountant, reviewed_at=reviewed_at,
        )  # fmt: skip

    forecast("24000.00", timezone.now() - timedelta(hours=1))
    close = services.wip_close(company, PERIOD, membership(accountant, company))
    assert stored_row(close, kitchen)["estimated_cost"] == D("24000.00")  # the reviewed forecast, as the page has it
    assert stored_row(close, kitchen)["estimate_source"] == "reviewed forecast"

    forecast("26000.00", timezone.now() + timedelta(minutes=5))

    [changed] = services.changes_since(close).projects
    estimate = next(f for f in changed.figures if f.name == "estimated_cost")
    assert (estimate.stored, estimate.now, estimate.difference) == (D("24000.00"), D("26000.00"), D("2000.00"))
    [cause] = changed.causes
    assert cause.what == "Cost-to-complete forecast for 28 Feb 2026" and cause.difference == D("2000.00")
