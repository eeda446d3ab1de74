"""The dashboard and the project page at scale: time and SQL queries per request beside a raw SQL reference.

Run: DEBUG=1 .venv/bin/python bench/dashboard.py --database sqlite,postgres [--projects 2000] [--lines 200000]

`--database` is `sqlite`, `postgres` (on DATABASE_URL's server when it names a PostgreSQL one, else on
postgres://postgres@127.0.0.1:5432), a postgres:// server URL, or several of them comma-separated, each run in a
process of its own; without it, DATABASE_URL's kind. Each run builds a throwaway database migrated from scratch (a
SQLite file in a temporary folder, or a PostgreSQL database `costline_bench_<pid>` dropped afterwards; the one
DATABASE_URL names is never touched) with one small company (10 projects, 1,000 ledger lines) and one large one
(--projects projects, --lines ledger lines, an estimate, two change orders and, for three in four, a budget per
project), then asks for the dashboard, its exports and the project page through Django's test Client as a
signed-in viewer, with DEBUG off as production serves them (no query log, no template debugging), in rounds
over every case (a busy machine's slow spells fall on all of them alike). Each round
times the request, the request's own SELECTs run again on a bare cursor (its SQL alone, without Python), and a raw
SQL reference: hand-written SQL over the same tables for the same figures (the dashboard: count and totals of every
matching project, one grouped aggregate per table joined once, and the page's rows; the project page: its
documents, contract value, change orders' cost, the ledger split by kind, the monthly chart's sums and the first
page of its ledger), checked against the page's figures to the cent first.

Prints figures only; the target (issue 15) is, at 2,000 projects and 200,000 ledger lines, a median under 150 ms
within 2x the raw SQL, with as many queries as for the small company.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["OPEN", "IN_PROGRESS", "BLOCKED", "CANCELED", "COMPLETE", "OTHER"]
KINDS = ["cost", "cost", "cost", "revenue", "revenue", "commitment", "payment"]
TARGET_MS = 150
TARGET_RATIO = 2.0
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
CENT = Decimal("0.01")


def booked(status: str, total: Decimal) -> dict:
    """A document as QuickBooks holds it (no tax here; its cost 70% of its price): what the figures count."""
    return {
        "status": status,
        "total_amount": total,
        "booked_status": status,
        "booked_subtotal": total,
        "booked_cost": (total * Decimal("0.7")).quantize(CENT),
    }


# --- The database ---------------------------------------------------------------------------------------------


def postgres_server(choice: str) -> str:
    """The URL of the PostgreSQL server to make the throwaway database on."""
    if "://" in choice:
        return choice
    current = os.environ.get("DATABASE_URL", "")
    return current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def postgres_admin(server: str, sql: str) -> None:
    """CREATE or DROP DATABASE through the server's maintenance database (outside any transaction)."""
    import psycopg

    with psycopg.connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(sql)


def setup_django(folder: str, database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DEBUG": "1",
            "COSTLINE_VAR_DIR": folder,
            "DATABASE_URL": database_url,
            "SANDBOX_DATABASE_URL": f"sqlite:///{folder}/sandbox.sqlite3",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from django.conf import settings
    from django.template import engines

    # The pages as production serves them: DEBUG=1 above only picks the development settings' defaults. With DEBUG
    # on, Django logs every query and the templates annotate every node's render for the error page.
    settings.DEBUG = False
    for engine in engines.all():
        engine.engine.debug = False


def settle_statistics() -> None:
    """PostgreSQL as it stands in production a minute after a pull: autovacuum has analysed the tables and set the
    visibility map (index-only scans). SQLite gathers no statistics unless told, so it is left as it is."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- The data set ---------------------------------------------------------------------------------------------


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def build_company(name: str, projects: int, lines: int, rng: random.Random):
    """A company with `projects` projects, `lines` ledger lines spread over them, estimates and change orders, and
    a budget for three projects in four (drawn from a generator of their own, so the rest is as it always was)."""
    from budgets.models import Budget
    from changeorders.models import ChangeOrder
    from projects.models import Estimate, LedgerLine, Project, TxnStatus
    from quickbooks.models import Company

    company = Company.objects.create(name=name)
    start = date(2025, 1, 1)
    Project.objects.bulk_create(
        [
            Project(
                company=company,
                qbo_id=str(1000 + n),
                name=f"Project {n:05d}",
                customer_qbo_id=str(n % 300),
                customer_name=f"Customer {n % 300:03d}",
                type=rng.choice(["Remodel", "New build", "Repair"]),
                status=rng.choice(STATUSES),
                priority=rng.randrange(10),
                pinned=n % 97 == 0,
                start_date=start + timedelta(days=rng.randrange(365)),
                due_date=start + timedelta(days=rng.randrange(365, 900)),
                completion_rate=Decimal(rng.randrange(101)),
            )
            for n in range(projects)
        ],
        batch_size=1000,
    )
    Estimate.objects.bulk_create(
        [
            Estimate(
                company=company,
                qbo_id=f"E{n}",
                project_qbo_id=str(1000 + n),
                **booked(TxnStatus.ACCEPTED, money(rng, 10_000, 500_000)),
            )
            for n in range(projects)
        ],
        batch_size=1000,
    )
    ChangeOrder.objects.bulk_create(
        [
            ChangeOrder(
                company=company,
                qbo_id=f"C{n}-{k}",
                project_qbo_id=str(1000 + n),
                estimate_qbo_id=f"E{n}",
                **booked(TxnStatus.ACCEPTED if k == 0 else TxnStatus.PENDING, money(rng, 100, 20_000)),
            )
            for n in range(projects)
            for k in range(2)
        ],
        batch_size=1000,
    )
    LedgerLine.objects.bulk_create(
        [
            LedgerLine(
                company=company,
                project_qbo_id=str(1000 + rng.randrange(projects)),
                tagged_by="project_ref",
                txn_type="Bill",
                txn_qbo_id=str(n),
                line_id="1",
                kind=rng.choice(KINDS),
                txn_date=start + timedelta(days=rng.randrange(700)),
                amount=money(rng, -500, 20_000),
            )
            for n in range(lines)
        ],
        batch_size=5000,
    )
    budget_rng = random.Random(f"budgets of {name}")
    Budget.objects.bulk_create(
        [
            Budget(
                company=company,
                qbo_id=f"B{n}",
                name=f"Budget {n}",
                project_qbo_id=str(1000 + n),
                total=money(budget_rng, 5_000, 400_000),
            )
            for n in range(projects)
            if n % 4
        ],
        batch_size=1000,
    )
    return company


def viewer_of(company):
    from django.test import Client

    from accounts.models import User
    from quickbooks.models import Membership, Role

    user = User.objects.create_user(email=f"viewer{company.pk}@bench.local", password=None)
    Membership.objects.create(user=user, company=company, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client


# --- The raw SQL reference ------------------------------------------------------------------------------------


def tables() -> dict[str, str]:
    from budgets.models import Budget
    from changeorders.models import ChangeOrder
    from projects.models import Estimate, LedgerLine, Project

    models = {
        "project": Project,
        "ledger": LedgerLine,
        "estimate": Estimate,
        "change_order": ChangeOrder,
        "budget": Budget,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def signed() -> str:
    from projects.models.sales import SIGNED_STATUSES

    return ", ".join(f"'{status}'" for status in SIGNED_STATUSES)


# Projects' figures by the rules of docs/figures.md: one grouped aggregate per table, joined once. {scope} narrows the
# aggregates to the projects wanted (as a hand-written query would), {where} the projects listed.
PROJECT_FIGURES = """
WITH {page} actuals AS (
    SELECT project_qbo_id,
           SUM(CASE WHEN kind = 'cost' THEN amount ELSE 0 END) AS cost,
           SUM(CASE WHEN kind = 'revenue' THEN amount ELSE 0 END) AS billed
    FROM {ledger}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND kind IN ('cost', 'revenue') {scope}
    GROUP BY project_qbo_id
), estimates AS (
    SELECT project_qbo_id, SUM(booked_subtotal) AS price
    FROM {estimate}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND booked_status IN ({signed}) {scope}
    GROUP BY project_qbo_id
), orders AS (
    SELECT project_qbo_id, SUM(booked_subtotal) AS price, SUM(booked_cost) AS cost
    FROM {change_order}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND booked_status IN ({signed}) {scope}
    GROUP BY project_qbo_id
), budgets AS (
    SELECT project_qbo_id, SUM(total) AS total
    FROM {budget} WHERE company_id = %(company)s AND project_qbo_id <> '' AND NOT deleted {scope}
    GROUP BY project_qbo_id
)
SELECT p.id, p.name, p.customer_name, p.status, p.due_date,
       COALESCE(e.price, 0) + COALESCE(o.price, 0) AS contract_value,
       COALESCE(a.cost, 0) AS cost,
       COALESCE(a.billed, 0) AS billed,
       COALESCE(a.billed, 0) - COALESCE(a.cost, 0) AS margin,
       b.total + COALESCE(o.cost, 0) AS estimated_cost
FROM {project} p
LEFT JOIN actuals a ON a.project_qbo_id = p.qbo_id
LEFT JOIN estimates e ON e.project_qbo_id = p.qbo_id
LEFT JOIN orders o ON o.project_qbo_id = p.qbo_id
LEFT JOIN budgets b ON b.project_qbo_id = p.qbo_id
WHERE p.company_id = %(company)s AND NOT p.deleted {where}
"""
MATCHING = "SELECT p.qbo_id FROM {project} p WHERE p.company_id = %(company)s AND NOT p.deleted {where}"
PAGE = (
    "page AS (SELECT p.id, p.qbo_id FROM {project} p WHERE p.company_id = %(company)s AND NOT p.deleted {where}"
    " ORDER BY {order} LIMIT {limit} OFFSET {offset}),"
)
PICKED_SCOPE = "AND project_qbo_id IN (SELECT qbo_id FROM page)"
ORDERED = "{figures} ORDER BY {order} {limit}"
TOTALS = "SELECT COUNT(*), SUM(contract_value), SUM(cost), SUM(billed), SUM(margin) FROM ({figures}) AS f"


@dataclass
class Listing:
    """A dashboard listing in raw SQL: `where` narrows the projects (`params` its values), `order` sorts them."""

    where: str = ""
    params: dict = field(default_factory=dict)
    order: str = "p.pinned DESC, p.name, p.id"
    by_figure: bool = False  # sorted by a figure: every matching project's figures are needed to pick the page
    offset: int = 0


def raw_dashboard(company_id: int, listing: Listing, page_size: int = 50) -> Callable[[], tuple[dict, list]]:
    """The count and totals over every matching project (one aggregate), then the page's rows: picked first when
    the order is by a plain column, so that only their figures are worked out."""
    from django.db import connection

    names = {**tables(), "signed": signed()}
    params = {"company": company_id, **listing.params}
    matching = MATCHING.format(**names, where=listing.where)
    scope = f"AND project_qbo_id IN ({matching})" if listing.where else ""
    every = PROJECT_FIGURES.format(**names, page="", scope=scope, where=listing.where)
    totals_sql = TOTALS.format(figures=every)
    if listing.by_figure:
        limit = f"LIMIT {page_size} OFFSET {listing.offset}"
        rows_sql = ORDERED.format(figures=every, order=listing.order, limit=limit)
    else:
        page = PAGE.format(**names, where=listing.where, order=listing.order, limit=page_size, offset=listing.offset)
        picked = PROJECT_FIGURES.format(
            **names, page=page, scope=PICKED_SCOPE, where="AND p.id IN (SELECT id FROM page)"
        )
        rows_sql = ORDERED.format(figures=picked, order=listing.order, limit="")

    def run() -> tuple[dict, list]:
        with connection.cursor() as cursor:
            cursor.execute(totals_sql, params)
            count, *sums = cursor.fetchone()
            cursor.execute(rows_sql, params)
            rows = cursor.fetchall()
        figures = ("contract_value", "cost_to_date", "billed_to_date", "gross_margin")
        return {"count": count, **dict(zip(figures, sums, strict=True))}, rows

    return run


# The project page's own reads, one statement each; {of_project} is its company and QuickBooks id.
SUBCONTRACT = "(LOWER(account_name) LIKE '%%subcontract%%' OR LOWER(item_name) LIKE '%%subcontract%%')"
OTHER_COST = "kind = 'cost' AND txn_type <> 'TimeActivity' AND NOT " + SUBCONTRACT
PROJECT_PAGE = (
    "SELECT * FROM {project} WHERE id = %s",
    "SELECT * FROM {estimate} WHERE {of_project} ORDER BY txn_date DESC, id DESC",
    "SELECT * FROM {change_order} WHERE {of_project} ORDER BY txn_date, id",
    "SELECT * FROM {budget} WHERE {of_project} AND NOT deleted ORDER BY name, id",
    "SELECT (SELECT SUM(booked_subtotal) FROM {estimate} WHERE {of_project} AND booked_status IN ({signed})),"
    " (SELECT SUM(booked_subtotal) FROM {change_order} WHERE {of_project} AND booked_status IN ({signed})),"
    " (SELECT SUM(booked_cost) FROM {change_order} WHERE {of_project} AND booked_status IN ({signed}))",
    "SELECT SUM(CASE WHEN kind = 'revenue' THEN amount END),"
    " SUM(CASE WHEN kind = 'cost' THEN amount END),"
    " SUM(CASE WHEN kind = 'cost' AND txn_type = 'TimeActivity' THEN amount END),"
    " SUM(CASE WHEN kind = 'cost' AND txn_type <> 'TimeActivity' AND {subcontract} THEN amount END),"
    " SUM(CASE WHEN {other_cost} AND item_qbo_id <> '' THEN amount END),"
    " SUM(CASE WHEN {other_cost} AND item_qbo_id = '' THEN amount END),"
    " SUM(CASE WHEN kind = 'commitment' THEN amount END),"
    " SUM(CASE WHEN kind = 'payment' THEN amount END),"
    " SUM(CASE WHEN kind = 'journal' THEN amount END),"
    " SUM(CASE WHEN kind = 'cost' AND txn_type = 'TimeActivity' THEN hours END)"
    " FROM {ledger} WHERE {of_project}",
    "SELECT {month} AS month, kind, SUM(amount) FROM {ledger} WHERE {of_project}"
    " AND kind IN ('revenue', 'cost') AND txn_date IS NOT NULL GROUP BY 1, 2",
    "SELECT * FROM {ledger} WHERE {of_project} ORDER BY txn_date, txn_type, txn_qbo_id, line_id, id LIMIT 100",
)
MONTH = {"sqlite": "strftime('%%Y-%%m', txn_date)", "postgresql": "date_trunc('month', txn_date)"}


def raw_project_page(project) -> Callable[[], list]:
    """The project page's figures in raw SQL: the project, its estimates, change orders and budgets, contract
    value and change orders' cost, the ledger split by kind, the monthly chart's sums and the ledger's first page."""
    from django.db import connection

    names = {**tables(), "signed": signed(), "month": MONTH[connection.vendor]}
    names.update(subcontract=SUBCONTRACT, other_cost=OTHER_COST)
    names["of_project"] = "company_id = %s AND project_qbo_id = %s"
    key = (project.company_id, project.qbo_id)
    statements = []
    for template in PROJECT_PAGE:
        sql = template.format(**names)
        statements.append((sql, (project.pk,) if "WHERE id" in sql else key * sql.count("project_qbo_id = %s")))

    def run() -> list:
        found = []
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                found.append(cursor.fetchall())
        return found

    return run


# --- Timing ---------------------------------------------------------------------------------------------------


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def fetch(client, url: str) -> bytes:
    return read(client.get(url))


def timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return (time.perf_counter() - began) * 1000


@dataclass
class Case:
    """One page to time: its URL, the client that asks for it, its raw SQL reference and how many rounds it runs."""

    label: str
    client: Any  # django.test.Client
    url: str
    raw: Callable[[], object] | None
    runs: int
    times: list[float] = field(default_factory=list)  # ms per request, through the test Client: all of it
    sql_times: list[float] = field(default_factory=list)  # ms to run the request's own SELECTs on a bare cursor
    raw_times: list[float] = field(default_factory=list)  # ms of the raw SQL reference
    queries: int = 0
    size: int = 0
    own_sql: Callable[[], None] | None = None


def page_selects(client, url: str) -> list[tuple[str, object]]:
    """The SELECTs one request runs, as sent to the database (the session's writes aside)."""
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        read(client.get(url))
    return statements


def replay(statements: list[tuple[str, object]]) -> Callable[[], None]:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def measure(cases: list[Case]) -> None:
    """A warm-up of every case, then rounds over all of them (a busy machine's slow spells fall on every case
    alike), each case a GET, its own SELECTs again on a bare cursor, then its raw SQL reference; the queries of
    one more GET are counted last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for case in cases:
        response = case.client.get(case.url)
        assert response.status_code == 200, f"{case.url}: {response.status_code}"
        case.own_sql = replay(page_selects(case.client, case.url))
        case.own_sql()
        if case.raw is not None:
            case.raw()
    for round_ in range(max(case.runs for case in cases)):
        for case in cases:
            if round_ >= case.runs:
                continue
            case.times.append(timed(partial(fetch, case.client, case.url)))  # a CSV is timed to its last row
            case.sql_times.append(timed(case.own_sql))
            if case.raw is not None:
                case.raw_times.append(timed(case.raw))
    for case in cases:
        with CaptureQueriesContext(connection) as queries:
            case.size = len(read(case.client.get(case.url)))
        case.queries = len(queries)


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def check_dashboard(company, query: dict, listing: Listing) -> None:
    """The raw SQL's totals and the page's rows must be the dashboard's own, to the cent."""
    from django.http import QueryDict

    from reports.dashboard import dashboard_listing, dashboard_totals

    querydict = QueryDict(mutable=True)
    for name, value in query.items():
        querydict.setlist(name, value if isinstance(value, list) else [value])
    _, projects, _ = dashboard_listing(querydict, company)
    totals = dashboard_totals(projects)
    raw_totals, raw_rows = raw_dashboard(company.pk, listing)()
    assert raw_totals["count"] == totals["count"], (raw_totals, totals)
    for name in ("contract_value", "cost_to_date", "billed_to_date", "gross_margin"):
        assert cents(raw_totals[name] or 0) == cents(totals[name]), (name, raw_totals[name], totals[name])
    page = list(projects[listing.offset : listing.offset + 50])
    assert [row[0] for row in raw_rows] == [p.pk for p in page], "the raw SQL lists other projects"
    for row, project in zip(raw_rows, page, strict=True):
        mine = (project.contract_value, project.cost_to_date, project.billed_to_date, project.gross_margin)
        assert [cents(value) for value in row[5:9]] == [cents(value) for value in mine], (project.name, row, mine)
        estimated = project.estimated_cost
        assert row[9] == estimated or cents(row[9]) == cents(estimated), (project.name, row[9], estimated)


def check_project_page(project) -> None:
    """The raw SQL's contract value, change orders' cost and ledger split must be the project page's, to the cent."""
    from reports import figures

    found = raw_project_page(project)()
    estimates, change_orders, change_order_cost = found[4][0]
    split = found[5][0]
    contract = figures.contract(project, *figures.estimates(project))
    assert cents((estimates or 0) + (change_orders or 0)) == cents(contract.value), (project, found[4], contract)
    assert cents(change_order_cost or 0) == cents(figures.change_order_cost(project)), (project, found[4])
    actuals = figures.actuals(figures.ledger_lines(project))
    mine = (actuals.revenue, actuals.cost, actuals.labour, actuals.subcontractors, actuals.materials, actuals.other)
    mine += (actuals.commitments, actuals.payments, actuals.journal, actuals.hours)
    assert [cents(value or 0) for value in split] == [cents(value) for value in mine], (project, split, mine)


def run_one(database: str, args) -> None:
    with tempfile.TemporaryDirectory(prefix="costline-bench-") as folder:
        if database == "sqlite":
            url, server, name = f"sqlite:///{folder}/app.sqlite3", None, None
        else:
            server = postgres_server(database)
            name = f"costline_bench_{os.getpid()}"
            postgres_admin(server, f'DROP DATABASE IF EXISTS "{name}"')
            postgres_admin(server, f'CREATE DATABASE "{name}"')
            url = with_database(server, name)
        try:
            setup_django(folder, url)
            report(args)
        finally:
            if server is not None:
                from django.db import connections

                connections.close_all()
                postgres_admin(server, f'DROP DATABASE IF EXISTS "{name}"')


def report(args) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.urls import reverse

    from projects.models import LedgerLine, Project

    rng = random.Random(6)
    began = time.perf_counter()
    small = build_company("Small Co.", 10, 1000, rng)
    large = build_company("Large Co.", args.projects, args.lines, rng)
    settle_statistics()
    print(
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
        f"{connection.pg_version if connection.vendor == 'postgresql' else ''}: built 10 + {args.projects} projects, "
        f"1,000 + {args.lines:,} ledger lines in {time.perf_counter() - began:.1f} s"
    )
    first = Listing()
    filtered = Listing(
        where="AND p.status IN (%(open)s, %(in_progress)s) AND p.due_date >= %(due_from)s",
        params={"open": "OPEN", "in_progress": "IN_PROGRESS", "due_from": date(2026, 1, 1)},
        order="margin DESC, p.name, p.id",
        by_figure=True,
    )
    searched = Listing(
        where="AND (LOWER(p.name) LIKE %(text)s OR LOWER(p.customer_name) LIKE %(text)s)",
        params={"text": "%customer 01%"},
        order="p.due_date, p.name, p.id",
    )
    paged = Listing(offset=19 * 50)
    dashboard_cases = [
        ("first page", {}, first),
        (
            "filter + sort by margin",
            {"status": ["OPEN", "IN_PROGRESS"], "due_from": "2026-01-01", "sort": "-margin"},
            filtered,
        ),
        ("search + sort by due date", {"q": "customer 01", "sort": "due"}, searched),
        ("page 20", {"page": "20"}, paged),
    ]
    clients = {small.pk: viewer_of(small), large.pk: viewer_of(large)}
    cases: list[Case] = []
    for label, query, listing in dashboard_cases:
        for company, size in ((small, 10), (large, args.projects)):
            if size == 10 and label != "first page":
                continue
            check_dashboard(company, query, listing)
            url = reverse("reports:dashboard", args=[company.pk]) + query_string(query)
            raw = raw_dashboard(company.pk, listing)
            cases.append(Case(f"dashboard {size}, {label}", clients[company.pk], url, raw, args.runs))
    for company, size in ((small, 10), (large, args.projects)):
        for export in ("csv", "xlsx"):
            url = reverse(f"reports:dashboard-{export}", args=[company.pk])
            runs = max(3, args.runs // 5)
            cases.append(Case(f"dashboard {size}, {export.upper()}", clients[company.pk], url, None, runs))
    for company, size in ((small, 10), (large, args.projects)):
        busiest = (
            LedgerLine.objects.filter(company=company)
            .values("project_qbo_id")
            .annotate(n=Count("id"))
            .order_by("-n", "project_qbo_id")
            .first()
        )
        project = Project.objects.get(company=company, qbo_id=busiest["project_qbo_id"])
        url = reverse("reports:project-detail", args=[company.pk, project.pk])
        label = f"project page {size}, {busiest['n']} lines"
        check_project_page(project)
        cases.append(Case(label, clients[company.pk], url, raw_project_page(project), args.runs))
    # The floor: the least any signed-in page costs here (session, user, company list, the base template), with
    # no figure on it. A page can be within 2x its raw SQL only where twice the raw SQL is above this.
    floor = Case(
        "floor: a page with no figures (the rules)", clients[large.pk], reverse("reports:figures"), None, args.runs
    )
    cases.append(floor)

    measure(cases)
    print(
        "ms per request through the test Client (median, min, p95); its SQL: the request's own SELECTs run again\n"
        "on a bare cursor (median); raw: hand-written SQL for the same figures (median); ratio: request / raw (its\n"
        "SQL / raw)"
    )
    print(
        f"{'case':<40} {'median':>7} {'min':>6} {'p95':>7} {'its SQL':>7} {'raw':>6} {'ratio':>13} "
        f"{'queries':>7} {'bytes':>9}"
    )
    for case in cases:
        median, sql = statistics.median(case.times), statistics.median(case.sql_times)
        p95 = statistics.quantiles(case.times, n=20)[-1] if len(case.times) >= 2 else case.times[0]
        raw = statistics.median(case.raw_times) if case.raw_times else None
        ratio = f"{median / raw:.1f}x ({sql / raw:.1f}x)" if raw else "-"
        raw_text = f"{raw:6.1f}" if raw is not None else f"{'-':>6}"
        print(
            f"{case.label:<40} {median:>7.1f} {min(case.times):>6.1f} {p95:>7.1f} {sql:>7.1f} {raw_text} {ratio:>13} "
            f"{case.queries:>7} {case.size:>9,}"
        )
    print(
        f"target: pages at {args.projects} projects under {TARGET_MS} ms median and within {TARGET_RATIO:g}x the raw "
        "SQL, with as many queries as at 10"
    )
    print(
        f"floor: {statistics.median(floor.times):.1f} ms for a signed-in page with no figures, through the same "
        "client, middleware and base template"
    )


def query_string(query: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query, doseq=True) if query else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default=None,
        help="sqlite, postgres or a postgres:// server URL; several comma-separated (default: DATABASE_URL's kind)",
    )
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if args.database is None:
        current = os.environ.get("DATABASE_URL", "")
        args.database = "postgres" if current.startswith(("postgres://", "postgresql://")) else "sqlite"
    databases = [choice.strip() for choice in args.database.split(",") if choice.strip()]
    if len(databases) == 1:
        run_one(databases[0], args)
        return
    for database in databases:  # one process each: Django is set up once per process
        command = [sys.executable, __file__, "--database", database, "--projects", str(args.projects)]
        command += ["--lines", str(args.lines), "--runs", str(args.runs)]
        subprocess.run(command, check=True)  # noqa: S603 - our own interpreter and script


if __name__ == "__main__":
    main()
