"""Where a change order is pushed: the document Costline sends (every line linking the parent estimate), QuickBooks'
answer taken back, the rules checked before anything goes, and a confirmed delete.

QuickBooks' rules (docs/quickbooks-api.md, Change orders): a change order belongs to one project and one parent
project estimate; every line carries LinkedTxn to that estimate (TxnType Estimate), or QuickBooks answers 2020; the
parent must carry a ProjectRef, the same as the change order's; an update replaces the whole line list, so the
link is sent again on every line; the total must be positive; plans without change orders answer 5020. Each is
checked here first and said in words, so QuickBooks' own refusal is never what a person reads.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.documents.state import plan_allows
from projects.estimates.push import check_project_ref
from projects.models import Estimate
from projects.project.sync import project_index
from projects.sales import sales_document
from quickbooks.sync.registry import PushedEntity, register_push
from quickbooks.sync.upsert import replace_lines

from .models import ChangeOrder, ChangeOrderEvent, ChangeOrderLine
from .sync import change_order_line_values, change_order_values

NO_CHANGE_ORDERS = (
    "This company's QuickBooks plan has no change orders (they come with QuickBooks Online Advanced): nothing can "
    "be sent. The change order stays here as a draft."
)


def estimate_link(estimate_qbo_id: str) -> list[dict]:
    return [{"TxnId": estimate_qbo_id, "TxnType": "Estimate"}]


def change_order_to_document(change_order: ChangeOrder) -> dict:
    """The change order as QuickBooks takes it: the header's and every line's LinkedTxn name the parent estimate."""
    document = sales_document(change_order, change_order.lines.order_by("line_num", "id"))
    link = estimate_link(change_order.estimate_qbo_id)
    for line in document.get("Line", []):
        line["LinkedTxn"] = link
    return {**document, "LinkedTxn": link}


@transaction.atomic
def apply_change_order_document(change_order: ChangeOrder, document: dict) -> ChangeOrder:
    """QuickBooks' answer to a push becomes the local copy: ids, number, token, totals and lines."""
    estimates = dict(
        Estimate.objects.filter(company_id=change_order.company_id).exclude(qbo_id="").values_list("qbo_id", "pk")
    )
    values = change_order_values(document, project_index(change_order.company), estimates)
    for name, value in values.items():
        setattr(change_order, name, value)
    change_order.qbo_id = str(document["Id"])
    change_order.save()
    replace_lines(ChangeOrderLine, "change_order", [change_order], change_order_line_values)
    return change_order


def parent_problem(change_order: ChangeOrder) -> str | None:
    """Why QuickBooks would refuse this change order's parent estimate, in words; None when it is a good parent."""
    parent = change_order.estimate
    if parent is None or not change_order.estimate_qbo_id:
        return "Choose the project estimate this change order changes."
    if not parent.qbo_id or parent.qbo_id != change_order.estimate_qbo_id:
        return f"{parent} is not in QuickBooks yet: send it, then this change order."
    if not parent.project_qbo_id:
        return (
            f"{parent} is not a project estimate in QuickBooks (it has no project), so it cannot take a change order."
        )
    if parent.project_qbo_id != change_order.project_qbo_id:
        return f"{parent} belongs to another project: a change order changes an estimate of its own project."
    return None


def total_problem(total: Decimal) -> str | None:
    """QuickBooks takes removed scope as negative quantities, but the change order's total must be positive."""
    if total > 0:
        return None
    return (
        f"This change order's total is {total:,}: QuickBooks takes a change order only when its total is positive. "
        "Removed scope goes on lines with a negative quantity, beside the work that is added; a change that only "
        "reduces the contract is recorded by editing the estimate itself."
    )


def check_change_order(change_order: ChangeOrder) -> None:
    """Every rule QuickBooks applies to a change order, checked before it is sent."""
    if not plan_allows(change_order.company, "change_orders"):
        raise ValidationError(NO_CHANGE_ORDERS)
    check_project_ref(change_order)
    if not change_order.project_qbo_id:
        raise ValidationError("A change order belongs to a project: this one names none in QuickBooks.")
    for problem in (parent_problem(change_order), total_problem(change_order.total_amount)):
        if problem:
            raise ValidationError(problem)


def remove_deleted(change_order: ChangeOrder) -> None:
    """QuickBooks deleted it: gone here too (the contract value drops), its history kept."""
    ChangeOrderEvent.of(
        change_order, ChangeOrderEvent.Action.DELETED, detail="QuickBooks confirmed the deletion.", booked=True
    ).save()
    ChangeOrderEvent.objects.filter(change_order=change_order).update(change_order=None)
    change_order.delete()


def register() -> None:
    register_push(
        PushedEntity(
            "ChangeOrder",
            ChangeOrder,
            change_order_to_document,
            apply_change_order_document,
            check=check_change_order,
            removed=remove_deleted,
        )
    )
