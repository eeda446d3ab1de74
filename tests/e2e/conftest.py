"""A real Celery worker process for end-to-end tests, on the same broker and test database as the tests.

Each session gets its own queue, so a developer's running worker never steals the tests' messages.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
WORKERS = pytest.StashKey[list]()


def database_url(settings_dict) -> str:
    """The test database as a DATABASE_URL the worker process understands."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user, password = settings_dict.get("USER") or "", settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class Worker:
    """A `celery worker` process on the test's private queue; `kill()` is a crash (SIGKILL), not a shutdown.

    With `beat`, the worker also runs beat's schedule (the change-capture round, the outbox sweeper) from a schedule
    file of its own, as a deployment does.
    """

    def __init__(self, queue: str, env: dict, log_path: Path, *, beat: bool = False):
        self.log_path = log_path
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency=1"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
        if beat:
            command += ["-B", "-s", str(log_path.parent / f"beat-{uuid.uuid4().hex[:8]}")]
        with log_path.open("a") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes the pool processes down with it
            )
        _wait_for(
            lambda: self.log_path.read_text().count("ready.") > self._ready_before,
            timeout=45,
            what="the Celery worker to start",
            log=log_path,
            process=self.process,
        )

    _ready_before = 0

    def kill(self) -> None:
        """SIGKILL to the worker and its pool processes at once, as a machine or container dying would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def worker_env():
    """Extra environment for the worker process; tests override it (e.g. to point at the live sandbox)."""
    return {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the end of each Celery worker's log beside its traceback."""
    report = yield
    if report.failed and report.when == "call":
        for worker in item.stash.get(WORKERS, []):
            report.sections.append((f"Celery worker log {worker.log_path.name} (end)", worker.log()[-4000:]))
    return report


@pytest.fixture
def start_worker(request, transactional_db, tmp_path, worker_env):
    """Start workers on a private queue against the test database; all are stopped after the test."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    # The worker sends follow-up tasks (outbox sends after a sweep, say) to the same private queue.
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **worker_env,
    }
    workers: list[Worker] = []
    request.node.stash[WORKERS] = workers

    def start(*, beat: bool = False, log_name: str = "worker.log", **extra_env: str) -> Worker:
        log_path = tmp_path / log_name
        Worker._ready_before = log_path.read_text().count("ready.") if log_path.exists() else 0
        workers.append(Worker(queue, {**env, **extra_env}, log_path, beat=beat))
        return workers[-1]

    try:
        yield start
    finally:
        celery_app.conf.task_default_queue = previous_queue
        for worker in workers:
            worker.stop()


@pytest.fixture
def celery_worker(start_worker):
    """One running worker for the test."""
    return start_worker()


def _wait_for(condition, *, timeout, what, log, process):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}. Log:\n{log.read_text()[-3000:]}")


def served(qbo) -> dict[str, int]:
    """How many requests each kind of fault has hit."""
    tally: dict[str, int] = {}
    for rule in qbo.control("get", "faults", params={"all": 1}).json()["faults"]:
        tally[rule["kind"]] = tally.get(rule["kind"], 0) + rule["served"]
    return tally


def wait_until(condition, timeout=30.0, interval=0.2):
    """Poll `condition` until it is true; the last value is returned so a test can assert on it."""
    deadline = time.monotonic() + timeout
    result = condition()
    while not result and time.monotonic() < deadline:
        time.sleep(interval)
        result = condition()
    return result


# Beat's intervals and the waits, short enough for a test; everything else as a deployment runs it.
DEPLOYMENT = {
    "QBO_RETRY_MAX_WAIT_SECONDS": "0.2",  # the client's own retries, without Intuit's real minutes
    "QBO_PULL_RETRY_SECONDS": "1",
    "QBO_PULL_DEFER_SECONDS": "0.5",
    "QBO_OUTBOX_SWEEP_SECONDS": "3",  # beat: the sweeper, and the change-capture round for every company
    "QBO_CDC_INTERVAL_SECONDS": "10",
    "QBO_OUTBOX_LEASE_SECONDS": "8",
    "QBO_WEBHOOK_SWEEP_AFTER_SECONDS": "5",
}


@pytest.fixture
def deploy(qbo, start_worker, live_server, settings, connected_company, project_setup):
    """Everything a deployment turns on: the sandbox's webhooks aimed at the app's live server, then workers on the
    live sandbox, with beat (the change-capture round and the outbox sweeper) unless `beat=False`."""
    settings.QBO_WEBHOOK_VERIFIER = qbo.verifier
    qbo.control("post", "webhooks", json={"url": f"{live_server.url}/quickbooks/webhooks/", "format": "cloudevents"})
    live = {
        "QBO_SANDBOX_URL": qbo.base_url.rstrip("/"),
        "QBO_CLIENT_ID": qbo.client_id,
        "QBO_CLIENT_SECRET": qbo.client_secret,
        "QBO_WEBHOOK_VERIFIER": qbo.verifier,
        **DEPLOYMENT,
    }
    try:
        yield lambda beat=True, **env: start_worker(beat=beat, **{**live, **env})
    finally:
        qbo.control("delete", "webhooks")
