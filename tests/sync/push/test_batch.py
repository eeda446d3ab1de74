"""Bulk push against the live sandbox: ready items go out 30 to a batch request, each answer handled as its own,
and a batch whose reply was lost goes again as it was, under its requestid, never making a second object."""

import math
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from projects.models import Estimate
from quickbooks.client import QuickBooksClient
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.batch import outbox_drain
from quickbooks.sync.batch import outbox_send as worker_send
from quickbooks.sync.push import outbox_enqueue, outbox_send
from tests.live_quickbooks import estimates_in_quickbooks, new_estimate, rid

pytestmark = pytest.mark.django_db(transaction=True)


def drain(company) -> QuickBooksClient:
    client = QuickBooksClient.for_company(company)
    outbox_drain(company=company, client=client)
    return client


def due_now() -> None:
    OutboxItem.objects.update(next_attempt_at=timezone.now())


@pytest.mark.parametrize("count", [2, 30, 65])
def test_n_ready_creates_cost_ceil_n_over_30_calls_and_each_lands_once(
    connected_company, project_setup, qb, sent, count
):
    for n in range(count):
        new_estimate(connected_company, project_setup, memo=f"Phase {n}")

    client = drain(connected_company)

    assert client.calls == math.ceil(count / 30)
    assert set(OutboxItem.objects.values_list("status", flat=True)) == {OutboxItem.Status.SENT}
    remote = {e["Id"]: e for e in estimates_in_quickbooks(qb, project_setup)}
    local = Estimate.objects.filter(company=connected_company)
    assert len(remote) == local.count() == count
    assert {e.qbo_id for e in local} == set(remote)
    assert all(e.sync_state == SyncState.SYNCED and e.total_amount == Decimal("1000.00") for e in local)
    assert {e.private_note for e in local} == {f"Phase {n}" for n in range(count)}


def test_a_lone_ready_item_goes_on_its_own_not_as_a_batch(connected_company, project_setup, qbo, sent):
    new_estimate(connected_company, project_setup)

    drain(connected_company)

    item = OutboxItem.objects.get()
    assert (item.status, item.batch_request_id) == (OutboxItem.Status.SENT, "")


def test_each_answer_in_a_batch_is_handled_as_its_own_push(connected_company, project_setup, qb, sent):
    changed_there, plain, refused = (new_estimate(connected_company, project_setup, memo=m) for m in "ABC")
    drain(connected_company)
    for estimate in (changed_there, plain, refused):
        estimate.refresh_from_db()
    remote = qb.read("Estimate", changed_there.qbo_id)
    qb.update(
        "Estimate",
        {"Id": remote["Id"], "SyncToken": remote["SyncToken"], "CustomerMemo": {"value": "Theirs"}},
        request_id=rid(),
        sparse=True,
    )  # a different field: the stale token merges
    edits = {
        changed_there: {"private_note": "A, edited here"},
        plain: {"private_note": "B, edited here"},
        refused: {"class_qbo_id": "999999", "class_name": "Gone"},
    }  # a class QuickBooks does not have
    for estimate, fields in edits.items():
        with transaction.atomic():
            Estimate.objects.filter(pk=estimate.pk).update(**fields)
            estimate.refresh_from_db()
            outbox_enqueue(obj=estimate)

    client = drain(connected_company)

    outcomes = dict(OutboxItem.objects.filter(operation="update").values_list("object_id", "status"))
    assert outcomes == {
        changed_there.pk: OutboxItem.Status.SENT,
        plain.pk: OutboxItem.Status.SENT,
        refused.pk: OutboxItem.Status.FAILED,
    }
    merged = qb.read("Estimate", changed_there.qbo_id)
    assert merged["PrivateNote"] == "A, edited here" and merged["CustomerMemo"]["value"] == "Theirs"
    assert qb.read("Estimate", plain.qbo_id)["PrivateNote"] == "B, edited here"
    refused.refresh_from_db()
    assert refused.sync_state == SyncState.FAILED and refused.sync_error
    assert client.calls == 1 + 2  # the batch, then the stale one's read and its merged update


def test_a_lost_batch_goes_again_as_it_was_and_makes_nothing_twice(
    connected_company, project_setup, qb, qbo, sent, settings
):
    settings.QBO_MAX_RETRIES = 0  # the outbox, not the client, retries
    for n in range(5):
        new_estimate(connected_company, project_setup, memo=f"Phase {n}")
    qbo.control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": "/batch"})

    drain(connected_company)

    assert len(estimates_in_quickbooks(qb, project_setup)) == 5  # the fault happened: committed, reply lost
    assert qbo.control("get", "faults").json()["faults"] == []
    items = OutboxItem.objects.all()
    assert {i.status for i in items} == {OutboxItem.Status.PENDING} and len({i.batch_request_id for i in items}) == 1
    assert (
        outbox_send(item_id=items[0].pk) == "skipped"
    )  # never on its own: its own requestid is not what QuickBooks saw

    due_now()
    drain(connected_company)

    assert set(OutboxItem.objects.values_list("status", flat=True)) == {OutboxItem.Status.SENT}
    remote = {e["Id"] for e in estimates_in_quickbooks(qb, project_setup)}
    assert len(remote) == 5 and set(Estimate.objects.values_list("qbo_id", flat=True)) == remote


def test_a_lost_batch_read_back_by_a_pull_before_it_goes_again_links_every_row(
    connected_company, project_setup, qb, qbo, sent, settings
):
    settings.QBO_MAX_RETRIES = 0
    for n in range(3):
        new_estimate(connected_company, project_setup, memo=f"Phase {n}")
    qbo.control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": "/batch"})
    drain(connected_company)

    pull.pull_full(company=connected_company)
    assert Estimate.objects.filter(company=connected_company).count() == 3
    due_now()
    drain(connected_company)

    remote = {e["Id"] for e in estimates_in_quickbooks(qb, project_setup)}
    assert len(remote) == 3 and set(Estimate.objects.values_list("qbo_id", flat=True)) == remote
    assert set(Estimate.objects.values_list("sync_state", flat=True)) == {SyncState.SYNCED}


def test_the_worker_task_drains_the_company_of_a_batchable_item(connected_company, project_setup, sent):
    new_estimate(connected_company, {**project_setup, "customer": ""})  # refused here, before anything is sent

    assert worker_send(item_id=OutboxItem.objects.get().pk) in ("drained 1", "failed")
    assert OutboxItem.objects.get().status == OutboxItem.Status.FAILED
