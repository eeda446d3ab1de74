"""Writes to project estimates: save (as a draft, or queued for QuickBooks), send a draft, change the status.

A write that goes to QuickBooks saves the estimate, its lines and an outbox row in one transaction
(`outbox_enqueue`); the outbox sends it after commit, merges or raises a conflict on a stale SyncToken, and
puts QuickBooks' refusals on the estimate. Project managers draft; accountants and admins send.

Until Estimate has a draft flag, a draft is an estimate that was never queued: no QuickBooks id and no outbox
row. A draft names its project through the local foreign key only; `project_qbo_id` (QuickBooks' ProjectRef) is
set when it is sent, so the dashboard's contract value (QuickBooks data only) does not count drafts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from quickbooks.models import Membership, OutboxItem, Role
from quickbooks.models.fields import MONEY_MAX
from quickbooks.sync.documents import CENT
from quickbooks.sync.push import outbox_enqueue

from ..models import Estimate, EstimateLine, TxnStatus
from .push import check_project_ref

TENTH = Decimal("0.1")
# Intuit's lengths for what the form pushes (docs/quickbooks-api.md, Limits); AcceptedBy has none published, so
# it is held to its column.
MAX_DESCRIPTION, MAX_NOTE, MAX_MEMO, MAX_ACCEPTED_BY = 4000, 4000, 1000, 200
MAX_LINES = 200
ITEM_LINE = "SalesItemLineDetail"
HEADER_FIELDS = [
    "txn_date",
    "expiration_date",
    "class_qbo_id",
    "class_name",
    "department_qbo_id",
    "department_name",
    "private_note",
    "customer_memo",
]
COMPUTED_FIELDS = ["customer_qbo_id", "customer_name", "project", "project_qbo_id", "total_amount", "total_cost_amount"]
STATUS_FIELDS = ["status", "accepted_by", "accepted_date"]
SETTABLE_STATUSES = (TxnStatus.PENDING, TxnStatus.ACCEPTED, TxnStatus.CLOSED, TxnStatus.REJECTED)


def to_cents(value: Decimal) -> Decimal:
    """Round once, where QuickBooks rounds: half up, to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def markup_percent(amount: Decimal | None, cost: Decimal | None) -> Decimal | None:
    """(amount - cost) / cost, as a percentage to one place; none without a cost to mark up."""
    if amount is None or not cost:
        return None
    return ((amount - cost) / cost * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def priced(line: dict) -> dict:
    """A line with its amount (qty x unit price) and cost amount (qty x unit cost), as QuickBooks computes them."""
    cost = None if line.get("unit_cost") is None else to_cents(line["qty"] * line["unit_cost"])
    return {**line, "amount": to_cents(line["qty"] * line["unit_price"]), "cost_amount": cost}


def amount_problem(what: str, amount: Decimal | None) -> str | None:
    """Why QuickBooks (and the column) would not hold this amount, in words; None when it fits."""
    if amount is None or abs(amount) <= MONEY_MAX:
        return None
    return f"{what} comes to {amount:,}: at most {MONEY_MAX:,} goes to QuickBooks. Lower the quantity or the price."


def total_problem(total: Decimal, confirmed: Decimal | None) -> str | None:
    """A zero or negative estimate is allowed (a no-charge or credit scope), but only when someone says so."""
    if total > 0 or confirmed == total:
        return None
    kind = "zero" if total == 0 else "negative"
    return f"This estimate's total is {kind} ({total:,}). Tick the box to confirm that is what you mean, then save."


@dataclass(frozen=True)
class Totals:
    amount: Decimal
    cost: Decimal | None

    @property
    def markup(self) -> Decimal | None:
        return markup_percent(self.amount, self.cost)


def estimate_totals(lines: list[dict]) -> Totals:
    """The total of priced lines (before tax: QuickBooks adds tax when it receives the estimate)."""
    costs = [line["cost_amount"] for line in lines if line.get("cost_amount") is not None]
    amount = sum((line["amount"] for line in lines), Decimal("0.00"))
    return Totals(amount=amount, cost=sum(costs, Decimal("0.00")) if costs else None)


# --- Where an estimate stands --------------------------------------------------------------------------------


def outbox_items(estimate: Estimate):
    content_type = ContentType.objects.get_for_model(Estimate)
    return OutboxItem.objects.filter(company_id=estimate.company_id, content_type=content_type, object_id=estimate.pk)


def is_draft(estimate: Estimate) -> bool:
    """Saved in Costline and never queued for QuickBooks."""
    return not estimate.qbo_id and not outbox_items(estimate).exists()


def open_conflict(estimate: Estimate) -> OutboxItem | None:
    """The outbox item waiting for a person to choose between Costline's and QuickBooks' versions."""
    return outbox_items(estimate).filter(status=OutboxItem.Status.CONFLICT).order_by("-created").first()


def can_send(membership: Membership) -> bool:
    """Sending to QuickBooks writes to the books: accountants and admins."""
    return membership.can(Role.ACCOUNTANT)


def can_edit(membership: Membership, estimate: Estimate) -> bool:
    """Project managers edit drafts; accountants and admins edit any estimate (their edits are sent)."""
    if estimate.pk is None or can_send(membership):
        return membership.can(Role.PROJECT_MANAGER)
    return membership.can(Role.PROJECT_MANAGER) and is_draft(estimate)


# --- Writes --------------------------------------------------------------------------------------------------


def _check_sendable(estimate: Estimate) -> None:
    """Before anything is queued: the project must be in QuickBooks, and its ProjectRef a real project."""
    project = estimate.project
    if project is None or not project.qbo_id:
        raise ValidationError(
            "This project is not in QuickBooks yet, so the estimate cannot name it. Sync the "
            "company, or create the project in QuickBooks first."
        )
    estimate.project_qbo_id = project.qbo_id
    try:
        check_project_ref(estimate)
    except ValidationError as error:
        if not estimate.customer_qbo_id:
            raise ValidationError(
                f"QuickBooks names no customer for {project}: sync the company again, then "
                "send the estimate. Nothing was sent."
            ) from error
        raise ValidationError(
            f"QuickBooks would refuse this estimate (Invalid ProjectRef): {project} is not a project in QuickBooks "
            "now. To fix it, make the customer a project in QuickBooks and sync again, or write the estimate to "
            f"the customer {estimate.customer_name or estimate.customer_qbo_id} alone (CustomerRef, no project). "
            "Nothing was sent."
        ) from error


def _take_project(estimate: Estimate, send: bool) -> None:
    """Customer and project come from the page's project; the ProjectRef only once it goes to QuickBooks."""
    project = estimate.project
    if project is None:  # cannot happen: the pages only save estimates of their own project
        raise ValueError("An estimate is saved from its project's page: it must have a project.")
    estimate.customer_qbo_id, estimate.customer_name = project.customer_qbo_id, project.customer_name
    if send:
        _check_sendable(estimate)
    else:  # a draft (estimate_save refuses to save anything else unsent)
        estimate.project_qbo_id = ""


def _replace_item_lines(estimate: Estimate, lines: list[dict]) -> None:
    """The form edits item lines: they are replaced; other lines (description, discount, group) stay as they are.

    A line keeps its QuickBooks line id only if the estimate had it, so QuickBooks updates that line in place.
    """
    old = estimate.lines.filter(detail_type=ITEM_LINE)
    known_ids = set(old.exclude(line_id="").values_list("line_id", flat=True))
    old.delete()
    EstimateLine.objects.bulk_create(
        EstimateLine(
            estimate=estimate,
            line_num=number,
            detail_type=ITEM_LINE,
            line_id=line["line_id"] if line["line_id"] in known_ids else "",
            **{name: line.get(name) for name in LINE_FIELDS},
        )
        for number, line in enumerate(lines, start=1)
    )


LINE_FIELDS = [
    "item_qbo_id",
    "item_name",
    "description",
    "qty",
    "unit_price",
    "amount",
    "unit_cost",
    "cost_amount",
    "tax_code",
    "class_qbo_id",
    "class_name",
]
TEXT_LINE_FIELDS = {"item_qbo_id", "item_name", "description", "tax_code", "class_qbo_id", "class_name"}


def _line_values(line: dict) -> dict:
    values = {name: (line.get(name) or "") if name in TEXT_LINE_FIELDS else line.get(name) for name in LINE_FIELDS}
    return {**values, "line_id": line.get("line_id") or ""}


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
    priced_lines = [_line_values(priced(line)) for line in lines]
    totals = estimate_totals(priced_lines)
    amounts = [(f"Line {n}", line["amount"]) for n, line in enumerate(priced_lines, start=1)]
    costs = [(f"Line {n}'s cost", line["cost_amount"]) for n, line in enumerate(priced_lines, start=1)]
    for what, amount in [*amounts, *costs, ("The estimate", totals.amount), ("Its cost", totals.cost)]:
        if problem := amount_problem(what, amount):
            raise ValidationError(problem)
    if problem := total_problem(totals.amount, confirmed_total):
        raise ValidationError(problem, code="confirm_total")
    estimate.total_amount, estimate.total_cost_amount = totals.amount, totals.cost
    with transaction.atomic():
        if estimate.pk:  # only what the form owns: a worker may be writing the QuickBooks fields meanwhile
            estimate.save(update_fields=HEADER_FIELDS + COMPUTED_FIELDS)
        else:
            estimate.save()
        _replace_item_lines(estimate, priced_lines)
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
    _check_sendable(estimate)
    with transaction.atomic():
        estimate.save(update_fields=["project_qbo_id"])
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
        _check_sendable(estimate)
    with transaction.atomic():
        estimate.save(update_fields=STATUS_FIELDS + ([] if draft else ["project_qbo_id"]))
        return None if draft else outbox_enqueue(obj=estimate)
