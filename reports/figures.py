"""One project's figures: contract value, budget, actuals by kind, percent complete, over/under billing, the ledger.

Plain functions over querysets. Whatever the number of ledger lines, each figure is one aggregate in the
database, so the project page runs a constant number of queries.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from budgets.forecasts import reviewed_estimate_per_project
from budgets.models import Budget
from changeorders.contract import with_contract_value
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project, sum_per_project
from projects.models.sales import SIGNED_STATUSES
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


def _of_project(model, project: Project) -> QuerySet:
    """Rows of `model` charged to the project: by QuickBooks id as the dashboard does, by key before it has one."""
    rows = model.objects.filter(company_id=project.company_id)
    return rows.filter(project_qbo_id=project.qbo_id) if project.qbo_id else rows.filter(project=project)


def _written_for(model, project: Project) -> QuerySet:
    """Estimates or change orders of the project, drafts included: a draft names the project by key only (no
    ProjectRef until it is sent), so both ways are looked for."""
    of_project = Q(project=project) | Q(project_qbo_id=project.qbo_id) if project.qbo_id else Q(project=project)
    return model.objects.filter(of_project, company_id=project.company_id)


def ledger_lines(project: Project) -> QuerySet:
    """The project's ledger. A project QuickBooks has not given an id yet has none: lines come from QuickBooks
    transactions, which name a project by that id (and the ledger has no index by the project's key)."""
    return _of_project(LedgerLine, project) if project.qbo_id else LedgerLine.objects.none()


@dataclass
class EstimateWithChangeOrders:
    """An estimate of the project and the change orders made to it, oldest first."""

    estimate: Estimate
    change_orders: list[ChangeOrder] = field(default_factory=list)


def estimates(project: Project) -> tuple[list[EstimateWithChangeOrders], list[ChangeOrder]]:
    """The project's estimates, newest first, each with its change orders; and the change orders whose parent
    estimate is not among them."""
    rows = _written_for(Estimate, project)
    found = [EstimateWithChangeOrders(e) for e in rows.order_by(F("txn_date").desc(nulls_last=True), "-id")]
    orders = list(_written_for(ChangeOrder, project).order_by(F("txn_date").asc(nulls_last=True), "id"))
    by_id = {e.estimate.qbo_id: e for e in found if e.estimate.qbo_id}
    by_pk = {e.estimate.pk: e for e in found}
    orphans: list[ChangeOrder] = []
    for order in orders:
        parent = by_pk.get(order.estimate_id) or by_id.get(order.estimate_qbo_id)
        (parent.change_orders if parent else orphans).append(order)
    return found, orphans


def with_progress(projects: QuerySet) -> QuerySet:
    """Annotate projects (already `with_actuals`) with `estimated_cost`: the estimated cost at completion, the latest
    reviewed forecast, else budget plus signed change orders' cost, none without either; and alias
    `complete_ratio`, cost-to-cost, none when there is no estimate or cost is past it: for ordering only (the page
    computes the percentage exactly from the two), so it is never worked out, ledger sums and all, for a row that is
    not sorted by it."""
    budgets = (
        Budget.objects.filter(deleted=False, company=OuterRef("company"), project_qbo_id=OuterRef("qbo_id"))
        .exclude(project_qbo_id="")
        .order_by()
        .values("project_qbo_id")
        .annotate(total=Sum("total"))
        .values("total")
    )
    projects = projects.annotate(
        budget_total=Subquery(budgets, output_field=MONEY_FIELD),  # NULL without a budget: no estimate then
        change_order_cost=sum_per_project(ChangeOrder.objects.signed(), "booked_cost"),
        forecast_cost=reviewed_estimate_per_project(timezone.localdate()),
    ).annotate(
        estimated_cost=Coalesce(
            "forecast_cost",
            ExpressionWrapper(F("budget_total") + F("change_order_cost"), output_field=MONEY_FIELD),
            output_field=MONEY_FIELD,
        )
    )
    measurable = Q(estimated_cost__gt=0) & Q(cost_to_date__lte=F("estimated_cost"))
    ratio = Cast("cost_to_date", FloatField()) / Cast("estimated_cost", FloatField())
    return projects.alias(complete_ratio=Case(When(measurable, then=ratio), default=None, output_field=FloatField()))


def over_budget(cost: Decimal, estimated_cost: Decimal | None) -> bool:
    """Cost past the estimate at completion: never read as 'complete', a new forecast is needed."""
    return estimated_cost is not None and cost > estimated_cost


def complete_ratio(cost: Decimal, estimated_cost: Decimal | None) -> Decimal | None:
    """Cost-to-cost, as a ratio (0.4 is 40%); None without an estimate or past it (docs/figures.md)."""
    if not estimated_cost or estimated_cost < 0 or over_budget(cost, estimated_cost):
        return None
    return cost / estimated_cost


def percent_complete(cost: Decimal, estimated_cost: Decimal | None) -> Decimal | None:
    """`complete_ratio` in percentage points to one place, as the exports write it."""
    ratio = complete_ratio(cost, estimated_cost)
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Contract:
    estimate_total: Decimal
    change_order_total: Decimal
    value: Decimal
    proposed_estimates: Decimal  # pending in QuickBooks: beside the contract, never in it
    proposed_change_orders: Decimal
    unsent: int  # drafts and local edits not yet in QuickBooks

    @property
    def proposed(self) -> Decimal:
        return self.proposed_estimates + self.proposed_change_orders


def contract(project: Project, found: list[EstimateWithChangeOrders], orphans: list[ChangeOrder]) -> Contract:
    """The project's contract value as the dashboard counts it (`with_contract_value`, one query), and what is
    proposed beside it: pending estimates and change orders, and documents QuickBooks does not have yet."""
    figures = (
        with_contract_value(Project.objects.filter(pk=project.pk))
        .values("estimate_total", "change_order_total", "contract_value")
        .get()
    )
    estimates_ = [e.estimate for e in found]
    orders = [o for e in found for o in e.change_orders] + orphans
    return Contract(
        estimate_total=figures["estimate_total"],
        change_order_total=figures["change_order_total"],
        value=figures["contract_value"],
        proposed_estimates=sum((e.booked_subtotal for e in estimates_ if e.is_proposed), ZERO),
        proposed_change_orders=sum((o.booked_subtotal for o in orders if o.is_proposed), ZERO),
        unsent=sum(1 for d in [*estimates_, *orders] if d.is_unsent),
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
        if not self.revenue:
            return None
        return (self.margin / self.revenue * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


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
class Progress:
    """Where the job stands, cost-to-cost (docs/figures.md): one percent complete, the revenue it has earned, and
    billing against it. Every figure is before tax; None where it cannot be known (no estimate at completion, or
    cost already past it: a forecast is needed)."""

    contract: Decimal
    original_budget: Decimal | None  # the project's budget in QuickBooks; None without one
    change_order_cost: Decimal  # signed change orders' cost, which QuickBooks rolls into the project's budget
    cost: Decimal
    billed: Decimal
    forecast: Decimal | None = None  # the latest reviewed forecast's estimated cost at completion

    @property
    def revised_budget(self) -> Decimal | None:
        return None if self.original_budget is None else self.original_budget + self.change_order_cost

    @property
    def estimated_cost(self) -> Decimal | None:
        """The estimated cost at completion: the latest reviewed forecast, else the revised budget."""
        return self.forecast if self.forecast is not None else self.revised_budget

    @property
    def over_budget(self) -> bool:
        return over_budget(self.cost, self.estimated_cost)

    @property
    def percent_complete(self) -> Decimal | None:
        """Cost to date / estimated cost at completion, as a ratio (0.4 is 40%)."""
        return complete_ratio(self.cost, self.estimated_cost)

    @property
    def earned(self) -> Decimal | None:
        """Earned revenue: percent complete x contract value, to the cent."""
        ratio = self.percent_complete
        return None if ratio is None else (ratio * self.contract).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def gross_profit(self) -> Decimal | None:
        """Gross profit to date: earned revenue - cost to date."""
        return None if self.earned is None else self.earned - self.cost

    @property
    def over_under(self) -> Decimal | None:
        """Billed to date - earned revenue: positive is billings in excess of earnings (over billing)."""
        return None if self.earned is None else self.billed - self.earned

    @property
    def billed_margin(self) -> Decimal:
        """Billed to date - cost to date: what has been invoiced over what has been spent, not a profit figure."""
        return self.billed - self.cost

    @property
    def projected_loss(self) -> Decimal | None:
        """Contract value - estimated cost at completion, when negative: a loss the job is heading for."""
        if self.estimated_cost is None or self.estimated_cost <= self.contract:
            return None
        return self.contract - self.estimated_cost

    @property
    def remaining_budget(self) -> Decimal | None:
        return None if self.estimated_cost is None else self.estimated_cost - self.cost


def change_order_cost(project: Project) -> Decimal:
    """Signed change orders' cost as QuickBooks holds it (TotalCostAmount)."""
    found = (
        _of_project(ChangeOrder, project)
        .filter(booked_status__in=SIGNED_STATUSES)
        .aggregate(total=Sum("booked_cost", output_field=MONEY_FIELD))
    )
    found = found["total"]
    return found if found is not None else ZERO


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
