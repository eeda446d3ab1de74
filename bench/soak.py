"""Soak: minutes of random faults under concurrent edits on both sides, then every mirrored estimate compared with
QuickBooks field by field.

Run: DEBUG=1 .venv/bin/python bench/soak.py [--minutes 10] [--seed N]

Starts the whole deployment on this machine, in throwaway files: the QuickBooks sandbox, the app's web server (the
sandbox's webhooks aimed at it), and a Celery worker running beat (the change-capture round, the outbox sweeper).
Connects a company through the consent page. Then, for the given minutes:
- users in Costline create estimates and edit them (memo, message, quantity), as the forms do, through the outbox;
- another QuickBooks user edits the same estimates and makes new ones directly over REST;
- a fault is injected every few seconds, at random: a reply dropped after commit (single and batch writes), a 429 or
  500 storm, a slow reply, the worker killed with SIGKILL mid-work, a broker message lost, the access token expired,
  a forged webhook.
Then it stops the faults, waits until nothing is left to send and a last change pull has run, and compares. It prints
operations done, faults injected (and served, as the sandbox counted them), duplicates, lost writes, mismatched
fields, conflicts shown to the user, refused writes and the time to quiesce. Duplicates, lost writes, mismatches
and refusals must all be 0; conflicts are the user's to settle. tests/e2e/test_soak.py runs two minutes of it.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAULT_KINDS = (
    "drop",
    "drop batch",
    "429",
    "500",
    "delay",
    "kill worker",
    "lost message",
    "expired token",
    "forged webhook",
)
COMPARED = (
    "doc_number",
    "private_note",
    "customer_memo",
    "txn_date",
    "total_amount",
    "customer_qbo_id",
    "project_qbo_id",
    "sync_token",
)


@dataclass
class Deployment:
    """What the soak drives: the company, a control call for the sandbox, and hands on the worker and web server."""

    company: Any
    setup: dict
    control: Callable[..., Any]
    kill_worker: Callable[[], None]
    start_worker: Callable[[], None]
    webhook_url: str


@dataclass
class Tally:
    operations: Counter = field(default_factory=Counter)
    faults: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str, kind: str) -> None:
        with self.lock:
            getattr(self, what)[kind] += 1


class Soak:
    def __init__(self, deployment: Deployment, *, minutes: float, seed: int):
        self.d, self.minutes, self.random = deployment, minutes, random.Random(seed)
        self.stop = threading.Event()
        self.tally = Tally()
        self.lost_messages = 0
        self.marks: list[str] = []  # DocNumbers of the estimates made in Costline

    # --- Costline's users ------------------------------------------------------------------------------------

    def create_estimate(self, rng: random.Random) -> None:
        from django.db import transaction
        from django.utils import timezone

        from projects.models import Estimate, EstimateLine
        from quickbooks.sync.push import outbox_enqueue

        mark = f"S{uuid.uuid4().hex[:10]}"
        qty = Decimal(rng.randint(1, 9))
        with transaction.atomic():
            estimate = Estimate.objects.create(
                company=self.d.company,
                doc_number=mark,
                customer_qbo_id=self.d.setup["customer"],
                project_qbo_id=self.d.setup["project"],
                txn_date=timezone.localdate(),
                private_note="new",
            )
            EstimateLine.objects.create(
                estimate=estimate,
                line_num=1,
                item_qbo_id=self.d.setup["item"],
                qty=qty,
                unit_price=Decimal("250.00"),
                amount=qty * Decimal("250.00"),
                unit_cost=Decimal("180.00"),
                tax_code="NON",
            )
            outbox_enqueue(obj=estimate)
        self.marks.append(mark)

    def edit_estimate(self, rng: random.Random) -> bool:
        from django.db import transaction

        from projects.models import Estimate
        from quickbooks.models import SyncState
        from quickbooks.sync.push import outbox_enqueue

        choices = list(
            Estimate.objects.filter(company=self.d.company)
            .exclude(qbo_id="")
            .exclude(sync_state=SyncState.CONFLICT)
            .values_list("pk", flat=True)
        )  # the form refuses a conflict
        if not choices:
            return False
        with transaction.atomic():
            estimate = Estimate.objects.select_for_update().get(pk=rng.choice(choices))
            if estimate.sync_state == SyncState.CONFLICT:
                return False
            what = rng.choice(("private_note", "customer_memo", "qty"))
            if what == "qty":
                line = estimate.lines.filter(detail_type="SalesItemLineDetail").first()
                if line is None or line.unit_price is None:
                    return False
                line.qty = Decimal(rng.randint(1, 9))
                line.amount = (line.qty * line.unit_price).quantize(Decimal("0.01"))
                line.save(update_fields=["qty", "amount"])
            else:
                setattr(estimate, what, f"Costline {uuid.uuid4().hex[:6]}")
                estimate.save(update_fields=[what])
            outbox_enqueue(obj=estimate)
        return True

    def costline_user(self, number: int) -> None:
        from django.db import connection

        rng = random.Random(self.random.random())
        try:
            while not self.stop.is_set():
                try:
                    if rng.random() < 0.35 or not self.edit_estimate(rng):
                        self.create_estimate(rng)
                        self.tally.count("operations", "Costline create")
                    else:
                        self.tally.count("operations", "Costline edit")
                except Exception as error:  # noqa: BLE001 - counted and shown; a user's save failing is a finding
                    self.tally.count("errors", f"Costline user: {type(error).__name__}: {error}"[:160])
                self.stop.wait(rng.uniform(0.2, 1.0))
        finally:
            connection.close()

    # --- Another QuickBooks user ------------------------------------------------------------------------------

    def quickbooks_user(self) -> None:
        from django.db import connection

        from quickbooks.client import QuickBooksClient, QuickBooksError

        rng = random.Random(self.random.random())
        qb = QuickBooksClient.for_company(self.d.company)
        try:
            while not self.stop.is_set():
                try:
                    roll = rng.random()
                    if roll < 0.15:
                        qb.create(
                            "Customer", {"DisplayName": f"Walk-in {uuid.uuid4().hex[:8]}"}, request_id=uuid.uuid4().hex
                        )
                        self.tally.count("operations", "QuickBooks customer")
                    elif roll < 0.3:
                        qb.create("Estimate", self.estimate_made_there(rng), request_id=uuid.uuid4().hex)
                        self.tally.count("operations", "QuickBooks create")
                    else:
                        self.edit_there(qb, rng)
                except QuickBooksError as error:
                    self.tally.count("errors", f"QuickBooks user: {error.code or type(error).__name__}")
                self.stop.wait(rng.uniform(0.5, 1.5))
        finally:
            connection.close()

    def estimate_made_there(self, rng: random.Random) -> dict:
        qty = rng.randint(1, 9)
        return {
            "CustomerRef": {"value": self.d.setup["customer"]},
            "ProjectRef": {"value": self.d.setup["project"]},
            "PrivateNote": "made in QuickBooks",
            "Line": [
                {
                    "Amount": Decimal(qty * 250),
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": self.d.setup["item"]},
                        "Qty": qty,
                        "UnitPrice": 250,
                        "TaxCodeRef": {"value": "NON"},
                    },
                }
            ],
        }

    def edit_there(self, qb: Any, rng: random.Random) -> None:
        from quickbooks.client import StaleObjectError

        ids = [e["Id"] for page in qb.query_pages("Estimate", "", page_size=1000) for e in page]
        if not ids:
            return
        remote = qb.read("Estimate", rng.choice(ids))
        change = rng.choice(
            (
                {"PrivateNote": f"QuickBooks {uuid.uuid4().hex[:6]}"},
                {"CustomerMemo": {"value": f"QuickBooks {uuid.uuid4().hex[:6]}"}},
            )
        )
        try:
            qb.update(
                "Estimate",
                {"Id": remote["Id"], "SyncToken": remote["SyncToken"], **change},
                request_id=uuid.uuid4().hex,
                sparse=True,
            )
            self.tally.count("operations", "QuickBooks edit")
        except StaleObjectError:
            self.tally.count("operations", "QuickBooks edit refused: stale")

    # --- Faults ----------------------------------------------------------------------------------------------

    def inject(self, kind: str) -> None:
        control = self.d.control
        if kind in ("drop", "drop batch"):
            path = "/batch" if kind == "drop batch" else "/estimate"
            control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": path})
        elif kind in ("429", "500"):
            control("post", "faults", json={"kind": kind, "count": self.random.randint(4, 12)})
        elif kind == "delay":
            control("post", "faults", json={"kind": "delay", "count": 2, "delay_seconds": self.random.uniform(1, 3)})
        elif kind == "kill worker":
            self.d.kill_worker()
            self.stop.wait(self.random.uniform(0.5, 2))
            self.d.start_worker()
        elif kind == "lost message":
            self.lost_messages += 1
        elif kind == "expired token":
            from quickbooks.models import Connection

            Connection.objects.filter(company=self.d.company).update(access_expires_at=None)
        elif kind == "forged webhook":
            self.forge_webhook()
        self.tally.count("faults", kind)

    def forge_webhook(self) -> None:
        import requests

        body = json.dumps(
            [
                {
                    "specversion": "1.0",
                    "id": uuid.uuid4().hex,
                    "type": "qbo.estimate.updated.v1",
                    "intuitentityid": "1",
                    "intuitaccountid": self.d.company.realm_id,
                }
            ]
        ).encode()
        forged = base64.b64encode(hmac.new(b"forged", body, hashlib.sha256).digest()).decode()
        answer = requests.post(self.d.webhook_url, data=body, headers={"intuit-signature": forged}, timeout=10)
        if answer.status_code != 401:
            self.tally.count("errors", f"forged webhook answered {answer.status_code}")

    @contextmanager
    def losing_messages(self) -> Iterator[None]:
        """Broker messages for the outbox are lost while `lost_messages` asks for it: the sweeper must send them."""
        from config.celery import app

        real_send = app.send_task

        def send_task(name: str, *args: Any, **kwargs: Any) -> Any:
            if name == "quickbooks.tasks.outbox_send" and self.lost_messages > 0:
                self.lost_messages -= 1
                self.tally.count("operations", "broker message lost")
                return None
            return real_send(name, *args, **kwargs)

        app.send_task = send_task  # type: ignore[method-assign]
        try:
            yield
        finally:
            app.send_task = real_send  # type: ignore[method-assign]

    # --- The run ---------------------------------------------------------------------------------------------

    def run(self) -> dict:
        with self.losing_messages():
            return self._run()

    def _run(self) -> dict:
        from quickbooks.models import OutboxItem

        users = [threading.Thread(target=self.costline_user, args=(n,), daemon=True) for n in range(2)]
        users.append(threading.Thread(target=self.quickbooks_user, daemon=True))
        for user in users:
            user.start()
        ends = time.monotonic() + self.minutes * 60
        while time.monotonic() < ends:
            self.stop.wait(self.random.uniform(3, 8))
            self.inject(self.random.choice(FAULT_KINDS))
        self.stop.set()
        for user in users:
            user.join(timeout=60)
        served: Counter = Counter()  # requests hit, by kind of fault, over every rule injected
        for rule in self.d.control("get", "faults", params={"all": 1}).json()["faults"]:
            served[rule["kind"]] += rule["served"]
        self.d.control("delete", "faults")
        self.lost_messages = 0
        began = time.monotonic()
        quiet = self.quiesce()
        return {
            **self.compare(),
            "quiesce_seconds": time.monotonic() - began,
            "quiet": quiet,
            "served": served,
            "outbox": dict(Counter(OutboxItem.objects.values_list("status", flat=True))),
        }

    def quiesce(self, timeout: float = 600) -> bool:
        """Nothing left to send, webhooks handled, then one last change pull that started after all of that."""
        from django.utils import timezone

        from quickbooks.models import OutboxItem, SyncRun, WebhookEvent
        from quickbooks.tasks import sync_pull

        deadline = time.monotonic() + timeout
        busy = (OutboxItem.Status.PENDING, OutboxItem.Status.SENDING)
        began = time.monotonic()
        while time.monotonic() < deadline:
            outbox = OutboxItem.objects.filter(status__in=busy)
            hooks = WebhookEvent.objects.filter(processed_at__isnull=True, company=self.d.company)
            if not outbox.exists() and not hooks.exists():
                break
            if int(time.monotonic() - began) % 30 == 0:  # progress, for a long run
                print(f"quiescing: {outbox.count()} to send, {hooks.count()} webhooks to fetch", file=sys.stderr)
            time.sleep(1)
        else:
            return False
        since = timezone.now()
        sync_pull.delay(self.d.company.pk)
        while time.monotonic() < deadline:
            if SyncRun.objects.filter(
                company=self.d.company,
                kind=SyncRun.Kind.INCREMENTAL_PULL,
                started_at__gte=since,
                status=SyncRun.Status.SUCCEEDED,
            ).exists():
                return not OutboxItem.objects.filter(status__in=busy).exists()
            time.sleep(1)
        return False

    def compare(self) -> dict:
        from projects.models import Estimate
        from projects.project.sync import project_index
        from projects.sales import sales_document_values
        from quickbooks.client import QuickBooksClient
        from quickbooks.models import SyncState

        qb = QuickBooksClient.for_company(self.d.company)
        remote = {e["Id"]: e for page in qb.query_pages("Estimate") for e in page}
        local = list(Estimate.objects.filter(company=self.d.company))
        remote_marks = Counter(
            e.get("DocNumber", "") for e in remote.values() if e.get("DocNumber", "") in set(self.marks)
        )
        local_marks = Counter(e.doc_number for e in local if e.doc_number)
        duplicates = sum(n - 1 for n in remote_marks.values() if n > 1) + sum(
            n - 1 for n in local_marks.values() if n > 1
        )
        twice = [
            f"{mark}: QuickBooks {sorted(e['Id'] for e in remote.values() if e.get('DocNumber') == mark)}, Costline "
            f"{[(e.pk, e.qbo_id, e.sync_state) for e in local if e.doc_number == mark]}"
            for mark in sorted(
                {m for m, n in remote_marks.items() if n > 1} | {m for m, n in local_marks.items() if n > 1}
            )
        ]
        refused = [e for e in local if e.sync_state == SyncState.FAILED]
        lost = [m for m in self.marks if m not in remote_marks]
        lost += [f"row {e.pk} never reached QuickBooks" for e in local if not e.qbo_id and e not in refused]
        conflicts = [e for e in local if e.sync_state == SyncState.CONFLICT]
        projects = project_index(self.d.company)
        mismatched: list[str] = []
        held = {e.qbo_id for e in local}
        mismatched += [f"estimate {qbo_id} is not mirrored" for qbo_id in remote if qbo_id not in held]
        for row in local:
            if row.sync_state != SyncState.SYNCED or row.qbo_id not in remote:
                if row.qbo_id and row.qbo_id not in remote:
                    mismatched.append(f"row {row.pk}: QuickBooks has no estimate {row.qbo_id}")
                continue
            theirs = sales_document_values(remote[row.qbo_id], projects)
            for name in COMPARED:
                if getattr(row, name) != theirs[name]:
                    mismatched.append(f"row {row.pk} {name}: {getattr(row, name)!r} here, {theirs[name]!r} there")
            lines = [(ln.line_id, ln.qty, ln.amount) for ln in row.lines.order_by("line_num", "id")]
            there = [
                (str(ln.get("Id", "")), ln.get("SalesItemLineDetail", {}).get("Qty"), ln.get("Amount"))
                for ln in remote[row.qbo_id].get("Line", [])
                if ln.get("DetailType") == "SalesItemLineDetail"
            ]
            if [(i, Decimal(str(q)) if q is not None else None, a) for i, q, a in there] != lines:
                mismatched.append(f"row {row.pk} lines: {lines} here, {there} there")
        return {
            "remote": len(remote),
            "local": len(local),
            "duplicates": duplicates,
            "twice": twice,
            "lost": lost,
            "mismatched": mismatched,
            "conflicts": len(conflicts),
            "refused": [e.sync_error for e in refused],
        }


def report(result: dict, soak: Soak, minutes: float) -> None:
    print(f"soak of {minutes:g} minutes")
    print("operations: " + ", ".join(f"{k} {v}" for k, v in sorted(soak.tally.operations.items())))
    print("faults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(soak.tally.faults.items())))
    print("faults the sandbox served: " + ", ".join(f"{k} {v}" for k, v in sorted(result["served"].items())))
    print(f"estimates: {result['local']} in Costline, {result['remote']} in QuickBooks; outbox {result['outbox']}")
    print(f"duplicates: {result['duplicates']} {result['twice'][:5]}")
    print(f"lost writes: {len(result['lost'])} {result['lost'][:5]}")
    print(f"mismatched fields: {len(result['mismatched'])} {result['mismatched'][:5]}")
    print(f"conflicts shown to the user: {result['conflicts']}")
    print(f"refused by QuickBooks (shown with Retry): {len(result['refused'])} {result['refused'][:3]}")
    print(f"time to quiesce: {result['quiesce_seconds']:.1f} s{'' if result['quiet'] else ' (did NOT quiesce)'}")
    if soak.tally.errors:
        print("errors seen by the simulated users: " + "; ".join(f"{k} x{v}" for k, v in soak.tally.errors.items()))


# --- Standalone: the whole deployment in throwaway files ---------------------------------------------------------


def _spawn(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("a") as out:
        # A session of its own, so a SIGKILL reaches the worker's pool processes too, as a machine crash would.
        return subprocess.Popen(  # noqa: S603 - our own interpreter and commands
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_http(url: str, process: subprocess.Popen, log: Path) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited:\n{log.read_text()[-2000:]}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


WORKER_ENV = {
    "QBO_RETRY_MAX_WAIT_SECONDS": "0.2",
    "QBO_PULL_RETRY_SECONDS": "1",
    "QBO_PULL_DEFER_SECONDS": "0.5",
    "QBO_OUTBOX_SWEEP_SECONDS": "3",
    "QBO_CDC_INTERVAL_SECONDS": "10",
    "QBO_OUTBOX_LEASE_SECONDS": "8",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from batch_push import project_setup
    from first_pull import connect, free_port, setup_django, start_sandbox

    with tempfile.TemporaryDirectory(prefix="soak-") as folder:
        sandbox_port, web_port = free_port(), free_port()
        base_url = f"http://127.0.0.1:{sandbox_port}"
        os.environ.update(
            {
                "QBO_SANDBOX_WEBHOOK_VERIFIER": "soak-verifier",
                "QBO_WEBHOOK_VERIFIER": "soak-verifier",
                "QBO_SANDBOX_WEBHOOK_BATCH_SECONDS": "0.2",
            }
        )
        setup_django(folder, base_url)
        processes: dict[str, subprocess.Popen] = {"sandbox": start_sandbox(sandbox_port, folder)}
        env = {**os.environ, **WORKER_ENV, "PYTHONUNBUFFERED": "1"}
        web_log, worker_log = Path(folder) / "web.log", Path(folder) / "worker.log"
        try:
            processes["web"] = _spawn(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"], web_log, env
            )
            _wait_http(f"http://127.0.0.1:{web_port}/", processes["web"], web_log)
            import requests

            requests.post(
                f"{base_url}/_sandbox/realms",
                json={"realm_id": "9341453099990088", "name": "Soak Co.", "plan": "advanced"},
                timeout=30,
            ).raise_for_status()
            company = connect("9341453099990088", "Soak Co.")
            setup = project_setup(company)
            webhook_url = f"http://127.0.0.1:{web_port}/quickbooks/webhooks/"
            requests.post(
                f"{base_url}/_sandbox/webhooks", json={"url": webhook_url, "format": "cloudevents"}, timeout=30
            ).raise_for_status()

            def start_worker() -> None:
                processes["worker"] = _spawn(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config",
                        "worker",
                        "-B",
                        "-s",
                        str(Path(folder) / f"beat-{uuid.uuid4().hex[:6]}"),
                        "--concurrency=2",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel=INFO",
                    ],
                    worker_log,
                    env,
                )

            def kill_worker() -> None:
                os.killpg(processes["worker"].pid, signal.SIGKILL)
                processes["worker"].wait(timeout=15)

            def control(method: str, path: str, **kwargs: Any) -> Any:
                answer = requests.request(method, f"{base_url}/_sandbox/{path}", timeout=30, **kwargs)
                answer.raise_for_status()
                return answer

            start_worker()
            soak = Soak(
                Deployment(company, setup, control, kill_worker, start_worker, webhook_url),
                minutes=args.minutes,
                seed=args.seed,
            )
            print(f"seed {args.seed}; sandbox {base_url}; web {web_port}; logs in {folder}")
            report(soak.run(), soak, args.minutes)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        process.kill()


if __name__ == "__main__":
    main()
