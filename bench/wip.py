"""The WIP schedule at scale: time and SQL queries, 10 projects against 2,000 with 200,000 ledger lines, beside a
raw SQL aggregate of the same figures.

Run:
    DEBUG=1 .venv/bin/python -m bench.wip
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/costline_bench_wip DEBUG=1 .venv/bin/python -m bench.wip
Options: [--database sqlite,postgres] [--projects 2000] [--lines 200000] [--runs 20] [--keep]

Without `--database` it runs on SQLite, and on PostgreSQL too when DATABASE_URL points at a PostgreSQL server; each
database in a process of its own. The run builds a throwaway database migrated from scratch (a SQLite file in a
temporary folder; on PostgreSQL, `costline_bench_wip` on DATABASE_URL's server, else on
postgres://postgres@127.0.0.1:5432, whatever database DATABASE_URL names: that one is never touched). `--keep` keeps
it (SQLite in var/bench-wip/) and a later `--keep` run of the same size reuses it instead of building again.

The data set is bench/dashboard.py's (`build_company`: a small company of 10 projects and 1,000 ledger lines, a large
one of --projects projects and --lines ledger lines dated over two years, an estimate, two change orders and most of
them a budget per project), the estimates and change orders then given transaction and accepted dates (some after
the period end, some accepted later than dated, some with no accepted date). Then, as of a month end in the middle
of the data, in alternating rounds: the WIP page through Django's test Client as a signed-in viewer, the schedule
alone (`reports.wip.schedule` over the company's live projects) and a raw SQL reference: one statement of GROUP BY
aggregates (ledger cost and billing to date, signed estimates, signed change orders and their cost, budgets) joined
to the projects, computing each project's figures as of the date. The raw figures are checked against the
schedule's to the cent first. Queries are counted for the page and the schedule at 10 and at --projects projects.

Prints one line per database: median and p90 ms of the page and of the schedule, the raw SQL's median, the ratios
page / raw and schedule / raw, and the query counts; the target is the page under 300 ms (median) at --projects
projects with as many queries as at 10.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.dashboard import (
    build_company,
    postgres_admin,
    postgres_server,
    read,
    settle_statistics,
    setup_django,
    signed,
    tables,
    timed,
    viewer_of,
    with_database,
)

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2025, 12, 31)  # the ledger runs from 1 January 2025 for 700 days: a month end in its middle
TARGET_MS = 300
DATABASE_NAME = "costline_bench_wip"
KEPT_FOLDER = ROOT / "var" / "bench-wip"
SMALL = 10
CENT = Decimal("0.01")
RESULT = "wip-result "


# --- The data set ---------------------------------------------------------------------------------------------


def company_name(projects: int, lines: int) -> str:
    return f"WIP bench: {projects} projects, {lines} ledger lines"


def date_documents(company, rng: random.Random) -> None:
    """Give the company's estimates and change orders the dates QuickBooks would: an estimate dated over the first
    600 days, accepted within two months (one in ten with no accepted date, counted from its date); a change order
    dated over the two years, accepted within a month (one in five with no accepted date). Some fall after the
    period end, so the as-of rule decides which are in the contract."""
    from changeorders.models import ChangeOrder
    from projects.models import Estimate

    start = date(2025, 1, 1)
    for model, days, undated, within in ((Estimate, 600, 10, 60), (ChangeOrder, 700, 5, 30)):
        documents = list(model.objects.filter(company=company).order_by("pk").only("pk"))
        for document in documents:
            document.txn_date = start + timedelta(days=rng.randrange(days))
            document.accepted_date = (
                None if rng.randrange(undated) == 0 else document.txn_date + timedelta(days=rng.randrange(within))
            )
        model.objects.bulk_update(documents, ["txn_date", "accepted_date"], batch_size=500)


def company_of(projects: int, lines: int, rng: random.Random):
    """The company of that size: the one already built in a kept database, else a new one."""
    from quickbooks.models import Company

    name = company_name(projects, lines)
    found = Company.objects.filter(name=name).first()
    if found is None:
        found = build_company(name, projects, lines, rng)
        date_documents(found, rng)
        return found, True
    return found, False


def signed_in(company):
    """A test Client signed in as a viewer of the company (the viewer of a kept database again)."""
    from django.test import Client

    from accounts.models import User

    user = User.objects.filter(email=f"viewer{company.pk}@bench.local").first()
    if user is None:
        return viewer_of(company)
    client = Client()
    client.force_login(user)
    return client


# --- The raw SQL reference ------------------------------------------------------------------------------------

# Each project's WIP figures as of %(as_of)s by the rules of docs/figures.md: one GROUP BY aggregate per table,
# joined to the projects once. Signed documents count once accepted by the date (accepted date, else their date).
ACCEPTED_BY = "(accepted_date <= %(as_of)s OR accepted_date IS NULL AND (txn_date <= %(as_of)s OR txn_date IS NULL))"
WIP_FIGURES = """
WITH actuals AS (
    SELECT project_qbo_id,
           SUM(CASE WHEN kind = 'cost' THEN amount ELSE 0 END) AS cost,
           SUM(CASE WHEN kind = 'revenue' THEN amount ELSE 0 END) AS billed
    FROM {ledger}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND kind IN ('cost', 'revenue')
      AND txn_date <= %(as_of)s
    GROUP BY project_qbo_id
), estimates AS (
    SELECT project_qbo_id, SUM(booked_subtotal) AS price
    FROM {estimate}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND booked_status IN ({signed}) AND {accepted_by}
    GROUP BY project_qbo_id
), orders AS (
    SELECT project_qbo_id, SUM(booked_subtotal) AS price, SUM(booked_cost) AS cost
    FROM {change_order}
    WHERE company_id = %(company)s AND project_qbo_id <> '' AND booked_status IN ({signed}) AND {accepted_by}
    GROUP BY project_qbo_id
), budgets AS (
    SELECT project_qbo_id, SUM(total) AS total
    FROM {budget} WHERE company_id = %(company)s AND project_qbo_id <> '' AND NOT deleted
    GROUP BY project_qbo_id
)
SELECT p.id, p.name, p.customer_name, p.status,
       COALESCE(e.price, 0) AS original_contract,
       COALESCE(o.price, 0) AS change_orders,
       COALESCE(o.cost, 0) AS change_order_cost,
       b.total AS original_budget,
       COALESCE(a.cost, 0) AS cost_to_date,
       COALESCE(a.billed, 0) AS billed_to_date
FROM {project} p
LEFT JOIN actuals a ON a.project_qbo_id = p.qbo_id
LEFT JOIN estimates e ON e.project_qbo_id = p.qbo_id
LEFT JOIN orders o ON o.project_qbo_id = p.qbo_id
LEFT JOIN budgets b ON b.project_qbo_id = p.qbo_id
WHERE p.company_id = %(company)s AND NOT p.deleted
ORDER BY p.name, p.id
"""
RAW_FIGURES = (
    "original_contract",
    "change_orders",
    "change_order_cost",
    "original_budget",
    "cost_to_date",
    "billed_to_date",
)


def raw_wip(company_id: int, as_of: date) -> Callable[[], list]:
    from django.db import connection

    sql = WIP_FIGURES.format(**tables(), signed=signed(), accepted_by=ACCEPTED_BY)
    params = {"company": company_id, "as_of": as_of}

    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def cents(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def check(company, as_of: date) -> int:
    """The raw SQL's figures must be the schedule's, project by project, to the cent. Returns the rows checked."""
    from projects.models import Project
    from reports.wip import schedule

    found = schedule(Project.objects.filter(company=company).live(), as_of)
    raw = raw_wip(company.pk, as_of)()
    assert [row[0] for row in raw] == [row.project_id for row in found.rows], "the raw SQL lists other projects"
    for mine, theirs in zip(found.rows, raw, strict=True):
        expected = [cents(getattr(mine, name)) for name in RAW_FIGURES]
        assert [cents(value) for value in theirs[4:]] == expected, (mine.project, theirs, expected)
    return len(raw)


# --- Timing ---------------------------------------------------------------------------------------------------


@contextmanager
def counting():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        yield queries


def p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10)[-1] if len(times) >= 2 else times[0]


def run_database(args) -> dict:
    from django.db import connection
    from django.urls import reverse

    from projects.models import Project
    from reports.wip import schedule

    rng = random.Random(13)
    began = time.perf_counter()
    small, built_small = company_of(SMALL, 1000, rng)
    large, built_large = company_of(args.projects, args.lines, rng)
    if built_small or built_large:
        settle_statistics()
    vendor = connection.vendor
    version = connection.Database.sqlite_version if vendor == "sqlite" else str(connection.pg_version)
    how = "built" if built_large else "reused"
    print(
        f"{vendor} {version}: {how} {SMALL} + {args.projects:,} projects, 1,000 + {args.lines:,} ledger lines in "
        f"{time.perf_counter() - began:.1f} s; as of {AS_OF}",
        flush=True,
    )
    checked = check(small, AS_OF) + check(large, AS_OF)
    print(f"  raw SQL figures equal the schedule's to the cent for {checked:,} projects", flush=True)

    def page(company) -> Callable[[], object]:
        client = signed_in(company)
        url = reverse("reports:wip", args=[company.pk]) + f"?as_of={AS_OF:%Y-%m-%d}"

        def get() -> bytes:
            response = client.get(url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            return read(response)

        return get

    def alone(company) -> Callable[[], object]:
        return lambda: schedule(Project.objects.filter(company=company).live(), AS_OF)

    queries = {}
    for label, make in (("page", page), ("schedule", alone)):
        for size, company in ((SMALL, small), (args.projects, large)):
            work = make(company)
            work()  # warm: the session, the template, the connection
            with counting() as counted:
                work()
            queries[f"{label} {size}"] = len(counted)

    work = {"page": page(large), "schedule": alone(large), "raw": raw_wip(large.pk, AS_OF)}
    for run in work.values():
        run()
    times: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(args.runs):  # alternating: a busy machine slows all three alike, so their ratios hold
        for name, run in work.items():
            times[name].append(timed(run))
    medians = {name: statistics.median(found) for name, found in times.items()}
    return {
        "database": f"{vendor} {version}",
        "page": [medians["page"], p90(times["page"])],
        "schedule": [medians["schedule"], p90(times["schedule"])],
        "raw": [medians["raw"], p90(times["raw"])],
        "queries": queries,
        "runs": args.runs,
    }


# --- One database, in a process of its own --------------------------------------------------------------------


def run_one(database: str, args) -> None:
    kept = args.keep
    with tempfile.TemporaryDirectory(prefix="costline-bench-wip-") as temporary:
        folder = str(KEPT_FOLDER) if kept else temporary
        Path(folder).mkdir(parents=True, exist_ok=True)
        server = None
        if database == "sqlite":
            url = f"sqlite:///{folder}/app.sqlite3"
        else:
            server = postgres_server(database)
            if not kept:
                postgres_admin(server, f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')
            try:
                postgres_admin(server, f'CREATE DATABASE "{DATABASE_NAME}"')
            except Exception as error:  # noqa: BLE001 - a kept database already there is reused
                if not kept or "already exists" not in str(error):
                    raise
            url = with_database(server, DATABASE_NAME)
        try:
            setup_django(folder, url)
            print(RESULT + json.dumps(run_database(args)), flush=True)
        finally:
            if server is not None and not kept:
                from django.db import connections

                connections.close_all()
                postgres_admin(server, f'DROP DATABASE IF EXISTS "{DATABASE_NAME}"')


# --- The table ------------------------------------------------------------------------------------------------


def print_table(results: list[dict], args) -> None:
    big = args.projects
    print()
    print(
        f"WIP as of {AS_OF} at {big:,} projects / {args.lines:,} ledger lines, {args.runs} runs each; ms (median / p90)"
    )
    header = (
        f"{'database':<18} {'page':>15} {'schedule':>15} {'raw SQL':>13} {'page/raw':>9} {'sched/raw':>9} "
        f"{'page queries':>14} {'sched queries':>14}  target"
    )
    print(header)
    print("-" * len(header))
    for found in results:
        page, alone, raw, queries = found["page"], found["schedule"], found["raw"], found["queries"]
        page_queries = f"{queries[f'page {SMALL}']} / {queries[f'page {big}']}"
        alone_queries = f"{queries[f'schedule {SMALL}']} / {queries[f'schedule {big}']}"
        equal = queries[f"page {SMALL}"] == queries[f"page {big}"]
        equal = equal and queries[f"schedule {SMALL}"] == queries[f"schedule {big}"]
        met = "met" if page[0] < TARGET_MS and equal else "MISSED"
        print(
            f"{found['database']:<18} {page[0]:>7.1f}/{page[1]:>7.1f} {alone[0]:>7.1f}/{alone[1]:>7.1f} "
            f"{raw[0]:>6.1f}/{raw[1]:>6.1f} {page[0] / raw[0]:>8.1f}x {alone[0] / raw[0]:>8.1f}x "
            f"{page_queries:>14} {alone_queries:>14}  {met}"
        )
    print(
        f"target: the page under {TARGET_MS} ms (median) at {big:,} projects, with as many queries as at {SMALL} "
        f"(queries shown at {SMALL} / {big:,})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=None, help="sqlite, postgres or a postgres:// server URL, comma-separated"
    )
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database, and reuse one kept before")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child run: one database
    args = parser.parse_args()
    if args.one:
        run_one(args.database, args)
        return
    if args.database is None:
        on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        args.database = "sqlite,postgres" if on_postgres else "sqlite"
    results = []
    for database in [choice.strip() for choice in args.database.split(",") if choice.strip()]:
        command = [sys.executable, "-m", "bench.wip", "--one", "--database", database]
        command += ["--projects", str(args.projects), "--lines", str(args.lines), "--runs", str(args.runs)]
        command += ["--keep"] if args.keep else []
        child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603 - our own
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(RESULT):
                results.append(json.loads(line.removeprefix(RESULT)))
            else:
                print(line, end="", flush=True)
        if child.wait():
            sys.exit(child.returncode)
    print_table(results, args)


if __name__ == "__main__":
    main()
