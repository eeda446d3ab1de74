"""Across projects, beside the WIP schedule: job profitability and a budget vs actual summary, as of a period end.

Each is a `Table` (reports.exports): the page shows it and the CSV and XLSX exports write the same table. Each reads
the ledger once, grouped by project and filtered by transaction date up to the period end (as the WIP does).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, Sum

from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import LedgerLine
from quickbooks.models.fields import MONEY_FIELD

from .exports import MONEY, PERCENT, Column, Table, dated_name
from .figures import COST_RULE, IS_COST, IS_LABOUR, IS_MATERIALS, IS_OTHER_COST, IS_SUBCONTRACT
from .wip import accepted_by

ZERO = Decimal("0.00")
Kind = LedgerLine.Kind
LEDGER_SUMS = {
    "revenue": Q(kind=Kind.REVENUE),
    "cost": IS_COST,
    "labour": IS_LABOUR,
    "subcontractors": IS_SUBCONTRACT,
    "materials": IS_MATERIALS,
    "other": IS_OTHER_COST,
    "committed": Q(kind=Kind.COMMITMENT),
}


def _percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ledger_by_project(company_ids, as_of: date) -> dict[str, dict[str, Decimal]]:
    """Per project QuickBooks id: revenue, cost (and its split) and open commitments dated up to `as_of`."""
    sums = {name: Sum("amount", filter=condition, output_field=MONEY_FIELD) for name, condition in LEDGER_SUMS.items()}
    rows = (
        LedgerLine.objects.filter(company_id__in=company_ids, txn_date__lte=as_of)
        .exclude(project_qbo_id="")
        .order_by()
        .values("project_qbo_id")
        .annotate(**sums)
    )
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(LEDGER_SUMS, ZERO))
    for row in rows:
        values: dict[str, Any] = dict(row)  # the annotated sums are named at run time
        found[values["project_qbo_id"]] = {name: values[name] or ZERO for name in LEDGER_SUMS}
    return found


@dataclass(frozen=True)
class Summary:
    """A report across projects: its title, the rule stated beside it, and its table."""

    title: str
    rule: str
    table: Table


def _totals(rows: list[list], columns: list[Column], label: str) -> list:
    """Money columns summed; the others blank (a percentage of a total is worked out by the caller)."""
    totals: list = [label] + [None] * (len(columns) - 1)
    for index, column in enumerate(columns):
        if column.kind == MONEY:
            totals[index] = sum((row[index] for row in rows if row[index] is not None), ZERO)
    return totals


def _count(projects: list) -> str:
    return f"Total, {len(projects)} project{'' if len(projects) == 1 else 's'}"


def job_profitability(company, projects, as_of: date) -> Summary:
    listed = list(projects.order_by("name", "pk"))
    ledger = ledger_by_project({company.pk}, as_of)
    columns = [
        Column("Project", width=32),
        Column("Customer", width=24),
        Column("Billed to date", MONEY),
        Column("Cost to date", MONEY),
        Column("Labour", MONEY),
        Column("Subcontractors", MONEY),
        Column("Materials", MONEY),
        Column("Other", MONEY),
        Column("Billed margin", MONEY),
        Column("Margin %", PERCENT, width=10),
    ]
    rows = []
    for project in listed:
        found = ledger[project.qbo_id] if project.qbo_id else dict.fromkeys(LEDGER_SUMS, ZERO)
        margin = found["revenue"] - found["cost"]
        split = [found[name] for name in ("labour", "subcontractors", "materials", "other")]
        rows.append([project.name, project.customer_name, found["revenue"], found["cost"], *split, margin, None])
        rows[-1][-1] = _percent(margin, found["revenue"])
    totals = _totals(rows, columns, _count(listed))
    totals[-1] = _percent(totals[8], totals[2])
    rule = (
        "Billed to date: invoices and sales receipts less credit memos and refunds, before tax. Cost to date: bills, "
        "expenses and card charges less credits, vendor credits, journal lines to cost accounts and time at its cost "
        f"rate. Both dated up to {as_of}. {COST_RULE} Billed margin = billed − cost (not a profit figure while a job "
        "runs: the WIP schedule's gross profit is); margin % = billed margin ÷ billed."
    )
    table = Table(dated_name(company.name, f"job-profitability-{as_of:%Y-%m-%d}"), "Job profitability", columns, rows)
    table.totals = totals
    return Summary("Job profitability", rule, table)


def budget_summary(company, projects, as_of: date) -> Summary:
    listed = list(projects.order_by("name", "pk"))
    ledger = ledger_by_project({company.pk}, as_of)
    budgets = {
        row["project_qbo_id"]: row["total"]
        for row in Budget.objects.filter(company=company, deleted=False)
        .exclude(project_qbo_id="")
        .order_by()
        .values("project_qbo_id")
        .annotate(total=Sum("total"))
    }
    order_cost = {
        row["project_qbo_id"]: row["cost"] or ZERO
        for row in ChangeOrder.objects.signed()
        .filter(accepted_by(as_of), company=company)
        .exclude(project_qbo_id="")
        .order_by()
        .values("project_qbo_id")
        .annotate(cost=Sum("booked_cost"))
    }
    columns = [
        Column("Project", width=32),
        Column("Customer", width=24),
        Column("Budget", MONEY),
        Column("Change orders' cost", MONEY),
        Column("Revised budget", MONEY),
        Column("Actual to date", MONEY),
        Column("Committed", MONEY),
        Column("Remaining", MONEY),
        Column("% used", PERCENT, width=10),
        Column("Variance", MONEY),
        Column("Flag", width=14),
    ]
    rows = []
    for project in listed:
        key = project.qbo_id
        found = ledger[key] if key else dict.fromkeys(LEDGER_SUMS, ZERO)
        budget = budgets.get(key) if key else None
        cost = order_cost.get(key, ZERO) if key else ZERO
        revised = None if budget is None else budget + cost
        actual, committed = found["cost"], found["committed"]
        remaining = None if revised is None else revised - actual - committed
        variance = None if revised is None else revised - actual
        flag = "no budget" if revised is None else ("over budget" if actual > revised else "")
        rows.append(
            [project.name, project.customer_name, budget, cost, revised, actual, committed, remaining]
            + [None if revised is None else _percent(actual, revised), variance, flag]
        )
    totals = _totals(rows, columns, _count(listed))
    budgeted_actual = sum((row[5] for row in rows if row[4] is not None), ZERO)
    totals[8] = _percent(budgeted_actual, totals[4])
    rule = (
        "Budget: the project's budget in QuickBooks. Revised budget = budget + signed change orders' cost (accepted "
        f"by {as_of}). Actual to date: cost dated up to {as_of}. Committed: open purchase orders. Remaining = revised "
        "− actual − committed. % used = actual ÷ revised. Variance = revised − actual: negative is over budget. "
        "Totals add every listed project; the total % used is the budgeted projects' actual ÷ their revised budget."
    )
    table = Table(dated_name(company.name, f"budget-summary-{as_of:%Y-%m-%d}"), "Budget vs actual", columns, rows)
    table.totals = totals
    return Summary("Budget vs actual, every project", rule, table)


SUMMARIES = {"job-profitability": job_profitability, "budget-summary": budget_summary}


def cells(table: Table) -> list[tuple[list[tuple], bool]]:
    """Each row as (value, kind) pairs for the page, the totals last."""
    return [
        ([(value, column.kind) for value, column in zip(row, table.columns, strict=True)], is_totals)
        for row, is_totals in table.all_rows()
    ]
