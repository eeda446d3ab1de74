"""First pull of a large company: API calls against the page floor, 429s, rows ingested per second.

Run: DEBUG=1 .venv/bin/python bench/first_pull.py [--customers N] [--transactions N] [--only-references]

Seeds a realm in a throwaway sandbox SQLite file (`sandbox.scale.seed_scale`), starts a real `manage.py
qbo_sandbox` on a free loopback port against it, connects a Costline company (throwaway app SQLite) through the
sandbox's consent page, and runs `pull_full` over HTTP. Prints figures only; there is no pass/fail on time.
"""

import argparse
import math
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.sandbox_process import free_port, start_sandbox  # noqa: E402 - after the path is set

REALM = "9341453099990042"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"
STATUS_429 = 429


def setup_django(folder: str, base_url: str) -> None:
    """Both databases and the var folder in `folder`, settings aimed at the sandbox about to start."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DEBUG": "1",
            "COSTLINE_VAR_DIR": folder,
            "DATABASE_URL": f"sqlite:///{folder}/app.sqlite3",
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


def report(run, client, seconds: float, spent: dict[str, float]) -> None:
    from quickbooks.sync import pull, registry

    pulled = {e.name: e for e in registry.pulled(run.company.connection.capabilities)}
    walls = entity_seconds(run)
    floor = empty = 0
    print(
        f"\n{'entity':<16}{'source':>8}{'rows':>9}{'calls':>7}{'floor':>7}{'wall s':>8}{'e2e r/s':>9}"
        f"{'ingest s':>10}{'ingest r/s':>11}"
    )
    for name, tally in run.counts.items():
        page = pull.GRAPHQL_PAGE if pulled[name].source == "graphql" else pull.PAGE_SIZE
        # A fetch entity's calls are its own function's business: its floor is what it used.
        entity_floor = tally.get("calls", 0) if pulled[name].source == "fetch" else math.ceil(tally["pulled"] / page)
        floor += entity_floor
        empty += entity_floor == 0 and pulled[name].source != "fetch"
        took, wall = spent.get(name, 0.0), walls.get(name, 0.0)
        print(
            f"{name:<16}{pulled[name].source:>8}{tally['pulled']:>9}{tally.get('calls', 0):>7}{entity_floor:>7}"
            f"{wall:>8.2f}{rate(tally['pulled'], wall):>9}{took:>10.2f}{rate(tally['pulled'], took):>11}"
        )
    rows = sum(t["pulled"] for t in run.counts.values())
    print(f"\nrun {run.status}{': ' + run.error if run.error else ''}")
    print(
        f"API calls: {run.api_calls}; floor {floor} = sum of ceil(rows/page) per entity (page 1000 REST, "
        f"{pull.GRAPHQL_PAGE} GraphQL); +{run.api_calls - floor} over it: "
        f"1 for QuickBooks' time, {empty} to learn an entity is empty, the rest short last pages after full ones"
    )
    print(
        f"HTTP replies by status: {client.statuses}; 429s seen: {client.statuses.get(STATUS_429, 0)}; "
        f"limiter waits: {client.limiter.waited:.1f} s"
    )
    print(
        f"rows ingested: {rows:,} (written {sum(t['written'] for t in run.counts.values()):,}) "
        f"in {seconds:.1f} s: {rows / seconds:,.0f} rows/s end to end"
    )
    ingest = sum(spent.values())
    print(
        f"of which ingest {ingest:.1f} s ({rows / ingest:,.0f} rows/s), "
        f"QuickBooks replies {client.http_seconds:.1f} s (until headers), "
        "the rest body download, JSON decoding and run bookkeeping"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--transactions", type=int, default=100000)
    parser.add_argument("--only-references", action="store_true", help="pull the name lists only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-pull-") as folder:
        port = free_port()
        setup_django(folder, f"http://127.0.0.1:{port}")
        seed(args.customers, args.transactions)
        process = start_sandbox(port, folder)
        try:
            if args.only_references:
                only_references()
            company = connect()
            from quickbooks.sync import registry

            print("entities registered:", ", ".join(registry.names(registry.pulled(company.connection.capabilities))))
            client, spent = counting_client(company), timing_ingest()
            from quickbooks.sync.pull import pull_full

            load = os.getloadavg()  # the machine may be shared: what else was running shows here
            began, cpu, server = time.perf_counter(), time.process_time(), process_cpu(process.pid)
            run = pull_full(company=company, client=client)
            report(run, client, time.perf_counter() - began, spent)
            print(
                f"CPU during the pull: this process {time.process_time() - cpu:.1f} s, the sandbox server "
                f"{process_cpu(process.pid) - server:.1f} s ({os.cpu_count()} cores; load before: "
                f"{', '.join(f'{n:.2f}' for n in load)})"
            )
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
