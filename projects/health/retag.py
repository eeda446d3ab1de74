"""Re-tagging: put ProjectRef on a transaction's lines charged through CustomerRef only, in QuickBooks itself.

`request_retag` saves a RetagRequest and its outbox item in one transaction. The outbox sends it with `send_retag`:
read the transaction fresh, set ProjectRef where QuickBooks keeps it for that type (each expense or journal line;
the header of sales forms, payments and time), and send a sparse update with the fresh SyncToken and the whole
Line list (QuickBooks always replaces it whole) under the item's fixed requestid. QuickBooks' answer is ingested
into the ledger at once, in the transaction that marks the item sent, so the health page is right without a pull.
"""

import copy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from quickbooks.client import StaleObjectError, TransientError
from quickbooks.sync import registry
from quickbooks.sync.documents import ref_id
from quickbooks.sync.push import outbox_enqueue
from quickbooks.sync.registry import PushedEntity, register_push

from ..ledger.normalise import EXPENSE_DETAILS
from ..models import Project
from ..models.retag import RetagRequest
from .findings import HEADER_LEVEL, LINE_LEVEL, MiscodedTransaction

ENTITY = "RetagRequest"  # the outbox's name for these items: it edits transactions of several types
RETAGGABLE = (*LINE_LEVEL, *HEADER_LEVEL)


def project_label(project: Project) -> str:
    return project.fully_qualified_name or project.name


def project_ref(project_qbo_id: str, name: str = "") -> dict:
    return {"value": project_qbo_id, "name": name} if name else {"value": project_qbo_id}


# --- Preview --------------------------------------------------------------------------------------------------


def preview(group: MiscodedTransaction, project: Project) -> dict:
    """What "Re-tag" would change, line by line, and what it adds to the project's actuals.

    A line whose CustomerRef names the project itself is counted in the project already; a line charged to the
    project's customer moves into it.
    """
    rows: list[dict] = []
    moving: dict[str, Decimal] = {}  # kind -> amount
    for line in group.lines:
        counted = line.project_qbo_id == project.qbo_id
        if not counted:
            kind = line.get_kind_display()
            moving[kind] = moving.get(kind, 0) + line.amount
        rows.append(
            {
                "line": line,
                "already_counted": counted,
                "customer_after": project_label(project) if group.level == "line" else line.customer_name,
            }
        )
    return {
        "rows": rows,
        "moving": sorted(moving.items()),
        "moving_total": sum(moving.values()),
        "project_ref": project_label(project),
    }


def check_choice(group: MiscodedTransaction, project: Project | None) -> Project:
    """The project must be one this transaction can belong to, and the type one Costline can re-tag; returns it."""
    if group.txn_type not in RETAGGABLE:
        raise ValidationError(f"Costline cannot re-tag a {group.txn_type}: fix it in QuickBooks.")
    if project is None or project not in group.candidates:
        raise ValidationError("Choose one of this customer's projects.")
    if group.waiting:
        raise ValidationError("A re-tag of this transaction is already waiting to be sent to QuickBooks.")
    return project


@transaction.atomic
def request_retag(*, company, group: MiscodedTransaction, project: Project | None, user=None) -> RetagRequest:
    """Save the request and its outbox item together; the outbox sends it after commit."""
    project = check_choice(group, project)  # the same project, known now not to be None
    first = group.first
    retag = RetagRequest.objects.create(
        company=company,
        qbo_id=group.txn_qbo_id,
        sync_token=first.txn_sync_token,
        txn_type=group.txn_type,
        doc_number=first.doc_number,
        line_ids=[line.line_id for line in group.lines],
        project_qbo_id=project.qbo_id,
        project_name=project_label(project),
        amount=group.amount,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    outbox_enqueue(obj=retag)
    return retag


# --- The push -------------------------------------------------------------------------------------------------


def to_document(retag: RetagRequest) -> dict:
    """What the request asks for (the send reads the transaction itself)."""
    return {"ProjectRef": project_ref(retag.project_qbo_id, retag.project_name), "lines": retag.line_ids}


def check_retag(retag: RetagRequest) -> None:
    """Before anything is sent: the project must still be a project in Costline's copy of QuickBooks."""
    project = Project.objects.filter(company_id=retag.company_id, qbo_id=retag.project_qbo_id).first()
    if project is None or project.deleted or not project.active:
        raise ValidationError(
            f"{retag.project_name or retag.project_qbo_id} is no longer an active project in QuickBooks, so "
            'QuickBooks would answer "Invalid ProjectRef". Nothing was changed; choose another project.'
        )


def _line_tie(txn_type: str, line: dict) -> tuple[dict | None, str]:
    """The line's detail holding its CustomerRef (None for a journal line), and the line's ProjectRef id."""
    if txn_type == "JournalEntry":
        detail = line.get("JournalEntryLineDetail") or {}
        return None, ref_id(line.get("ProjectRef") or detail.get("ProjectRef"))
    detail = line.get(line.get("DetailType") or "")
    if line.get("DetailType") not in EXPENSE_DETAILS or not isinstance(detail, dict):
        return None, ref_id(line.get("ProjectRef"))
    return detail, ref_id(line.get("ProjectRef"))


def retagged(retag: RetagRequest, document: dict) -> dict:
    """The sparse update that tags `document` (QuickBooks' current version) to the project; {} when it already is.

    Refuses (ValidationError) when a line is gone or has meanwhile been charged to another project: a person
    should look again rather than Costline overwrite someone's change.
    """
    target = project_ref(retag.project_qbo_id, retag.project_name)
    label = retag.doc_number or retag.qbo_id
    if retag.txn_type in HEADER_LEVEL:
        current = ref_id(document.get("ProjectRef"))
        if current == retag.project_qbo_id:
            return {}
        if current:
            raise ValidationError(
                f"{retag.txn_type} {label} is now charged to another project in QuickBooks "
                f"(id {current}). Nothing was changed."
            )
        return {"ProjectRef": target}
    lines = copy.deepcopy(document.get("Line") or [])
    by_id = {str(line.get("Id", "")): line for line in lines}
    changed = False
    for line_id in retag.line_ids:
        line = by_id.get(str(line_id))
        if line is None:
            raise ValidationError(
                f"Line {line_id} is no longer on {retag.txn_type} {label} in QuickBooks. Nothing "
                "was changed; check the transaction there."
            )
        detail, current = _line_tie(retag.txn_type, line)
        if current == retag.project_qbo_id:
            continue
        if current:
            raise ValidationError(
                f"Line {line_id} of {retag.txn_type} {label} is now charged to another project in "
                f"QuickBooks (id {current}). Nothing was changed."
            )
        line["ProjectRef"] = dict(target)
        if detail is not None:  # an expense line's Customer/Project column names the project itself
            detail["CustomerRef"] = dict(target)
        changed = True
    return {"Line": lines} if changed else {}


def send_retag(client, retag: RetagRequest, document: dict, request_id: str) -> dict:
    """Read fresh, tag, sparse-update under `request_id`. A write that slipped in between the read and the update
    (stale SyncToken) is read again once, under a derived requestid; twice is left to the outbox's retry."""
    for attempt, rid in enumerate((request_id, f"{request_id[:40]}-r1")):
        fresh = client.read(retag.txn_type, retag.qbo_id)
        changes = retagged(retag, fresh)
        if not changes:
            return fresh
        update = {**changes, "Id": fresh["Id"], "SyncToken": fresh["SyncToken"]}
        try:
            return client.update(retag.txn_type, update, request_id=rid, sparse=True)
        except StaleObjectError:
            if attempt:
                raise TransientError(
                    f"{retag.txn_type} {retag.doc_number or retag.qbo_id} keeps changing in "
                    "QuickBooks; Costline will try again shortly."
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def apply_retag(retag: RetagRequest, document: dict) -> RetagRequest:
    """QuickBooks' version of the transaction: kept on the request and, at once, in the project ledger."""
    retag.sync_token = str(document.get("SyncToken", ""))
    retag.qbo_document = document
    retag.save(update_fields=["sync_token", "qbo_document"])
    registry.pulled_entity(retag.txn_type).ingest(retag.company, [document])
    return retag


def register() -> None:
    register_push(PushedEntity(ENTITY, RetagRequest, to_document, apply_retag, send=send_retag, check=check_retag))
