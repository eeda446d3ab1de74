"""Sorting the dashboard by any column, pagination that keeps filters and sort, totals over every match."""

from datetime import date
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine
from tests.projects.test_dashboard import ledger, project, sales

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(company):
    """Three projects whose every figure orders them differently from their names."""
    project(
        company,
        "1",
        "Alder Street",
        customer_name="Chen",
        status="COMPLETE",
        completion_rate=Decimal("100"),
        due_date=date(2026, 9, 1),
    )
    sales(Estimate, company, "1", "30000.00")
    ledger(company, "1", LedgerLine.Kind.COST, "5000.00")
    ledger(company, "1", LedgerLine.Kind.REVENUE, "6000.00")  # margin 1000, 16.7%
    Budget.objects.create(company=company, qbo_id="b1", project_qbo_id="1", total=Decimal("10000.00"))  # 50% spent
    project(
        company, "2", "Birch Lane", customer_name="Abara", status="OPEN", completion_rate=Decimal("10"), due_date=None
    )
    sales(Estimate, company, "2", "10000.00")
    sales(ChangeOrder, company, "2", "500.00")
    ledger(company, "2", LedgerLine.Kind.COST, "9000.00")
    ledger(company, "2", LedgerLine.Kind.REVENUE, "12000.00")  # margin 3000, 25%
    Budget.objects.create(company=company, qbo_id="b2", project_qbo_id="2", total=Decimal("100000.00"))  # 9% spent
    project(
        company,
        "3",
        "Cedar Court",
        customer_name="Baptiste",
        status="BLOCKED",
        completion_rate=None,
        due_date=date(2026, 3, 1),
        pinned=True,
    )
    sales(Estimate, company, "3", "20000.00")
    ledger(company, "3", LedgerLine.Kind.COST, "100.00")  # nothing billed: no margin %


def names(client, company, query=""):
    response = client.get(reverse("reports:dashboard", args=[company.pk]) + query)
    assert response.status_code == 200
    return [p.name for p in response.context["projects"]]


A, B, C = "Alder Street", "Birch Lane", "Cedar Court"


@pytest.mark.parametrize(
    "key, ascending",
    [
        ("name", [A, B, C]),
        ("customer", [B, C, A]),
        ("status", [B, C, A]),  # the Projects API's order: open, in progress, blocked, canceled, complete
        ("contract_value", [B, C, A]),
        ("cost", [C, A, B]),
        ("billed", [C, A, B]),
        ("margin", [C, A, B]),
        ("margin_percent", [A, B, C]),  # nothing billed has no percentage: last either way
        ("complete", [B, A, C]),  # cost-to-cost; no budget, so no % complete: last either way
        ("due", [C, A, B]),  # no due date: last either way
    ],
)
def test_every_column_sorts_both_ways(login, viewer, company, three, key, ascending):
    client = login(viewer)

    assert names(client, company, f"?sort={key}") == ascending
    blanks_last = key in ("margin_percent", "complete", "due")
    descending = [*reversed(ascending[:2]), ascending[2]] if blanks_last else list(reversed(ascending))
    assert names(client, company, f"?sort=-{key}") == descending


def test_pinned_come_first_until_the_user_sorts(login, viewer, company, three):
    client = login(viewer)

    assert names(client, company) == [C, A, B]
    assert names(client, company, "?sort=name") == [A, B, C]


def test_an_unknown_sort_keeps_the_usual_order(login, viewer, company, three):
    assert names(login(viewer), company, "?sort=-password") == [C, A, B]


def header_query(html, label):
    """The query string of the column header link whose text starts with `label`."""
    start = html.index(f">{label}", html.index("<thead>"))
    href = html.rindex('href="?', 0, start)
    return parse_qs(unescape(html[href + 7 : html.index('"', href + 7)]))


def test_a_header_sorts_its_column_then_reverses_it_keeping_the_filters(login, viewer, company, three):
    client = login(viewer)
    url = reverse("reports:dashboard", args=[company.pk])

    html = client.get(url + "?status=OPEN&q=a&page=2").content.decode()
    assert header_query(html, "Billed margin") == {"status": ["OPEN"], "q": ["a"], "sort": ["margin"]}
    html = client.get(url + "?status=OPEN&sort=margin").content.decode()
    assert header_query(html, "Billed margin") == {"status": ["OPEN"], "sort": ["-margin"]}
    assert 'aria-sort="ascending"' in html
    html = client.get(url + "?sort=-margin").content.decode()
    assert header_query(html, "Billed margin") == {"sort": ["margin"]}


@pytest.fixture
def many(company):
    """120 projects: even ones OPEN with 10.00 of cost each, odd ones COMPLETE with 1.00."""
    for n in range(120):
        status, cost = ("OPEN", "10.00") if n % 2 == 0 else ("COMPLETE", "1.00")
        project(company, str(100 + n), f"Project {n:03d}", status=status)
        ledger(company, str(100 + n), LedgerLine.Kind.COST, cost)


def test_pages_hold_fifty_projects_in_order(login, viewer, company, many):
    client = login(viewer)

    assert names(client, company) == [f"Project {n:03d}" for n in range(50)]
    assert names(client, company, "?page=3") == [f"Project {n:03d}" for n in range(100, 120)]
    assert names(client, company, "?page=99") == names(client, company, "?page=3")  # past the end: the last page
    assert names(client, company, "?page=nonsense") == names(client, company)


def test_page_links_keep_the_filters_and_the_sort(login, viewer, company, many):
    html = login(viewer).get(reverse("reports:dashboard", args=[company.pk]) + "?status=OPEN&sort=-name&page=1").content
    html = html.decode()

    nav = html[html.index('<nav class="pagination"') :]
    next_href = unescape(nav[nav.index('href="', nav.index("Page 1 of 2")) + 6 :])
    query = parse_qs(urlsplit(next_href[: next_href.index('"')]).query)
    assert query == {"status": ["OPEN"], "sort": ["-name"], "page": ["2"]}
    assert "projects 1–50 of 60" in nav


def test_totals_cover_every_matching_project_not_just_the_page(login, viewer, company, many):
    client = login(viewer)

    everything = client.get(reverse("reports:dashboard", args=[company.pk]) + "?page=2").context
    assert len(everything["projects"]) == 50
    assert everything["totals"]["count"] == 120
    assert everything["totals"]["cost_to_date"] == Decimal("660.00")  # 60 x 10.00 + 60 x 1.00
    open_only = client.get(reverse("reports:dashboard", args=[company.pk]) + "?status=OPEN").context["totals"]
    assert open_only["count"] == 60 and open_only["cost_to_date"] == Decimal("600.00")
    html = client.get(reverse("reports:dashboard", args=[company.pk]) + "?status=OPEN").content.decode()
    assert "Total, 60 projects matching" in html and "(600.00)" in html


def test_export_links_carry_the_filters_and_sort_but_not_the_page(login, viewer, company, many):
    html = login(viewer).get(reverse("reports:dashboard", args=[company.pk]) + "?status=OPEN&sort=-cost&page=2").content
    html = unescape(html.decode())

    for name, label in (("reports:dashboard-csv", "Export CSV"), ("reports:dashboard-xlsx", "Export XLSX")):
        assert f'href="{reverse(name, args=[company.pk])}?status=OPEN&sort=-cost">{label}</a>' in html
