"""QuickBooks' name lists mirrored into `ReferenceRecord`: page ingest, deactivation, registration with the engine.

Pages go through the same `upsert` as every domain document, keyed by (company, entity, qbo_id).
"""

from functools import partial

from django.db import transaction

from ..models import Company, ReferenceRecord, SyncState
from ..models.references import REFERENCE_ENTITIES
from ..models.sync import LOCAL_CHANGES
from .documents import ref_id
from .registry import PulledEntity, register_pull, run_ingest_hooks
from .upsert import SYNCED_FIELDS, Incoming, known_ids, synced_rest, upsert

PEOPLE = ("Customer", "Vendor", "Employee")  # named by DisplayName; the other lists by Name
NOT_IN_CDC = ("TaxCode",)  # Intuit's CDC refuses TaxCode: pulled by LastUpdatedTime instead
REFERENCE_ORDER = 10  # before every transaction, which names these
FIELDS = ["name", "fully_qualified_name", "active", "parent_qbo_id", "is_project", "is_job", *SYNCED_FIELDS]


def record_values(entity: str, document: dict) -> dict:
    """The values of a row holding `document` exactly, with the columns lists and pickers filter on."""
    name = str(document.get("DisplayName" if entity in PEOPLE else "Name") or "")
    return {
        "name": name,
        "fully_qualified_name": str(document.get("FullyQualifiedName") or name),
        "active": bool(document.get("Active", True)),
        "parent_qbo_id": ref_id(document.get("ParentRef")),
        "is_project": bool(document.get("IsProject", False)),
        "is_job": bool(document.get("Job", False)),
        **synced_rest(document),
    }


def ingest(company: Company, documents: list[dict], *, entity: str) -> int:
    """Upsert one page in one transaction; returns rows written (unchanged rows and local edits are not)."""
    with transaction.atomic():
        incoming = [Incoming(str(d["Id"]), record_values(entity, d)) for d in documents]
        written = upsert(ReferenceRecord, company, incoming, FIELDS, scope={"entity": entity})
        run_ingest_hooks(entity, company, documents)
    return written.count


def remove(company: Company, qbo_ids: list[str], *, entity: str) -> int:
    """QuickBooks never deletes a name-list entry (transactions still name it): mark it inactive instead. An entry
    with a local edit waiting becomes a conflict with QuickBooks' deletion, for a person to settle."""
    with transaction.atomic():
        rows = ReferenceRecord.objects.filter(company=company, entity=entity, qbo_id__in=[str(i) for i in qbo_ids])
        for qbo_id in rows.filter(sync_state__in=LOCAL_CHANGES).values_list("qbo_id", flat=True):
            rows.filter(qbo_id=qbo_id).update(
                sync_state=SyncState.CONFLICT, conflict_document={"Id": qbo_id, "status": "Deleted"}
            )
        return rows.exclude(sync_state__in=LOCAL_CHANGES).filter(active=True).update(active=False)


def register() -> None:
    """Register every name list with the pull engine (called from QuickbooksConfig.ready)."""
    for entity in REFERENCE_ENTITIES:
        register_pull(
            PulledEntity(
                name=entity,
                ingest=partial(ingest, entity=entity),
                remove=partial(remove, entity=entity),
                order=REFERENCE_ORDER,
                cdc=entity not in NOT_IN_CDC,
                known_ids=known_ids(ReferenceRecord, entity=entity),
            )
        )
