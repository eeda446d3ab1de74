"""QuickBooks' name lists mirrored into `ReferenceRecord`: page ingest, deactivation, registration with the engine."""

from datetime import datetime
from functools import partial

from django.db import transaction

from ..models import ReferenceRecord, SyncState
from ..models.references import REFERENCE_ENTITIES
from .bulk import insert_rows
from .registry import PulledEntity, register_pull, run_ingest_hooks

PEOPLE = ("Customer", "Vendor", "Employee")  # named by DisplayName; the other lists by Name
NOT_IN_CDC = ("TaxCode",)  # Intuit's CDC refuses TaxCode: pulled by LastUpdatedTime instead
REFERENCE_ORDER = 10  # before every transaction, which names these
LOCAL_CHANGES = (SyncState.PENDING_PUSH, SyncState.FAILED, SyncState.CONFLICT)
UPDATE_FIELDS = ["name", "fully_qualified_name", "active", "parent_qbo_id", "is_project", "is_job", "sync_token",
                 "qbo_updated_at", "qbo_document", "sync_state", "sync_error", "conflict_document"]


def qbo_time(document: dict) -> datetime | None:
    """MetaData.LastUpdatedTime as an aware datetime (Intuit sends ISO 8601 with an offset)."""
    value = (document.get("MetaData") or {}).get("LastUpdatedTime")
    return datetime.fromisoformat(value) if value else None


def record(company, entity: str, document: dict) -> dict:
    """The values of a row holding `document` exactly, with the columns lists and pickers filter on."""
    name = str(document.get("DisplayName" if entity in PEOPLE else "Name") or "")
    return dict(
        company_id=company.pk, entity=entity, qbo_id=str(document["Id"]), sync_token=str(document.get("SyncToken", "")),
        qbo_updated_at=qbo_time(document), qbo_document=document, sync_state=SyncState.SYNCED, sync_error="",
        conflict_document=None, name=name, fully_qualified_name=str(document.get("FullyQualifiedName") or name),
        active=bool(document.get("Active", True)), parent_qbo_id=str((document.get("ParentRef") or {}).get("value")
                                                                      or ""),
        is_project=bool(document.get("IsProject", False)), is_job=bool(document.get("Job", False)),
    )


def _local(company, entity: str, qbo_ids) -> dict[str, tuple]:
    rows = ReferenceRecord.objects.filter(company=company, entity=entity, qbo_id__in=list(qbo_ids))
    fields = ("qbo_id", "sync_state", "sync_token", "qbo_document", "conflict_document")
    return {row[0]: row[1:] for row in rows.values_list(*fields)}


def ingest(company, documents: list[dict], *, entity: str) -> int:
    """Upsert one page in one transaction; returns rows written (unchanged rows and local edits are not)."""
    with transaction.atomic():
        local = _local(company, entity, (str(d["Id"]) for d in documents))
        rows, conflicts = [], []
        for document in documents:
            state, token, known, conflict = local.get(str(document["Id"]), (None, None, None, None))
            if state in LOCAL_CHANGES:
                # A local edit still waiting to go out wins the row; a newer remote version makes it a conflict.
                if str(document.get("SyncToken", "")) != token and conflict != document:
                    conflicts.append(document)
            elif state is None or state != SyncState.SYNCED or known != document:
                rows.append(record(company, entity, document))
        # INSERT .. ON CONFLICT DO UPDATE, as bulk_create(update_conflicts=True), without a model per row.
        insert_rows(ReferenceRecord, rows, unique_fields=["company", "entity", "qbo_id"], update_fields=UPDATE_FIELDS)
        for document in conflicts:
            _mark_conflict(company, entity, str(document["Id"]), document)
        run_ingest_hooks(entity, company, documents)
    return len(rows) + len(conflicts)


def _mark_conflict(company, entity: str, qbo_id: str, document: dict) -> None:
    ReferenceRecord.objects.filter(company=company, entity=entity, qbo_id=qbo_id).update(
        sync_state=SyncState.CONFLICT, conflict_document=document)


def remove(company, qbo_ids: list[str], *, entity: str) -> int:
    """QuickBooks never deletes a name-list entry (transactions still name it): mark it inactive instead."""
    with transaction.atomic():
        rows = ReferenceRecord.objects.filter(company=company, entity=entity, qbo_id__in=[str(i) for i in qbo_ids])
        for qbo_id in rows.filter(sync_state__in=LOCAL_CHANGES).values_list("qbo_id", flat=True):
            _mark_conflict(company, entity, qbo_id, {"Id": qbo_id, "status": "Deleted"})
        return rows.exclude(sync_state__in=LOCAL_CHANGES).filter(active=True).update(active=False)


def known_ids(company, *, entity: str) -> set[str]:
    """The QuickBooks ids held locally, so a whole pull can find entries QuickBooks no longer has."""
    return set(ReferenceRecord.objects.filter(company=company, entity=entity).exclude(qbo_id="")
               .values_list("qbo_id", flat=True))


def register() -> None:
    """Register every name list with the pull engine (called from QuickbooksConfig.ready)."""
    for entity in REFERENCE_ENTITIES:
        register_pull(PulledEntity(
            name=entity, ingest=partial(ingest, entity=entity), remove=partial(remove, entity=entity),
            order=REFERENCE_ORDER, cdc=entity not in NOT_IN_CDC, known_ids=partial(known_ids, entity=entity),
        ))
