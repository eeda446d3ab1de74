"""The reports beside the WIP: job profitability and budget vs actual across projects, as of a period end, on the page
and in the exports, with their totals."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import LedgerLine, Project
from tests.projects.test_project_page import budget, line

pytestmark = pytest.mark.django_db
D = Decimal


def report(client, company, name, **params):
    return client.get(reverse("reports:summary", args=[company.pk, name]), params)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_job_profitability_splits_cost_and_adds_up_as_of_the_period_end(login, viewer, company, kitchen, ledger):
    client = login(viewer)

    rows = csv_rows(report(client, company, "job-profitability", as_of="2026-12-31", export="csv"))
    early = csv_rows(report(client, company, "job-profitability", as_of="2026-02-03", export="csv"))

    kitchen_row, total = rows[0], rows[-1]
    assert (kitchen_row["Billed to date"], kitchen_row["Cost to date"]) == ("19000.00", "10000.00")
    split = [D(kitchen_row[name]) for name in ("Labour", "Subcontractors", "Materials", "Other")]
    assert split == [D("1200.00"), D("5500.00"), D("2800.00"), D("500.00")] and sum(split) == D("10000.00")
    assert (kitchen_row["Billed margin"], kitchen_row["Margin %"]) == ("9000.00", "47.4%")
    assert total["Project"] == "Total, 1 project" and total["Cost to date"] == "10000.00"
    assert early[0]["Cost to date"] == "5200.00"  # a bill dated after 3 February is not in it
    page = report(client, company, "job-profitability", as_of="2026-12-31").content.decode()
    assert "Kitchen Remodel" in page and "19,000.00" in page and "Billed margin = billed − cost" in page


def test_budget_summary_revises_the_budget_by_signed_change_orders_and_flags_overruns(
    login, viewer, company, kitchen, contract, ledger
):
    budget(company, "9000.00")
    Project.objects.create(company=company, qbo_id="17", name="Attic", customer_name="Ames")
    line(company, "700.00", project_qbo_id="17", txn_date=date(2026, 1, 3))
    line(company, "50.00", project_qbo_id="17", kind=LedgerLine.Kind.COMMITMENT, txn_date=date(2026, 1, 4))

    rows = csv_rows(report(login(viewer), company, "budget-summary", as_of="2026-12-31", export="csv"))

    attic, kitchen_row, total = rows
    assert (attic["Budget"], attic["Actual to date"], attic["Committed"], attic["Flag"]) == (
        "",
        "700.00",
        "50.00",
        "no budget",
    )
    assert (kitchen_row["Budget"], kitchen_row["Change orders' cost"], kitchen_row["Revised budget"]) == (
        "9000.00",
        "1500.00",
        "10500.00",
    )
    assert (kitchen_row["Remaining"], kitchen_row["% used"], kitchen_row["Variance"]) == ("-4500.00", "95.2%", "500.00")
    assert total["Actual to date"] == "10700.00" and total["% used"] == "95.2%"


def test_an_unknown_report_is_not_found_and_outsiders_see_nothing(login, viewer, outsider, company, kitchen):
    assert report(login(viewer), company, "secret-report").status_code == 404
    assert report(login(outsider), company, "job-profitability").status_code in (403, 404)
