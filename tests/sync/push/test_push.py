"""The outbox against the live sandbox: a local estimate reaches QuickBooks once, whatever happens on the way."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from projects.models import Estimate, EstimateLine
from quickbooks.client import QuickBooksClient
from quickbooks.models import OutboxAttempt, OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_enqueue, outbox_retry, outbox_send, outbox_sweep
from tests.live_quickbooks import estimates_in_quickbooks, new_estimate, rid

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox sends after a real commit


def send(item) -> str:
    return outbox_send(item_id=item.pk)


def test_a_new_estimate_reaches_quickbooks_with_its_project_and_costs(connected_company, project_setup, qb, sent):
    estimate = new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()
    assert estimate.__class__.objects.get(pk=estimate.pk).sync_state == SyncState.PENDING_PUSH
    assert sent.outbox == [("quickbooks.tasks.outbox_send", [item.pk])]

    assert send(item) == "sent"

    estimate.refresh_from_db()
    remote = qb.read("Estimate", estimate.qbo_id)
    assert estimate.sync_state == SyncState.SYNCED and estimate.sync_token == remote["SyncToken"]
    assert remote["ProjectRef"]["value"] == project_setup["project"]
    assert remote["TotalAmt"] == Decimal("1000.00") and estimate.total_amount == Decimal("1000.00")
    assert estimate.lines.get().line_id  # QuickBooks' line id came back
    assert OutboxItem.objects.get().status == OutboxItem.Status.SENT
    assert list(OutboxAttempt.objects.values_list("outcome", flat=True)) == ["sent"]


def test_a_dropped_reply_is_sent_again_without_a_second_estimate(
    connected_company, project_setup, qb, qbo, sent, settings
):
    settings.QBO_MAX_RETRIES = 0  # let the outbox, not the client, do the retrying
    estimate = new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()
    qbo.control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": "/estimate"})

    assert send(item) == "retry"
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    assert send(item) == "sent"

    assert len(estimates_in_quickbooks(qb, project_setup)) == 1
    estimate.refresh_from_db()
    assert estimate.qbo_id == estimates_in_quickbooks(qb, project_setup)[0]["Id"]


def test_an_update_sends_only_what_changed_and_keeps_the_rest(connected_company, project_setup, qb, sent):
    estimate = new_estimate(connected_company, project_setup)
    send(OutboxItem.objects.get())
    estimate.refresh_from_db()
    qb.update(
        "Estimate",
        {"Id": estimate.qbo_id, "SyncToken": estimate.sync_token, "CustomerMemo": {"value": "Hi"}},
        request_id=rid(),
        sparse=True,
    )
    pull.pull_changes(company=connected_company)
    estimate.refresh_from_db()

    with transaction.atomic():
        estimate.private_note = "Phase 1, revised"
        estimate.save()
        item = outbox_enqueue(obj=estimate)
    send(item)

    remote = qb.read("Estimate", estimate.qbo_id)
    assert remote["PrivateNote"] == "Phase 1, revised"
    assert remote["CustomerMemo"]["value"] == "Hi"


def _synced(connected_company, project_setup) -> Estimate:
    estimate = new_estimate(connected_company, project_setup)
    send(OutboxItem.objects.get())
    estimate.refresh_from_db()
    return estimate


def _edit_in_quickbooks(qb, estimate, **fields):
    qb.update(
        "Estimate", {"Id": estimate.qbo_id, "SyncToken": estimate.sync_token, **fields}, request_id=rid(), sparse=True
    )


def _edit_here(estimate, **fields) -> OutboxItem:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(estimate, name, value)
        estimate.save()
        return outbox_enqueue(obj=estimate)


def test_a_stale_token_with_changes_to_different_fields_merges(connected_company, project_setup, qb, sent):
    estimate = _synced(connected_company, project_setup)
    _edit_in_quickbooks(qb, estimate, CustomerMemo={"value": "Changed in QuickBooks"})
    item = _edit_here(estimate, private_note="Changed in Costline")

    assert send(item) == "merged"

    remote = qb.read("Estimate", estimate.qbo_id)
    assert remote["PrivateNote"] == "Changed in Costline"
    assert remote["CustomerMemo"]["value"] == "Changed in QuickBooks"
    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.SYNCED and estimate.sync_token == remote["SyncToken"]


def test_a_stale_token_with_the_same_field_changed_becomes_a_conflict(
    connected_company, project_setup, qb, sent, login, admin_user
):
    estimate = _synced(connected_company, project_setup)
    _edit_in_quickbooks(qb, estimate, PrivateNote="Theirs")
    item = _edit_here(estimate, private_note="Ours")

    assert send(item) == "conflict"

    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.CONFLICT and estimate.private_note == "Ours"  # nothing local lost
    assert estimate.conflict_document["PrivateNote"] == "Theirs"
    assert qb.read("Estimate", estimate.qbo_id)["PrivateNote"] == "Theirs"  # nothing overwritten there either
    page = (
        login(admin_user)
        .get(reverse("quickbooks:sync-conflict", args=[connected_company.pk, item.pk]))
        .content.decode()
    )
    assert "Ours" in page and "Theirs" in page
    assert "Decimal(" not in page and "{&#x27;" not in page, "values in words, never Python's repr"


def test_resolving_a_conflict_for_costline_pushes_our_value(
    connected_company, project_setup, qb, sent, login, admin_user
):
    estimate = _synced(connected_company, project_setup)
    _edit_in_quickbooks(qb, estimate, PrivateNote="Theirs")
    item = _edit_here(estimate, private_note="Ours")
    send(item)

    login(admin_user).post(
        reverse("quickbooks:sync-conflict", args=[connected_company.pk, item.pk]), {"keep_PrivateNote": "costline"}
    )
    follow_up = OutboxItem.objects.exclude(pk=item.pk).get(status=OutboxItem.Status.PENDING)
    assert send(follow_up) == "sent"

    assert qb.read("Estimate", estimate.qbo_id)["PrivateNote"] == "Ours"
    assert OutboxItem.objects.get(pk=item.pk).status == OutboxItem.Status.RESOLVED


def test_resolving_a_conflict_for_quickbooks_takes_their_value_and_sends_nothing(
    connected_company, project_setup, qb, sent, login, accountant
):
    estimate = _synced(connected_company, project_setup)
    _edit_in_quickbooks(qb, estimate, PrivateNote="Theirs")
    item = _edit_here(estimate, private_note="Ours")
    send(item)

    login(accountant).post(
        reverse("quickbooks:sync-conflict", args=[connected_company.pk, item.pk]), {"keep_PrivateNote": "quickbooks"}
    )

    estimate.refresh_from_db()
    assert estimate.private_note == "Theirs" and estimate.sync_state == SyncState.SYNCED
    assert not OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).exists()


def test_viewers_see_a_conflict_but_cannot_resolve_it(
    connected_company, project_setup, qb, sent, login, viewer, outsider
):
    estimate = _synced(connected_company, project_setup)
    _edit_in_quickbooks(qb, estimate, PrivateNote="Theirs")
    item = _edit_here(estimate, private_note="Ours")
    send(item)
    url = reverse("quickbooks:sync-conflict", args=[connected_company.pk, item.pk])

    assert login(viewer).get(url).status_code == 200
    assert login(viewer).post(url, {"keep_PrivateNote": "quickbooks"}).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert Estimate.objects.get(pk=estimate.pk).private_note == "Ours"


def test_a_project_ref_to_a_non_project_is_refused_before_sending(connected_company, project_setup, sent):
    estimate = new_estimate(connected_company, {**project_setup, "project": project_setup["customer"]})

    assert send(OutboxItem.objects.get()) == "failed"

    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.FAILED
    assert "make the customer a project in QuickBooks" in estimate.sync_error
    assert estimate.qbo_id == "" and estimate.lines.count() == 1  # nothing lost locally


def test_a_refusal_from_quickbooks_lands_on_the_estimate_and_a_retry_uses_a_new_request_id(
    connected_company, project_setup, qb, sent
):
    estimate = new_estimate(connected_company, {**project_setup, "item": "999999"})
    item = OutboxItem.objects.get()
    first_request_id = item.request_id

    assert send(item) == "failed"
    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.FAILED and "QuickBooks did not accept this" in estimate.sync_error

    EstimateLine.objects.filter(estimate=estimate).update(item_qbo_id=project_setup["item"])  # the user fixes it
    assert outbox_retry(items=OutboxItem.objects.filter(pk=item.pk)) == 1
    item.refresh_from_db()
    assert item.request_id != first_request_id
    assert send(item) == "sent"
    assert len(estimates_in_quickbooks(qb, project_setup)) == 1


def test_an_item_someone_else_is_sending_is_not_sent_twice(connected_company, project_setup, sent):
    new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxItem.Status.SENDING, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert send(item) == "skipped"
    assert not OutboxAttempt.objects.exists()


def test_the_sweeper_re_drives_an_item_whose_worker_died(connected_company, project_setup, qb, sent):
    new_estimate(connected_company, project_setup)
    item = OutboxItem.objects.get()
    OutboxItem.objects.filter(pk=item.pk).update(
        status=OutboxItem.Status.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    sent.clear()

    assert outbox_sweep() == 1

    assert sent.outbox == [("quickbooks.tasks.outbox_send", [item.pk])]
    assert send(item) == "sent"
    assert len(estimates_in_quickbooks(qb, project_setup)) == 1


def test_edits_before_the_first_try_make_one_write(connected_company, project_setup, sent):
    estimate = new_estimate(connected_company, project_setup)
    _edit_here(estimate, private_note="Edited again before sending")

    assert OutboxItem.objects.count() == 1


def test_the_client_counts_no_calls_for_a_refusal_made_here(connected_company, project_setup, sent):
    new_estimate(connected_company, {**project_setup, "customer": ""})
    client = QuickBooksClient.for_company(connected_company)

    assert outbox_send(item_id=OutboxItem.objects.get().pk, client=client) == "failed"
    assert client.calls == 0


def test_an_edit_made_while_a_push_is_in_flight_is_not_overwritten_by_its_reply(
    connected_company, project_setup, qb, sent, monkeypatch
):
    from quickbooks.sync import push

    estimate = new_estimate(connected_company, project_setup, memo="First version")
    first = OutboxItem.objects.get()
    reply_arrives = push._done

    def user_edits_meanwhile(item, obj, entity, document):
        if item.pk == first.pk:  # QuickBooks has the first version; the user saves a second before we hear back
            _edit_here(Estimate.objects.get(pk=estimate.pk), private_note="Second version")
        return reply_arrives(item, obj, entity, document)

    monkeypatch.setattr(push, "_done", user_edits_meanwhile)
    assert send(first) == "sent"

    estimate.refresh_from_db()
    assert estimate.private_note == "Second version" and estimate.qbo_id  # kept, and QuickBooks' id taken
    assert estimate.sync_state == SyncState.PENDING_PUSH
    second = OutboxItem.objects.get(status=OutboxItem.Status.PENDING)
    assert send(second) == "sent"
    assert [e["PrivateNote"] for e in estimates_in_quickbooks(qb, project_setup)] == ["Second version"]
    assert Estimate.objects.get(pk=estimate.pk).sync_state == SyncState.SYNCED
