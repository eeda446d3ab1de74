"""The change order log, per project and across the company: number, date, project, parent estimate, status,
amount and cost before tax, days pending; on the page and as CSV or XLSX."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet

from changeorders.models import ChangeOrder

from .exports import DATE, MONEY, NUMBER, Column, Table, dated_name

DAYS_PENDING_RULE = (
    "Days pending: from the change order's date to its acceptance, or to today while it is pending in QuickBooks."
)


@dataclass(frozen=True)
class LogRow:
    order: ChangeOrder
    amount: Decimal  # before tax, as QuickBooks holds it; a draft's own total
    cost: Decimal | None
    days_pending: int | None

    @property
    def where(self) -> str:
        if not self.order.qbo_id:  # a draft names its project in QuickBooks only once it is sent
            return "On its way to QuickBooks" if self.order.project_qbo_id else "Draft"
        return self.order.get_status_display()


def change_orders(company, project=None) -> QuerySet:
    rows = ChangeOrder.objects.filter(company=company).select_related("project", "estimate")
    rows = rows.filter(project=project) if project is not None else rows
    return rows.order_by(F("txn_date").desc(nulls_last=True), "-id")


def log(rows: QuerySet, today: date) -> list[LogRow]:
    return [
        LogRow(
            order=order,
            amount=order.booked_subtotal if order.qbo_id else order.total_amount,
            cost=order.booked_cost if order.qbo_id else order.total_cost_amount,
            days_pending=order.days_pending(today),
        )
        for order in rows
    ]


COLUMNS = [
    Column("Change order", width=24),
    Column("Date", DATE, width=12),
    Column("Project", width=32),
    Column("Changes estimate", width=20),
    Column("Status", width=14),
    Column("Accepted by", width=20),
    Column("Accepted on", DATE, width=12),
    Column("Amount before tax", MONEY),
    Column("Cost", MONEY),
    Column("Days pending", NUMBER, width=10),
]


def log_table(company, rows: list[LogRow], scope: str) -> Table:
    return Table(
        name=dated_name(company.name, scope, "change-orders"),
        sheet="Change orders",
        columns=COLUMNS,
        rows=(
            [
                row.order.title,
                row.order.txn_date,
                str(row.order.project or ""),
                row.order.estimate.title if row.order.estimate else row.order.estimate_qbo_id,
                row.where,
                row.order.accepted_by,
                row.order.accepted_date,
                row.amount,
                row.cost,
                row.days_pending,
            ]
            for row in rows
        ),
        totals=["Signed, in the contract", None, None, None, None, None, None, *signed_totals(rows), None],
    )


def signed_totals(rows: list[LogRow]) -> tuple[Decimal, Decimal]:
    """What the signed change orders add to the contract and to the revised budget."""
    signed = [row.order for row in rows if row.order.in_contract]
    zero = Decimal("0.00")
    return sum((o.booked_subtotal for o in signed), zero), sum((o.booked_cost or zero for o in signed), zero)
