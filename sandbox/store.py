"""Primitives every part of the simulator writes QuickBooks objects through.

They keep the bookkeeping QuickBooks does on every object: Id assignment, SyncToken increments,
MetaData times, the indexed columns copied out of the document, and a change notification (for CDC
and webhooks, see `sandbox.events`). Business rules live in the REST and GraphQL layers above.
"""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import events
from .errors import not_found, stale_object
from .models import Counter, Entity, Realm
from .timefmt import intuit_time

# Name-list entities carry a display name; transactions a document number and date.
NAME_FIELDS = ("DisplayName", "Name", "DocNumber", "FullyQualifiedName")
# A project Customer keeps the Projects GraphQL API's fields under this key (`sandbox.graphql.projects`);
# a field it lacks has the default here.
PROJECT_KEY = "_project"
PROJECT_DEFAULTS = {"status": "OTHER", "deleted": False}
INT_RANGE = range(-(2**31), 2**31)  # GraphQL's Int: a priority outside it can equal no filter value


def next_id(realm: Realm, name: str) -> int:
    """The next number in this realm's sequence `name` (an entity type, a budget id...)."""
    with transaction.atomic(using="sandbox"):
        counter, _ = Counter.objects.get_or_create(realm=realm, name=name)
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
        counter.refresh_from_db(fields=["value"])
        return counter.value


def hold(realm: Realm, name: str) -> None:
    """Lock this realm's sequence `name` until the surrounding transaction ends.

    Writers that number something from what is already stored (a DocNumber) hold the sequence first, so two of
    them run one after the other: a row lock on PostgreSQL; on SQLite the IMMEDIATE transactions already let one
    writer in at a time. Holding the entity type's own Id sequence adds no row of its own.
    """
    Counter.objects.get_or_create(realm=realm, name=name)
    list(Counter.objects.select_for_update().filter(realm=realm, name=name))


def _index_columns(entity: Entity, document: dict) -> None:
    entity.name = next((str(document[f]) for f in NAME_FIELDS if document.get(f)), "")[:500]
    txn_date = document.get("TxnDate")
    entity.txn_date = date.fromisoformat(txn_date) if txn_date else None
    entity.active = document.get("Active", True) is not False
    project_columns(entity, document)


def project_columns(entity: Entity, document: dict) -> None:
    """The project fields the Projects API's listing filters and orders on, as `graphql.projects.node` reads them.

    A value of a type that no filter value can equal (a customer id that is not a string, a priority that is not
    a whole number in GraphQL's Int range, ...) is kept as NULL, which equals nothing either.
    """
    fields = {**PROJECT_DEFAULTS, **(document.get(PROJECT_KEY) or {})}
    entity.is_project = document.get("IsProject") is True
    if not entity.is_project:
        fields = {"deleted": False}
    customer = (document.get("ParentRef") or {}).get("value") if entity.is_project else None
    entity.project_customer = customer if isinstance(customer, str) and customer else None
    entity.project_status = _text(fields.get("status"))
    entity.project_type = _text(fields.get("type"))
    entity.project_priority = _whole(fields.get("priority"))
    entity.project_due = _text(fields.get("dueDate"))
    entity.project_start = _text(fields.get("startDate"))
    entity.project_deleted = bool(fields.get("deleted"))


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _whole(value) -> int | None:
    """`value` as an int if it equals one (True equals 1, Decimal("5") equals 5, as in Python), else None."""
    try:
        number = int(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number if number == value and number in INT_RANGE else None


def create(realm: Realm, type_: str, document: dict, *, at=None) -> Entity:
    """Store a new object; assigns Id, SyncToken "0" and MetaData. Returns the saved Entity."""
    moment = at or timezone.now()
    qbo_id = next_id(realm, type_)
    document = {
        **document,
        "Id": str(qbo_id),
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "MetaData": {"CreateTime": intuit_time(moment), "LastUpdatedTime": intuit_time(moment)},
    }
    entity = Entity(realm=realm, type=type_, qbo_id=qbo_id, sync_token=0, created_at=moment, updated_at=moment)
    entity.document = document
    _index_columns(entity, document)
    entity.save(using="sandbox")
    events.entity_changed(entity, "Create")
    return entity


def get(realm: Realm, type_: str, qbo_id, *, for_update: bool = False) -> Entity:
    """The live (not deleted) object, or Intuit's 610 Object Not Found."""
    try:
        qbo_id = int(qbo_id)
    except (TypeError, ValueError):
        raise not_found(type_, qbo_id) from None
    queryset = Entity.objects.filter(realm=realm, type=type_, qbo_id=qbo_id, deleted=False)
    if for_update:
        queryset = queryset.select_for_update()
    entity = queryset.first()
    if entity is None:
        raise not_found(type_, qbo_id)
    return entity


def check_sync_token(entity: Entity, sync_token) -> None:
    """Intuit's optimistic lock: an update or delete must carry the current SyncToken (5010 otherwise)."""
    if str(sync_token) != str(entity.sync_token):
        raise stale_object()


def save(entity: Entity, document: dict, *, operation: str = "Update", at=None) -> Entity:
    """Store a new version: SyncToken + 1, LastUpdatedTime now; Id, CreateTime and domain kept."""
    moment = at or timezone.now()
    old = entity.document
    entity.sync_token += 1
    document = {
        **document,
        "Id": old["Id"],
        "SyncToken": str(entity.sync_token),
        "domain": "QBO",
        "sparse": False,
        "MetaData": {**old.get("MetaData", {}), "LastUpdatedTime": intuit_time(moment)},
    }
    entity.document = document
    entity.updated_at = moment
    _index_columns(entity, document)
    entity.save(using="sandbox")
    events.entity_changed(entity, operation)
    return entity


def delete(entity: Entity, *, at=None) -> Entity:
    """QuickBooks' hard delete: gone from reads and queries, reported by CDC as a `Deleted` stub."""
    moment = at or timezone.now()
    entity.deleted = True
    entity.updated_at = moment
    entity.save(using="sandbox", update_fields=["deleted", "updated_at"])
    events.entity_changed(entity, "Delete")
    return entity
