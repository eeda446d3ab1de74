"""Persona fixtures: one company with a member of every role, an outsider, and another tenant."""

import os
import shutil
import subprocess
import time
import uuid

import pytest
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
