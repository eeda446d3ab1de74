"""One project's figures: contract value, budget, actuals by kind, margin, over/under billing, the ledger.

Plain functions over querysets. Whatever the number of ledger lines, each figure is one aggregate in the
database, so the project page runs a constant number of queries.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project, TxnStatus, sum_per_project
from quickbooks.models.fields import MONEY_FIELD
from quickbooks.sync.documents import CENT

ZERO = Decimal("0.00")
Kind = LedgerLine.Kind

# The cost split, stated once (the page prints COST_RULE): first match wins.
COST_RULE = (
    "Labour = TimeActivity lines; subcontractors = lines whose account or item name contains "
    '"Subcontract"; materials = other item-based cost lines; other = the rest (account-based lines).'
)
IS_COST = Q(kind=Kind.COST)
IS_LABOUR = IS_COST & Q(txn_type="TimeActivity")
IS_SUBCONTRACT = (
    IS_COST
    & ~Q(txn_type="TimeActivity")
    & (Q(account_name__icontains="subcontract") | Q(item_name__icontains="subcontract"))
)
IS_MATERIALS = (
    IS_COST
    & ~Q(txn_type="TimeActivity")
    & ~Q(account_name__icontains="subcontract")
    & ~Q(item_name__icontains="subcontract")
    & ~Q(item_qbo_id="")
)
IS_OTHER_COST = (
    IS_COST
    & ~Q(txn_type="TimeActivity")
    & ~Q(account_name__icontains="subcontract")
    & ~Q(item_name__icontains="subcontract")
    & Q(item_qbo_id="")
)

EARNED_RULE_BUDGET = (
    "Earned revenue = contract value × cost to date ÷ budgeted cost (the budget total), at most the "
    "contract value: costs past the budget earn nothing more until the contract grows."
)
EARNED_RULE_PERCENT = "Earned revenue = contract value × % complete (no budget for this project), at most 100%."


def _of_project(model, project: Project) -> QuerySet:
    """Rows of `model` charged to the project: by QuickBooks id as the dashboard does, by key before it has one."""
    rows = model.objects.filter(company_id=project.company_id)
    return rows.filter(project_qbo_id=project.qbo_id) if project.qbo_id else rows.filter(project=project)


def ledger_lines(project: Project) -> QuerySet:
    return _of_project(LedgerLine, project)


@dataclass
class EstimateWithChangeOrders:
    """An estimate of the project and the change orders made to it, oldest first."""

    estimate: Estimate
    change_orders: list[ChangeOrder] = field(default_factory=list)


def estimates(project: Project) -> tuple[list[EstimateWithChangeOrders], list[ChangeOrder]]:
    """The project's estimates, newest first, each with its change orders; and the change orders whose parent
    estimate is not among them."""
    # Drafts name the project by key only (no ProjectRef until they are sent), so both ways are looked for.
    rows = Estimate.objects.filter(company_id=project.company_id).filter(
        Q(project=project) | Q(project_qbo_id=project.qbo_id) if project.qbo_id else Q(project=project)
    )
    found = [EstimateWithChangeOrders(e) for e in rows.order_by(F("txn_date").desc(nulls_last=True), "-id")]
    orders = list(_of_project(ChangeOrder, project).order_by(F("txn_date").asc(nulls_last=True), "id"))
    by_id = {e.estimate.qbo_id: e for e in found if e.estimate.qbo_id}
    by_pk = {e.estimate.pk: e for e in found}
    orphans: list[ChangeOrder] = []
    for order in orders:
        parent = by_pk.get(order.estimate_id) or by_id.get(order.estimate_qbo_id)
        (parent.change_orders if parent else orphans).append(order)
    return found, orphans


def with_contract_value(projects: QuerySet) -> QuerySet:
    """Annotate projects with `estimate_total`, `change_order_total` and `contract_value`, in the one query that
    lists them: the one place contract value is computed, for the dashboard, its exports and the project page.

    Contract value = the project estimates plus accepted change orders (docs/figures.md). Estimates count unless
    rejected; change orders only once accepted. Totals are QuickBooks' TotalAmt.
    """
    estimates = Estimate.objects.exclude(status=TxnStatus.REJECTED)
    projects = projects.annotate(
        estimate_total=sum_per_project(estimates, "total_amount"),
        change_order_total=sum_per_project(ChangeOrder.objects.accepted(), "total_amount"),
    )
    return projects.annotate(
        contract_value=ExpressionWrapper(F("estimate_total") + F("change_order_total"), output_field=MONEY_FIELD)
    )


@dataclass
class Contract:
    estimate_total: Decimal
    change_order_total: Decimal
    value: Decimal
    pending_change_orders: Decimal


def contract(project: Project, found: list[EstimateWithChangeOrders], orphans: list[ChangeOrder]) -> Contract:
    """The project's contract value as the dashboard counts it (`with_contract_value`, one query), and the change
    orders still pending beside it, never inside it."""
    figures = (
        with_contract_value(Project.objects.filter(pk=project.pk))
        .values("estimate_total", "change_order_total", "contract_value")
        .get()
    )
    orders = [o for e in found for o in e.change_orders] + orphans
    return Contract(
        estimate_total=figures["estimate_total"],
        change_order_total=figures["change_order_total"],
        value=figures["contract_value"],
        pending_change_orders=sum((o.total_amount for o in orders if o.status == TxnStatus.PENDING), ZERO),
    )


def budgets(project: Project) -> list[Budget]:
    return list(_of_project(Budget, project).filter(deleted=False).order_by("name", "id"))


@dataclass
class Actuals:
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    labour: Decimal = ZERO
    subcontractors: Decimal = ZERO
    materials: Decimal = ZERO
    other: Decimal = ZERO
    commitments: Decimal = ZERO
    payments: Decimal = ZERO
    journal: Decimal = ZERO
    hours: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return None if not self.revenue else (self.margin / self.revenue * 100).quantize(Decimal("0.1"))


def _total(field: str, condition: Q) -> Sum:
    """A sum sized for totals, not for one row's column (quickbooks.models.fields.MONEY_FIELD)."""
    return Sum(field, filter=condition, output_field=MONEY_FIELD)


def actuals(lines: QuerySet) -> Actuals:
    """Every figure of the ledger in one aggregate query. Cost and revenue follow `Project.with_actuals`."""
    sums = {
        "revenue": _total("amount", Q(kind=Kind.REVENUE)),
        "cost": _total("amount", IS_COST),
        "labour": _total("amount", IS_LABOUR),
        "subcontractors": _total("amount", IS_SUBCONTRACT),
        "materials": _total("amount", IS_MATERIALS),
        "other": _total("amount", IS_OTHER_COST),
        "commitments": _total("amount", Q(kind=Kind.COMMITMENT)),
        "payments": _total("amount", Q(kind=Kind.PAYMENT)),
        "journal": _total("amount", Q(kind=Kind.JOURNAL)),
        "hours": _total("hours", IS_LABOUR),
    }
    found = lines.order_by().aggregate(**sums)
    return Actuals(**{name: value if value is not None else ZERO for name, value in found.items()})


@dataclass
class Billing:
    """Over/under billing: billed to date less earned revenue (positive: billed ahead of the work)."""

    rule: str
    earned: Decimal | None
    over_under: Decimal | None = field(default=None)


def billing(
    contract_value: Decimal,
    budget_total: Decimal | None,
    cost: Decimal,
    billed: Decimal,
    completion_rate: Decimal | None,
) -> Billing:
    # Percent complete is capped at 100%: a project cannot earn more than its contract (cost-to-cost method).
    if budget_total:
        earned = contract_value * min(cost / budget_total, Decimal(1))
        rule = EARNED_RULE_BUDGET
    elif completion_rate is not None:
        earned = contract_value * min(completion_rate / 100, Decimal(1))
        rule = EARNED_RULE_PERCENT
    else:
        return Billing(
            rule=EARNED_RULE_PERCENT + " QuickBooks has no % complete for it, so none is shown.", earned=None
        )
    earned = earned.quantize(CENT, rounding=ROUND_HALF_UP)
    return Billing(rule=rule, earned=earned, over_under=billed - earned)


@dataclass
class Month:
    month: date
    revenue: Decimal
    cost: Decimal


def cumulative_by_month(lines: QuerySet) -> list[Month]:
    """Revenue and cost to date at the end of each month from the first dated line to the last, gaps filled."""
    rows = (
        lines.filter(kind__in=[Kind.REVENUE, Kind.COST], txn_date__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("txn_date"))
        .values("month", "kind")
        .annotate(total=Sum("amount", output_field=MONEY_FIELD))
    )
    per_month: dict[date, dict[str, Decimal]] = {}
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        per_month.setdefault(month, {})[row["kind"]] = row["total"]
    if not per_month:
        return []
    months, revenue, cost = [], ZERO, ZERO
    month, last = min(per_month), max(per_month)
    while month <= last:
        revenue += per_month.get(month, {}).get(Kind.REVENUE, ZERO)
        cost += per_month.get(month, {}).get(Kind.COST, ZERO)
        months.append(Month(month=month, revenue=revenue, cost=cost))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months
