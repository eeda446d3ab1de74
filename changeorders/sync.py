"""How change orders follow QuickBooks (REST ChangeOrder; QuickBooks Online Advanced only)."""

from django.db import transaction

from projects.estimates.sync import link_estimates_to
from projects.models import Estimate
from projects.project.sync import link_projects_to, project_index
from projects.sales import SALES_DOCUMENT_FIELDS, sales_document_values, sales_line_values
from quickbooks.sync.registry import PulledEntity, register_pull
from quickbooks.sync.upsert import Incoming, known_ids, replace_lines, split_deleted, upsert

from .models import ChangeOrder, ChangeOrderEvent, ChangeOrderLine

PULL_ORDER = 210  # after estimates, so the parent estimate is known
FIELDS = [*SALES_DOCUMENT_FIELDS, "estimate_qbo_id", "estimate_id"]


def parent_estimate(document: dict) -> str:
    """The parent estimate's Id: the header LinkedTxn, else the first line's (QuickBooks keeps them equal)."""
    links = [*(document.get("LinkedTxn") or [])]
    for line in document.get("Line", []):
        links.extend(line.get("LinkedTxn") or [])
    return next((str(link["TxnId"]) for link in links if link.get("TxnType") == "Estimate" and link.get("TxnId")), "")


def change_order_values(document: dict, projects: dict[str, int], estimates: dict[str, int]) -> dict:
    estimate = parent_estimate(document)
    return {
        **sales_document_values(document, projects),
        "estimate_qbo_id": estimate,
        "estimate_id": estimates.get(estimate),
    }


def change_order_line_values(line: dict) -> dict | None:
    values = sales_line_values(line)
    if values is None:
        return None
    links = [link for link in line.get("LinkedTxn") or [] if link.get("TxnType") == "Estimate"]
    return {**values, "linked_estimate_qbo_id": str(links[0]["TxnId"]) if links else ""}


def _estimate_index(company, documents: list[dict]) -> dict[str, int]:
    ids = {parent_estimate(d) for d in documents} - {""}
    return dict(Estimate.objects.filter(company=company, qbo_id__any=ids).values_list("qbo_id", "pk"))


@transaction.atomic
def ingest_change_orders(company, documents: list[dict]) -> int:
    documents, gone = split_deleted(documents)
    projects, estimates = project_index(company), _estimate_index(company, documents)
    incoming = [Incoming(str(d["Id"]), change_order_values(d, projects, estimates)) for d in documents]
    statuses = dict(
        ChangeOrder.objects.filter(company=company, qbo_id__any=[i.qbo_id for i in incoming]).values_list(
            "qbo_id", "booked_status"
        )
    )
    written = upsert(ChangeOrder, company, incoming, FIELDS)
    replace_lines(ChangeOrderLine, "change_order", written.rows, change_order_line_values)
    _record_changes_in_quickbooks(company, [i.qbo_id for i in incoming], statuses)
    return written.count + (remove_change_orders(company, gone) if gone else 0)


def _record_changes_in_quickbooks(company, qbo_ids: list[str], statuses_before: dict[str, str]) -> None:
    """A change order that arrives from QuickBooks, or whose status changed there (a customer's acceptance, say),
    gets a line in its history; Costline's own pushes are recorded when they are made."""
    rows = ChangeOrder.objects.filter(company=company, qbo_id__any=qbo_ids)
    events = []
    for order in rows.only("pk", "qbo_id", "doc_number", "project_id", "booked_status", "booked_subtotal"):
        before = statuses_before.get(order.qbo_id)
        if before == order.booked_status:
            continue
        if before is None:
            detail = f"Arrived from QuickBooks, {order.booked_status}."
        else:
            detail = f"Marked {order.booked_status} in QuickBooks (was {before or 'not yet in QuickBooks'})."
        events.append(ChangeOrderEvent.of(order, ChangeOrderEvent.Action.IN_QUICKBOOKS, detail=detail, booked=True))
    ChangeOrderEvent.objects.bulk_create(events)


@transaction.atomic
def remove_change_orders(company, qbo_ids: list[str]) -> int:
    """Deleted in QuickBooks: gone here too, which lowers the project's contract value (docs/architecture.md,
    Domain rules); the deletion stays in the project's change order history."""
    rows = ChangeOrder.objects.filter(company=company, qbo_id__in=list(qbo_ids))
    ChangeOrderEvent.objects.bulk_create(
        ChangeOrderEvent.of(order, ChangeOrderEvent.Action.DELETED, detail="Deleted in QuickBooks.", booked=True)
        for order in rows
    )
    deleted, _ = rows.delete()
    return deleted


def register() -> None:
    register_pull(
        PulledEntity(
            "ChangeOrder",
            ingest_change_orders,
            remove_change_orders,
            order=PULL_ORDER,
            requires="change_orders",
            known_ids=known_ids(ChangeOrder),
        )
    )
    link_projects_to(ChangeOrder)
    link_estimates_to(ChangeOrder)
