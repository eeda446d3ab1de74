"""The project page's reads of its ledger look the project's lines up by their index, never the company's whole
ledger: SQLite, which gathers no statistics unless told, once chose (company, txn_date) for the ledger page to
skip a sort, and read every line of the company (~370 ms at 200,000 lines; bench/dashboard.py)."""

from decimal import Decimal

import pytest
from django.db import connection

from projects.models import LedgerLine, Project
from reports import figures, project_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(company):
    project = Project.objects.create(company=company, qbo_id="16", name="Kitchen Remodel")
    for n, kind in enumerate(LedgerLine.Kind):
        LedgerLine.objects.create(
            company=company,
            project_qbo_id="16",
            tagged_by="project_ref",
            txn_type="Bill",
            txn_qbo_id=str(n),
            kind=kind,
            amount=Decimal("10.00"),
        )
    return figures.ledger_lines(project)


def plan(queryset) -> str:
    """SQLite's plan for the query, one step a line."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans from its statistics, which a test's few rows do not resemble")


def reads(lines) -> dict:
    """What the project page asks of its ledger (reports.project_page, reports.figures)."""
    in_order = ("txn_date", "txn_type", "txn_qbo_id", "line_id", "pk")  # project_page.ledger's order
    return {
        "ledger page": lines.order_by(*in_order)[:100],
        "ledger page of one type": lines.filter(txn_type="Bill").order_by(*in_order)[:100],
        "type choices": project_page.kinds_and_types(lines),
        "account choices": lines.exclude(account_qbo_id="")
        .order_by("account_name", "account_qbo_id")
        .values_list("account_qbo_id", "account_name")
        .distinct(),
        "line count": lines.order_by().values("pk"),
        "chart": lines.filter(kind__in=["cost", "revenue"], txn_date__isnull=False).values("kind"),
    }


def test_every_read_of_a_projects_ledger_searches_by_company_and_project(sqlite_only, lines):
    for name, queryset in reads(lines).items():
        found = plan(queryset)
        assert "company_id=? AND project_qbo_id=?" in found, (name, found)
        assert "SCAN projects_ledgerline" not in found, (name, found)


def test_the_figures_of_the_ledger_are_one_aggregate(lines):
    found = figures.actuals(lines)

    assert (found.cost, found.revenue, found.commitments, found.payments, found.journal) == (Decimal("10.00"),) * 5
    assert found.margin == Decimal("0.00")
