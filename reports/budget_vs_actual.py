"""Budget vs actual by budget line: each cost and open purchase order charged to the project, and each signed change
order's cost, matched to the budget line it belongs to; what matches no line is "unbudgeted".

The matching rule (stated on the page, MATCHING_RULE): a line matches a budget line of the same item; failing that,
one of the same account. A budget line that sets a class or location does not take lines of another class or
location (a line with none is not of another). Where several budget lines could take a line, the closest fit wins
(the same class and location, then none set, then the line's own unset), then the first in the budget's order.
Change orders' cost is matched by item, the same way.

Every sum is one grouped query, whatever the number of ledger lines: the matching runs over the groups.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from budgets.models import Budget, BudgetLine
from changeorders.models import ChangeOrderLine
from projects.models import LedgerLine, Project
from projects.models.sales import SIGNED_STATUSES
from quickbooks.models import ReferenceRecord
from quickbooks.models.fields import MONEY_FIELD
from quickbooks.sync.documents import CENT

from .figures import ledger_lines

ZERO = Decimal("0.00")
MATCHING_RULE = (
    "Each cost and open purchase order line charged to the project, and each signed change order's cost, goes to the "
    "budget line of the same item; failing that, of the same account. A budget line that sets a class or location "
    "takes no line of another class or location (a line without one is taken); where several could take a line, the "
    "closest fit in class and location wins, then the first in the budget. What matches no budget line is "
    "unbudgeted."
)


@dataclass(frozen=True)
class Charge:
    """A group of ledger lines (or change order lines) sharing what the matching reads."""

    item: str
    account: str
    klass: str
    location: str
    actual: Decimal = ZERO
    committed: Decimal = ZERO
    change_orders: Decimal = ZERO


@dataclass
class Row:
    """One budget line (or the unbudgeted row) with what was matched to it."""

    label: str
    line: BudgetLine | None  # None: the unbudgeted row
    budget: Decimal = ZERO
    change_orders: Decimal = ZERO  # signed change orders' cost matched here
    actual: Decimal = ZERO
    committed: Decimal = ZERO  # open purchase orders
    where: str = ""  # class and location the line sets, in words
    unbudgeted: bool = False  # the row of what matches no budget line: never "over" a budget it does not have

    @property
    def revised(self) -> Decimal:
        return self.budget + self.change_orders

    @property
    def remaining(self) -> Decimal:
        """Revised budget less what is spent and what is committed."""
        return self.revised - self.actual - self.committed

    @property
    def variance(self) -> Decimal:
        """Revised budget less actual: negative is over budget."""
        return self.revised - self.actual

    @property
    def used(self) -> Decimal | None:
        """Actual as a share of the revised budget (a ratio: 0.4 is 40%); none without a budget to use."""
        return self.actual / self.revised if self.revised > 0 else None

    @property
    def over_budget(self) -> bool:
        return not self.unbudgeted and self.actual > self.revised


@dataclass
class Comparison:
    rows: list[Row]
    unbudgeted: Row
    budgets: list[Budget] = field(default_factory=list)

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.unbudgeted]

    @property
    def totals(self) -> Row:
        total = Row(label="Total", line=None)
        for row in self.all_rows:
            total.budget += row.budget
            total.change_orders += row.change_orders
            total.actual += row.actual
            total.committed += row.committed
        return total


def _fit(wanted: str, given: str) -> int | None:
    """How well a budget line's class (or location) fits a charge's: 2 the same, 1 the line sets none, 0 the charge
    has none; None another one (the line does not take it)."""
    if not wanted:
        return 1
    if not given:
        return 0
    return 2 if wanted == given else None


def _closeness(line: BudgetLine, charge: Charge) -> int | None:
    fits = (_fit(line.class_qbo_id, charge.klass), _fit(line.location_qbo_id, charge.location))
    return None if None in fits else sum(f for f in fits if f is not None)


def match(lines: list[BudgetLine], charge: Charge) -> BudgetLine | None:
    """The budget line `charge` belongs to (MATCHING_RULE), or None: unbudgeted."""
    for key, value in (("item_qbo_id", charge.item), ("account_qbo_id", charge.account)):
        if not value:
            continue
        found = [
            (closeness, -n, line)
            for n, line in enumerate(lines)
            if getattr(line, key) == value and (closeness := _closeness(line, charge)) is not None
        ]
        if found:
            return max(found, key=lambda fit: fit[:2])[2]
    return None


def ledger_charges(project: Project) -> list[Charge]:
    """Cost and open purchase orders of the project, one group per item, account, class and location."""
    kinds = {LedgerLine.Kind.COST: "actual", LedgerLine.Kind.COMMITMENT: "committed"}
    groups = (
        ledger_lines(project)
        .filter(kind__in=list(kinds))
        .order_by()
        .values("item_qbo_id", "account_qbo_id", "class_qbo_id", "department_qbo_id", "kind")
        .annotate(total=Sum("amount", output_field=MONEY_FIELD))
    )
    return [
        Charge(
            g["item_qbo_id"],
            g["account_qbo_id"],
            g["class_qbo_id"],
            g["department_qbo_id"],
            **{kinds[g["kind"]]: (g["total"] or ZERO).quantize(CENT)},
        )
        for g in groups
    ]


def change_order_charges(project: Project) -> list[Charge]:
    """Signed change orders' cost, one group per item and class (QuickBooks holds no account on their lines)."""
    of_project = Q(change_order__project_qbo_id=project.qbo_id) if project.qbo_id else Q(change_order__project=project)
    groups = (
        ChangeOrderLine.objects.filter(of_project, change_order__company_id=project.company_id)
        .filter(change_order__booked_status__in=SIGNED_STATUSES, cost_amount__isnull=False)
        .order_by()
        .values("item_qbo_id", "class_qbo_id")
        .annotate(total=Sum("cost_amount", output_field=MONEY_FIELD))
    )
    return [
        Charge(g["item_qbo_id"], "", g["class_qbo_id"], "", change_orders=(g["total"] or ZERO).quantize(CENT))
        for g in groups
    ]


def _names(company_id, lines: Iterable[BudgetLine]) -> dict[tuple[str, str], str]:
    wanted = Q()
    for line in lines:
        for entity, qbo_id in (
            ("Item", line.item_qbo_id),
            ("Account", line.account_qbo_id),
            ("Class", line.class_qbo_id),
            ("Department", line.location_qbo_id),
        ):
            if qbo_id:
                wanted |= Q(entity=entity, qbo_id=qbo_id)
    if not wanted:
        return {}
    records = ReferenceRecord.objects.filter(wanted, company_id=company_id)
    return {(r.entity, r.qbo_id): r.fully_qualified_name or r.name for r in records}


def _label(line: BudgetLine, names: dict) -> str:
    if line.item_qbo_id:
        named = names.get(("Item", line.item_qbo_id), f"item {line.item_qbo_id}")
    else:
        named = names.get(("Account", line.account_qbo_id), f"account {line.account_qbo_id or '—'}")
    return f"{named}: {line.description}" if line.description else named


def _where(line: BudgetLine, names: dict) -> str:
    parts = []
    if line.class_qbo_id:
        parts.append("class " + names.get(("Class", line.class_qbo_id), line.class_qbo_id))
    if line.location_qbo_id:
        parts.append("location " + names.get(("Department", line.location_qbo_id), line.location_qbo_id))
    return ", ".join(parts)


def compare(project: Project) -> Comparison:
    """The project's budget lines with what was matched to each, and the unbudgeted row."""
    budgets = list(
        Budget.objects.filter(company_id=project.company_id, deleted=False)
        .filter(Q(project_qbo_id=project.qbo_id) if project.qbo_id else Q(project=project))
        .order_by("name", "id")
    )
    lines = list(BudgetLine.objects.filter(budget__in=budgets).order_by("budget__name", "budget_id", "id"))
    names = _names(project.company_id, lines)
    rows = {line.pk: Row(_label(line, names), line, budget=line.amount, where=_where(line, names)) for line in lines}
    unbudgeted = Row("Unbudgeted: matches no budget line", None, unbudgeted=True)
    for charge in [*ledger_charges(project), *change_order_charges(project)]:
        found = match(lines, charge)
        row = rows[found.pk] if found is not None else unbudgeted
        row.actual += charge.actual
        row.committed += charge.committed
        row.change_orders += charge.change_orders
    return Comparison(rows=list(rows.values()), unbudgeted=unbudgeted, budgets=budgets)


def table(project: Project, comparison: Comparison):
    """The comparison as an export (CSV or XLSX): one row a budget line, the unbudgeted row, the totals."""
    from .exports import MONEY, PERCENT, Column, Table, dated_name

    def cells(row: Row) -> list:
        used = None if row.used is None else row.used * 100
        return [
            row.label,
            row.where,
            row.budget,
            row.change_orders,
            row.revised,
            row.actual,
            row.committed,
            row.remaining,
            used,
            row.variance,
            "over budget" if row.over_budget else "",
        ]

    columns = [
        Column("Budget line", width=36),
        Column("Class, location", width=20),
        *(
            Column(header, MONEY)
            for header in (
                "Budget",
                "Change orders' cost",
                "Revised budget",
                "Actual to date",
                "Committed",
                "Remaining",
            )
        ),
        Column("% used", PERCENT, width=10),
        Column("Variance", MONEY),
        Column("Flag", width=12),
    ]
    return Table(
        name=dated_name(project.name, "budget-vs-actual"),
        sheet="Budget vs actual",
        columns=columns,
        rows=[cells(row) for row in comparison.all_rows],
        totals=cells(comparison.totals),
    )
