"""The dashboard's queries: every page in every order, and the totals, are exactly the figures worked out here apart
from SQL; the ledger is read once per figure and project; a page works out the figures of its own rows only."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project, TxnStatus
from reports.dashboard import SORT_EXPRESSIONS, CountedPaginator, dashboard_listing, dashboard_totals

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
KINDS = list(LedgerLine.Kind)
STATUSES = list(TxnStatus)
LEDGER = LedgerLine._meta.db_table


def cents(value: Decimal | None) -> Decimal | None:
    """A figure to the cent, as every page and export shows it (SQLite adds in binary floating point)."""
    return None if value is None else Decimal(value).quantize(CENT)


def money(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(-50_000, 2_000_000)) / 100


@dataclass
class Expected:
    contract_value: Decimal = Decimal("0.00")
    cost_to_date: Decimal = Decimal("0.00")
    billed_to_date: Decimal = Decimal("0.00")
    budget: Decimal | None = None
    change_order_cost: Decimal = Decimal("0.00")

    @property
    def gross_margin(self) -> Decimal:
        return self.billed_to_date - self.cost_to_date

    @property
    def estimated_cost(self) -> Decimal | None:
        return None if self.budget is None else self.budget + self.change_order_cost


def build(company, seed: int, projects: int = 23, lines: int = 400) -> dict[int, Expected]:
    """Projects of every kind (pinned, deleted, not yet in QuickBooks, with and without a budget) with documents
    and ledger lines of every kind and sign, and lines naming no project or one that is not here; returns what
    each listed project's figures must be, added up here from the rows."""
    rng = random.Random(seed)  # noqa: S311 - the same data on every run, not a secret
    start = date(2026, 1, 1)
    made = [
        Project.objects.create(
            company=company,
            qbo_id="" if n == 7 else str(100 + n),
            name=f"Project {rng.choice('ABC')}{n:02d}",
            customer_name=f"Customer {n % 4}",
            status=rng.choice(list(Project.Status)),
            pinned=n % 6 == 0,
            deleted=n == 11,
            due_date=None if n % 5 == 0 else start + timedelta(days=rng.randrange(400)),
        )
        for n in range(projects)
    ]
    expected = {p.pk: Expected() for p in made}
    by_qbo_id = {p.qbo_id: expected[p.pk] for p in made if p.qbo_id}
    ids = [p.qbo_id for p in made] + ["", "999"]  # no project, and a project not pulled yet
    for n, qbo_id in enumerate(ids * 2):
        figures = by_qbo_id.get(qbo_id)
        for model in (Estimate, ChangeOrder):
            status, subtotal, cost = rng.choice(STATUSES), money(rng), money(rng)
            model.objects.create(
                company=company,
                qbo_id=f"{model.__name__}-{n}",
                project_qbo_id=qbo_id,
                status=status,
                booked_status=status,
                booked_subtotal=subtotal,
                booked_cost=cost if n % 3 else None,
            )
            if figures is not None and status in (TxnStatus.ACCEPTED, TxnStatus.CLOSED, TxnStatus.CONVERTED):
                figures.contract_value += subtotal
                if model is ChangeOrder and n % 3:
                    figures.change_order_cost += cost
        if n % 3 == 0:
            total, deleted = money(rng), n % 9 == 0
            Budget.objects.create(company=company, qbo_id=f"B{n}", project_qbo_id=qbo_id, total=total, deleted=deleted)
            if figures is not None and not deleted:
                figures.budget = (figures.budget or Decimal("0.00")) + total
    rows = []
    for n in range(lines):
        qbo_id, kind, amount = rng.choice(ids), rng.choice(KINDS), money(rng)
        rows.append(
            LedgerLine(
                company=company,
                project_qbo_id=qbo_id,
                tagged_by="project_ref",
                txn_type=rng.choice(["Bill", "Invoice", "Purchase", "TimeActivity"]),
                txn_qbo_id=str(n),
                kind=kind,
                amount=amount,
            )
        )
        figures = by_qbo_id.get(qbo_id)
        if figures is not None and kind == LedgerLine.Kind.COST:
            figures.cost_to_date += amount
        elif figures is not None and kind == LedgerLine.Kind.REVENUE:
            figures.billed_to_date += amount
    LedgerLine.objects.bulk_create(rows)
    return {pk: figures for pk, figures in expected.items() if pk != made[11].pk}  # the deleted one is not listed


FIGURES = ("contract_value", "cost_to_date", "billed_to_date", "gross_margin", "estimated_cost")


def shown(project) -> tuple:
    return tuple(cents(getattr(project, name)) for name in FIGURES)


def wanted(figures: Expected) -> tuple:
    return tuple(cents(getattr(figures, name)) for name in FIGURES)


def listing(company, **query):
    data = QueryDict(mutable=True)
    for name, value in query.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return dashboard_listing(data, company)[1]


SORTS = [None, *SORT_EXPRESSIONS, *(f"-{key}" for key in SORT_EXPRESSIONS)]


def test_every_page_in_every_order_is_the_listing_with_its_own_figures(company, other_company):
    expected = build(company, 15)
    build(other_company, 16)  # the same QuickBooks ids in another realm: never counted here

    for sort in SORTS:
        projects = listing(company, **({"sort": sort} if sort else {}))
        everything = list(projects)  # one query, the figures of every row
        paginator = CountedPaginator(projects, 5, count=len(everything))

        paged = [row for number in paginator.page_range for row in paginator.page(number).object_list]

        assert [p.pk for p in paged] == [p.pk for p in everything], sort
        assert sorted(p.pk for p in paged) == sorted(expected), sort
        for row in paged:
            assert shown(row) == wanted(expected[row.pk]), (sort, row.name)
            assert row.gross_margin == row.billed_to_date - row.cost_to_date  # from the row's own two sums


@pytest.mark.parametrize(
    "query",
    [{}, {"status": ["OPEN", "IN_PROGRESS", "BLOCKED"]}, {"q": "customer 1"}, {"due_from": "2026-06-01"}],
)
def test_totals_are_the_sums_of_the_listed_projects_figures_to_the_cent(company, other_company, query):
    expected = build(company, 15)
    build(other_company, 16)
    projects = listing(company, **query)
    listed = [expected[p.pk] for p in projects]

    totals = dashboard_totals(projects)

    assert totals["count"] == len(listed) > 0
    for name in ("contract_value", "cost_to_date", "billed_to_date", "gross_margin"):
        assert cents(totals[name]) == sum((getattr(f, name) for f in listed), Decimal("0.00")), name
    assert totals["gross_margin"] == totals["billed_to_date"] - totals["cost_to_date"]


def test_no_projects_total_nothing(company):
    assert dashboard_totals(listing(company)) == {
        "count": 0,
        "contract_value": 0,
        "cost_to_date": 0,
        "billed_to_date": 0,
        "gross_margin": 0,
    }


def ledger_reads(sql: str) -> int:
    return sql.count(f'"{LEDGER}"')


def test_the_ledger_is_read_once_per_figure_and_project_and_for_the_pages_rows_only(login, viewer, company):
    """Cost and billing are one correlated sum each; the margin reuses them (the totals subtract the two sums, the
    rows their own two values); the page's rows are picked without the figures when the order is not by one."""
    build(company, 15, projects=60)
    client = login(viewer)
    url = reverse("reports:dashboard", args=[company.pk]) + "?page=2"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    reading = [query["sql"] for query in queries.captured_queries if ledger_reads(query["sql"])]

    assert response.status_code == 200
    totals, rows = reading
    assert totals.startswith("SELECT COUNT(") and ledger_reads(totals) == 2
    assert ledger_reads(rows) == 2
    picked = rows[rows.index(" IN (SELECT ") :]
    assert "OFFSET 50" in picked and ledger_reads(picked) == 0  # the skipped rows' figures are never worked out
    assert [p.name for p in response.context["projects"]] == [p.name for p in listing(company)[50:]]


def test_a_status_filter_lists_each_project_once_without_distinct(company):
    build(company, 15)
    projects = listing(company, status=["OPEN", "OTHER", "COMPLETE"], sort="-margin")

    assert not projects.query.distinct
    assert len({p.pk for p in projects}) == len(list(projects))


@pytest.mark.parametrize("query", ["?page=2&sort=complete", "?page=3&sort=-contract_value&status=OPEN&status=OTHER"])
def test_later_pages_sorted_by_a_figure_run_the_same_queries_at_any_size(
    login, viewer, company, django_assert_num_queries, query
):
    build(company, 15, projects=12, lines=50)
    client = login(viewer)
    url = reverse("reports:dashboard", args=[company.pk]) + query
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(150):
        Project.objects.create(company=company, qbo_id=str(5000 + n), name=f"More {n:03d}", status="OPEN")

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200 and len(response.context["projects"]) == 50
