"""The pull tasks: one pull per company at a time, ids in and out, beat fans out to connected companies."""

import pytest
from django.core.cache import cache

from config.celery import app
from quickbooks.models import SyncRun
from quickbooks.tasks import (
    company_pull_lock,
    pull_lock_key,
    sync_fetch_object,
    sync_pull,
    sync_pull_all_companies,
)
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_a_pull_finds_the_company_already_being_pulled_and_returns_without_calling_quickbooks(
    connected_company, filled
):
    with company_pull_lock(connected_company.pk, 60) as held:  # as another worker would hold it
        assert held
        assert sync_pull(connected_company.pk) is None
        assert sync_pull(connected_company.pk, full=True) is None
        assert sync_fetch_object(connected_company.pk, "Customer", filled["customers"][0]["Id"]) is None

    assert not SyncRun.objects.filter(company=connected_company).exists()


def test_the_lock_is_free_again_once_a_pull_ends(connected_company, filled):
    first = SyncRun.objects.get(pk=sync_pull(connected_company.pk))
    second = SyncRun.objects.get(pk=sync_pull(connected_company.pk))

    assert first.kind == SyncRun.Kind.FULL_PULL and first.status == SyncRun.Status.SUCCEEDED  # no watermark yet
    assert second.kind == SyncRun.Kind.INCREMENTAL_PULL and second.status == SyncRun.Status.SUCCEEDED
    assert cache.get(pull_lock_key(connected_company.pk)) is None


def test_a_lock_held_by_someone_else_is_not_released_by_a_skipped_pull(connected_company):
    cache.add(pull_lock_key(connected_company.pk), "another worker", 60)

    sync_pull(connected_company.pk)

    assert cache.get(pull_lock_key(connected_company.pk)) == "another worker"


def test_the_webhook_fetch_task_ingests_the_object(connected_company, filled):
    run = SyncRun.objects.get(pk=sync_fetch_object(connected_company.pk, "Customer", filled["child"]["Id"]))

    assert run.kind == SyncRun.Kind.TARGETED_FETCH and run.counts["Customer"]["written"] == 1


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
