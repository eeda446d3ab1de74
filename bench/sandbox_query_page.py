"""How fast the sandbox seeds 100,000 transactions and pages through them 1000 rows at a time.

Run: DEBUG=1 .venv/bin/python bench/sandbox_query_page.py [--customers N] [--transactions N]

Works on a throwaway SQLite file (SANDBOX_DATABASE_URL points at a temp file before Django starts), so the real
sandbox state is never touched. Prints figures only; there is no pass/fail on time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PAGE = 1000


def setup_django(path: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["SANDBOX_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="sandbox", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def time_pages(realm, type_: str) -> list[float]:
    """Seconds per 1000-row page, ordered by Id, including decoding every document (as a query engine must)."""
    from sandbox.models import Entity

    total = Entity.objects.using("sandbox").filter(realm=realm, type=type_, deleted=False).count()
    times = []
    for start in range(0, total, PAGE):
        began = time.perf_counter()
        rows = Entity.objects.using("sandbox").filter(realm=realm, type=type_, deleted=False).order_by("qbo_id")
        documents = [row.document for row in rows[start : start + PAGE]]
        times.append(time.perf_counter() - began)
        assert documents, "an empty page inside the counted range"
    return times


def time_query_language(realm, type_: str) -> str:
    """Pages through the REST query engine (`sandbox.rest.query.parse` + `sandbox.rest.search.run`), if it exists."""
    try:
        from sandbox.rest import query, search
    except ImportError as error:
        return f"query language: not timed, the engine is not there yet ({error})"
    from sandbox.models import Entity

    total = Entity.objects.using("sandbox").filter(realm=realm, type=type_, deleted=False).count()
    times = []
    try:
        for position in range(1, total + 1, PAGE):
            # QuickBooks' query language, not SQL: the engine parses it.
            text = f"select * from {type_} orderby Id startposition {position} maxresults {PAGE}"  # noqa: S608
            began = time.perf_counter()
            body = search.run(realm, query.parse(text))
            times.append(time.perf_counter() - began)
    except Exception as error:  # noqa: BLE001 - the engine is another engineer's work in progress; report, go on
        return f"query language: {type(error).__name__}: {error}"
    got = len(body.get("QueryResponse", body).get(type_, []))
    return (
        f"{type_} via query language: {len(times)} pages: median {1000 * statistics.median(times):.1f} ms, "
        f"p95 {1000 * percentile(times, 0.95):.1f} ms (last page: {got} rows)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--transactions", type=int, default=100000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as folder:
        setup_django(os.path.join(folder, "sandbox.sqlite3"))
        from django.db import connections

        from sandbox.models import Realm
        from sandbox.scale import seed_scale

        realm = Realm.objects.create(realm_id="9341453099990001", name="Scale Bench Co.")
        began = time.perf_counter()
        added = seed_scale(realm, customers=args.customers, transactions=args.transactions)
        seconds = time.perf_counter() - began
        rows = sum(added.values())
        print(
            f"seeded {added} in {seconds:.1f} s: {rows / seconds:,.0f} rows/s, "
            f"{added['transactions'] / seconds:,.0f} transactions/s"
        )
        print(f"database file: {os.path.getsize(os.path.join(folder, 'sandbox.sqlite3')) / 1e6:.0f} MB")
        for type_ in ("Invoice", "Bill"):
            times = time_pages(realm, type_)
            print(
                f"{type_}: {len(times)} pages of {PAGE}: median {1000 * statistics.median(times):.1f} ms, "
                f"p95 {1000 * percentile(times, 0.95):.1f} ms, max {1000 * max(times):.1f} ms"
            )
            print(time_query_language(realm, type_))
        connections.close_all()


if __name__ == "__main__":
    main()
