"""The fault matrix end to end, in the configuration a deployment runs: the sandbox over HTTP with its webhooks aimed
at the app's live server, a real Celery worker on the real broker with beat running the change-capture round and
the outbox sweeper. Every test first checks that its fault really happened (the sandbox counts the faults it served),
then that nothing was lost, doubled or left stuck."""

import base64
import hashlib
import hmac
import json
import time

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from projects.models import Estimate
from quickbooks.client import QuickBooksClient, tokens
from quickbooks.models import Connection, OutboxAttempt, OutboxItem, SyncRun, SyncState, WebhookEvent
from quickbooks.sync.push import outbox_enqueue
from quickbooks.tasks import sync_pull
from reports.figures import with_contract_value
from tests.e2e.conftest import served, wait_until
from tests.live_quickbooks import estimates_in_quickbooks, new_estimate, rid

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def fault(qbo, kind: str, count: int = 1, path: str = "/estimate", **extra) -> None:
    qbo.control("post", "faults", json={"kind": kind, "count": count, "method": "POST", "path_contains": path, **extra})


def webhooks_about(qbo, entity: str, qbo_id: str) -> list[dict]:
    deliveries = qbo.control("get", "webhooks").json()["deliveries"]
    return [
        d
        for d in deliveries
        for event in (d["body"] if isinstance(d["body"], list) else [])
        if event.get("intuitentityid") == qbo_id and f".{entity.lower()}." in event.get("type", "")
    ]


def sent(item_pk: int, timeout: float = 90) -> OutboxItem:
    assert wait_until(lambda: OutboxItem.objects.get(pk=item_pk).status == OutboxItem.Status.SENT, timeout=timeout), (
        OutboxItem.objects.filter(pk=item_pk).values("status", "attempts", "last_error").first()
    )
    return OutboxItem.objects.get(pk=item_pk)


def one_estimate_each_side(company, qb, setup, estimate) -> dict:
    """QuickBooks holds one estimate, Costline one row, linked, synced, and the contract value counts it once (once
    signed: the estimates these tests send are accepted ones)."""
    remote = estimates_in_quickbooks(qb, setup)
    assert len(remote) == 1, remote
    local = Estimate.objects.filter(company=company)
    assert list(local.values_list("pk", "qbo_id")) == [(estimate.pk, remote[0]["Id"])]
    assert wait_until(lambda: Estimate.objects.get(pk=estimate.pk).sync_state == SyncState.SYNCED, timeout=30)
    before_tax = remote[0]["TotalAmt"] - remote[0].get("TxnTaxDetail", {}).get("TotalTax", 0)
    assert Estimate.objects.get(pk=estimate.pk).booked_subtotal == before_tax, "QuickBooks' figures, taken once"
    project = estimate.project or local.get().project
    if project is not None:
        assert with_contract_value(type(project).objects.filter(pk=project.pk)).get().contract_value == before_tax * (
            remote[0]["TxnStatus"] in ("Accepted", "Closed", "Converted")
        )
    return remote[0]


def test_1_a_reply_lost_after_commit_with_webhooks_on_makes_one_estimate(
    qbo, deploy, connected_company, project_setup, qb
):
    worker = deploy(QBO_MAX_RETRIES="0", QBO_OUTBOX_SWEEP_SECONDS="6")  # the outbox retries, after the webhook
    fault(qbo, "drop")

    estimate = new_estimate(connected_company, project_setup)
    item = sent(OutboxItem.objects.get(object_id=estimate.pk).pk)

    assert served(qbo) == {"drop": 1}
    remote = one_estimate_each_side(connected_company, qb, project_setup, estimate)
    assert webhooks_about(qbo, "Estimate", remote["Id"]), "the sandbox announced the new estimate"
    fetch = SyncRun.objects.filter(company=connected_company, kind=SyncRun.Kind.TARGETED_FETCH).first()
    assert fetch is not None and fetch.finished_at < item.sent_at, worker.log()[-3000:]  # the race really ran


@pytest.mark.parametrize("kind", ["429", "500"])
def test_2_3_a_storm_on_push_ends_with_the_estimate_sent_once(qbo, deploy, connected_company, project_setup, qb, kind):
    deploy()
    fault(qbo, kind, count=15)  # longer than one send's own retries (6 tries)

    estimate = new_estimate(connected_company, project_setup)
    item = sent(OutboxItem.objects.get(object_id=estimate.pk).pk, timeout=120)

    assert served(qbo) == {kind: 15}
    assert item.attempts >= 3  # the outbox came back twice after the client gave up
    one_estimate_each_side(connected_company, qb, project_setup, estimate)


def test_4_a_worker_killed_mid_push_with_webhooks_on_loses_nothing_and_doubles_nothing(
    qbo, deploy, connected_company, project_setup, qb
):
    first = deploy()
    fault(qbo, "delay", delay_seconds=3)
    estimate = new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get(object_id=estimate.pk)
    assert wait_until(lambda: OutboxItem.objects.get(pk=item.pk).status == OutboxItem.Status.SENDING, timeout=30)
    time.sleep(0.5)  # on its way to QuickBooks

    first.kill()

    assert first.process.returncode == -9 and served(qbo) == {"delay": 1}
    assert OutboxItem.objects.get(pk=item.pk).status == OutboxItem.Status.SENDING  # in limbo: sent or not?
    deploy(log_name="second-worker.log")  # its sweeper re-drives the item once the lease runs out (the first is dead)

    item = sent(item.pk)
    assert item.attempts >= 2
    remote = one_estimate_each_side(connected_company, qb, project_setup, estimate)
    assert webhooks_about(qbo, "Estimate", remote["Id"])


def _pushed(estimate) -> Estimate:
    assert wait_until(lambda: Estimate.objects.get(pk=estimate.pk).sync_state != SyncState.PENDING_PUSH, timeout=60)
    return Estimate.objects.get(pk=estimate.pk)


def _edit_both_sides(qb, estimate, *, theirs: dict, ours: dict) -> None:
    """Both edits start from the same version: ours is written (not yet committed) before theirs reaches QuickBooks,
    so the webhook that theirs sets off can never bring QuickBooks' new version in ahead of ours, however loaded the
    machine; after the commit the outbox sends ours with the old SyncToken."""
    with transaction.atomic():
        Estimate.objects.filter(pk=estimate.pk).update(**ours)
        estimate.refresh_from_db()
        outbox_enqueue(obj=estimate)
        qb.update(
            "Estimate",
            {"Id": estimate.qbo_id, "SyncToken": estimate.sync_token, **theirs},
            request_id=rid(),
            sparse=True,
        )


def test_5_a_stale_token_with_disjoint_changes_is_merged(qbo, deploy, connected_company, project_setup, qb):
    deploy()
    estimate = _pushed(new_estimate(connected_company, project_setup))

    _edit_both_sides(qb, estimate, theirs={"CustomerMemo": {"value": "From QuickBooks"}}, ours={"private_note": "Ours"})

    assert wait_until(
        lambda: OutboxAttempt.objects.filter(item__object_id=estimate.pk, outcome="merged").exists(), timeout=60
    ), list(OutboxAttempt.objects.values_list("item__operation", "outcome", "message"))
    estimate = _pushed(estimate)
    assert wait_until(lambda: Estimate.objects.get(pk=estimate.pk).sync_state == SyncState.SYNCED, timeout=30)
    remote = qb.read("Estimate", estimate.qbo_id)
    assert (remote["PrivateNote"], remote["CustomerMemo"]["value"]) == ("Ours", "From QuickBooks")
    assert Estimate.objects.filter(company=connected_company).count() == 1


def test_6_a_stale_token_with_the_same_field_changed_is_a_conflict_shown(
    qbo, deploy, connected_company, project_setup, qb, login, admin_user
):
    deploy()
    estimate = _pushed(new_estimate(connected_company, project_setup))

    _edit_both_sides(qb, estimate, theirs={"PrivateNote": "Theirs"}, ours={"private_note": "Ours"})

    assert wait_until(lambda: OutboxItem.objects.filter(object_id=estimate.pk, status="conflict").exists(), timeout=60)
    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.CONFLICT and estimate.private_note == "Ours"
    assert qb.read("Estimate", estimate.qbo_id)["PrivateNote"] == "Theirs"
    item = OutboxItem.objects.get(object_id=estimate.pk, status="conflict")
    page = login(admin_user).get(f"/c/{connected_company.pk}/sync/").content.decode()
    assert "1 in conflict" in page and f"/sync/conflicts/{item.pk}/" in page  # shown, with the way to settle it


def test_7_two_workers_racing_a_token_refresh_refresh_once_and_the_stored_token_still_works(
    qbo, deploy, connected_company, project_setup, qb, realm_id
):
    first = deploy()
    pulls = SyncRun.objects.filter(company=connected_company, kind="incremental_pull", status="succeeded")
    assert wait_until(pulls.exists, timeout=60)  # the sync connecting queued: done, so one pull races the push below
    second = deploy(beat=False, log_name="second-worker.log")  # one beat per deployment
    Connection.objects.filter(company=connected_company).update(access_expires_at=None)  # both will want a new one
    fault(
        qbo, "delay", delay_seconds=2, path="tokens/bearer"
    )  # the first refresh is slow: the second arrives meanwhile
    before = Connection.objects.get(company=connected_company).refresh_count
    rotations = {r["realm_id"]: r["refresh_rotations"] for r in qbo.control("get", "state").json()["realms"]}

    logs_before = len(first.log()), len(second.log())
    started = timezone.now()
    sync_pull.delay(connected_company.pk)
    new_estimate(connected_company, project_setup)  # a push on the other worker, at the same moment

    since = pulls.filter(started_at__gte=started)  # ours, or a pull beat's round started meanwhile: each races too
    assert wait_until(since.exists, timeout=60)
    assert wait_until(lambda: OutboxItem.objects.filter(status=OutboxItem.Status.SENT).count() == 1, timeout=60)
    assert served(qbo) == {"delay": 1}
    attempt = OutboxAttempt.objects.get()
    overlapping = [r for r in since if attempt.started_at < r.finished_at and r.started_at < attempt.finished_at]
    assert overlapping, (attempt.started_at, attempt.finished_at, list(since.values_list("started_at", "finished_at")))
    ran = [worker.log()[start:] for worker, start in zip((first, second), logs_before, strict=True)]
    assert any("sync_pull[" in a and "outbox_send[" in b for a, b in (ran, ran[::-1])), ran  # two worker processes
    connection = Connection.objects.get(company=connected_company)
    now = {r["realm_id"]: r["refresh_rotations"] for r in qbo.control("get", "state").json()["realms"]}
    assert connection.refresh_count == before + 1 and now[realm_id] == rotations.get(realm_id, 0) + 1
    assert connected_company.__class__.objects.get(pk=connected_company.pk).is_connected
    tokens.access_token(connection.pk, rejected=connection.access_token)  # the stored refresh token still works
    assert Connection.objects.get(pk=connection.pk).refresh_count == before + 2
    assert QuickBooksClient.for_company(connected_company).read("Estimate", Estimate.objects.get().qbo_id)


def test_8_a_forged_webhook_over_real_http_is_refused_and_queues_nothing(qbo, deploy, connected_company, live_server):
    worker = deploy()
    body = json.dumps(
        [
            {
                "specversion": "1.0",
                "id": rid(),
                "type": "qbo.customer.created.v1",
                "intuitentityid": "1",
                "intuitaccountid": connected_company.realm_id,
            }
        ]
    ).encode()
    forged = base64.b64encode(hmac.new(b"not-the-verifier", body, hashlib.sha256).digest()).decode()
    genuine = base64.b64encode(hmac.new(qbo.verifier.encode(), body, hashlib.sha256).digest()).decode()
    assert forged != genuine  # the fault: a signature made without the verifier

    answer = requests.post(
        f"{live_server.url}/quickbooks/webhooks/",
        data=body,
        timeout=10,
        headers={"intuit-signature": forged, "Content-Type": "application/cloudevents+json"},
    )

    assert answer.status_code == 401
    time.sleep(3)
    assert not WebhookEvent.objects.exists()
    assert not SyncRun.objects.filter(kind=SyncRun.Kind.TARGETED_FETCH).exists()
    assert "sync_fetch_object[" not in worker.log()  # no such task was received


def test_9_a_lost_broker_message_is_sent_by_the_sweeper(qbo, deploy, connected_company, project_setup, qb, monkeypatch):
    from config.celery import app

    worker = deploy()
    lost, real_send = [], app.send_task

    def lose_outbox_messages(name, *args, **kwargs):
        if name == "quickbooks.tasks.outbox_send":
            lost.append(name)
            return None
        return real_send(name, *args, **kwargs)

    monkeypatch.setattr(app, "send_task", lose_outbox_messages)

    estimate = new_estimate(connected_company, project_setup)

    assert lost == ["quickbooks.tasks.outbox_send"]  # the fault: the message never reached the broker
    item = sent(OutboxItem.objects.get(object_id=estimate.pk).pk, timeout=60)
    assert item.attempts == 1 and "outbox_sweep" in worker.log()
    one_estimate_each_side(connected_company, qb, project_setup, estimate)
