"""Persona fixtures: one company with a member of every role, an outsider, and another tenant."""

import os
import shutil
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings

from quickbooks.models import Role
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory

pytest_plugins = ["tests.live_sandbox", "tests.live_quickbooks"]

ROLES = [Role.VIEWER, Role.PROJECT_MANAGER, Role.ACCOUNTANT, Role.ADMIN]

# The fuzz tests (hypothesis): a quick pass in every run, a deep one on demand (HYPOTHESIS_PROFILE=deep).
# Examples run against the test's own database rows, hence function-scoped fixtures are fine here.
FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("default", max_examples=60, **FUZZ)
settings.register_profile("deep", max_examples=2000, **FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    """Under pytest-xdist (`-n`), each worker process gets its own Redis database, as it gets its own test database.

    The Celery workers and the sandbox a test starts read REDIS_URL from the environment, and their cache keys (the
    pull locks, the waiting places, the rate limiter's windows) are named after company and realm ids that another
    worker's test database and sandbox hand out too. Worker gwN uses database N above REDIS_URL's own (mod 16).
    """
    from django.conf import settings as django_settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not django_settings.REDIS_URL:
        return
    base = django_settings.REDIS_URL
    parts = urlsplit(base)
    database = (int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))) % 16
    url = parts._replace(path=f"/{database}").geturl()
    django_settings.REDIS_URL = url
    django_settings.CACHES = {
        name: {**cache, "LOCATION": url} if cache.get("LOCATION") == base else cache
        for name, cache in django_settings.CACHES.items()
    }
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name) == base:
            os.environ[name] = url
    if django_settings.CELERY_BROKER_URL == base:
        from config.celery import app

        django_settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, the longest tests go first: those that start a real Celery worker (the soak among them),
    then the browser's, then those that talk to a live sandbox, then the fuzz tests (hypothesis), then the rest.
    Handed out one at a time (`pytest_xdist_make_scheduler` below), the long ones start at once on every worker, and the
    quick ones at the end even the workers out instead of one worker finishing a long test alone. The sort is stable:
    within each kind, the collected order."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    items.sort(key=_expected_length)


def _expected_length(item) -> int:
    """0 for the longest kind of test, 4 for the quickest."""
    if item.get_closest_marker("worker"):
        return 0
    if item.get_closest_marker("browser"):
        return 1
    if "live_sandbox" in item.fixturenames:
        return 2
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        return 3
    return 4


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist load` hands tests out one at a time unless `--maxschedchunk` says otherwise; pytest-xdist's own hook
    then makes the scheduler (this one returns None, before it).

    By default pytest-xdist gives each worker a first chunk of a quarter of its share of consecutive tests, so the
    sorted order above would put every Celery-worker and browser test on the first worker, which then finishes last,
    a minute or more after the others. One at a time costs a message per test, nothing next to a test's own time.
    """
    if config.getoption("dist") == "load" and config.getoption("maxschedchunk") is None:
        config.option.maxschedchunk = 1


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Django's default hasher spends most of a second on each password by design; tests make hundreds of users.
    MD5 here (Django's advice for tests): sign-in, sign-up and password changes still go through the real code."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def flush_by_delete():
    """After each transactional test (the live server's, the Celery worker's, the browser's) pytest-django empties
    every table through Django's `flush`, which PostgreSQL does with one TRUNCATE of them all: a second or more each
    time, as TRUNCATE gives each table and index new files. DELETE of the rows a test leaves takes milliseconds, and
    the end is the same: every table empty in one transaction (foreign keys are checked at its commit, as Django makes
    them DEFERRABLE INITIALLY DEFERRED), sequences left as TRUNCATE without RESTART IDENTITY leaves them. A flush that
    asks to reset sequences or to cascade beyond its tables still gets Django's own TRUNCATE."""
    from django.db import connections

    if not any(connections[alias].vendor == "postgresql" for alias in connections):
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        delete = style.SQL_KEYWORD("DELETE FROM")
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [f"{delete} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test sees an empty cache (allauth's rate limits live there) without wiping a shared Redis."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis for the tests of code that only Redis serves (the rate limiter shared by many workers).

    The suite's own REDIS_URL when it runs on Redis (CI); otherwise a private `redis-server` on a free loopback
    port, started for this run and stopped at the end, so the zero-setup run never reaches for a Redis nobody
    configured. No redis-server at all fails the tests that need it, never skips them (`make test` installs it).
    """
    from django.conf import settings as django_settings

    if django_settings.REDIS_URL:
        yield django_settings.REDIS_URL
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(
            "REDIS_URL is unset and redis-server is not installed: apt-get install redis-server, or set REDIS_URL.",
            pytrace=False,
        )
    import redis

    from tests.live_sandbox import free_port, stop_process  # a plugin (pytest_plugins): imported after pytest loaded it

    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log_path = folder / "redis.log"
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--logfile", str(log_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                log = log_path.read_text(errors="replace") if log_path.exists() else ""
                raise RuntimeError(f"redis-server exited with {process.returncode}:\n{log}")
            try:
                if redis.Redis.from_url(url, socket_connect_timeout=1).ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.05)
        yield url
    finally:
        stop_process(process)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def company(db):
    return CompanyFactory(name="Harbor Build Co.")


@pytest.fixture
def other_company(db):
    """Another tenant's company, with its own admin."""
    other = CompanyFactory(name="Rival Renovations Inc.")
    MembershipFactory(company=other, role=Role.ADMIN)
    return other


def _member(company, role):
    return MembershipFactory(company=company, role=role).user


@pytest.fixture
def admin_user(company):
    return _member(company, Role.ADMIN)


@pytest.fixture
def accountant(company):
    return _member(company, Role.ACCOUNTANT)


@pytest.fixture
def project_manager(company):
    return _member(company, Role.PROJECT_MANAGER)


@pytest.fixture
def viewer(company):
    return _member(company, Role.VIEWER)


@pytest.fixture
def outsider(db, other_company):
    """Signed up, member of another company, not of ours."""
    return _member(other_company, Role.ADMIN)


@pytest.fixture(params=ROLES, ids=[r.value for r in ROLES])
def member(request, company):
    """Each role in turn; `member.role` says which."""
    user = _member(company, request.param)
    user.role = request.param
    return user


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


class SentTasks(list):
    """(name, args) of each task sent; `.outbox` only the outbox's sends (connecting a company queues a pull too)."""

    @property
    def outbox(self) -> list:
        return [call for call in self if call[0] == "quickbooks.tasks.outbox_send"]


@pytest.fixture
def sent(monkeypatch):
    """Tasks sent to the broker, recorded as (name, args) instead: no worker runs in these tests, so they drive
    the outbox with `outbox_send` directly (tests/e2e runs a real worker)."""
    from config.celery import app

    calls = SentTasks()
    monkeypatch.setattr(app, "send_task", lambda name, args=(), kwargs=None, **_: calls.append((name, list(args))))
    return calls
