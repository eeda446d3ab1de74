"""`make run`'s demo: the demo company connects to the sandbox's demo company without a browser."""

import io

import pytest
from django.core.management import CommandError, call_command

from quickbooks.management.commands.demo_setup import DEMO_COMPANY
from quickbooks.models import Company
from sandbox.demo import DEMO_REALM_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_tasks(monkeypatch):
    """What would reach the broker: no worker runs in these tests (the end-to-end tests have one)."""
    from config.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), kwargs=None, **_: sent.append((name, args, kwargs)))
    return sent


def test_demo_connect_connects_the_demo_company_and_queues_its_sync(
    qbo, sent_tasks, django_capture_on_commit_callbacks
):
    call_command("demo_setup", stdout=io.StringIO())

    with django_capture_on_commit_callbacks(execute=True):  # as `make run` runs it: outside any transaction
        call_command("demo_connect", stdout=io.StringIO())

    company = Company.objects.get(name=DEMO_COMPANY)
    assert company.connection_state == Company.ConnectionState.CONNECTED
    assert company.realm_id == DEMO_REALM_ID
    assert company.connection.capabilities["projects_api"] is True
    assert sent_tasks == [("quickbooks.tasks.sync_pull", [company.pk], {})]  # connecting queues the first sync


def test_demo_connect_twice_keeps_one_connection(qbo, sent_tasks, django_capture_on_commit_callbacks):
    call_command("demo_setup", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_connect", stdout=io.StringIO())
    token = Company.objects.get(name=DEMO_COMPANY).connection.refresh_token

    call_command("demo_connect", stdout=io.StringIO())  # already connected: it catches up

    assert Company.objects.get(name=DEMO_COMPANY).connection.refresh_token == token
    assert len(sent_tasks) == 2


def test_without_prior_consent_demo_connect_explains_what_to_do(qbo, sent_tasks, monkeypatch):
    from quickbooks import connections

    call_command("demo_setup", stdout=io.StringIO())
    real_start = connections.connection_start
    monkeypatch.setattr(
        connections, "connection_start", lambda **kwargs: real_start(**{**kwargs, "prompt": "login"})
    )  # a prompt it won't skip

    with pytest.raises(CommandError, match="connect the demo company from its QuickBooks page"):
        call_command("demo_connect", stdout=io.StringIO())
    assert sent_tasks == []
