"""Bulk push: a company's outbox items that are ready together go to QuickBooks in batch requests of up to 30.

Each item's answer in the batch is handled as a single push would handle it (`push._done`, `_fail`,
`_retry_later`, `_resolve_stale`). A batch call carries one requestid for the whole request (Intuit has no
per-item idempotency inside a batch), so the batch an item first went out in is kept on it (`batch_request_id`):
if that reply is lost, the same items are sent again as the same batch, with the same bIds, under the same
requestid, and QuickBooks answers with what it did the first time. An item missing from such a replayed answer was
not in the request that reached QuickBooks, so it goes out afresh. Calls for N ready creates: ceil(N / 30).
docs/quickbooks-api.md, Batch.
"""

import logging
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from ..client import QuickBooksClient, QuickBooksError, StaleObjectError
from ..client.api import BATCH_SIZE
from ..client.errors import from_fault
from ..models import Company, OutboxAttempt, OutboxItem
from . import merge as merging
from . import push, registry

logger = logging.getLogger(__name__)

MAX_ROUNDS = 100  # batches one drain sends at most before it leaves the rest to the next message
OPERATIONS = {
    OutboxItem.Operation.CREATE: "create",
    OutboxItem.Operation.UPDATE: "update",
    OutboxItem.Operation.DELETE: "delete",
}


def batchable(item: OutboxItem) -> bool:
    """Plain REST writes batch; entities with a send of their own (GraphQL projects, re-tags) go one by one."""
    return registry.pushed_entity(item.entity).send is None


def outbox_send(*, item_id: int, client: QuickBooksClient | None = None) -> str:
    """The worker's entry for one item: a plain REST write drains its company's ready items in batches (this one
    among them); anything else is sent on its own."""
    item = OutboxItem.objects.filter(pk=item_id).select_related("company").first()
    if item is None:
        return "skipped"
    if not batchable(item):
        return push.outbox_send(item_id=item_id, client=client)
    sent = outbox_drain(company=item.company, client=client)
    return f"drained {sent}" if sent else "skipped"


def _due(company: Company) -> Any:
    now = timezone.now()
    return OutboxItem.objects.filter(company=company, status=OutboxItem.Status.PENDING, next_attempt_at__lte=now)


def outbox_drain(*, company: Company, client: QuickBooksClient | None = None) -> int:
    """Send every ready item of `company`: batches lost on the way first, as they were, then fresh ones by 30.
    Returns how many items were dealt with. Two workers draining at once claim different items."""
    handled = 0
    for _ in range(MAX_ROUNDS):
        claimed = _claim_lost_batch(company)
        if not claimed:
            ready = _ready(company)
            if len(ready) == 1:  # one call either way; the batch endpoint's tighter limit is kept for real batches
                if push.outbox_send(item_id=ready[0].pk, client=client) == "skipped":
                    break  # another worker has it
                handled += 1
                continue
            claimed = _claim_fresh(ready)
        if not claimed:
            break
        client = client or QuickBooksClient.for_company(company)
        handled += _send(claimed, client)
    return handled


def _claim(items: Any, **extra: Any) -> int:
    now = timezone.now()
    return int(
        items.filter(status=OutboxItem.Status.PENDING, next_attempt_at__lte=now).update(
            status=OutboxItem.Status.SENDING, lease_until=now + push._lease(), attempts=F("attempts") + 1, **extra
        )
    )


def _claimed(batch_request_id: str) -> list[OutboxItem]:
    items = OutboxItem.objects.filter(batch_request_id=batch_request_id, status=OutboxItem.Status.SENDING)
    return list(items.select_related("company", "content_type").order_by("pk"))


def _claim_lost_batch(company: Company) -> list[OutboxItem]:
    """Items whose batch went out and got no answer: sent again together, under that batch's requestid."""
    lost = _due(company).exclude(batch_request_id="").values_list("batch_request_id", flat=True).first()
    if lost is None:
        return []
    _claim(OutboxItem.objects.filter(company=company, batch_request_id=lost))
    return _claimed(lost)


def _ready(company: Company) -> list[OutboxItem]:
    """Up to 30 batchable items never sent in a batch, oldest first."""
    due = _due(company).filter(batch_request_id="").order_by("created", "pk")[: BATCH_SIZE * 2]
    return [item for item in due if batchable(item)][:BATCH_SIZE]


def _claim_fresh(ready: list[OutboxItem]) -> list[OutboxItem]:
    if not ready:
        return []
    request_id = uuid.uuid4().hex  # 32 characters: within the batch endpoint's 36
    _claim(
        OutboxItem.objects.filter(pk__in=[item.pk for item in ready], batch_request_id=""), batch_request_id=request_id
    )
    return _claimed(request_id)


def _send(items: list[OutboxItem], client: QuickBooksClient) -> int:
    """One batch request for `items` (all claimed, all under one batch requestid); each answer handled as its own."""
    attempts = {item.pk: OutboxAttempt.objects.create(item=item) for item in items}
    requests, waiting = [], {}
    for item in items:
        entry = _request(item, attempts[item.pk])
        if entry is not None:
            requests.append(entry)
            waiting[entry["bId"]] = item
    if not requests:
        return len(items)
    try:
        answers = {str(a.get("bId")): a for a in client.batch_request(requests, request_id=items[0].batch_request_id)}
    except QuickBooksError as error:
        for item in waiting.values():
            outcome = (
                push._retry_later(item, item.target, error) if error.transient else push._fail(item, item.target, error)
            )
            _record(attempts[item.pk], outcome, error)
        return 0
    for b_id, item in waiting.items():
        _answer(item, answers.get(b_id), client, attempts[item.pk])
    return len(items)


def _request(item: OutboxItem, attempt: OutboxAttempt) -> dict | None:
    """The item's entry in the batch, or None when it was settled without QuickBooks (refused here, or nothing to
    send)."""
    obj, entity = item.target, registry.pushed_entity(item.entity)
    try:
        if obj is None:
            raise ValidationError("The Costline record behind this change no longer exists.")
        push.check_before_sending(item, obj, entity)
    except ValidationError as error:
        _record(attempt, push._fail(item, obj, error), error)
        return None
    if item.operation == OutboxItem.Operation.DELETE:
        body = {"Id": obj.qbo_id, "SyncToken": obj.sync_token}
        return {"bId": str(item.pk), "operation": "delete", entity.name: body}
    document = entity.to_document(obj)
    if item.operation == OutboxItem.Operation.CREATE and not obj.qbo_id:
        OutboxItem.objects.filter(pk=item.pk, sent_document__isnull=True).update(sent_document=document)
        return {"bId": str(item.pk), "operation": "create", entity.name: document}
    changes = merging.changed_fields(base=obj.qbo_document, local=document)
    if not changes:
        _record(attempt, push._done(item, obj, entity, obj.qbo_document))
        return None
    body = {**changes, "Id": obj.qbo_id, "SyncToken": obj.sync_token, "sparse": True}
    return {"bId": str(item.pk), "operation": "update", entity.name: body}


def _answer(item: OutboxItem, answer: dict | None, client: QuickBooksClient, attempt: OutboxAttempt) -> None:
    obj, entity = item.target, registry.pushed_entity(item.entity)
    if answer is None:  # not in the request that reached QuickBooks (a replayed answer to a smaller batch)
        OutboxItem.objects.filter(pk=item.pk).update(
            status=OutboxItem.Status.PENDING, lease_until=None, batch_request_id="", next_attempt_at=timezone.now()
        )
        _record(attempt, "retry")
        return
    try:
        if "Fault" in answer:
            raise from_fault(answer["Fault"])
        document = None if item.operation == OutboxItem.Operation.DELETE else answer.get(entity.name)
        outcome = push._done(item, obj, entity, document)
    except StaleObjectError:
        outcome = push._resolve_stale(item, obj, entity, client)
    except QuickBooksError as error:
        outcome = push._retry_later(item, obj, error) if error.transient else push._fail(item, obj, error)
        _record(attempt, outcome, error)
        return
    except Exception as error:  # noqa: BLE001 - as in a single push: said in words, never left "being sent"
        logger.exception("Outbox item %s: unexpected error in a batch answer", item.pk)
        _record(attempt, push._unexpected(item, obj, error), error)
        return
    _record(attempt, outcome)


def _record(attempt: OutboxAttempt, outcome: str, error: Exception | None = None) -> None:
    attempt.outcome, attempt.finished_at = outcome, timezone.now()
    if isinstance(error, QuickBooksError):
        attempt.error_code, attempt.message = error.code, str(error)
    elif isinstance(error, ValidationError):
        attempt.message = " ".join(error.messages)
    elif error is not None:
        attempt.message = f"{type(error).__name__}: {error}"
    attempt.save(update_fields=["outcome", "finished_at", "error_code", "message"])
