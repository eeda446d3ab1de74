"""A create whose reply is lost is never mirrored twice, however the object comes back first (webhook fetch, CDC,
full pull), and nothing stays "being sent": the live sandbox over HTTP, the outbox driven directly."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from changeorders.models import ChangeOrder
from projects.models import Estimate
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull, registry
from quickbooks.sync.echoes import holds
from quickbooks.sync.push import LEASE_LAPSED, outbox_send, outbox_sweep
from tests.live_quickbooks import estimates_in_quickbooks, new_estimate, rid

pytestmark = pytest.mark.django_db(transaction=True)

READ_BACK = {
    "webhook fetch": lambda company, qbo_id: pull.pull_one(company=company, entity="Estimate", qbo_id=qbo_id),
    "change data capture": lambda company, qbo_id: pull.pull_changes(company=company),
    "full pull": lambda company, qbo_id: pull.pull_full(company=company),
}


def send(item) -> str:
    return outbox_send(item_id=item.pk)


def due_now(item) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


@pytest.fixture
def lost_create(connected_company, project_setup, qb, qbo, sent, settings):
    """An estimate whose create QuickBooks committed but whose reply never came back (the sandbox dropped it)."""
    settings.QBO_MAX_RETRIES = 0  # the outbox, not the client, retries
    pull.pull_changes(company=connected_company)  # the watermark is now: CDC sees only what follows
    estimate = new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()
    qbo.control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": "/estimate"})

    assert send(item) == "retry"

    [remote] = estimates_in_quickbooks(qb, project_setup)  # the fault happened: QuickBooks holds it, we do not
    assert Estimate.objects.get(pk=estimate.pk).qbo_id == ""
    assert qbo.control("get", "faults").json()["faults"] == []
    return estimate, item, remote


@pytest.mark.parametrize("read_back", list(READ_BACK))
def test_a_lost_create_read_back_before_its_reply_is_linked_to_its_row_not_inserted(
    connected_company, project_setup, qb, lost_create, read_back
):
    estimate, item, remote = lost_create

    READ_BACK[read_back](connected_company, remote["Id"])

    assert list(Estimate.objects.filter(company=connected_company).values_list("pk", "qbo_id")) == [
        (estimate.pk, remote["Id"])
    ]
    assert Estimate.objects.get(pk=estimate.pk).sync_state == SyncState.PENDING_PUSH  # the outbox still owes the reply
    due_now(item)
    assert send(item) == "sent"
    estimate.refresh_from_db()
    assert (estimate.qbo_id, estimate.sync_state) == (remote["Id"], SyncState.SYNCED)
    assert Estimate.objects.filter(company=connected_company).count() == 1
    assert len(estimates_in_quickbooks(qb, project_setup)) == 1


def test_a_lost_create_changed_in_quickbooks_before_it_was_read_is_folded_into_its_row_by_the_reply(
    connected_company, project_setup, qb, lost_create
):
    estimate, item, remote = lost_create
    qb.update(
        "Estimate",
        {"Id": remote["Id"], "SyncToken": remote["SyncToken"], "PrivateNote": "Changed there"},
        request_id=rid(),
        sparse=True,
    )
    ChangeOrder.objects.create(company=connected_company, qbo_id="co-1", estimate_qbo_id=remote["Id"])

    pull.pull_one(company=connected_company, entity="Estimate", qbo_id=remote["Id"])
    stranger = Estimate.objects.get(company=connected_company, qbo_id=remote["Id"])
    assert stranger.pk != estimate.pk  # not recognised: QuickBooks' copy no longer holds what was sent
    ChangeOrder.objects.filter(qbo_id="co-1").update(estimate=stranger)

    due_now(item)
    assert send(item) == "sent"

    assert list(Estimate.objects.filter(company=connected_company).values_list("pk", "qbo_id")) == [
        (estimate.pk, remote["Id"])
    ]
    assert ChangeOrder.objects.get(qbo_id="co-1").estimate_id == estimate.pk
    pull.pull_one(company=connected_company, entity="Estimate", qbo_id=remote["Id"])
    estimate.refresh_from_db()
    assert estimate.private_note == "Changed there" and Estimate.objects.count() == 1


def test_an_unexpected_error_is_said_in_words_retried_then_failed_never_left_sending(
    connected_company, project_setup, qb, sent, settings, monkeypatch
):
    settings.QBO_OUTBOX_UNEXPECTED_RETRIES = 2
    estimate = new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()

    def broken(estimate, document):
        raise RuntimeError("disk full")

    entity = registry.pushed_entity("Estimate")
    monkeypatch.setitem(registry._pushed, "Estimate", replace(entity, apply_document=broken))

    outcomes = []
    for _ in range(2):
        outcomes.append(send(item))
        due_now(item)
    item.refresh_from_db()
    estimate.refresh_from_db()

    assert outcomes == ["retry", "failed"]
    assert item.status == OutboxItem.Status.FAILED and "RuntimeError: disk full" in item.last_error
    assert estimate.sync_state == SyncState.FAILED and "Retry" in estimate.sync_error
    assert len(estimates_in_quickbooks(qb, project_setup)) == 1  # the requestid kept the retry from a second one


def test_the_sweeper_says_why_a_lapsed_item_waits_again_and_fails_one_that_used_up_its_attempts(
    connected_company, project_setup, sent, settings
):
    settings.QBO_OUTBOX_MAX_ATTEMPTS = 3
    new_estimate(connected_company, project_setup)
    new_estimate(connected_company, project_setup, memo="Phase 2")
    lapsed, worn = OutboxItem.objects.order_by("pk")
    gone = timezone.now() - timedelta(seconds=1)
    OutboxItem.objects.filter(pk=lapsed.pk).update(status=OutboxItem.Status.SENDING, lease_until=gone, attempts=1)
    OutboxItem.objects.filter(pk=worn.pk).update(status=OutboxItem.Status.SENDING, lease_until=gone, attempts=3)

    outbox_sweep()

    lapsed.refresh_from_db()
    worn.refresh_from_db()
    assert (lapsed.status, lapsed.last_error) == (OutboxItem.Status.PENDING, LEASE_LAPSED)
    assert worn.status == OutboxItem.Status.FAILED and "Retry" in worn.last_error
    assert not OutboxItem.objects.filter(status=OutboxItem.Status.SENDING).exists()


@pytest.mark.parametrize(
    ("sent_document", "found", "held"),
    [
        (
            {"ItemRef": {"value": "5", "name": "Cabinets"}},
            {"ItemRef": {"value": "5", "name": "Kitchen:Cabinets"}},
            True,
        ),
        ({"Qty": 8}, {"Qty": "8"}, False),
        ({"Line": [{"Amount": 1}]}, {"Line": [{"Amount": 1}, {"DetailType": "SubTotalLineDetail", "Amount": 1}]}, True),
        ({"Line": [{"Amount": 1}]}, {"Line": [{"Amount": 1}, {"DetailType": "SalesItemLineDetail"}]}, False),
        ({"PrivateNote": "Phase 1"}, {"PrivateNote": "Phase 1", "Id": "9", "SyncToken": "0"}, True),
        ({"PrivateNote": "Phase 1"}, {"PrivateNote": "Phase 2"}, False),
    ],
)
def test_an_echo_holds_everything_sent_whatever_quickbooks_adds(sent_document, found, held):
    assert holds(sent_document, found) is held
