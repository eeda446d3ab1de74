"""The dashboard at scale: time and SQL queries per request, 10 projects against 2,000 with 200,000 ledger lines.

Run: DEBUG=1 .venv/bin/python bench/dashboard.py [--projects 2000] [--lines 200000] [--runs 30]

Builds a throwaway SQLite database (migrated from scratch), one small company (10 projects) and one large one
(--projects projects, --lines ledger lines, an estimate and two change orders per project), then renders the
dashboard and its exports through Django's test Client as a signed-in viewer. Prints figures only; the target
is a median under 300 ms for the large company with the same number of queries as the small one.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ["OPEN", "IN_PROGRESS", "BLOCKED", "CANCELED", "COMPLETE", "OTHER"]
KINDS = ["cost", "cost", "cost", "revenue", "revenue", "commitment", "payment"]
TARGET_MS = 300


def booked(status: str, total: Decimal) -> dict:
    """A document as QuickBooks holds it (no tax here): what the figures count."""
    return {"status": status, "total_amount": total, "booked_status": status, "booked_subtotal": total}


def setup_django(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DEBUG": "1",
            "COSTLINE_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/app.sqlite3",
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


def money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def build_company(name: str, projects: int, lines: int, rng: random.Random):
    """A company with `projects` projects, `lines` ledger lines spread over them, estimates and change orders."""
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


def measure(client, url: str, runs: int) -> tuple[float, float, int, int]:
    """(median ms, p95 ms, SQL queries, bytes) of `runs` GETs after one warm-up request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        body = read(client.get(url))  # a CSV streams: it is timed until its last row
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        read(client.get(url))
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return statistics.median(times), p95, len(queries), len(body)


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="costline-bench-") as folder:
        setup_django(folder)
        from django.urls import reverse

        rng = random.Random(6)
        began = time.perf_counter()
        small = build_company("Small Co.", 10, 1000, rng)
        large = build_company("Large Co.", args.projects, args.lines, rng)
        print(
            f"built 10 + {args.projects} projects, 1,000 + {args.lines:,} ledger lines "
            f"in {time.perf_counter() - began:.1f} s"
        )
        cases = [
            ("10 projects, first page", small, "reports:dashboard", ""),
            (f"{args.projects} projects, first page", large, "reports:dashboard", ""),
            (
                f"{args.projects} projects, filter + sort",
                large,
                "reports:dashboard",
                "?status=OPEN&status=IN_PROGRESS&due_from=2026-01-01&sort=-margin",
            ),
            (f"{args.projects} projects, search + sort", large, "reports:dashboard", "?q=customer 01&sort=due"),
            (f"{args.projects} projects, page 20", large, "reports:dashboard", "?page=20"),
            ("10 projects, CSV", small, "reports:dashboard-csv", ""),
            (f"{args.projects} projects, CSV", large, "reports:dashboard-csv", ""),
            ("10 projects, XLSX", small, "reports:dashboard-xlsx", ""),
            (f"{args.projects} projects, XLSX", large, "reports:dashboard-xlsx", ""),
        ]
        print(f"{'case':<42} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>10}")
        clients = {small.pk: viewer_of(small), large.pk: viewer_of(large)}
        for label, company, name, query in cases:
            runs = args.runs if name == "reports:dashboard" else max(3, args.runs // 5)
            median, p95, queries, size = measure(clients[company.pk], reverse(name, args=[company.pk]) + query, runs)
            print(f"{label:<42} {median:>10.1f} {p95:>8.1f} {queries:>8} {size:>10,}")
        print(f"target: dashboard median under {TARGET_MS} ms at {args.projects} projects, same queries as for 10")


if __name__ == "__main__":
    main()
