"""Writes to change orders: draft, save and send, set the customer's decision, delete; each step in the history.

The workflow (who and when): a project manager drafts; an accountant or admin sends it to QuickBooks (Pending)
and records the customer's decision: accepted, with the name and date of who accepted, or rejected. The contract
value moves only when QuickBooks holds it as accepted (docs/figures.md). Estimates and change orders cannot be
voided in QuickBooks (the API has no void for them); a change order is rejected, or deleted.

A write that goes to QuickBooks saves the change order, its lines and an outbox row in one transaction
(`outbox_enqueue`); the outbox sends it after commit (changeorders/push.py says what is checked first).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from projects.documents.forms import HEADER_FIELDS, MAX_LINES, STATUS_FIELDS
from projects.documents.lines import check_amounts, line_totals, priced, replace_item_lines, stored_values
from projects.documents.state import can_edit, can_send, is_draft, number_before_sending, plan_allows
from projects.estimates.services import check_sendable
from projects.models import Estimate, Project, TxnStatus
from quickbooks.models import Membership, OutboxItem
from quickbooks.sync.push import outbox_enqueue

from .models import ChangeOrder, ChangeOrderEvent
from .push import NO_CHANGE_ORDERS, check_change_order, total_problem

SETTABLE_STATUSES = (TxnStatus.PENDING, TxnStatus.ACCEPTED, TxnStatus.REJECTED)
COMPUTED_FIELDS = [
    "doc_number",
    "customer_qbo_id",
    "customer_name",
    "project",
    "project_qbo_id",
    "estimate",
    "estimate_qbo_id",
    "total_amount",
    "total_cost_amount",
]
Action = ChangeOrderEvent.Action


def parents(project: Project):
    """The estimates a change order may change: the project's accepted project estimates known to QuickBooks."""
    return (
        Estimate.objects.signed()
        .filter(company_id=project.company_id, project=project)
        .exclude(qbo_id="")
        .exclude(project_qbo_id="")
        .order_by("-txn_date", "-id")
    )


def offered(company) -> bool:
    """Change orders come with QuickBooks Online Advanced: other plans get no form (and 5020 from QuickBooks)."""
    return plan_allows(company, "change_orders")


def record(change_order: ChangeOrder, action: str, by: Membership | None, detail: str = "") -> ChangeOrderEvent:
    """A step in the change order's history, with who took it."""
    event = ChangeOrderEvent.of(change_order, action, by=by.user if by else None, detail=detail)
    event.save()
    return event


def _check_offered(change_order: ChangeOrder) -> None:
    if not offered(change_order.company):
        raise ValidationError(NO_CHANGE_ORDERS)


def _take_parent(change_order: ChangeOrder, project: Project) -> None:
    """The parent must be one of the project's accepted project estimates in QuickBooks."""
    parent = change_order.estimate
    if parent is None or not parents(project).filter(pk=parent.pk).exists():
        raise ValidationError(
            "Choose one of this project's accepted project estimates in QuickBooks: a change order changes one of them."
        )
    change_order.estimate_qbo_id = parent.qbo_id


def _take_project(change_order: ChangeOrder, send: bool) -> None:
    project = change_order.project
    if project is None:  # cannot happen: the pages only save change orders of their own project
        raise ValueError("A change order is saved from its project's page: it must have a project.")
    change_order.customer_qbo_id, change_order.customer_name = project.customer_qbo_id, project.customer_name
    _take_parent(change_order, project)
    if send:
        check_sendable(change_order)
        number_before_sending(change_order)
    else:  # a draft names its project only locally, so no figure counts it
        change_order.project_qbo_id = ""


def change_order_save(*, change_order: ChangeOrder, lines: list[dict], by: Membership, send: bool) -> OutboxItem | None:
    """Save the change order (header and parent already set) and its item lines, each linking the parent; with
    `send`, queue it for QuickBooks in the same transaction. Raises ValidationError (nothing saved, nothing queued)
    when QuickBooks would refuse it; PermissionDenied when `by` may not do this."""
    if send and not can_send(by):
        raise PermissionDenied("Only accountants and admins send change orders to QuickBooks.")
    if not can_edit(by, change_order):
        raise PermissionDenied("This change order is in QuickBooks: only accountants and admins change it.")
    draft, new = is_draft(change_order), change_order.pk is None
    if not send and not draft:
        raise PermissionDenied("This change order is in QuickBooks: changes to it are sent to QuickBooks.")
    _check_offered(change_order)
    if not lines:
        raise ValidationError("Add at least one line.")
    if len(lines) > MAX_LINES:
        raise ValidationError(f"A change order takes at most {MAX_LINES} lines.")
    _take_project(change_order, send)
    priced_lines = [stored_values(priced(line)) for line in lines]
    totals = line_totals(priced_lines)
    for problem in (check_amounts(priced_lines, totals, "The change order"), total_problem(totals.amount)):
        if problem:
            raise ValidationError(problem)
    change_order.total_amount, change_order.total_cost_amount = totals.amount, totals.cost
    if send:
        check_change_order(change_order)
    with transaction.atomic():
        if change_order.pk:  # only what the form owns: a worker may be writing the QuickBooks fields meanwhile
            change_order.save(update_fields=HEADER_FIELDS + COMPUTED_FIELDS)
        else:
            change_order.save()
        replace_item_lines(change_order, priced_lines, extra={"linked_estimate_qbo_id": change_order.estimate_qbo_id})
        item = outbox_enqueue(obj=change_order) if send else None
        if send and draft:
            record(change_order, Action.SENT, by)
        else:
            record(change_order, Action.DRAFTED if new else Action.EDITED, by, "" if draft else "Sent to QuickBooks.")
        return item


def change_order_send(*, change_order: ChangeOrder, by: Membership) -> OutboxItem:
    """Send a saved draft to QuickBooks (an accountant's call); it arrives Pending, for the customer to decide."""
    if not can_send(by):
        raise PermissionDenied("Only accountants and admins send change orders to QuickBooks.")
    _check_offered(change_order)
    if change_order.project is None:
        raise ValidationError("This change order has lost its project: it cannot be sent.")
    _take_parent(change_order, change_order.project)
    check_sendable(change_order)
    number_before_sending(change_order)
    check_change_order(change_order)
    with transaction.atomic():
        change_order.save(update_fields=["project_qbo_id", "doc_number", "estimate_qbo_id"])
        item = outbox_enqueue(obj=change_order)
        record(change_order, Action.SENT, by)
        return item


def change_order_set_status(
    *, change_order: ChangeOrder, status: str, accepted_by: str, accepted_date: date | None, by: Membership
) -> OutboxItem:
    """The customer's decision, sent to QuickBooks: Accepted (by whom, when), Rejected, or back to Pending."""
    if not can_send(by):
        raise PermissionDenied("Only accountants and admins record a customer's decision.")
    if is_draft(change_order):
        raise ValidationError("Send the change order to QuickBooks first: the customer decides on what they were sent.")
    if status not in SETTABLE_STATUSES:
        raise ValidationError("Choose Pending, Accepted or Rejected.")
    accepted = status == TxnStatus.ACCEPTED
    if accepted and not (accepted_by.strip() and accepted_date):
        raise ValidationError("Say who accepted the change order and on what date: both go to QuickBooks.")
    change_order.status = status
    change_order.accepted_by, change_order.accepted_date = (
        (accepted_by.strip(), accepted_date) if accepted else ("", None)
    )
    check_sendable(change_order)
    check_change_order(change_order)
    detail = f"Accepted by {accepted_by.strip()} on {accepted_date:%Y-%m-%d}." if accepted and accepted_date else ""
    with transaction.atomic():
        change_order.save(update_fields=[*STATUS_FIELDS, "project_qbo_id"])
        item = outbox_enqueue(obj=change_order)
        record(change_order, Action.STATUS, by, detail)
        return item


def change_order_delete(*, change_order: ChangeOrder, by: Membership) -> OutboxItem | None:
    """A draft is deleted here (whoever may edit it); one in QuickBooks is deleted there first (an accountant's call),
    and goes from Costline once QuickBooks confirms. Returns the outbox item, or None for a draft."""
    if is_draft(change_order):
        if not can_edit(by, change_order):
            raise PermissionDenied("Your role does not allow changing this change order.")
        with transaction.atomic():
            record(change_order, Action.DELETED, by, "A draft: nothing was in QuickBooks.")
            ChangeOrderEvent.objects.filter(change_order=change_order).update(change_order=None)
            change_order.delete()
        return None
    if not can_send(by):
        raise PermissionDenied("Only accountants and admins delete a change order in QuickBooks.")
    if not change_order.qbo_id:
        raise ValidationError(
            "This change order is still on its way to QuickBooks: once it has arrived (this page shows it), delete it."
        )
    with transaction.atomic():
        item = outbox_enqueue(obj=change_order, operation=OutboxItem.Operation.DELETE)
        record(change_order, Action.DELETE_REQUESTED, by)
        return item
