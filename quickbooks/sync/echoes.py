"""Recognising Costline's own creates when QuickBooks echoes them back, so nothing is ever mirrored twice.

A create's reply can be lost (a dropped connection, a worker killed mid-push) after QuickBooks committed it. The
outbox retries under the same requestid and gets the first reply, but meanwhile a webhook fetch, a CDC pull or a
full pull may already have read the new object, whose Id no local row holds yet. Intuit does not echo the
requestid, so the correlation is Costline's own (docs/architecture.md, "Own creates"):

- Before a create is sent, the document sent is kept on its outbox item (`sent_document`). A pulled object with an
  unknown Id whose fields hold everything a create still waiting for its reply sent is that create's object: the
  waiting row takes its Id (`own_creates`, called by every upsert) instead of a second row being inserted.
- Whatever slips past that (QuickBooks changed the object before it was read), the create's reply settles: the row
  that pulled it as a stranger is folded into the row that created it (`make_room`), before the reply is applied.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import OutboxItem

WAITING_FOR_REPLY = (OutboxItem.Status.SENDING, OutboxItem.Status.PENDING, OutboxItem.Status.FAILED)
DERIVED_LINES = ("SubTotalLineDetail",)  # lines QuickBooks adds to what it was sent


def holds(sent: Any, found: Any) -> bool:
    """Whether QuickBooks' `found` holds every value of `sent`, seen through the shape sent.

    The names of references are QuickBooks' to write (it may spell an item's name its own way), lines it derives
    (subtotals) are skipped, and numbers compare by value (8 equals 8.00).
    """
    if isinstance(sent, dict):
        if not isinstance(found, dict):
            return False
        keys = [key for key in sent if not (key == "name" and "value" in sent)]
        return all(holds(sent[key], found.get(key)) for key in keys)
    if isinstance(sent, list):
        if not isinstance(found, list):
            return False
        kept = [item for item in found if not (isinstance(item, dict) and item.get("DetailType") in DERIVED_LINES)]
        return len(kept) == len(sent) and all(holds(a, b) for a, b in zip(sent, kept, strict=True))
    return sent == found


def waiting_creates(model: type[models.Model], company: Any) -> list[OutboxItem]:
    """The company's creates of `model` that were sent (or may have been) and whose reply has not been taken."""
    content_type = ContentType.objects.get_for_model(model)
    return list(
        OutboxItem.objects.filter(
            company=company,
            content_type=content_type,
            operation=OutboxItem.Operation.CREATE,
            status__in=WAITING_FOR_REPLY,
            sent_document__isnull=False,
        ).order_by("created", "pk")
    )


def own_creates(model: type[Any], company: Any, documents: dict[str, Any]) -> dict[str, Any]:
    """Of `documents` (QuickBooks Id -> document) that no local row holds, those that are Costline's own creates
    still waiting for their reply: Id -> the local row that created it (its Id not yet set). Two queries at most."""
    items = waiting_creates(model, company) if documents else []
    if not items:
        return {}
    rows = {row.pk: row for row in model.objects.filter(pk__in=[item.object_id for item in items])}
    found: dict[str, Any] = {}
    for qbo_id, document in documents.items():
        for item in items:
            row = rows.get(item.object_id)
            if row is None or row in found.values():
                continue
            if row.qbo_id == qbo_id or (not row.qbo_id and holds(item.sent_document, document)):
                found[qbo_id] = row
                break
    return found


def make_room(obj: Any, qbo_id: str) -> None:
    """Before `obj` takes the Id its create's reply names: another row holding that Id was pulled as a stranger
    (a mirror with nothing of its own waiting) and is folded into `obj`: what pointed at it points at `obj`, then it
    goes. A row that is itself one of Costline's waiting creates gives the Id up instead and waits for its own."""
    if not qbo_id:  # an answer without an id names no row to make room in
        return
    model = type(obj)
    other = model.objects.filter(company_id=obj.company_id, qbo_id=qbo_id).exclude(pk=obj.pk).first()
    if other is None:
        return
    content_type = ContentType.objects.get_for_model(model)
    its_items = OutboxItem.objects.filter(content_type=content_type, object_id=other.pk)
    if its_items.filter(operation=OutboxItem.Operation.CREATE, status__in=WAITING_FOR_REPLY).exists():
        model.objects.filter(pk=other.pk).update(qbo_id="")
        return
    its_items.update(object_id=obj.pk)  # an edit made on the stranger is an edit of the same QuickBooks object
    for relation in model._meta.related_objects:
        if relation.one_to_many and relation.on_delete is models.SET_NULL:
            relation.related_model.objects.filter(**{relation.field.name: other}).update(**{relation.field.name: obj})
    other.delete()
