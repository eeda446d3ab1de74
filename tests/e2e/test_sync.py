"""The sync engine end to end: a real Celery worker, the live sandbox over HTTP, and real commits. The fault matrix
(lost replies, storms, killed workers, stale tokens) runs in tests/e2e/test_faults.py with webhooks and beat on."""

from decimal import Decimal

import pytest
from django.utils import timezone

from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project
from quickbooks.client import QuickBooksClient
from quickbooks.models import ReferenceRecord, SyncRun, SyncState, WebhookEvent
from quickbooks.tasks import sync_pull
from sandbox.demo import DEMO_REALM_ID
from tests.e2e.conftest import served, wait_until
from tests.live_quickbooks import connect_through_consent, estimates_in_quickbooks, new_estimate, rid

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_env(live_sandbox):
    return {
        "QBO_SANDBOX_URL": live_sandbox.base_url.rstrip("/"),
        "QBO_CLIENT_ID": live_sandbox.client_id,
        "QBO_CLIENT_SECRET": live_sandbox.client_secret,
        "QBO_RETRY_MAX_WAIT_SECONDS": "0.2",
        "QBO_PULL_RETRY_SECONDS": "1",
    }


def finished_run(company, timeout=180):
    done = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED)
    return wait_until(lambda: SyncRun.objects.filter(company=company, status__in=done).first(), timeout=timeout)


def test_first_sync_of_the_demo_company_brings_every_object(qbo, celery_worker, login, admin_user, company):
    connect_through_consent(login(admin_user), DEMO_REALM_ID, company)
    company.refresh_from_db()
    qb = QuickBooksClient.for_company(company)

    sync_pull.delay(company.pk, full=True)

    run = finished_run(company)
    assert run is not None, celery_worker.log()[-3000:]
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert ReferenceRecord.objects.filter(company=company, entity="Customer").count() == qb.count(
        "Customer", "Active IN (true, false)"
    )
    assert Project.objects.filter(company=company, deleted=False).count() == 6
    remote_estimates = [e for page in qb.query_pages("Estimate") for e in page]
    assert Estimate.objects.filter(company=company).count() == len(remote_estimates)
    local_total = sum(Estimate.objects.filter(company=company).values_list("total_amount", flat=True), Decimal(0))
    assert local_total == sum((e["TotalAmt"] for e in remote_estimates), Decimal(0))
    assert ChangeOrder.objects.filter(company=company).count() == qb.count("ChangeOrder")
    miscoded = LedgerLine.objects.filter(company=company, doc_number="CD-4471")
    assert miscoded.exists() and set(miscoded.values_list("tagged_by", flat=True)) == {"customer_ref"}
    assert run.api_calls > 0 and run.progress_percent == 100


def test_a_change_in_quickbooks_arrives_through_a_webhook(qbo, celery_worker, live_server, settings, connected_company):
    settings.QBO_WEBHOOK_VERIFIER = qbo.verifier
    qbo.control("post", "webhooks", json={"url": f"{live_server.url}/quickbooks/webhooks/", "format": "legacy"})
    try:
        customer = QuickBooksClient.for_company(connected_company).create(
            "Customer", {"DisplayName": "Arrived By Webhook LLC"}, request_id=rid()
        )

        arrived = wait_until(
            lambda: ReferenceRecord.objects.filter(
                company=connected_company, entity="Customer", qbo_id=customer["Id"]
            ).first(),
            timeout=60,
        )
    finally:
        qbo.control("delete", "webhooks")

    assert arrived is not None and arrived.name == "Arrived By Webhook LLC", celery_worker.log()[-3000:]
    events = WebhookEvent.objects.filter(company=connected_company, entity="Customer", qbo_id=customer["Id"])
    assert events.exists()
    assert wait_until(lambda: not events.filter(processed_at__isnull=True).exists())


def test_a_local_estimate_is_pushed_by_the_worker(qbo, celery_worker, connected_company, project_setup, qb):
    estimate = new_estimate(connected_company, project_setup)

    synced = wait_until(lambda: Estimate.objects.get(pk=estimate.pk).sync_state == SyncState.SYNCED, timeout=60)

    assert synced, celery_worker.log()[-3000:]
    in_quickbooks = [e["Id"] for e in estimates_in_quickbooks(qb, project_setup)]
    assert in_quickbooks == [Estimate.objects.get(pk=estimate.pk).qbo_id]


def test_a_429_storm_ends_with_everything_synced(qbo, celery_worker, connected_company, qb):
    runs = SyncRun.objects.filter(company=connected_company, status=SyncRun.Status.SUCCEEDED)
    assert wait_until(runs.exists, timeout=60)  # the pull connecting queued: done, so the storm meets ours only
    for n in range(5):
        qb.create("Customer", {"DisplayName": f"Storm Customer {n}"}, request_id=rid())
    qbo.control("post", "faults", json={"kind": "429", "count": 15})  # longer than one call's retries
    asked = timezone.now()

    sync_pull.delay(connected_company.pk, full=True)

    ours = runs.filter(started_at__gte=asked)
    assert wait_until(ours.exists, timeout=120), list(SyncRun.objects.values_list("started_at", "status", "error"))
    assert served(qbo) == {"429": 15}  # the storm really met it
    names = set(
        ReferenceRecord.objects.filter(company=connected_company, entity="Customer").values_list("name", flat=True)
    )
    assert {f"Storm Customer {n}" for n in range(5)} <= names
