"""QuickBooks webhooks: check Intuit's signature, read either payload format, record each change once.

Intuit wants a 200 within 3 seconds (docs/quickbooks-api.md, Webhooks), so nothing here calls QuickBooks: each new
change is recorded as a `WebhookEvent` and a `sync_fetch_object` task is queued after the commit. Both the
legacy `eventNotifications` body and CloudEvents (an array, or a single event) are read into `Change`s.
"""

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Company, WebhookEvent
from .sync.dispatch import send_task

logger = logging.getLogger(__name__)

FETCH_TASK = "quickbooks.tasks.sync_fetch_object"
COLUMN_LENGTHS = {  # CharFields: their max_length is set
    name: cast(int, getattr(WebhookEvent._meta.get_field(name), "max_length"))  # noqa: B009 - typed as Field or Rel
    for name in ("event_key", "realm_id", "entity", "qbo_id", "operation")
}
KEY_MAX = COLUMN_LENGTHS["event_key"]

# CloudEvents spell the entity in lower case (`qbo.purchaseorder.created.v1`); the rest of Costline uses
# Intuit's own names. The webhook-subscribable entities (docs/quickbooks-api.md, Webhooks) plus the project ones.
KNOWN_ENTITIES = [
    "Account",
    "Bill",
    "BillPayment",
    "Budget",
    "Class",
    "CreditMemo",
    "Currency",
    "Customer",
    "Department",
    "Deposit",
    "Employee",
    "Estimate",
    "Invoice",
    "Item",
    "JournalEntry",
    "Payment",
    "PaymentMethod",
    "Preferences",
    "Project",
    "Purchase",
    "PurchaseOrder",
    "RefundReceipt",
    "SalesReceipt",
    "TaxCode",
    "Term",
    "TimeActivity",
    "Transfer",
    "Vendor",
    "VendorCredit",
]
ENTITY_BY_LOWER = {name.lower(): name for name in KNOWN_ENTITIES}
OPERATION_BY_VERB = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}


class MalformedPayload(ValueError):
    """The body is not a webhook payload at all (neither format)."""


@dataclass(frozen=True)
class Change:
    """One entity change, whichever format announced it."""

    event_key: str
    realm_id: str
    entity: str
    qbo_id: str
    operation: str
    changed_at: datetime | None


# --- signature ----------------------------------------------------------------------------------


def expected_signature(body: bytes, verifier: str) -> str:
    """Intuit's `intuit-signature`: base64(HMAC-SHA256(key=verifier token, message=raw body))."""
    return base64.b64encode(hmac.new(verifier.encode(), body, hashlib.sha256).digest()).decode()


def signature_is_valid(body: bytes, signature: str | None, verifier: str | None = None) -> bool:
    """Constant-time check. No verifier configured means nothing is trusted (fail closed)."""
    verifier = settings.QBO_WEBHOOK_VERIFIER if verifier is None else verifier
    if not signature or not verifier:
        return False
    return hmac.compare_digest(expected_signature(body, verifier).encode(), signature.strip().encode())


# --- parsing ------------------------------------------------------------------------------------


def parse(payload) -> list[Change]:
    """Changes in a decoded body. Incomplete events are skipped and logged, not refused: a 400 would make
    Intuit retry the whole batch (docs/quickbooks-api.md, Webhooks). Only a body of neither shape is refused."""
    if isinstance(payload, dict) and "eventNotifications" in payload:
        return _legacy(payload["eventNotifications"])
    if isinstance(payload, dict) and "type" in payload:
        payload = [payload]  # one CloudEvent sent on its own
    if isinstance(payload, list):
        return [change for event in payload if (change := _cloud_event(event))]
    raise MalformedPayload("neither eventNotifications nor CloudEvents")


def _legacy(notifications) -> list[Change]:
    if not isinstance(notifications, list):
        raise MalformedPayload("eventNotifications is not a list")
    changes = []
    for notification in map(_dict, notifications):
        realm_id = _text(notification.get("realmId"), "realm_id")
        entities = _dict(notification.get("dataChangeEvent")).get("entities")
        changes += [change for entity in _list(entities) if (change := _legacy_entity(realm_id, entity))]
    return changes


def _legacy_entity(realm_id: str, entity) -> Change | None:
    entity = _dict(entity)
    name, qbo_id, operation = (_text(entity.get(key), field) for key, field in LEGACY_FIELDS)
    updated = _text(entity.get("lastUpdated"))
    if not (realm_id and name and qbo_id and operation):
        logger.warning("webhook: incomplete legacy entity skipped: realm %r, %r", realm_id, entity)
        return None
    # Legacy events carry no id of their own; a redelivery repeats all of these, a new change does not.
    key = _bounded_key(f"legacy:{realm_id}:{name}:{qbo_id}:{operation}:{updated}")
    return Change(key, realm_id, name, qbo_id, operation, _parse_time(updated))


def _cloud_event(event) -> Change | None:
    event = _dict(event)
    data = _dict(event.get("data"))
    realm_id = _text(event.get("intuitaccountid") or event.get("realmid"), "realm_id")
    qbo_id = _text(event.get("intuitentityid") or data.get("Id") or data.get("id"), "qbo_id")
    entity, operation = _entity_and_operation(_text(event.get("type")))
    event_id = _text(event.get("id"))
    if not (event_id and realm_id and qbo_id and entity):
        logger.warning("webhook: incomplete CloudEvent skipped: %r", event)
        return None
    # Intuit resends a CloudEvent with the same id: that id alone identifies it.
    return Change(
        _bounded_key(f"ce:{event_id}"), realm_id, entity, qbo_id, operation, _parse_time(_text(event.get("time")))
    )


LEGACY_FIELDS = (("name", "entity"), ("id", "qbo_id"), ("operation", "operation"))


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value, field: str | None = None) -> str:
    """A string or number as text; anything else, text too long for its column (`field` of WebhookEvent) and text
    no database stores (a NUL, a lone surrogate) count as missing, so the event is skipped, the body still read."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value)
    if "\x00" in text or (field and len(text) > COLUMN_LENGTHS[field]) or not _encodable(text):
        return ""
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _entity_and_operation(event_type: str) -> tuple[str, str]:
    """`qbo.purchaseorder.created.v1` -> ("PurchaseOrder", "Create"); anything else -> ("", "")."""
    parts = event_type.split(".")
    if len(parts) < 3 or parts[0] != "qbo" or not parts[1]:
        return "", ""
    entity = ENTITY_BY_LOWER.get(parts[1].lower(), parts[1][:1].upper() + parts[1][1:])
    operation = OPERATION_BY_VERB.get(parts[2].lower(), parts[2].capitalize())
    return _text(entity, "entity"), _text(operation, "operation")


def _parse_time(value: str) -> datetime | None:
    """Intuit writes `-0700` offsets (legacy) and nanoseconds (CloudEvents); Django's parser takes both."""
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def _bounded_key(key: str) -> str:
    if len(key) <= KEY_MAX and "\x00" not in key:
        return key
    return "sha256:" + hashlib.sha256(key.encode(errors="surrogatepass")).hexdigest()


# --- recording ----------------------------------------------------------------------------------


def record(changes: list[Change]) -> list[WebhookEvent]:
    """Store the changes not seen before and queue a fetch for each after commit; returns the new events.

    Events for a realm no company has are kept (for the record) but nothing is fetched for them.
    """
    seen = set(
        WebhookEvent.objects.filter(event_key__in=[c.event_key for c in changes]).values_list("event_key", flat=True)
    )
    companies = _companies_by_realm({change.realm_id for change in changes})
    new_events = []
    for change in changes:
        if change.event_key in seen:
            continue
        seen.add(change.event_key)  # the same event twice in one body counts once too
        event, created = WebhookEvent.objects.get_or_create(
            event_key=change.event_key, defaults=_fields(change, companies.get(change.realm_id))
        )  # get_or_create: a concurrent redelivery loses the race
        if created:
            new_events.append(event)
    _queue_fetches(new_events)
    return new_events


def _fields(change: Change, company: Company | None) -> dict:
    return {
        "company": company,
        "realm_id": change.realm_id,
        "entity": change.entity,
        "qbo_id": change.qbo_id,
        "operation": change.operation,
        "changed_at": change.changed_at,
    }


def _companies_by_realm(realm_ids: set[str]) -> dict[str, Company]:
    """A realm id is unique per Intuit environment; the one this deployment talks to wins a tie."""
    found: dict[str, Company] = {}
    for company in Company.objects.filter(realm_id__in=realm_ids):
        if company.realm_id not in found or company.environment == settings.QBO_ENVIRONMENT:
            found[company.realm_id] = company
    return found


def _queue_fetches(events: list[WebhookEvent]) -> None:
    """One fetch per company: it reads every object the company's waiting events name (quickbooks.tasks)."""
    targets = {e.company_id: (e.entity, e.qbo_id) for e in reversed(events) if e.company_id is not None}
    for company_id, (entity, qbo_id) in targets.items():
        transaction.on_commit(partial(_send_fetch, [company_id, entity, qbo_id]))


def _send_fetch(args: list) -> None:
    """After commit. A broker failure must not fail Intuit's delivery (the events are already stored, a retry
    would be ignored as a duplicate): it is logged and noted on the events; the scheduled CDC pull catches up."""
    try:
        send_task(FETCH_TASK, *args)
    except Exception as error:  # noqa: BLE001 - any broker error; the request must still answer 200
        logger.exception("webhook: could not queue %s%r", FETCH_TASK, args)
        WebhookEvent.objects.filter(
            company_id=args[0], entity=args[1], qbo_id=args[2], processed_at=None, error=""
        ).update(
            error=f"Could not queue the fetch ({type(error).__name__}); "
            "the next scheduled sync will pick this change up."
        )


def requeue_unprocessed() -> int:
    """Beat: fetch again what a webhook named and no fetch has taken after `QBO_WEBHOOK_SWEEP_AFTER_SECONDS` (its
    message lost with a dead worker, or never delivered). One fetch per company, which takes all its waiting events
    (and waits behind a pull, covering a second request meanwhile). Returns how many companies were queued."""
    since = timezone.now() - timedelta(seconds=settings.QBO_WEBHOOK_SWEEP_AFTER_SECONDS)
    stale = WebhookEvent.objects.filter(processed_at__isnull=True, company__isnull=False, received_at__lt=since)
    companies = list(stale.order_by().values_list("company_id", flat=True).distinct())
    for company_id in companies:
        entity, qbo_id = stale.filter(company_id=company_id).values_list("entity", "qbo_id").first() or ("", "")
        _send_fetch([company_id, entity, qbo_id])
    return len(companies)
