"""Writes to project estimates: save (as a draft, or queued for QuickBooks), send a draft, change the status.

A write that goes to QuickBooks saves the estimate, its lines and an outbox row in one transaction
(`outbox_enqueue`); the outbox sends it after commit, merges or raises a conflict on a stale SyncToken, and
puts QuickBooks' refusals on the estimate. Project managers draft; accountants and admins send.

Until Estimate has a draft flag, a draft is an estimate that was never queued: no QuickBooks id and no outbox
row. A draft names its project through the local foreign key only; `project_qbo_id` (QuickBooks' ProjectRef) is
set when it is sent, so the dashboard's contract value (QuickBooks data only) does not count drafts.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from quickbooks.models import Membership, OutboxItem
from quickbooks.sync.push import outbox_enqueue

from ..documents.forms import HEADER_FIELDS, MAX_LINES, STATUS_FIELDS
from ..documents.lines import check_amounts, line_totals, priced, replace_item_lines, stored_values
from ..documents.state import can_edit, can_send, is_draft, number_before_sending
from ..models import Estimate, TxnStatus
from .push import check_project_ref

COMPUTED_FIELDS = [
    "doc_number",
    "customer_qbo_id",
    "customer_name",
    "project",
    "project_qbo_id",
    "total_amount",
    "total_cost_amount",
]
SETTABLE_STATUSES = (TxnStatus.PENDING, TxnStatus.ACCEPTED, TxnStatus.CLOSED, TxnStatus.REJECTED)


def total_problem(total: Decimal, confirmed: Decimal | None) -> str | None:
    """A zero or negative estimate is allowed (a no-charge or credit scope), but only when someone says so."""
    if total > 0 or confirmed == total:
        return None
    kind = "zero" if total == 0 else "negative"
    return f"This estimate's total is {kind} ({total:,}). Tick the box to confirm that is what you mean, then save."


# --- Writes --------------------------------------------------------------------------------------------------


def check_sendable(document) -> None:
    """Before an estimate or change order is queued: its project must be in QuickBooks, and its ProjectRef a real
    project. Sets the document's ProjectRef from its project."""
    project, noun = document.project, document._meta.verbose_name
    if project is None or not project.qbo_id:
        raise ValidationError(
            f"This project is not in QuickBooks yet, so the {noun} cannot name it. Sync the "
            "company, or create the project in QuickBooks first."
        )
    document.project_qbo_id = project.qbo_id
    try:
        check_project_ref(document)
    except ValidationError as error:
        if not document.customer_qbo_id:
            raise ValidationError(
                f"QuickBooks names no customer for {project}: sync the company again, then "
                f"send the {noun}. Nothing was sent."
            ) from error
        refused = f"QuickBooks would refuse this {noun} (Invalid ProjectRef): {project} is not a project in QuickBooks"
        if not isinstance(document, Estimate):  # a change order has no life outside its project
            raise ValidationError(f"{refused}. Make it a project there and sync again. Nothing was sent.") from error
        raise ValidationError(
            f"{refused} now. To fix it, make the customer a project in QuickBooks and sync again, or write the "
            f"estimate to the customer {document.customer_name or document.customer_qbo_id} alone (CustomerRef, no "
            "project). Nothing was sent."
        ) from error


def _take_project(estimate: Estimate, send: bool) -> None:
    """Customer and project come from the page's project; the ProjectRef only once it goes to QuickBooks."""
    project = estimate.project
    if project is None:  # cannot happen: the pages only save estimates of their own project
        raise ValueError("An estimate is saved from its project's page: it must have a project.")
    estimate.customer_qbo_id, estimate.customer_name = project.customer_qbo_id, project.customer_name
    if send:
        check_sendable(estimate)
        number_before_sending(estimate)
    else:  # a draft (estimate_save refuses to save anything else unsent)
        estimate.project_qbo_id = ""


def estimate_save(
    *, estimate: Estimate, lines: list[dict], by: Membership, send: bool, confirmed_total: Decimal | None = None
) -> OutboxItem | None:
    """Save the estimate (its header fields already set) and its item lines; with `send`, queue it for QuickBooks
    in the same transaction. Returns the outbox item, or None for a draft. Raises ValidationError (nothing saved,
    nothing queued) when QuickBooks would refuse the project or an amount, or a zero or negative total is not
    `confirmed_total` (code "confirm_total"); PermissionDenied when `by` may not do this."""
    if send and not can_send(by):
        raise PermissionDenied("Only accountants and admins send estimates to QuickBooks.")
    if not send and estimate.pk and not is_draft(estimate):
        raise PermissionDenied("This estimate is already in QuickBooks: changes to it are sent to QuickBooks.")
    if not lines:
        raise ValidationError("Add at least one line.")
    _take_project(estimate, send)
    if len(lines) > MAX_LINES:
        raise ValidationError(f"An estimate takes at most {MAX_LINES} lines.")
    priced_lines = [stored_values(priced(line)) for line in lines]
    totals = line_totals(priced_lines)
    if problem := check_amounts(priced_lines, totals, "The estimate"):
        raise ValidationError(problem)
    if problem := total_problem(totals.amount, confirmed_total):
        raise ValidationError(problem, code="confirm_total")
    estimate.total_amount, estimate.total_cost_amount = totals.amount, totals.cost
    with transaction.atomic():
        if estimate.pk:  # only what the form owns: a worker may be writing the QuickBooks fields meanwhile
            estimate.save(update_fields=HEADER_FIELDS + COMPUTED_FIELDS)
        else:
            estimate.save()
        replace_item_lines(estimate, priced_lines)
        return outbox_enqueue(obj=estimate) if send else None


def estimate_delete_draft(*, estimate: Estimate, by: Membership) -> None:
    """A draft never reached QuickBooks: whoever may edit it may delete it, and nothing is sent."""
    if not is_draft(estimate):
        raise PermissionDenied("This estimate is in QuickBooks: it is not a draft Costline can delete.")
    if not can_edit(by, estimate):
        raise PermissionDenied("Your role does not allow changing this estimate.")
    estimate.delete()


def estimate_send(*, estimate: Estimate, by: Membership) -> OutboxItem:
    """Send a saved draft to QuickBooks (an accountant's call)."""
    if not can_send(by):
        raise PermissionDenied("Only accountants and admins send estimates to QuickBooks.")
    check_sendable(estimate)
    number_before_sending(estimate)
    with transaction.atomic():
        estimate.save(update_fields=["project_qbo_id", "doc_number"])
        return outbox_enqueue(obj=estimate)


def estimate_set_status(
    *, estimate: Estimate, status: str, accepted_by: str, accepted_date: date | None, by: Membership
) -> OutboxItem | None:
    """Pending, Accepted (by whom, when), Closed or Rejected; queued for QuickBooks unless the estimate is a draft."""
    if not can_send(by):
        raise PermissionDenied("Only accountants and admins change an estimate's status.")
    if estimate.status == TxnStatus.CONVERTED:
        raise ValidationError("This estimate was converted to an invoice in QuickBooks; its status stays Converted.")
    if status not in SETTABLE_STATUSES:
        raise ValidationError("Choose Pending, Accepted, Closed or Rejected.")
    accepted = status == TxnStatus.ACCEPTED
    estimate.status = status
    estimate.accepted_by, estimate.accepted_date = (accepted_by, accepted_date) if accepted else ("", None)
    draft = is_draft(estimate)
    if not draft:
        check_sendable(estimate)
    with transaction.atomic():
        estimate.save(update_fields=STATUS_FIELDS + ([] if draft else ["project_qbo_id"]))
        return None if draft else outbox_enqueue(obj=estimate)
