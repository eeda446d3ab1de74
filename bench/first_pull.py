"""First pull of a large company: API calls against the page floor, 429s, CPU, wall time beside a plain fetch of the
same pages, and peak memory as the company grows.

Run:
    DEBUG=1 .venv/bin/python bench/first_pull.py
    DEBUG=1 .venv/bin/python bench/first_pull.py --database sqlite,postgres --scale 1,3
Options: [--customers 20000] [--transactions 100000] [--database sqlite,postgres|postgres://...] [--scale 1,3]
         [--only-references] [--runs 3]

Each (database, scale) runs in a process of its own. It seeds a realm of `scale` x (--customers customers,
--transactions transactions) in a throwaway sandbox SQLite file (`sandbox.scale.seed_scale`), starts a real
`manage.py qbo_sandbox` on a free loopback port against it, connects a Costline company (a throwaway SQLite file,
or a throwaway database `costline_bench_pull` on the PostgreSQL server of --database or DATABASE_URL, else
postgres://postgres@127.0.0.1:5432) through the sandbox's consent page, and runs `pull_full` over HTTP, with the
app's database cursors as production runs them (no query log). Beside it, in the same process and against the same
sandbox, the reference: a plain fetch of the same pages (requests and json, nothing stored), under the same rate
limiter (Intuit's per-company limits hold for any client), once before the pull and once after; the faster counts.

Prints per entity rows, calls and seconds; then per run: API calls against the page floor (ceil(rows/page) per
entity), 429s, rows per CPU-second of this process during the pull (both its threads: the read-ahead and the
ingest), the pull's wall time and its ratio to the plain fetch, the peak RSS during the pull, and the cyclic
garbage collector's collections and seconds during it; with --runs, each
run is a process of its own (seeded afresh) and the median CPU and wall ratio follow. The targets:
at least 15,000 rows per CPU-second; wall within 1.2x the plain fetch; calls at most the floor + 2; no 429; peak RSS
flat from scale 1 to 3. Figures only: there is no pass/fail on time.
"""

import argparse
import gc
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.dashboard import postgres_admin, postgres_server, with_database  # noqa: E402 - after the path is set
from bench.sandbox_process import free_port, start_sandbox  # noqa: E402

REALM = "9341453099990042"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"
STATUS_429 = 429
BENCH_DATABASE = "costline_bench_pull"
TARGET_ROWS_PER_CPU_SECOND = 15_000
TARGET_WALL_RATIO = 1.2
TARGET_CALLS_OVER_FLOOR = 2


def setup_django(folder: str, base_url: str, database_url: str = "") -> None:
    """Both databases and the var folder in `folder` (the app's on `database_url` when given), settings aimed at the
    sandbox about to start."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DEBUG": "1",
            "COSTLINE_VAR_DIR": folder,
            "DATABASE_URL": database_url or f"sqlite:///{folder}/app.sqlite3",
            "SANDBOX_DATABASE_URL": f"sqlite:///{folder}/sandbox.sqlite3",
            "QBO_SANDBOX_URL": base_url,
            "QBO_CLIENT_ID": CLIENT_ID,
            "QBO_CLIENT_SECRET": CLIENT_SECRET,
            "QBO_SANDBOX_CLIENT_ID": CLIENT_ID,
            "QBO_SANDBOX_CLIENT_SECRET": CLIENT_SECRET,
            "QBO_REDIRECT_URI": "http://testserver/quickbooks/callback/",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    call_command("createcachetable", verbosity=0)


def seed(customers: int, transactions: int) -> dict:
    from sandbox.models import Realm
    from sandbox.scale import seed_scale

    realm = Realm.objects.using("sandbox").create(realm_id=REALM, name="Scale Pull Co.", plan="advanced")
    began = time.perf_counter()
    added = seed_scale(realm, customers=customers, transactions=transactions)
    print(f"seeded {added} in {time.perf_counter() - began:.1f} s")
    return added


def connect(realm_id: str = REALM, name: str = "Scale Pull Co."):
    """A company and its admin, connected through our connect view and the sandbox's consent page."""
    from django.test import Client

    from accounts.models import User
    from quickbooks.models import Company, Membership, Role

    user = User.objects.create_user(email="bench@costline.local", password=secrets.token_urlsafe(16))
    company = Company.objects.create(name=name)
    Membership.objects.create(user=user, company=company, role=Role.ADMIN)
    browser = Client()
    browser.force_login(user)
    return consent(browser, company, realm_id)


def consent(browser, company, realm_id: str):
    """What the company's admin does in a browser (`browser`, signed in): Connect, pick the realm on the sandbox's
    consent page and approve, and come back to the app's callback, which exchanges the code for real tokens."""
    import requests
    from django.urls import reverse

    authorize = browser.post(reverse("quickbooks:connect", args=[company.pk])).url
    params = dict(parse_qsl(urlsplit(authorize).query))
    back = requests.post(
        authorize.split("?")[0],
        data={**params, "realm_id": realm_id, "decision": "approve"},
        allow_redirects=False,
        timeout=30,
    ).headers["Location"]
    browser.get(back.removeprefix("http://testserver"))
    company.refresh_from_db()
    assert company.is_connected, f"connection failed: {company.connection_state}"
    return company


def only_references() -> None:
    from quickbooks.models.references import REFERENCE_ENTITIES
    from quickbooks.sync import registry

    for name in [name for name in registry._pulled if name not in REFERENCE_ENTITIES]:
        del registry._pulled[name]


def timing_ingest() -> dict[str, float]:
    """Wrap every registered ingest to add up its seconds per entity: where the time goes, ours or the server's."""
    from dataclasses import replace

    from quickbooks.sync import registry

    spent: dict[str, float] = {}

    def timed(name, ingest):
        def run(company, documents):
            began = time.perf_counter()
            try:
                return ingest(company, documents)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - began

        return run

    for name, entity in list(registry._pulled.items()):
        registry._pulled[name] = replace(entity, ingest=timed(name, entity.ingest))
    return spent


def counting_client(company):
    """The real client, with every HTTP reply's status tallied (retries included), so 429s are counted honestly."""
    from quickbooks.client import QuickBooksClient

    client = QuickBooksClient.for_company(company)
    client.statuses, client.http_seconds = {}, 0.0

    def tally(response, *args, **kwargs):
        client.statuses[response.status_code] = client.statuses.get(response.status_code, 0) + 1
        client.http_seconds += response.elapsed.total_seconds()  # until the reply's headers arrived

    client.session.hooks["response"].append(tally)
    return client


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) another process has used so far, from /proc: the sandbox server's share."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def entity_seconds(run) -> dict[str, float]:
    """Wall seconds per entity, first request to last write: the gaps between their cursors' `last_pull_at`."""
    from quickbooks.models import PullCursor

    ends = dict(PullCursor.objects.filter(company=run.company).values_list("entity", "last_pull_at"))
    seconds, previous = {}, run.started_at
    for name in run.counts:
        if name in ends:
            seconds[name], previous = (ends[name] - previous).total_seconds(), ends[name]
    return seconds


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds and rows else "-"


def report(run, client, seconds: float, spent: dict[str, float]) -> dict:
    """Print the per-entity table and the run's lines; return the figures the summary needs."""
    from quickbooks.sync import pull, registry

    pulled = {e.name: e for e in registry.pulled(run.company.connection.capabilities)}
    walls = entity_seconds(run)
    floor = 0
    print(
        f"\n{'entity':<16}{'source':>8}{'rows':>9}{'calls':>7}{'floor':>7}{'wall s':>8}{'e2e r/s':>9}"
        f"{'ingest s':>10}{'ingest r/s':>11}"
    )
    for name, tally in run.counts.items():
        page = pull.GRAPHQL_PAGE if pulled[name].source == "graphql" else pull.PAGE_SIZE
        # A fetch entity's calls are its own function's business: its floor is what it used.
        entity_floor = tally.get("calls", 0) if pulled[name].source == "fetch" else math.ceil(tally["pulled"] / page)
        floor += entity_floor
        took, wall = spent.get(name, 0.0), walls.get(name, 0.0)
        print(
            f"{name:<16}{pulled[name].source:>8}{tally['pulled']:>9}{tally.get('calls', 0):>7}{entity_floor:>7}"
            f"{wall:>8.2f}{rate(tally['pulled'], wall):>9}{took:>10.2f}{rate(tally['pulled'], took):>11}"
        )
    rows = sum(t["pulled"] for t in run.counts.values())
    print(f"\nrun {run.status}{': ' + run.error if run.error else ''}")
    print(
        f"API calls: {run.api_calls}; floor {floor} = sum of ceil(rows/page) per entity (page 1000 REST, "
        f"{pull.GRAPHQL_PAGE} GraphQL); +{run.api_calls - floor} over it (the batch request of COUNT queries, "
        "which also reads QuickBooks' time)"
    )
    print(
        f"HTTP replies by status: {client.statuses}; 429s seen: {client.statuses.get(STATUS_429, 0)}; "
        f"limiter waits: {client.limiter.waited:.1f} s"
    )
    ingest = sum(spent.values())
    print(
        f"rows ingested: {rows:,} (written {sum(t['written'] for t in run.counts.values()):,}) in {seconds:.1f} s; "
        f"ingest {ingest:.1f} s ({rows / ingest:,.0f} rows/s), QuickBooks replies {client.http_seconds:.1f} s "
        "(until headers)"
    )
    return {
        "status": run.status,
        "rows": rows,
        "calls": run.api_calls,
        "floor": floor,
        "429s": client.statuses.get(STATUS_429, 0),
    }


def plain_fetch(company, totals: dict[str, int]) -> dict:
    """The reference: the pull's pages fetched with requests and json alone, nothing stored. The same statements
    (ORDERBY Id, 1000 a page, as many pages as the counts make), the same GraphQL pages, the same rate limiter."""
    import requests
    from django.conf import settings

    from quickbooks.client import tokens
    from quickbooks.client.endpoints import endpoints
    from quickbooks.client.limiter import default_limiter
    from quickbooks.sync import pull, registry

    urls, limiter, session = endpoints(), default_limiter(), requests.Session()
    session.headers.update({"Authorization": f"Bearer {tokens.access_token(company.connection.pk)}"})
    query_url = f"{urls.api_base}/v3/company/{company.realm_id}/query"
    statuses: dict[int, int] = {}

    def send(method: str, url: str, **kwargs) -> dict:
        with limiter.slot(company.realm_id):
            response = session.request(method, url, timeout=60, **kwargs)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        response.raise_for_status()
        return json.loads(response.content)

    began, cpu, rows, calls = time.perf_counter(), time.process_time(), 0, 0
    for entity in registry.pulled(company.connection.capabilities):
        if entity.source == "graphql":
            source, after = entity.graphql, None
            while True:
                variables = {**source.variables, "first": pull.GRAPHQL_PAGE, "after": after}
                data = send("POST", urls.graphql, json={"query": source.query, "variables": variables})["data"]
                calls += 1
                for key in source.path:
                    data = data[key]
                rows += len(data["edges"])
                if not data["pageInfo"]["hasNextPage"]:
                    break
                after = data["pageInfo"]["endCursor"]
        elif entity.source == "rest":
            where = pull._where(entity)
            clause = f" WHERE {where}" if where else ""
            for start in range(1, totals.get(entity.name, 0) + 1, pull.PAGE_SIZE):
                statement = f"SELECT * FROM {entity.name}{clause} ORDERBY Id STARTPOSITION {start} MAXRESULTS 1000"  # noqa: S608
                body = send(
                    "POST",
                    query_url,
                    params={"minorversion": settings.QBO_MINOR_VERSION},
                    data=statement,
                    headers={"Content-Type": "application/text"},
                )
                calls += 1
                rows += len(body["QueryResponse"].get(entity.name, []))
    return {
        "wall": time.perf_counter() - began,
        "cpu": time.process_time() - cpu,
        "rows": rows,
        "calls": calls,
        "429s": statuses.get(STATUS_429, 0),
    }


class CollectorTime:
    """Python's cyclic garbage collector during a block: collections per generation and their seconds (gc.callbacks),
    the share of the pull's CPU that goes to traversing objects rather than to the pull."""

    def __init__(self):
        self.seconds, self.collections, self._began = 0.0, [0, 0, 0], 0.0

    def __enter__(self):
        gc.callbacks.append(self._phase)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self._phase)

    def _phase(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began
            self.collections[info["generation"]] += 1

    def __str__(self) -> str:
        return f"{sum(self.collections)} collections by generation {self.collections}, {self.seconds:.2f} s"


def reset_peak_rss() -> int:
    """Start the kernel's peak-RSS count afresh (Linux: 5 into clear_refs); the RSS now, in kB."""
    Path("/proc/self/clear_refs").write_text("5")
    return memory_kb("VmRSS")


def memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def run_one(database_url: str, scale: int, args) -> dict:
    """One seeded realm, one connected company, the reference fetch around one full pull: the figures."""
    from django.conf import settings

    with tempfile.TemporaryDirectory(prefix="first-pull-") as folder:
        port = free_port()
        setup_django(folder, f"http://127.0.0.1:{port}", database_url)
        settings.DEBUG = False  # the app's cursors as in production: Django keeps no query log
        seed(args.customers * scale, args.transactions * scale)
        process = start_sandbox(port, folder)
        try:
            if args.only_references:
                only_references()
            company = connect()
            from django.db import connection

            from quickbooks.client import QuickBooksClient
            from quickbooks.sync import pull, registry

            print("entities registered:", ", ".join(registry.names(registry.pulled(company.connection.capabilities))))
            counter = QuickBooksClient.for_company(company)
            totals, _ = counter.counts(
                {e.name: pull._where(e) for e in registry.pulled(company.connection.capabilities) if e.source == "rest"}
            )
            references = [plain_fetch(company, totals)]
            client, spent = counting_client(company), timing_ingest()
            load = os.getloadavg()  # the machine may be shared: what else was running shows here
            before_rss = reset_peak_rss()
            began, cpu, server = time.perf_counter(), time.process_time(), process_cpu(process.pid)
            with CollectorTime() as collector:
                run = pull.pull_full(company=company, client=client)
            wall, cpu = time.perf_counter() - began, time.process_time() - cpu
            peak_rss = memory_kb("VmHWM")
            figures = report(run, client, wall, spent)
            references.append(plain_fetch(company, totals))
            reference = min(references, key=lambda r: r["wall"])
            print(f"cyclic garbage collector during the pull: {collector}")
            print(
                f"CPU during the pull: this process {cpu:.1f} s, the sandbox server "
                f"{process_cpu(process.pid) - server:.1f} s ({os.cpu_count()} cores; load before: "
                f"{', '.join(f'{n:.2f}' for n in load)})"
            )
            print(
                "plain fetch of the same pages: "
                + "; ".join(f"{r['wall']:.1f} s wall, {r['cpu']:.1f} CPU-s, {r['calls']} calls" for r in references)
            )
            return {
                **figures,
                "database": database_name(connection),
                "scale": scale,
                "wall": wall,
                "cpu": cpu,
                "fetch_wall": reference["wall"],
                "fetch_cpu": reference["cpu"],
                "fetch_rows": reference["rows"],
                "fetch_429s": sum(r["429s"] for r in references),
                "rss_before_mb": before_rss / 1024,
                "peak_rss_mb": peak_rss / 1024,
            }
        finally:
            process.terminate()
            process.wait(timeout=10)


def database_name(connection) -> str:
    version = connection.Database.sqlite_version if connection.vendor == "sqlite" else connection.pg_version
    return f"{connection.vendor} {version}"


def database_url(choice: str) -> str:
    """'' for SQLite (a file in the run's folder); else a throwaway database's URL on the chosen PostgreSQL server."""
    return "" if choice == "sqlite" else with_database(postgres_server(choice), BENCH_DATABASE)


def child(args) -> None:
    url = database_url(args.database)
    if url:
        postgres_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        postgres_admin(url, f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        result = run_one(url, args.scale_one, args)
    finally:
        if url:
            from django.db import connections

            connections.close_all()
            postgres_admin(url, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
    print("RESULT " + json.dumps(result), flush=True)


def summary(results: list[dict]) -> None:
    print(f"\nFirst pull, {results[0]['rows']:,} rows at scale 1; wall and CPU in seconds")
    print(
        f"{'database':<18}{'scale':>6}{'rows':>9}{'calls':>7}{'floor':>7}{'429s':>6}{'CPU s':>8}{'rows/CPU-s':>12}"
        f"{'wall s':>8}{'fetch s':>9}{'ratio':>7}{'RSS MB':>8}{'peak MB':>9}"
    )
    for r in results:
        print(
            f"{r['database']:<18}{r['scale']:>6}{r['rows']:>9,}{r['calls']:>7}{r['floor']:>7}"
            f"{r['429s'] + r['fetch_429s']:>6}{r['cpu']:>8.1f}{r['rows'] / r['cpu']:>12,.0f}{r['wall']:>8.1f}"
            f"{r['fetch_wall']:>9.1f}{r['wall'] / r['fetch_wall']:>6.2f}x{r['rss_before_mb']:>8.0f}"
            f"{r['peak_rss_mb']:>9.0f}"
        )
    runs: dict[tuple, list[dict]] = {}
    for r in results:
        runs.setdefault((r["database"], r["scale"]), []).append(r)
    for (database, scale), each in runs.items():
        if len(each) > 1:  # a shared machine's slow spells: the median run is the figure to quote
            cpu = statistics.median(r["cpu"] for r in each)
            ratio = statistics.median(r["wall"] / r["fetch_wall"] for r in each)
            print(
                f"median of {len(each)} runs, {database} at scale {scale}: CPU {cpu:.1f} s, "
                f"{each[0]['rows'] / cpu:,.0f} rows per CPU-second, wall {ratio:.2f}x the plain fetch "
                f"(CPU per run: {', '.join(format(r['cpu'], '.1f') for r in each)})"
            )
    print(
        f"targets: >= {TARGET_ROWS_PER_CPU_SECOND:,} rows per CPU-second; wall <= {TARGET_WALL_RATIO}x the plain "
        f"fetch; calls <= floor + {TARGET_CALLS_OVER_FLOOR}; no 429; peak RSS flat from the least scale to the most"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--transactions", type=int, default=100000)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres or a postgres:// URL; comma-separated")
    parser.add_argument("--scale", default="1", help="multiples of the sizes, comma-separated, e.g. 1,3")
    parser.add_argument("--only-references", action="store_true", help="pull the name lists only")
    parser.add_argument("--runs", type=int, default=1, help="runs per database and scale; the median is printed")
    parser.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)  # a child process's one run
    args = parser.parse_args()
    if args.scale_one is not None:
        child(args)
        return
    results = []
    for database in args.database.split(","):
        for scale in [int(n) for n in args.scale.split(",") for _ in range(args.runs)]:
            command = [sys.executable, __file__, "--database", database, "--scale-one", str(scale)]
            command += ["--customers", str(args.customers), "--transactions", str(args.transactions)]
            command += ["--only-references"] if args.only_references else []
            print(f"\n=== {database}, scale {scale}", flush=True)
            with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:  # noqa: S603
                for line in process.stdout or []:
                    if line.startswith("RESULT "):
                        results.append(json.loads(line.removeprefix("RESULT ")))
                    else:
                        print(line, end="", flush=True)
            if process.returncode:
                raise SystemExit(f"the run on {database} at scale {scale} failed ({process.returncode})")
    summary(results)


if __name__ == "__main__":
    main()
