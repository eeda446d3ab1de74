"""The pull tasks: one pull per company at a time, ids in and out, beat fans out to connected companies."""

import pytest
from django.core.cache import cache

from config.celery import app
from quickbooks.models import SyncRun, WebhookEvent
from quickbooks.tasks import (
    company_pull_lock,
    pull_lock_key,
    sync_fetch_object,
    sync_pull,
    sync_pull_all_companies,
    waiting_key,
)
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def webhooked(company, entity: str, qbo_id: str) -> WebhookEvent:
    """A change a webhook announced, recorded as the endpoint records it."""
    return WebhookEvent.objects.create(
        company=company,
        realm_id=company.realm_id,
        event_key=f"{entity}:{qbo_id}",
        entity=entity,
        qbo_id=qbo_id,
        operation="Update",
    )


@pytest.fixture
def queued(monkeypatch):
    """Tasks queued to the broker, as (name, args, kwargs): no worker runs here, the test runs them itself."""
    calls = []

    def record(name, args=(), kwargs=None, **options):
        calls.append((name, list(args), dict(kwargs or {})))

    monkeypatch.setattr(app, "send_task", record)
    return calls


def test_a_pull_that_finds_the_lock_taken_waits_for_it_and_then_runs(connected_company, filled, queued):
    with company_pull_lock(connected_company.pk, 60) as held:  # as a webhook fetch on another worker would hold it
        assert held
        assert sync_pull(connected_company.pk, full=True) is None
        assert not SyncRun.objects.filter(company=connected_company).exists()  # nothing read while the lock is taken

    [(name, args, kwargs)] = queued
    assert (name, args, kwargs["full"]) == ("quickbooks.tasks.sync_pull", [connected_company.pk], True)
    run = SyncRun.objects.get(pk=sync_pull(*args, **kwargs))  # the waiting pull, once the lock is free
    assert run.kind == SyncRun.Kind.FULL_PULL and run.status == SyncRun.Status.SUCCEEDED
    assert cache.get(waiting_key(connected_company.pk, "full pull")) is None


def test_a_second_request_for_a_waiting_pull_is_covered_by_it_and_a_fetch_waits_in_its_place(
    connected_company, filled, queued
):
    with company_pull_lock(connected_company.pk, 60):
        sync_pull(connected_company.pk)
        sync_pull(connected_company.pk)  # the same work: covered by the one already waiting
        sync_pull(connected_company.pk, full=True)  # other work: waits on its own
        webhooked(connected_company, "Customer", filled["child"]["Id"])
        sync_fetch_object(connected_company.pk, "Customer", filled["child"]["Id"])
        assert len(queued) == 3
        _, args, kwargs = queued.pop()  # a worker takes the waiting fetch while the lock is still taken
        sync_fetch_object(*args, **kwargs)
        assert len(queued) == 3 and queued[-1][2]["waiting"] == kwargs["waiting"]  # it waits again, in its place

    for name, args, kwargs in queued:  # the lock is free: every waiting task runs
        (sync_fetch_object if name.endswith("sync_fetch_object") else sync_pull)(*args, **kwargs)
    kinds = sorted(SyncRun.objects.filter(company=connected_company).values_list("kind", flat=True))
    # No watermark yet, so the change pull reads everything too.
    assert kinds == sorted([SyncRun.Kind.FULL_PULL, SyncRun.Kind.FULL_PULL, SyncRun.Kind.TARGETED_FETCH])


def test_the_lock_is_free_again_once_a_pull_ends(connected_company, filled):
    first = SyncRun.objects.get(pk=sync_pull(connected_company.pk))
    second = SyncRun.objects.get(pk=sync_pull(connected_company.pk))

    assert first.kind == SyncRun.Kind.FULL_PULL and first.status == SyncRun.Status.SUCCEEDED  # no watermark yet
    assert second.kind == SyncRun.Kind.INCREMENTAL_PULL and second.status == SyncRun.Status.SUCCEEDED
    assert cache.get(pull_lock_key(connected_company.pk)) is None


def test_a_lock_held_by_someone_else_is_not_released_by_a_waiting_pull(connected_company, queued):
    cache.add(pull_lock_key(connected_company.pk), "another worker", 60)

    sync_pull(connected_company.pk)

    assert cache.get(pull_lock_key(connected_company.pk)) == "another worker"


def test_the_webhook_fetch_task_ingests_the_object(connected_company, filled):
    webhooked(connected_company, "Customer", filled["child"]["Id"])

    run = SyncRun.objects.get(pk=sync_fetch_object(connected_company.pk, "Customer", filled["child"]["Id"]))

    assert run.kind == SyncRun.Kind.TARGETED_FETCH and run.counts["Customer"]["written"] == 1


def test_a_fetch_takes_every_waiting_webhook_and_a_later_one_finds_nothing_left(connected_company, filled):
    for customer in filled["customers"][:3]:
        webhooked(connected_company, "Customer", customer["Id"])

    sync_fetch_object(connected_company.pk, "Customer", filled["customers"][0]["Id"])

    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    assert SyncRun.objects.filter(kind=SyncRun.Kind.TARGETED_FETCH).count() == 3
    assert sync_fetch_object(connected_company.pk, "Customer", filled["customers"][1]["Id"]) is None  # done already


def test_more_waiting_webhooks_than_are_worth_reading_one_by_one_take_one_change_pull(
    connected_company, filled, settings
):
    settings.QBO_WEBHOOK_FETCH_ONE_BY_ONE = 2
    sync_pull(connected_company.pk)  # the first pull: CDC has a watermark from here on
    for customer in filled["customers"][:3]:
        webhooked(connected_company, "Customer", customer["Id"])

    run = SyncRun.objects.get(pk=sync_fetch_object(connected_company.pk, "Customer", filled["customers"][0]["Id"]))

    assert run.kind == SyncRun.Kind.INCREMENTAL_PULL and run.status == SyncRun.Status.SUCCEEDED
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()


def test_beat_queues_a_pull_for_each_connected_company_only(connected_company, filled):
    CompanyFactory(name="Never Connected Ltd")
    app.conf.task_always_eager = True  # the queued pulls run here, in this process
    try:
        queued = sync_pull_all_companies()
    finally:
        app.conf.task_always_eager = False

    assert queued == 1
    assert list(SyncRun.objects.values_list("company_id", "status")) == [(connected_company.pk, "succeeded")]


@pytest.mark.django_db(transaction=True)
def test_the_pull_lock_is_renewed_while_held_and_lapses_when_its_holder_dies():
    import time

    from django.core.cache import cache

    from quickbooks.tasks import pull_lock_key

    # 3 s, not 1: the database cache keeps expiry times to the whole second.
    with company_pull_lock(424242, timeout=3) as held:
        time.sleep(4.5)  # longer than the lock's life: only the heartbeat keeps it
        assert held and cache.get(pull_lock_key(424242)) is not None
        with company_pull_lock(424242, timeout=3) as second:
            assert not second
    assert cache.get(pull_lock_key(424242)) is None

    cache.add(pull_lock_key(424243), "a worker that was killed", 1)  # no heartbeat behind it
    time.sleep(2)
    with company_pull_lock(424243) as held:
        assert held


def test_a_run_its_worker_died_in_is_closed_with_the_reason_by_the_next_pull(connected_company, filled):
    from quickbooks.tasks import ABANDONED

    dead = SyncRun.objects.create(company=connected_company, kind=SyncRun.Kind.TARGETED_FETCH)  # left running

    sync_pull(connected_company.pk)

    dead.refresh_from_db()
    assert (dead.status, dead.error) == (SyncRun.Status.FAILED, ABANDONED) and dead.finished_at is not None
