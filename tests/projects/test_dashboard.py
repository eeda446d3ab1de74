"""The dashboard's figures: contract value, cost and billing to date, margin; pinned first; constant queries;
who may see it."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project, TxnStatus
from projects.templatetags.money import money, percent_of

pytestmark = pytest.mark.django_db


def project(company, qbo_id, name, **fields):
    fields.setdefault("customer_name", "Okafor Residence")
    return Project.objects.create(company=company, qbo_id=qbo_id, name=name, **fields)


def ledger(company, project_qbo_id, kind, amount, n=[0]):  # noqa: B006 - a counter for unique line ids
    n[0] += 1
    return LedgerLine.objects.create(
        company=company,
        project_qbo_id=project_qbo_id,
        tagged_by="project_ref",
        txn_type="Bill",
        txn_qbo_id=str(n[0]),
        line_id="1",
        kind=kind,
        amount=Decimal(amount),
    )


def sales(model, company, project_qbo_id, total, status=TxnStatus.ACCEPTED, tax="0.00", n=[0]):  # noqa: B006
    """An estimate or change order as QuickBooks holds it: `total` is its TotalAmt, tax included."""
    n[0] += 1
    return model.objects.create(
        company=company,
        qbo_id=str(n[0]),
        project_qbo_id=project_qbo_id,
        total_amount=Decimal(total),
        total_tax=Decimal(tax),
        status=status,
        booked_status=status,
        booked_subtotal=Decimal(total) - Decimal(tax),
    )


@pytest.fixture
def kitchen(company):
    kitchen = project(company, "16", "Kitchen Remodel", status="IN_PROGRESS", completion_rate=Decimal("35"))
    sales(Estimate, company, "16", "51360.00", tax="3360.00")  # accepted: counts, before tax (48,000.00)
    sales(Estimate, company, "16", "7000.00", status=TxnStatus.PENDING)  # proposed: does not
    sales(ChangeOrder, company, "16", "2500.00")  # accepted: counts
    sales(ChangeOrder, company, "16", "900.00", status=TxnStatus.PENDING)  # pending: does not
    ledger(company, "16", LedgerLine.Kind.COST, "12000.10")
    ledger(company, "16", LedgerLine.Kind.COST, "-200.00")  # a vendor credit
    ledger(company, "16", LedgerLine.Kind.REVENUE, "20000.00")
    ledger(company, "16", LedgerLine.Kind.REVENUE, "-1000.00")  # a credit memo
    ledger(company, "16", LedgerLine.Kind.COMMITMENT, "5000.00")  # a purchase order: not a cost yet
    Budget.objects.create(
        company=company, qbo_id="b16", project=kitchen, project_qbo_id="16", total=Decimal("29500.25")
    )
    return kitchen


def row_of(response, name):
    return next(p for p in response.context["projects"] if p.name == name)


def test_a_projects_figures_follow_the_rules(login, viewer, company, kitchen):
    response = login(viewer).get(reverse("reports:dashboard", args=[company.pk]))

    row = row_of(response, "Kitchen Remodel")
    assert row.contract_value == Decimal("50500.00")  # signed estimate + signed change orders, before tax
    assert row.cost_to_date == Decimal("11800.10")
    assert row.billed_to_date == Decimal("19000.00")
    assert row.gross_margin == Decimal("7199.90")
    html = response.content.decode()
    # % complete is cost-to-cost: 11,800.10 of the budget's 29,500.25 (QuickBooks' own completion rate, 40, is not it)
    assert "50,500.00" in html and "11,800.10" in html and "37.9%" in html and "40.0%" in html


def test_a_project_not_yet_in_quickbooks_counts_nothing_that_names_no_project(login, viewer, company, kitchen):
    """Drafts and mis-coded lines carry no ProjectRef (an empty project id): they belong to no project, not to every
    project that has no QuickBooks id yet."""
    project(company, "", "New Garage")  # saved here, not yet sent to QuickBooks
    sales(Estimate, company, "", "7000.00", status=TxnStatus.PENDING)  # a draft estimate
    ledger(company, "", LedgerLine.Kind.COST, "486.20")  # charged to a project's customer, not to a project

    response = login(viewer).get(reverse("reports:dashboard", args=[company.pk]))

    row = row_of(response, "New Garage")
    assert (row.contract_value, row.cost_to_date, row.billed_to_date) == (0, 0, 0)
    assert response.context["totals"]["cost_to_date"] == Decimal("11800.10")  # Kitchen Remodel's alone


def test_figures_say_their_currency_and_dates_read_one_way(login, viewer, company, kitchen):
    company.home_currency = "USD"
    company.save()
    kitchen.due_date = date(2026, 6, 30)
    kitchen.save()

    html = login(viewer).get(reverse("reports:dashboard", args=[company.pk])).content.decode()
    page = login(viewer).get(reverse("reports:project-detail", args=[company.pk, kitchen.pk])).content.decode()

    assert "Total, 1 project, USD" in html and "Amounts in USD, before sales tax" in html
    assert "Figures in USD, before sales tax" in page
    assert "2026-06-30" in html and "2026-06-30" in page


def test_totals_add_up_the_rows(login, viewer, company, kitchen):
    bath = project(company, "20", "Primary Bath")
    sales(Estimate, company, "20", "12000.00")
    ledger(company, "20", LedgerLine.Kind.COST, "3000.00")

    totals = login(viewer).get(reverse("reports:dashboard", args=[company.pk])).context["totals"]

    assert bath.pk and totals["contract_value"] == Decimal("62500.00")
    assert totals["cost_to_date"] == Decimal("14800.10")
    assert totals["gross_margin"] == Decimal("4199.90")


def test_pinned_projects_come_first_and_deleted_ones_not_at_all(login, viewer, company, kitchen):
    project(company, "30", "Alpha Deck", pinned=True)
    project(company, "31", "Zulu Gone", deleted=True)

    names = [p.name for p in login(viewer).get(reverse("reports:dashboard", args=[company.pk])).context["projects"]]

    assert names == ["Alpha Deck", "Kitchen Remodel"]


def test_another_companys_projects_and_ledger_never_show(login, viewer, company, other_company, kitchen):
    project(other_company, "16", "Their Kitchen")  # same QuickBooks id, other realm
    ledger(other_company, "16", LedgerLine.Kind.COST, "99999.00")

    response = login(viewer).get(reverse("reports:dashboard", args=[company.pk]))

    assert [p.name for p in response.context["projects"]] == ["Kitchen Remodel"]
    assert row_of(response, "Kitchen Remodel").cost_to_date == Decimal("11800.10")


def add_projects(company, count, start=2):
    for n in range(start, start + count):
        project(company, str(n), f"Project {n:02d}", customer_qbo_id=str(n % 7), type="Remodel")
        sales(Estimate, company, str(n), "100.00")
        sales(ChangeOrder, company, str(n), "10.00")
        ledger(company, str(n), LedgerLine.Kind.COST, "10.00")
        ledger(company, str(n), LedgerLine.Kind.REVENUE, "25.00")


@pytest.mark.parametrize(
    "view, query",
    [
        ("reports:dashboard", ""),
        ("reports:dashboard", "?status=OPEN&status=OTHER&sort=-margin&q=project"),
        ("reports:dashboard-csv", ""),
        ("reports:dashboard-xlsx", "?sort=customer"),
    ],
)
def test_the_same_queries_list_one_project_or_sixty(login, viewer, company, django_assert_num_queries, view, query):
    client = login(viewer)
    url = reverse(view, args=[company.pk]) + query
    project(company, "1", "Only One Project")
    body(client.get(url))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        body(client.get(url))  # a CSV streams: its queries run as it is read
    add_projects(company, 59)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
        content = body(response)
    assert response.status_code == 200
    if view == "reports:dashboard":
        assert response.context["totals"]["count"] == 60 and len(response.context["projects"]) == 50
    if view == "reports:dashboard-csv":
        assert len(content.decode().splitlines()) == 1 + 60 + 1  # header, rows, totals


@pytest.mark.parametrize("view", ["reports:dashboard", "reports:dashboard-csv", "reports:dashboard-xlsx"])
def test_every_role_sees_the_dashboard_and_its_exports(login, member, company, kitchen, view):
    response = login(member).get(reverse(view, args=[company.pk]))

    assert response.status_code == 200
    assert (b"PK" if view == "reports:dashboard-xlsx" else b"Kitchen Remodel") in body(response)


@pytest.mark.parametrize("view", ["reports:dashboard", "reports:dashboard-csv", "reports:dashboard-xlsx"])
def test_an_outsider_gets_not_found_for_the_dashboard_and_its_exports(login, outsider, company, kitchen, view):
    response = login(outsider).get(reverse(view, args=[company.pk]))

    assert response.status_code == 404
    assert b"Kitchen Remodel" not in response.content


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_money_reads_as_accountants_write_it():
    assert money(Decimal("-1234.5")) == "(1,234.50)"
    assert money(Decimal("0")) == "0.00"
    assert money(None) == "—"
    assert percent_of(Decimal("1"), Decimal("0")) == "—"
