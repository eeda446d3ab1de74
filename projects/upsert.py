"""Bulk upsert of one page of QuickBooks documents into a SyncedObject model, keeping local edits safe.

One SELECT finds the rows already known, then one bulk INSERT and one bulk upsert by primary key write the page: a fixed
number of queries per page, whatever its size. A row with local changes still waiting to be pushed is never
overwritten: when QuickBooks sends a different version, it is kept in `conflict_document` and the row is marked
CONFLICT (DESIGN.md section 4), for a person to settle.
"""

from dataclasses import dataclass, field

from quickbooks.models import SyncState
from quickbooks.sync.bulk import insert_rows

BATCH = 500


@dataclass
class Incoming:
    """One document's values for the model's fields (sync_token, qbo_updated_at, qbo_document included)."""

    qbo_id: str
    values: dict


@dataclass
class Written:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)

    @property
    def rows(self) -> list:
        """The rows that now hold QuickBooks' version (their child rows must follow it)."""
        return self.created + self.updated

    @property
    def count(self) -> int:
        return len(self.created) + len(self.updated) + len(self.conflicts)


def is_new_version(obj, values: dict) -> bool:
    """QuickBooks changed the object since the local copy was taken: another SyncToken or, for objects without
    one (GraphQL projects and budgets), another document."""
    token = values.get("sync_token", "")
    if token or obj.sync_token:
        return token != obj.sync_token
    return values.get("qbo_document") != obj.qbo_document


def upsert(model, company, incoming: list[Incoming], fields: list[str], *, version=is_new_version,
           document_field: str = "qbo_document") -> Written:
    """Write `incoming` into `model` rows of `company` keyed by qbo_id; `fields` are those the values set.

    `version(obj, values)` says whether QuickBooks' version differs from the local row's; on a conflict the
    incoming `document_field` is what is kept for the person who settles it.
    """
    latest = {item.qbo_id: item.values for item in incoming}  # a page naming an object twice: the last wins
    known = {obj.qbo_id: obj for obj in model.objects.filter(company=company, qbo_id__in=list(latest))}
    written = Written()
    for qbo_id, values in latest.items():
        obj = known.get(qbo_id)
        if obj is None:
            written.created.append(model(company=company, qbo_id=qbo_id, **values))
        elif not obj.has_local_changes:
            for name in fields:
                setattr(obj, name, values[name])
            written.updated.append(obj)
        elif version(obj, values):
            obj.conflict_document = values.get(document_field)
            obj.sync_state = SyncState.CONFLICT
            written.conflicts.append(obj)
    _create(model, company, written.created)
    if written.updated:
        # INSERT .. ON CONFLICT (id) DO UPDATE: one statement a batch. bulk_update's CASE WHEN per field is several
        # times slower, and the conditional (company, qbo_id) constraint cannot be an ON CONFLICT target.
        model.objects.bulk_create(written.updated, batch_size=BATCH, update_conflicts=True, unique_fields=["id"],
                                  update_fields=fields)
    if written.conflicts:
        model.objects.bulk_update(written.conflicts, ["conflict_document", "sync_state"], batch_size=BATCH)
    return written


def _create(model, company, objs: list) -> None:
    """INSERT new rows without bulk_create's per-value compiling (most of a first pull's time), then read their
    pks back in one SELECT: callers write child rows for them."""
    if not objs:
        return
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    insert_rows(model, [{name: getattr(obj, name) for name in fields} for obj in objs])
    found = model.objects.filter(company=company, qbo_id__in=[obj.qbo_id for obj in objs])
    pks = dict(found.values_list("qbo_id", "pk"))
    for obj in objs:
        obj.pk = pks[obj.qbo_id]
        obj._state.adding, obj._state.db = False, found.db  # as bulk_create leaves them: saved rows


def synced(document: dict, *, sync_token: str = "", updated_at=None) -> dict:
    """The SyncedObject part of a row's values: QuickBooks' version, nothing waiting, no conflict."""
    return {
        "sync_token": sync_token,
        "qbo_updated_at": updated_at,
        "qbo_document": document,
        "sync_state": SyncState.SYNCED,
        "sync_error": "",
        "conflict_document": None,
    }


SYNCED_FIELDS = ["sync_token", "qbo_updated_at", "qbo_document", "sync_state", "sync_error", "conflict_document"]
