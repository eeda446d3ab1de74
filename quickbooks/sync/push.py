"""The push side: a transactional outbox, drained by a worker, that never loses or doubles a write.

A form saves the local object and calls `outbox_enqueue` in the same transaction; after commit a task
runs `outbox_send`. An item is claimed with a conditional UPDATE and a lease, so two workers never send
it together, and a worker that dies mid-send leaves a lease that `outbox_sweep` re-drives. Every try is
an OutboxAttempt. Writes carry the item's fixed `requestid`, so a retry after a lost reply is answered
with the first reply. Transient failures back off; QuickBooks' refusals end the item as failed, in plain
words on the object; a stale SyncToken is merged field by field or becomes a conflict.
"""

import logging
import random
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..client import QuickBooksClient, QuickBooksError, ReauthorizationRequired, StaleObjectError
from ..models import OutboxAttempt, OutboxItem, SyncState
from . import merge as merging
from . import registry
from .dispatch import send_task_on_commit
from .echoes import make_room

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=30)


def _lease() -> timedelta:
    """Longer than a send can take with its retries; a worker that died holds an item this long at most."""
    return timedelta(seconds=settings.QBO_OUTBOX_LEASE_SECONDS)


def enqueue_send(item_id: int) -> None:
    """Send after commit, by task name (the worker may be on another machine)."""
    send_task_on_commit("quickbooks.tasks.outbox_send", item_id)


def outbox_enqueue(*, obj: Any, operation: str | None = None) -> OutboxItem:
    """Queue `obj` for QuickBooks. Call inside the transaction that saved it; it is sent after commit."""
    entity = registry.pushed_for_model(type(obj))
    operation = operation or (OutboxItem.Operation.UPDATE if obj.qbo_id else OutboxItem.Operation.CREATE)
    content_type = ContentType.objects.get_for_model(obj)
    item = OutboxItem.objects.filter(
        content_type=content_type, object_id=obj.pk, status=OutboxItem.Status.PENDING, attempts=0
    ).first()  # an item not tried yet will send the latest state anyway: one write, not two
    if item is None:
        item = OutboxItem.objects.create(
            company=obj.company, entity=entity.name, content_type=content_type, object_id=obj.pk, operation=operation
        )
    elif operation == OutboxItem.Operation.DELETE:
        OutboxItem.objects.filter(pk=item.pk).update(operation=operation)
    type(obj).objects.filter(pk=obj.pk).update(sync_state=SyncState.PENDING_PUSH, sync_error="")
    enqueue_send(item.pk)
    return item


def _claim(item_id: int) -> bool:
    now = timezone.now()
    return bool(
        OutboxItem.objects.filter(
            pk=item_id, status=OutboxItem.Status.PENDING, next_attempt_at__lte=now, batch_request_id=""
        ).update(status=OutboxItem.Status.SENDING, lease_until=now + _lease(), attempts=F("attempts") + 1)
    )


def outbox_send(*, item_id: int, client: QuickBooksClient | None = None) -> str:
    """Try to send one item on its own. Returns the outcome; 'skipped' when it is not due or someone else has it.

    An item that once went out in a batch never goes on its own (its own requestid was not what QuickBooks saw):
    quickbooks/sync/batch.py sends its batch again.
    """
    if OutboxItem.objects.filter(pk=item_id).exclude(batch_request_id="").exists() or not _claim(item_id):
        return "skipped"
    item = OutboxItem.objects.select_related("company", "content_type").get(pk=item_id)
    attempt = OutboxAttempt.objects.create(item=item)
    obj = item.target
    entity = registry.pushed_entity(item.entity)
    try:
        if obj is None:
            raise ValidationError("The Costline record behind this change no longer exists.")
        sender = client or QuickBooksClient.for_company(item.company)
        outcome = _deliver(item, obj, entity, sender)
    except StaleObjectError:  # raised by _deliver, so `sender` is set
        outcome = _resolve_stale(item, obj, entity, sender)
    except registry.Conflict as conflict:  # an entity without SyncToken found both sides changed
        outcome = _conflict(item, obj, conflict.remote, conflict.conflicts)
    except QuickBooksError as error:
        outcome = _retry_later(item, obj, error) if error.transient else _fail(item, obj, error)
        attempt.error_code, attempt.message = error.code, str(error)
    except ValidationError as error:  # Costline's own check refused it before anything was sent
        outcome = _fail(item, obj, error)
        attempt.message = " ".join(error.messages)
    except Exception as error:  # noqa: BLE001 - a bug or an outage here must never leave the item "being sent"
        logger.exception("Outbox item %s: unexpected error", item.pk)
        outcome = _unexpected(item, obj, error)
        attempt.message = f"{type(error).__name__}: {error}"
    attempt.outcome, attempt.finished_at = outcome, timezone.now()
    attempt.save(update_fields=["outcome", "finished_at", "error_code", "message"])
    return outcome


def _deliver(
    item: OutboxItem,
    obj: Any,
    entity: registry.PushedEntity,
    client: QuickBooksClient,
    *,
    request_id: str | None = None,
    fields: dict | None = None,
) -> str:
    """Create, sparse-update (only what changed since the last sync) or delete; take QuickBooks' reply."""
    request_id = request_id or item.request_id
    check_before_sending(item, obj, entity)
    if item.operation == OutboxItem.Operation.DELETE:
        client.delete(entity.name, obj.qbo_id, obj.sync_token, request_id=request_id)
        return _done(item, obj, entity, None)
    document = entity.to_document(obj)
    if entity.send is not None:
        return _done(item, obj, entity, entity.send(client, obj, document, request_id))
    if item.operation == OutboxItem.Operation.CREATE and not obj.qbo_id:
        # Kept (committed) before it goes, so a pull that reads the object before the reply is back knows it as ours.
        OutboxItem.objects.filter(pk=item.pk, sent_document__isnull=True).update(sent_document=document)
        return _done(item, obj, entity, client.create(entity.name, document, request_id=request_id))
    changes = fields if fields is not None else merging.changed_fields(base=obj.qbo_document, local=document)
    if not changes:
        return _done(item, obj, entity, obj.qbo_document)
    update = {**changes, "Id": obj.qbo_id, "SyncToken": obj.sync_token}
    return _done(item, obj, entity, client.update(entity.name, update, request_id=request_id, sparse=True))


def check_before_sending(item: OutboxItem, obj: Any, entity: registry.PushedEntity) -> None:
    """The entity's own rules (raise ValidationError, nothing sent); a delete names only the object, so it has none."""
    if entity.check is not None and item.operation != OutboxItem.Operation.DELETE:
        entity.check(obj)


def _done(item: OutboxItem, obj: Any, entity: registry.PushedEntity, document: dict | None) -> str:
    with transaction.atomic():
        if document is not None and item.operation == OutboxItem.Operation.CREATE:
            # A pull may have read this object before its reply came back: one row, never two.
            make_room(obj, entity.id_in(document))
        if document is None and entity.removed is not None:  # deleted in QuickBooks: gone here too
            entity.removed(obj)
        elif document is None:  # deleted in QuickBooks
            type(obj).objects.filter(pk=obj.pk).update(sync_state=SyncState.SYNCED, sync_error="")
        elif _later_edit_waiting(item):
            # Edited again while this was on its way: the newer edit must not be overwritten by this reply. Take
            # only QuickBooks' identity and version, so the waiting item sends the newer edit on top of it.
            type(obj).objects.filter(pk=obj.pk).update(
                qbo_id=entity.id_in(document) or obj.qbo_id,
                sync_token=str(document.get("SyncToken", obj.sync_token)),
                qbo_document=document,
                conflict_document=None,
            )
        else:
            entity.apply_document(obj, document)
            type(obj).objects.filter(pk=obj.pk).update(
                sync_state=SyncState.SYNCED, sync_error="", conflict_document=None
            )
        _finish(item, OutboxItem.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _later_edit_waiting(item: OutboxItem) -> bool:
    return OutboxItem.objects.filter(
        content_type_id=item.content_type_id,
        object_id=item.object_id,
        status=OutboxItem.Status.PENDING,
        pk__gt=item.pk,
    ).exists()


def _finish(item: OutboxItem, status: str, **fields: Any) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(status=status, lease_until=None, **fields)


def _resolve_stale(item: OutboxItem, obj: Any, entity: registry.PushedEntity, client: QuickBooksClient) -> str:
    """Someone changed it in QuickBooks: merge disjoint field changes and resend, else a conflict."""
    remote = client.read(entity.name, obj.qbo_id)
    if item.operation == OutboxItem.Operation.DELETE:
        return _changed_before_delete(item, obj, entity, remote)
    result = merging.merge(base=obj.qbo_document, local=entity.to_document(obj), remote=remote)
    if not result.clean:
        return _conflict(item, obj, remote, result.conflicts)
    obj.sync_token = remote["SyncToken"]
    # The first requestid already has QuickBooks' stale-object reply stored against it: a new write, a new id.
    merged_id = f"{item.request_id[:40]}-m{item.attempts}"
    try:
        _deliver(item, obj, entity, client, request_id=merged_id, fields=result.local_changes)
    except QuickBooksError as error:
        return _retry_later(item, obj, error) if error.transient else _fail(item, obj, error)
    return "merged"


def _conflict(item: OutboxItem, obj: Any, remote: dict, conflicts: list[str]) -> str:
    """Both sides changed the same thing: QuickBooks' version is kept beside the edit for a person to choose."""
    with transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(
            sync_state=SyncState.CONFLICT,
            conflict_document=remote,
            sync_error="Changed in QuickBooks too: " + ", ".join(conflicts) + ". Choose what to keep.",
        )
        _finish(item, OutboxItem.Status.CONFLICT, last_error=f"Conflict on {', '.join(conflicts)}")
    return "conflict"


CHANGED_BEFORE_DELETE = (
    "Not deleted: it changed in QuickBooks after the deletion was asked for, and this page now shows QuickBooks' "
    "version. Read it, then delete it again if you still mean to."
)


def _changed_before_delete(item: OutboxItem, obj: Any, entity: registry.PushedEntity, remote: dict) -> str:
    """A delete is never merged: what someone changed in QuickBooks meanwhile (a customer's acceptance, say) may be
    why it should stay. QuickBooks' version is taken and the person asks again."""
    with transaction.atomic():
        entity.apply_document(obj, remote)
        type(obj).objects.filter(pk=obj.pk).update(
            sync_state=SyncState.SYNCED, sync_error=CHANGED_BEFORE_DELETE, conflict_document=None
        )
        _finish(item, OutboxItem.Status.FAILED, last_error=CHANGED_BEFORE_DELETE)
    return "failed"


def _backoff(attempts: int) -> timedelta:
    seconds = min(MAX_BACKOFF.total_seconds(), 2 ** min(attempts, 12))
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not security


def _retry_later(item: OutboxItem, obj: Any, error: QuickBooksError) -> str:
    _finish(
        item,
        OutboxItem.Status.PENDING,
        next_attempt_at=timezone.now() + _backoff(item.attempts),
        last_error=error.user_message,
    )
    return "retry"


def _fail(item: OutboxItem, obj: Any, error: QuickBooksError | ValidationError) -> str:
    """Refused: the reason goes on the object in plain words; nothing local is lost."""
    message = error.user_message if isinstance(error, QuickBooksError) else " ".join(error.messages)
    with transaction.atomic():
        if obj is not None:
            type(obj).objects.filter(pk=obj.pk).update(sync_state=SyncState.FAILED, sync_error=message)
        _finish(item, OutboxItem.Status.FAILED, last_error=message)
    if isinstance(error, ReauthorizationRequired):
        logger.warning("Outbox item %s waits for the company to be reconnected", item.pk)
    return "failed"


def _unexpected(item: OutboxItem, obj: Any, error: Exception) -> str:
    """Something other than QuickBooks' answer went wrong (a bug, the database): said in words on the item and the
    object; tried again with backoff a few times (the requestid keeps that safe), then left failed, with Retry."""
    what = f"{type(error).__name__}: {error}"[:500]
    if item.attempts < settings.QBO_OUTBOX_UNEXPECTED_RETRIES:
        message = f"Costline hit an unexpected error while sending this ({what}); it will try again shortly."
        _finish(
            item,
            OutboxItem.Status.PENDING,
            next_attempt_at=timezone.now() + _backoff(item.attempts),
            last_error=message,
        )
        if obj is not None:
            type(obj).objects.filter(pk=obj.pk).update(sync_error=message)
        return "retry"
    message = (
        f"Costline could not send this after {item.attempts} tries ({what}). Nothing was lost; use Retry on "
        "the Sync page once the cause is fixed."
    )
    with transaction.atomic():
        if obj is not None:
            type(obj).objects.filter(pk=obj.pk).update(sync_state=SyncState.FAILED, sync_error=message)
        _finish(item, OutboxItem.Status.FAILED, last_error=message)
    return "failed"


def outbox_retry(*, items: QuerySet[OutboxItem]) -> int:
    """Send refused items again, each under a new requestid: QuickBooks stored its refusal against the old one
    (nothing was written under it, so a new id cannot double anything). Returns how many."""
    with transaction.atomic():
        ids = list(items.filter(status=OutboxItem.Status.FAILED).select_for_update().values_list("pk", flat=True))
        for item_id in ids:
            OutboxItem.objects.filter(pk=item_id).update(
                status=OutboxItem.Status.PENDING, next_attempt_at=timezone.now(), request_id=uuid.uuid4().hex
            )
            enqueue_send(item_id)
    return len(ids)


LEASE_LAPSED = (
    "The worker sending this stopped before QuickBooks answered (its lease ran out). It is sent again "
    "under the same requestid, so QuickBooks answers with what it did the first time."
)


def outbox_sweep() -> int:
    """Re-drive items a lost broker message or a dead worker left behind. Returns how many were queued.

    Nothing stays "being sent" past its lease: it goes back to waiting with the reason said, or, once it has used
    up its attempts, to failed with the reason and Retry.
    """
    now = timezone.now()
    lapsed = OutboxItem.objects.filter(status=OutboxItem.Status.SENDING, lease_until__lt=now)
    with transaction.atomic():
        lapsed.filter(attempts__gte=settings.QBO_OUTBOX_MAX_ATTEMPTS).update(
            status=OutboxItem.Status.FAILED,
            lease_until=None,
            last_error=f"Sending stopped {settings.QBO_OUTBOX_MAX_ATTEMPTS} times before QuickBooks answered. "
            "Nothing was lost; use Retry on the Sync page.",
        )
        lapsed.update(status=OutboxItem.Status.PENDING, lease_until=None, last_error=LEASE_LAPSED)
    due = list(
        OutboxItem.objects.filter(status=OutboxItem.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("pk", flat=True)[:500]
    )
    for item_id in due:
        enqueue_send(item_id)
    return len(due)
