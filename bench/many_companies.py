"""Many companies, as an accounting firm runs it: beat's change-capture round for hundreds of connected companies.

Run: DEBUG=1 .venv/bin/python bench/many_companies.py [--companies 500] [--workers 2,4] [--latency 0,0.25]
         [--changed 0.2] [--big-transactions 20000] [--big-changes 5000] [--prefix costline_many]
         [--redis redis://127.0.0.1:6379/12]

Production's shape in throwaway state: PostgreSQL for the app (database PREFIX_app) and for the sandbox
(PREFIX_sandbox), both created afresh and dropped at the end (unless `--keep`); Redis (the db given, flushed first) as
the broker, the cache, the pull locks and the rate limiter; the sandbox in its own process (`manage.py qbo_sandbox`);
real Celery workers started as the Procfile starts them (`--concurrency=2`), with DEBUG off and without the sandbox
app, as in production.

1. Seeds N small realms in the sandbox (10 customers, two of them projects, 40 transactions, and the accounts, items,
   vendors and employees they name) and one big one, then connects a company for each as its admin would: Connect,
   the sandbox's consent page, the app's callback (real tokens, the capabilities read). The callback queues each
   company's first full pull, which the workers run: the rounds measured after it are change rounds on cursors and
   local rows left by real pulls, as in steady state (seeding cursors instead would leave no local rows to update).
2. For each worker count (`--workers`): a share of the small realms is changed directly in the sandbox, as another
   QuickBooks user would (a customer and a project estimate edited, an invoice added, a bill deleted); then beat's
   round is queued as beat queues it (`quickbooks.tasks.sync_pull_all_companies`, by name), and the bench waits until
   every company's pull has finished. Then the same again with the big company's large change set in the round.
   Each round runs once per `--latency`: the seconds the sandbox waits before answering each API request (its
   "delay" fault on every request), since the sandbox answers in milliseconds where QuickBooks is a network away, and
   the workers' time then goes to waiting rather than to CPU: on one two-core machine that carries the sandbox and
   PostgreSQL too, more workers can only shorten a round whose pulls wait.
Prints, per round: its wall time (queued to the last pull finished), each company's lag (queued to its pull finished:
median, p90, worst), API calls per company, 429s and each realm's peak requests per second and per minute as the
sandbox counted them against the limits, token refreshes, whether every change arrived, and CPU. Figures only.
"""

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.first_pull import consent, process_cpu  # noqa: E402 - after the path is set
from bench.sandbox_process import free_port, start_sandbox, stop  # noqa: E402

SMALL = {"customers": 10, "transactions": 40}
REALM_BASE = 9341453100000000
BIG_REALM = "9341453199999999"
BIG_TYPES = ("Invoice", "Bill", "Purchase", "Estimate")
ROUND_TASK = "quickbooks.tasks.sync_pull_all_companies"
CONNECT_THREADS = 4
CONCURRENCY = 2  # pool processes a worker, as the Procfile starts them


# --- the deployment ----------------------------------------------------------------------------------------------


def fresh_database(name: str) -> str:
    for command in (["dropdb", "--if-exists", "--force", name], ["createdb", name]):
        subprocess.run([*command[:1], "-h", "127.0.0.1", "-U", "postgres", *command[1:]], check=True)  # noqa: S603
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_databases(prefix: str) -> None:
    from django.db import connections

    connections.close_all()
    for name in (f"{prefix}_app", f"{prefix}_sandbox"):
        command = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", name]
        subprocess.run(command, check=False)  # noqa: S603


def setup_django(folder: str, base_url: str, prefix: str, redis_url: str) -> None:
    os.environ.update(
        {
            "DEBUG": "1",
            "SECRET_KEY": secrets.token_urlsafe(40),  # shared with the workers: it keys the stored tokens
            "COSTLINE_VAR_DIR": folder,
            "DATABASE_URL": fresh_database(f"{prefix}_app"),
            "SANDBOX_DATABASE_URL": fresh_database(f"{prefix}_sandbox"),
            "REDIS_URL": redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": f"many-{uuid.uuid4().hex[:8]}",
            "QBO_SANDBOX_URL": base_url,
            "QBO_REDIRECT_URI": "http://testserver/quickbooks/callback/",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)


def seed_realms(count: int, big_customers: int, big_transactions: int) -> list[tuple[str, str]]:
    """(realm id, name) of the big realm first, then the small ones."""
    from sandbox.models import Realm
    from sandbox.scale import seed_scale

    began, realms = time.perf_counter(), [(BIG_REALM, "Big Builders Inc.")]
    realms += [(str(REALM_BASE + n), f"Firm Client {n + 1:03d}") for n in range(count)]
    for number, (realm_id, name) in enumerate(realms):
        realm = Realm.objects.using("sandbox").create(realm_id=realm_id, name=name, plan=Realm.Plan.ADVANCED)
        scale = {"customers": big_customers, "transactions": big_transactions} if number == 0 else SMALL
        seed_scale(realm, **scale, seed=number)
    print(f"seeded {count} small realms ({SMALL}) and a big one in {time.perf_counter() - began:.0f} s")
    return realms


def connect_all(realms: list[tuple[str, str]]) -> dict[str, int]:
    """A firm's admin connects every realm through the consent page; realm id -> company id."""
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from quickbooks.models import Company, Membership, Role

    user = User.objects.create_user(email="firm@costline.local", password=secrets.token_urlsafe(16))
    companies = []
    for realm_id, name in realms:
        companies.append((Company.objects.create(name=name), realm_id))
        Membership.objects.create(user=user, company=companies[-1][0], role=Role.ADMIN)
    failures: list[str] = []

    def connect_share(share: list) -> None:
        browser = Client()
        browser.force_login(user)
        try:
            for company, realm_id in share:
                try:
                    consent(browser, company, realm_id)
                except Exception as error:  # noqa: BLE001 - counted and shown
                    failures.append(f"{realm_id}: {error}")
        finally:
            connection.close()

    began = time.perf_counter()
    # The big company first, alone: its first pull is queued first and so runs first.
    connect_share(companies[:1])
    threads = [
        threading.Thread(target=connect_share, args=(companies[1 + n :: CONNECT_THREADS],))
        for n in range(CONNECT_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    print(f"connected {len(companies) - len(failures)} companies through the consent page in {seconds:.0f} s")
    if failures:
        raise RuntimeError(f"{len(failures)} connections failed: {failures[:3]}")
    return {realm_id: company.pk for company, realm_id in companies}


def process_group_cpu(group: int) -> float:
    """CPU seconds of every live process in a process group (a worker and its pool processes)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def postgres_cpu(database: str) -> float:
    """CPU seconds of the live PostgreSQL backends serving `database` (one that closed during a round is missed)."""
    total = 0.0
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            title = (folder / "cmdline").read_bytes().decode(errors="replace")
            if title.startswith("postgres:") and f" {database} " in title:
                total += process_cpu(int(folder.name))
        except (OSError, IndexError, ValueError):
            continue
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, every core, from /proc/stat."""
    numbers = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = numbers[3] + numbers[4]
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(numbers) - idle) / tick, sum(numbers) / tick


class Workers:
    """Celery worker processes as the Procfile starts them, each in a process group of its own."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.env = {**os.environ, "DEBUG": "0", "QBO_SANDBOX_APP": "0", "PYTHONUNBUFFERED": "1"}
        self.processes: list[subprocess.Popen] = []
        self.started = 0

    def scale(self, count: int) -> None:
        while len(self.processes) > count:
            self._stop(self.processes.pop())
        while len(self.processes) < count:
            self._start()

    def _start(self) -> None:
        self.started += 1
        log = self.folder / f"worker-{self.started}.log"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={CONCURRENCY}"]
        command += ["--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", f"many{self.started}@%h"]
        command += ["-Q", os.environ["CELERY_TASK_DEFAULT_QUEUE"]]
        with log.open("a") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        self.processes.append(process)

    @staticmethod
    def _stop(process: subprocess.Popen) -> None:
        process.terminate()  # warm shutdown: running tasks finish
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()

    def cpu(self) -> float:
        return sum(process_group_cpu(process.pid) for process in self.processes)

    def stop_all(self) -> None:
        self.scale(0)


# --- changes another QuickBooks user makes -----------------------------------------------------------------------


@dataclass
class Check:
    """A change made in the sandbox, and what the app must hold once the round pulled it."""

    company_id: int
    what: str  # "customer", "estimate", "added", "deleted", "big"
    entity: str
    ids: dict[str, str]  # QuickBooks id -> its SyncToken after the change


def _mirrored(model: Any, company_id: int, **filters: Any) -> list[str]:
    return sorted(set(model.objects.filter(company_id=company_id, **filters).values_list("qbo_id", flat=True)))


def _ledger_ids(company_id: int, txn_type: str) -> list[str]:
    from projects.models import LedgerLine

    rows = LedgerLine.objects.filter(company_id=company_id, txn_type=txn_type)
    return sorted(set(rows.values_list("txn_qbo_id", flat=True)))


def change_small(realm_id: str, company_id: int, rng: random.Random, mark: str) -> list[Check]:
    """A customer's notes and a project estimate's memo edited, an invoice added (a copy of one charged to a project),
    a bill charged to a project deleted: objects picked among those the app mirrors, so each can be checked."""
    from projects.models import Estimate
    from quickbooks.models import ReferenceRecord
    from sandbox import store
    from sandbox.models import Entity, Realm

    realm = Realm.objects.using("sandbox").get(realm_id=realm_id)
    get = Entity.objects.using("sandbox").filter(realm=realm, deleted=False).get
    customer_ids = _mirrored(ReferenceRecord, company_id, entity="Customer", parent_qbo_id="")
    customer = get(type="Customer", qbo_id=int(rng.choice(customer_ids)))
    store.save(customer, {**customer.document, "Notes": mark})
    estimate = get(type="Estimate", qbo_id=int(rng.choice(_mirrored(Estimate, company_id))))
    store.save(estimate, {**estimate.document, "PrivateNote": mark})
    original = get(type="Invoice", qbo_id=int(rng.choice(_ledger_ids(company_id, "Invoice"))))
    copy = {k: v for k, v in original.document.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
    added = store.create(realm, "Invoice", {**copy, "DocNumber": mark[:21], "PrivateNote": mark})
    bill = get(type="Bill", qbo_id=int(rng.choice(_ledger_ids(company_id, "Bill"))))
    store.delete(bill)
    return [
        Check(company_id, "customer", "Customer", {str(customer.qbo_id): str(customer.sync_token)}),
        Check(company_id, "estimate", "Estimate", {str(estimate.qbo_id): str(estimate.sync_token)}),
        Check(company_id, "added", "Invoice", {str(added.qbo_id): "0"}),
        Check(company_id, "deleted", "Bill", {str(bill.qbo_id): ""}),
    ]


def change_big(realm_id: str, company_id: int, count: int, mark: str) -> list[Check]:
    """`count` transactions of the big realm edited (their memo), as an import or a bulk edit in QuickBooks would."""
    from sandbox import store
    from sandbox.models import Entity

    rows = Entity.objects.using("sandbox").filter(realm__realm_id=realm_id, deleted=False, type__in=BIG_TYPES)
    changed: dict[str, dict[str, str]] = {}
    for entity in rows.select_related("realm").order_by("qbo_id")[:count]:
        store.save(entity, {**entity.document, "PrivateNote": mark})
        changed.setdefault(entity.type, {})[str(entity.qbo_id)] = str(entity.sync_token)
    return [Check(company_id, "big", entity, ids) for entity, ids in changed.items()]


def verify(check: Check) -> tuple[int, int]:
    """(changes the app holds, changes checked); for the big set, of those the app mirrors (ledger or estimates)."""
    from projects.models import Estimate, LedgerLine
    from quickbooks.models import ReferenceRecord

    ids = list(check.ids)
    if check.what == "customer":
        rows = ReferenceRecord.objects.filter(company_id=check.company_id, entity="Customer", qbo_id__in=ids)
        held = dict(rows.values_list("qbo_id", "sync_token"))
    elif check.entity == "Estimate":
        held = dict(
            Estimate.objects.filter(company_id=check.company_id, qbo_id__in=ids).values_list("qbo_id", "sync_token")
        )
    else:
        lines = LedgerLine.objects.filter(company_id=check.company_id, txn_type=check.entity, txn_qbo_id__in=ids)
        held = dict(lines.values_list("txn_qbo_id", "txn_sync_token"))
    if check.what == "deleted":
        return sum(qbo_id not in held for qbo_id in ids), len(ids)
    if check.what == "big":
        return sum(held[qbo_id] == check.ids[qbo_id] for qbo_id in held), len(held)
    return sum(held.get(qbo_id) == token for qbo_id, token in check.ids.items()), len(ids)


# --- a round -----------------------------------------------------------------------------------------------------


@dataclass
class Round:
    label: str
    workers: int
    latency: float
    seconds: float = 0.0
    lags: dict[int, float] = field(default_factory=dict)  # company -> queued to its pull finished
    waits: dict[int, float] = field(default_factory=dict)  # company -> queued to its pull started
    pulls: dict[int, float] = field(default_factory=dict)  # company -> its pull's own length
    calls: dict[int, int] = field(default_factory=dict)
    traffic: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    verified: tuple[int, int] = (0, 0)
    big_verified: tuple[int, int] = (0, 0)
    changed: int = 0
    big_changes: int = 0
    refreshes: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    load: tuple[float, ...] = ()


class Bench:
    def __init__(self, args: argparse.Namespace, companies: dict[str, int], control: Any, sandbox_pid: int, workers):
        self.args, self.companies, self.control, self.sandbox_pid = args, companies, control, sandbox_pid
        self.workers: Workers = workers
        self.rng = random.Random(args.seed)  # noqa: S311 - which realms change, not security
        self.small = [realm_id for realm_id in companies if realm_id != BIG_REALM]
        self.big_id = companies[BIG_REALM]

    def wait_first_pulls(self) -> None:
        from quickbooks.models import SyncRun

        began = time.perf_counter()
        runs = self.finished_runs(SyncRun.Kind.FULL_PULL, None)
        print(
            f"first full pulls of {len(runs)} companies took {time.perf_counter() - began:.0f} s "
            "after the workers started"
        )
        big = runs[self.big_id]
        print(f"  the big company's: {(big.finished_at - big.started_at).total_seconds():.0f} s, {big.api_calls} calls")

    def finished_runs(self, kind: str | None, since: Any, timeout: float = 3600) -> dict[int, Any]:
        """Each company's last succeeded pull (of `kind`) started after `since`, once every company has one."""
        from quickbooks.models import SyncRun

        runs = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exclude(kind=SyncRun.Kind.TARGETED_FETCH)
        runs = runs.filter(kind=kind) if kind else runs
        runs = runs.filter(started_at__gte=since) if since else runs
        deadline = time.monotonic() + timeout
        while runs.values("company_id").distinct().count() < len(self.companies):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {runs.values('company_id').distinct().count()} companies pulled in time")
            time.sleep(0.5)
        return {run.company_id: run for run in runs.order_by("finished_at")}

    def round(self, label: str, workers: int, latency: float, *, big: bool) -> Round:
        from django.db.models import Sum
        from django.utils import timezone

        from quickbooks.models import Connection
        from quickbooks.sync.dispatch import send_task

        result = Round(label, workers, latency)
        checks, big_checks = self.change(result, big=big)
        self.control("post", "limits", json={})  # the sandbox counts this round's traffic afresh
        if latency:  # every API request answered this much later, as a QuickBooks a network away would
            self.control("post", "faults", json={"kind": "delay", "count": 10**9, "delay_seconds": latency})
        refreshes = Connection.objects.aggregate(n=Sum("refresh_count"))["n"]
        cpu, result.load = self.cpu(), os.getloadavg()
        began = timezone.now()
        send_task(ROUND_TASK)  # as beat queues it
        self.measure(result, began)
        result.cpu = {name: spent - cpu[name] for name, spent in self.cpu().items()}
        self.control("delete", "faults")
        result.refreshes = Connection.objects.aggregate(n=Sum("refresh_count"))["n"] - refreshes
        result.verified = _added(verify(c) for c in checks)
        result.big_verified = _added(verify(c) for c in big_checks)
        print(f"{label}, {workers} workers, latency {latency:g} s: {result.seconds:.1f} s", flush=True)
        return result

    def change(self, result: Round, *, big: bool) -> tuple[list[Check], list[Check]]:
        """Changes in a share of the small realms (and the big change set): what the round must bring in."""
        mark = f"R{uuid.uuid4().hex[:8]}"
        changed = self.rng.sample(self.small, round(len(self.small) * self.args.changed))
        checks = [c for realm_id in changed for c in change_small(realm_id, self.companies[realm_id], self.rng, mark)]
        big_checks = change_big(BIG_REALM, self.big_id, self.args.big_changes, mark) if big else []
        result.changed, result.big_changes = len(changed), sum(len(c.ids) for c in big_checks)
        return checks, big_checks

    def measure(self, result: Round, began: Any) -> None:
        """Waits for every company's pull queued at `began`; their times, calls, failures and the sandbox's count."""
        from quickbooks.models import SyncRun

        runs = self.finished_runs(None, began)
        result.seconds = (max(run.finished_at for run in runs.values()) - began).total_seconds()
        for company_id, run in runs.items():
            result.lags[company_id] = (run.finished_at - began).total_seconds()
            result.waits[company_id] = (run.started_at - began).total_seconds()
            result.pulls[company_id] = (run.finished_at - run.started_at).total_seconds()
        for company_id, calls in SyncRun.objects.filter(started_at__gte=began).values_list("company_id", "api_calls"):
            result.calls[company_id] = result.calls.get(company_id, 0) + calls
        failed = SyncRun.objects.filter(started_at__gte=began, status=SyncRun.Status.FAILED)
        result.failed = [f"{run.company_id}: {run.error}" for run in failed]
        result.traffic = self.control("get", "limits").json()["traffic"]

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: the workers, the sandbox, each database's backends, this process, and the machine."""
        spent = {
            "workers": self.workers.cpu(),
            "app db": postgres_cpu(f"{self.args.prefix}_app"),
            "sandbox": process_cpu(self.sandbox_pid),
            "sandbox db": postgres_cpu(f"{self.args.prefix}_sandbox"),
            "bench": time.process_time(),
        }
        spent["machine busy"], spent["machine"] = machine_busy()
        return spent


def _added(pairs: Any) -> tuple[int, int]:
    held = checked = 0
    for got, out_of in pairs:
        held, checked = held + got, checked + out_of
    return held, checked


# --- the report --------------------------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def rows(result: Round, big_id: int) -> dict[str, str]:
    from django.conf import settings

    small = [lag for company_id, lag in result.lags.items() if company_id != big_id]
    pulls = [s for company_id, s in result.pulls.items() if company_id != big_id]
    waits = [s for company_id, s in result.waits.items() if company_id != big_id]
    calls = [n for company_id, n in result.calls.items() if company_id != big_id]
    traffic = result.traffic.values()
    peak_second = max((t["peak_second"] for t in traffic), default=0)
    peak_minute = max((t["peak_minute"] for t in traffic), default=0)
    return {
        "companies pulled": f"{len(result.lags)}",
        "small ones changed / big changes": f"{result.changed} / {result.big_changes}",
        "round: queued to last pull done": f"{result.seconds:.1f} s",
        "lag of small ones: median": f"{statistics.median(small):.1f} s",
        "  p90": f"{quantile(small, 0.9):.1f} s",
        "  worst": f"{max(small):.1f} s",
        "queue wait of small ones: median": f"{statistics.median(waits):.1f} s",
        "one small pull: median / p90": f"{statistics.median(pulls):.2f} / {quantile(pulls, 0.9):.2f} s",
        "the big company's pull": f"{result.pulls[big_id]:.1f} s, done at {result.lags[big_id]:.1f} s",
        "small pulls done while it ran": f"{beside_big(result, big_id)}",
        "API calls a small company: median / max": f"{statistics.median(calls):.0f} / {max(calls)}",
        "API calls the big company": f"{result.calls.get(big_id, 0)}",
        "requests the sandbox served": f"{sum(t['requests'] for t in traffic)}",
        "429s (sandbox's limits)": f"{sum(t['throttled'] for t in traffic)}",
        "peak a realm / second": f"{peak_second} (ours {settings.QBO_RATE_PER_SECOND}, Intuit 10)",
        "peak a realm / minute": f"{peak_minute} (ours {settings.QBO_RATE_PER_MINUTE}, Intuit 500)",
        "failed pulls": f"{len(result.failed)}",
        "token refreshes": f"{result.refreshes}",
        "small changes in the app": f"{result.verified[0]} of {result.verified[1]}",
        "big changes in the app (mirrored)": f"{result.big_verified[0]} of {result.big_verified[1]}",
        **cpu_rows(result.cpu),
        "load average before": ", ".join(f"{n:.2f}" for n in result.load),
    }


def cpu_rows(cpu: dict[str, float]) -> dict[str, str]:
    """Where the machine's CPU went in the round: ours, QuickBooks' stand-in, and everything else running here."""
    ours = cpu["workers"] + cpu["app db"]
    theirs = cpu["sandbox"] + cpu["sandbox db"]
    return {
        "CPU s: workers + app db": f"{cpu['workers']:.0f} + {cpu['app db']:.1f}",
        "CPU s: sandbox + its db": f"{cpu['sandbox']:.0f} + {cpu['sandbox db']:.1f}",
        "CPU s: all else on the machine": f"{cpu['machine busy'] - ours - theirs - cpu['bench']:.0f}",
        "machine busy": f"{100 * cpu['machine busy'] / max(cpu['machine'], 1e-9):.0f} %",
    }


def beside_big(result: Round, big_id: int) -> int:
    """Small companies whose pull finished while the big company's ran: the queue kept moving past it."""
    began, ended = result.waits[big_id], result.lags[big_id]
    return sum(began <= lag <= ended for company_id, lag in result.lags.items() if company_id != big_id)


def report(results: list[Round], big_id: int) -> None:
    """A table per added latency, a column per round; then the target and fairness lines."""
    for latency in sorted({r.latency for r in results}):
        shown = [r for r in results if r.latency == latency]
        table = [rows(result, big_id) for result in shown]
        width = max(len(name) for name in table[0]) + 2
        column = max(20, *(len(v) for t in table for v in t.values())) + 2
        print(f"\nsandbox replies {latency:g} s later than it answers (--latency)")
        print(" " * width + "".join(f"{r.label} W={r.workers}".rjust(column) for r in shown))
        for name in table[0]:
            print(name.ljust(width) + "".join(t[name].rjust(column) for t in table))
    for result in results:
        for failure in result.failed[:3]:
            print(f"failed ({result.label} W={result.workers} latency {result.latency:g}): {failure}")
    targets(results, big_id)


def targets(results: list[Round], big_id: int) -> None:
    from django.conf import settings

    interval = settings.QBO_CDC_INTERVAL_SECONDS
    print()
    for result in results:
        small = [lag for company_id, lag in result.lags.items() if company_id != big_id]
        traffic = result.traffic.values()
        throttled = sum(t["throttled"] for t in traffic)
        print(
            f"target, {result.label}, {result.workers} workers, latency {result.latency:g} s: "
            f"round {result.seconds:.0f} s "
            f"{'<' if result.seconds < interval else '>='} {interval} s; lag median {statistics.median(small):.1f} s, "
            f"worst {max(small):.1f} s; 429s {throttled}; per-realm peak "
            f"{max(t['peak_second'] for t in traffic)}/s (limit {settings.QBO_RATE_PER_SECOND}), "
            f"{max(t['peak_minute'] for t in traffic)}/min (limit {settings.QBO_RATE_PER_MINUTE}); "
            f"changes arrived {result.verified[0]}/{result.verified[1]}"
        )
    by_workers: dict[tuple[float, int], dict[str, Round]] = {}
    for result in results:
        by_workers.setdefault((result.latency, result.workers), {})[result.label] = result
    for (latency, workers), pair in by_workers.items():
        if "steady" in pair and "big" in pair:
            steady, big = pair["steady"], pair["big"]
            a = [lag for company_id, lag in steady.lags.items() if company_id != big_id]
            b = [lag for company_id, lag in big.lags.items() if company_id != big_id]
            print(
                f"fairness, {workers} workers, latency {latency:g} s: with the big company's {big.big_changes} changes "
                f"in the round (its pull {big.pulls[big_id]:.0f} s held one of {CONCURRENCY * workers} pool processes: "
                f"{big.pulls[big_id] / (CONCURRENCY * workers):.1f} s of the others' round), "
                f"the small ones' lag median {statistics.median(a):.1f} -> "
                f"{statistics.median(b):.1f} s, p90 {quantile(a, 0.9):.1f} -> {quantile(b, 0.9):.1f} s, worst "
                f"{max(a):.1f} -> {max(b):.1f} s; {beside_big(big, big_id)} small pulls finished while it ran"
            )


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=500)
    parser.add_argument("--workers", default="2,4", help="worker processes per measured round, e.g. 2,4")
    parser.add_argument(
        "--latency", default="0,0.25", help="seconds the sandbox waits before each API reply in the rounds, e.g. 0,0.25"
    )
    parser.add_argument("--changed", type=float, default=0.2, help="share of the small realms changed per round")
    parser.add_argument("--big-customers", type=int, default=2000)
    parser.add_argument("--big-transactions", type=int, default=20000)
    parser.add_argument("--big-changes", type=int, default=5000)
    parser.add_argument("--no-big-round", action="store_true", help="skip the rounds with the big change set")
    parser.add_argument("--prefix", default="costline_many", help="PostgreSQL database names start with it")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep both databases afterwards, to look into")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="many-companies-") as folder:
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        setup_django(folder, base_url, args.prefix, args.redis)
        realms = seed_realms(args.companies, args.big_customers, args.big_transactions)
        sandbox = start_sandbox(port, folder, DEBUG="0")
        workers = Workers(folder)
        try:
            run(args, counts, realms, base_url, sandbox, workers)
        finally:
            workers.stop_all()
            stop(sandbox)
            if not args.keep:
                drop_databases(args.prefix)


def run(
    args: argparse.Namespace, counts: list[int], realms: list, base_url: str, sandbox: Any, workers: Workers
) -> None:
    import requests

    def control(method: str, path: str, **kwargs: Any) -> Any:
        answer = requests.request(method, f"{base_url}/_sandbox/{path}", timeout=30, **kwargs)
        answer.raise_for_status()
        return answer

    print(f"{os.cpu_count()} cores; load average {', '.join(f'{n:.2f}' for n in os.getloadavg())}")
    companies = connect_all(realms)
    bench = Bench(args, companies, control, sandbox.pid, workers)
    workers.scale(counts[0])
    bench.wait_first_pulls()
    results = []
    # Every steady round before any big one: CDC's overlap would read a big change set again in the next round.
    for label in ("steady",) if args.no_big_round else ("steady", "big"):
        for latency in [float(n) for n in args.latency.split(",")]:
            for count in counts:
                workers.scale(count)
                results.append(bench.round(label, count, latency, big=label == "big"))
    report(results, companies[BIG_REALM])


if __name__ == "__main__":
    main()
