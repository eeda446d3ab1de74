"""Persona fixtures: one company with a member of every role, an outsider, and another tenant."""

import os
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


@pytest.fixture
def sent(monkeypatch):
    """Tasks sent to the broker, recorded as (name, args) instead: no worker runs in these tests, so they drive
    the outbox with `outbox_send` directly (tests/e2e runs a real worker)."""
    from config.celery import app

    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), kwargs=None, **_: calls.append((name, list(args))))
    return calls
