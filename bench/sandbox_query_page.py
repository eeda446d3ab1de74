"""How fast the sandbox seeds 100,000 transactions and serves its pages: a 1000-row REST query page and a
100-node GraphQL Projects page, each against the 100 ms target, then paging through every row in-process.

Run: DEBUG=1 .venv/bin/python bench/sandbox_query_page.py [--customers N] [--transactions N] [--rounds N]
     [--no-paging]

Works on a throwaway SQLite file (SANDBOX_DATABASE_URL points at a temp file before Django starts), so the real
sandbox state is never touched. It starts a real `manage.py qbo_sandbox` on a free loopback port against that
file, fills a company through `POST /_sandbox/realms` with `{"scale": {...}}` (one customer in five is a project:
the default 20,000 customers make 4,000 projects), issues a token straight into the file, and times over HTTP,
in rounds that take turns so machine load hits each the same:

- reference: `select * from Invoice maxresults 1` (the floor: gateway, HTTP, one row);
- REST page: `select * from Invoice maxresults 1000`;
- GraphQL page: `projectManagementProjects(first: 100)` asking every project field, the first page and a page
  from the middle of the list (`after` a cursor).

Each figure is the median of `--rounds` requests, printed side by side with the target. `--no-paging` skips
the older in-process figures (every 1000-row page of invoices and bills, raw rows and through the query
engine). Prints figures only; there is no pass/fail on time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.sandbox_process import free_port, start_sandbox, stop  # noqa: E402 - after the path is set

PAGE = 1000
GRAPHQL_PAGE = 100
TARGET_MS = 100
REALM = "9341453099990001"
REST_PAGE = f"select * from Invoice maxresults {PAGE}"  # noqa: S608 - QuickBooks' query language, not SQL
REST_ROW = "select * from Invoice maxresults 1"
PROJECT_FIELDS = """
  id name description type status priority dueDate startDate completedDate completionRate pinned deleted
  customer { id } account { id } assignee { id } completedBy { id }
  emailAddress { email name domain } addresses { streetAddressLine1 city state postalCode country }
"""
PROJECTS_QUERY = (
    "query($first: PositiveInt!, $after: String) {"
    " projectManagementProjects(first: $first, after: $after, filter: {}) {"
    f" edges {{ cursor node {{ {PROJECT_FIELDS} }} }}"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)


def setup_django(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SANDBOX_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="sandbox", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# --- the live sandbox ------------------------------------------------------------------------------------------


class Pages:
    """The requests timed against the live sandbox, each checked once for a full answer."""

    def __init__(self, base: str, token: str):
        import requests

        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        self.base = base

    def rest(self, statement: str):
        response = self.session.get(f"{self.base}v3/company/{REALM}/query", params={"query": statement}, timeout=60)
        response.raise_for_status()
        return response

    def graphql(self, after: str | None = None):
        body = {"query": PROJECTS_QUERY, "variables": {"first": GRAPHQL_PAGE, "after": after}}
        response = self.session.post(f"{self.base}graphql", json=body, timeout=60)
        response.raise_for_status()
        return response


def timed(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def time_served_pages(base: str, token: str, rounds: int) -> None:
    pages = Pages(base, token)
    invoices = pages.rest(REST_PAGE).json()["QueryResponse"]["Invoice"]
    first = pages.graphql().json()["data"]["projectManagementProjects"]
    assert len(invoices) == PAGE, f"the REST page has {len(invoices)} rows"
    assert len(first["edges"]) == GRAPHQL_PAGE, f"the GraphQL page has {len(first['edges'])} nodes"
    projects = int(pages.rest("select count(*) from Customer where Job = true").json()["QueryResponse"]["totalCount"])
    middle = _cursor_at(projects // 2)
    assert pages.graphql(middle).json()["data"]["projectManagementProjects"]["edges"], "no middle page"
    cases = {
        "reference: REST page of 1 row": lambda: pages.rest(REST_ROW),
        f"REST page of {PAGE} rows": lambda: pages.rest(REST_PAGE),
        f"GraphQL page of {GRAPHQL_PAGE} projects (first)": lambda: pages.graphql(),
        f"GraphQL page of {GRAPHQL_PAGE} projects (middle)": lambda: pages.graphql(middle),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            times[name].append(timed(call))
    print(f"served over HTTP, {rounds} rounds, about {projects} projects (jobs) in the company:")
    width = max(len(name) for name in cases)
    for name, values in times.items():
        median = 1000 * statistics.median(values)
        verdict = "" if name.startswith("reference") else (" under" if median < TARGET_MS else " OVER")
        print(
            f"  {name:<{width}}  median {median:7.1f} ms  p95 {1000 * percentile(values, 0.95):7.1f} ms"
            f"  (target {TARGET_MS} ms:{verdict or ' -'})"
        )


def _cursor_at(offset: int) -> str:
    import base64

    return base64.b64encode(f"simple-cursor{offset}".encode()).decode()


# --- in-process paging (the query engine without HTTP) --------------------------------------------------------


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
    """Pages through the REST query engine (`sandbox.rest.query.parse` + `sandbox.rest.search.run`)."""
    from sandbox.models import Entity
    from sandbox.rest import query, search

    total = Entity.objects.using("sandbox").filter(realm=realm, type=type_, deleted=False).count()
    times = []
    for position in range(1, total + 1, PAGE):
        # QuickBooks' query language, not SQL: the engine parses it.
        text = f"select * from {type_} orderby Id startposition {position} maxresults {PAGE}"  # noqa: S608
        began = time.perf_counter()
        body = search.run(realm, query.parse(text))
        times.append(time.perf_counter() - began)
    got = len(body.get(type_, []))
    return (
        f"{type_} via query language: {len(times)} pages: median {1000 * statistics.median(times):.1f} ms, "
        f"p95 {1000 * percentile(times, 0.95):.1f} ms (last page: {got} rows)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--transactions", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page (medians of these)")
    parser.add_argument("--no-paging", action="store_true", help="skip the in-process paging figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as folder:
        path = os.path.join(folder, "sandbox.sqlite3")
        setup_django(path)
        import requests
        from django.db import connections

        from sandbox.models import Realm
        from sandbox.testing import issue_token

        # The realm exists before the server starts, so `qbo_sandbox` does not seed the demo companies.
        realm = Realm.objects.create(realm_id=REALM, name="Scale Bench Co.")
        connections.close_all()
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        process = start_sandbox(port, folder, DEBUG="1", PYTHONUNBUFFERED="1")
        try:
            began = time.perf_counter()
            body = {"realm_id": REALM, "name": realm.name}
            body["scale"] = {"customers": args.customers, "transactions": args.transactions}
            response = requests.post(f"{base}_sandbox/realms", json=body, timeout=3600)
            response.raise_for_status()
            seconds = time.perf_counter() - began
            added = response.json()["added"]
            rows = sum(added.values())
            print(
                f"seeded {added} through POST /_sandbox/realms in {seconds:.1f} s: {rows / seconds:,.0f} rows/s, "
                f"{added['transactions'] / seconds:,.0f} transactions/s"
            )
            print(f"database file: {os.path.getsize(path) / 1e6:.0f} MB")
            requests.post(
                f"{base}_sandbox/limits",
                json={"per_second": None, "per_minute": None, "batch_per_minute": None},
                timeout=30,
            ).raise_for_status()
            token = issue_token(realm)
            connections.close_all()
            time_served_pages(base, token, args.rounds)
        finally:
            stop(process)
        if not args.no_paging:
            print("in-process paging:")
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
