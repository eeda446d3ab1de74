"""Cost-to-complete forecasts: a project manager's estimate of the cost still to come on a project at a month end,
with the reasons in words, reviewed by an accountant. The estimate at completion is the latest reviewed forecast's
(cost to date as of its period end + cost to complete), else the revised budget (docs/figures.md, Estimated cost at
completion).

- A forecast is for one month end (`period_end`). Its cost to date is read from the ledger as of that date (cost
  lines dated on or before it) when it is entered, and kept as it was then.
- Where the project has a budget, the cost to complete may be given line by line; the lines add up to the project's
  figure. Without lines it is one figure for the project.
- Who: project managers (and above) enter; accountants and admins mark a forecast reviewed or return it with a note.
  Only the newest forecast of a period waiting for review can be reviewed or returned.
- A new forecast for a period supersedes the earlier ones of that period; every row stays, so each period's history
  is kept. A superseded forecast that was reviewed still counts until a newer one is reviewed.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from projects.models import LedgerLine, Project
from quickbooks.models import Membership, ReferenceRecord, Role
from quickbooks.models.fields import MONEY_DIGITS, MONEY_FIELD, MONEY_MAX, MONEY_PLACES
from quickbooks.sync.documents import CENT

from .models import Budget, BudgetLine, CostForecast, CostForecastLine
from .services import budget_of

ZERO = Decimal("0.00")
Status = CostForecast.Status
MAX_COMMENT = 4000
# What the estimate at completion's money column holds (docs/architecture.md, Hardening).
COLUMN_MAX = Decimal(10 ** (MONEY_DIGITS - MONEY_PLACES)) - CENT

RULE = (
    "Estimated cost at completion = cost to date at the period end + cost to complete, from the latest forecast an "
    "accountant has reviewed for a period end on or before the date; without one, the revised budget (budget + signed "
    "change orders' cost)."
)


# ---- periods ----


def month_end(day: date) -> date:
    """The last day of the month `day` falls in."""
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next - timedelta(days=1)


def last_month_end(today: date | None = None) -> date:
    """The default period: the end of the month before this one."""
    today = today or timezone.localdate()
    return today.replace(day=1) - timedelta(days=1)


def period_problem(period_end: date | None, today: date | None = None) -> str | None:
    """Why `period_end` cannot take a forecast, in words; None when it can."""
    today = today or timezone.localdate()
    if period_end is None:
        return "Enter the period end: the last day of the month the forecast is for."
    if period_end != month_end(period_end):
        return f"A forecast is for a month end: {month_end(period_end)} is the end of that month."
    if period_end > month_end(today):
        return f"{period_end} is a month that has not started yet: forecast up to {month_end(today)}."
    return None


# ---- figures ----


def cost_to_date(project: Project, as_of: date) -> Decimal:
    """Cost charged to the project by lines dated on or before `as_of` (docs/figures.md, Cost to date): as
    `ProjectQuerySet.with_actuals` counts it, by QuickBooks id, or by key before the project has one. A bill dated
    after the period end is not in it; a line without a date is in no period."""
    lines = LedgerLine.objects.filter(company_id=project.company_id, kind=LedgerLine.Kind.COST, txn_date__lte=as_of)
    lines = lines.filter(project_qbo_id=project.qbo_id) if project.qbo_id else lines.filter(project=project)
    found = lines.order_by().aggregate(total=Sum("amount", output_field=MONEY_FIELD))["total"]
    return found if found is not None else ZERO


# Signed change orders' cost is counted by the change orders app, which sits beside budgets, not below it
# (docs/architecture.md, Layers): a higher layer hands its counter over once, when the apps are ready.
ChangeOrderCost = Callable[[Project], Decimal]
_change_order_cost: list[ChangeOrderCost] = []


def count_change_orders_with(counter: ChangeOrderCost) -> None:
    """Use `counter` (project -> signed change orders' cost, TotalCostAmount) for the revised budget."""
    _change_order_cost[:] = [counter]


@dataclass
class RevisedBudget:
    """The budget in QuickBooks plus signed change orders' cost; `budget` None without a budget, `change_orders`
    None where no counter was handed over."""

    budget: Decimal | None
    change_orders: Decimal | None

    @property
    def revised(self) -> Decimal | None:
        if self.budget is None or self.change_orders is None:
            return None
        return self.budget + self.change_orders


def revised_budget(project: Project) -> RevisedBudget:
    """The project's revised budget, counted as the estimated cost at completion counts it without a forecast:
    its budgets' totals in QuickBooks (deleted ones aside), plus signed change orders' cost."""
    budgets = Budget.objects.filter(company_id=project.company_id, deleted=False, project_qbo_id=project.qbo_id)
    total = (
        budgets.exclude(project_qbo_id="").order_by().aggregate(total=Sum("total", output_field=MONEY_FIELD))["total"]
    )
    counted = _change_order_cost[0](project) if _change_order_cost and total is not None else None
    return RevisedBudget(budget=total, change_orders=counted)


@dataclass
class LineToForecast:
    """A budget line offered for a forecast by line: what it budgets, in words, and its amount."""

    line: BudgetLine
    label: str


def lines_to_forecast(project: Project) -> list[LineToForecast]:
    """The lines of the project's budget (one query for the lines, one for the names), in the budget's order."""
    budget = budget_of(project)
    if budget is None:
        return []
    lines = list(budget.lines.order_by("id"))
    ids = {q for line in lines for q in (line.item_qbo_id, line.account_qbo_id, line.class_qbo_id) if q}
    names = {
        (r.entity, r.qbo_id): r.fully_qualified_name or r.name or r.qbo_id
        for r in ReferenceRecord.objects.filter(
            company_id=project.company_id, entity__in=["Item", "Account", "Class"], qbo_id__in=ids
        )
    }
    found = []
    for line in lines:
        if line.item_qbo_id:
            what = names.get(("Item", line.item_qbo_id), f"Item {line.item_qbo_id}")
        else:
            what = names.get(("Account", line.account_qbo_id), f"Account {line.account_qbo_id}")
        if line.class_qbo_id:
            what += f" ({names.get(('Class', line.class_qbo_id), line.class_qbo_id)})"
        if line.description:
            what += f": {line.description}"
        found.append(LineToForecast(line=line, label=what[:1000]))
    return found


# ---- who ----


def may_enter(by: Membership) -> bool:
    return by.can(Role.PROJECT_MANAGER)


def may_review(by: Membership) -> bool:
    return by.can(Role.ACCOUNTANT)


# ---- writing ----


def _money_problem(what: str, amount: Decimal | None) -> str | None:
    if amount is None:
        return f"Enter {what}: 0 when nothing is left to spend."
    if amount < 0:
        return f"{what[0].upper()}{what[1:]} can't be negative."
    if amount > MONEY_MAX:
        return f"{what[0].upper()}{what[1:]} can be at most {MONEY_MAX:,}."
    if amount != amount.quantize(CENT):
        return f"{what[0].upper()}{what[1:]} is money: to the cent, at most 2 decimal places."
    return None


def enter_forecast(
    *,
    project: Project,
    period_end: date,
    comment: str,
    by: Membership,
    cost_to_complete: Decimal | None = None,
    lines: Mapping[int, Decimal | None] | None = None,
) -> CostForecast:
    """Save a forecast waiting for review. Either `cost_to_complete` for the whole project, or `lines` (budget line
    pk -> its cost to complete, every line of the project's budget given) whose sum is the project's figure.
    Raises ValidationError with the reasons in words (nothing saved), PermissionDenied below project manager."""
    if not may_enter(by) or by.company_id != project.company_id:
        raise PermissionDenied("Entering a forecast needs the project manager role.")
    problems = []
    if problem := period_problem(period_end):
        problems.append(problem)
    comment = (comment or "").strip()
    if not comment:
        problems.append("Say why: a forecast needs a comment on what is left to do and what it will cost.")
    elif len(comment) > MAX_COMMENT:
        problems.append(f"The comment takes at most {MAX_COMMENT:,} characters.")
    offered = {row.line.pk: row for row in lines_to_forecast(project)} if lines else {}
    if lines:
        unknown = set(lines) - set(offered)
        if unknown:
            problems.append("The budget changed while you were typing: reload the page and enter the lines again.")
        for pk, row in offered.items():
            if problem := _money_problem(f"the cost to complete of {row.label}", lines.get(pk)):
                problems.append(problem)
        if not problems:
            total = sum((lines[pk] or ZERO for pk in offered), ZERO)
            if cost_to_complete is not None and cost_to_complete != total:
                problems.append(
                    f"The lines add up to {total:,.2f}, not the {cost_to_complete:,.2f} given for the project: "
                    "correct one, or leave the project's figure blank."
                )
            cost_to_complete = total
    elif problem := _money_problem("the cost to complete", cost_to_complete):
        problems.append(problem)
    if problems or cost_to_complete is None:
        raise ValidationError(problems)
    to_date = cost_to_date(project, period_end)
    estimate = to_date + cost_to_complete
    if abs(estimate) > COLUMN_MAX:
        raise ValidationError(f"The estimated cost at completion, {estimate:,.2f}, is past what Costline can keep.")
    with transaction.atomic():
        forecast = CostForecast.objects.create(
            company_id=project.company_id,
            project=project,
            period_end=period_end,
            cost_to_complete=cost_to_complete,
            cost_to_date=to_date,
            estimated_cost_at_completion=estimate,
            comment=comment,
            entered_by=by.user,
        )
        if lines:
            CostForecastLine.objects.bulk_create(
                CostForecastLine(
                    forecast=forecast,
                    budget_line=row.line,
                    label=row.label,
                    budget_amount=row.line.amount,
                    cost_to_complete=lines[pk] or ZERO,
                )
                for pk, row in offered.items()
            )
    return forecast


def newest_of_period(forecast: CostForecast) -> bool:
    """No later forecast of the project for the same period: this one is not superseded."""
    later = CostForecast.objects.filter(
        project_id=forecast.project_id, period_end=forecast.period_end, pk__gt=forecast.pk
    )
    return not later.exists()


def _decide(forecast_id: int, project: Project, by: Membership, status: str, note: str) -> CostForecast:
    if not may_review(by) or by.company_id != project.company_id:
        raise PermissionDenied("Reviewing a forecast needs the accountant role.")
    note = (note or "").strip()
    if status == Status.RETURNED and not note:
        raise ValidationError("Say why it goes back: returning a forecast needs a note for the project manager.")
    if len(note) > MAX_COMMENT:
        raise ValidationError(f"The note takes at most {MAX_COMMENT:,} characters.")
    with transaction.atomic():
        forecast = (
            CostForecast.objects.select_for_update()
            .filter(company_id=project.company_id, project=project, pk=forecast_id)
            .first()
        )
        if forecast is None:
            raise ValidationError("That forecast is not one of this project's.")
        if forecast.status != Status.SUBMITTED:
            raise ValidationError(
                f"This forecast was already {forecast.get_status_display().lower()} "
                f"by {forecast.reviewed_by or 'someone'}: nothing changed."
            )
        if not newest_of_period(forecast):
            raise ValidationError(
                f"A newer forecast for {forecast.period_end} was entered since: review that one instead."
            )
        forecast.status, forecast.review_note = status, note
        forecast.reviewed_by, forecast.reviewed_at = by.user, timezone.now()
        forecast.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    return forecast


def review_forecast(*, forecast_id: int, project: Project, by: Membership, note: str = "") -> CostForecast:
    """Mark the forecast reviewed: from now on it is the estimate at completion for its period and after."""
    return _decide(forecast_id, project, by, Status.REVIEWED, note)


def return_forecast(*, forecast_id: int, project: Project, by: Membership, note: str) -> CostForecast:
    """Send the forecast back to the project manager with a note; it counts nowhere."""
    return _decide(forecast_id, project, by, Status.RETURNED, note)


# ---- reading ----


def _latest_reviewed(forecasts: QuerySet, as_of: date) -> QuerySet:
    """Reviewed forecasts for a period end on or before `as_of`, latest first per project: by period end, then the
    latest reviewed, then the latest entered."""
    return forecasts.filter(status=Status.REVIEWED, period_end__lte=as_of).order_by(
        "project_id", "-period_end", F("reviewed_at").desc(nulls_last=True), "-id"
    )


def reviewed_estimate_per_project(as_of: date) -> Subquery:
    """For a list of projects: each one's estimated cost at completion from its latest reviewed forecast as of
    `as_of`, as a correlated subquery (NULL without one), so a list carries it in the one query that lists it."""
    rows = _latest_reviewed(CostForecast.objects.filter(project=OuterRef("pk")), as_of)
    return Subquery(rows.values("estimated_cost_at_completion")[:1], output_field=MONEY_FIELD)


def reviewed_estimates(company, as_of: date) -> dict[int, Decimal]:
    """Project pk -> estimated cost at completion of its latest reviewed forecast as of `as_of`, for the company's
    projects that have one. One query whatever the number of projects: the rows come latest first per project, and
    the first of each is kept (portable: no DISTINCT ON, no window)."""
    rows = _latest_reviewed(CostForecast.objects.filter(company=company), as_of).values_list(
        "project_id", "estimated_cost_at_completion"
    )
    found: dict[int, Decimal] = {}
    for project_id, estimate in rows:
        found.setdefault(project_id, estimate)
    return found


def forecast_for(project: Project, as_of: date) -> CostForecast | None:
    """The forecast the estimate at completion uses for the project as of `as_of`: the latest reviewed one."""
    forecasts = CostForecast.objects.filter(company_id=project.company_id, project=project)
    return _latest_reviewed(forecasts, as_of).select_related("entered_by", "reviewed_by").first()


@dataclass
class Period:
    """One period end's forecasts, newest first; the first is the one in force, the rest superseded by it."""

    period_end: date
    forecasts: list[CostForecast] = field(default_factory=list)


def history(project: Project) -> list[Period]:
    """Every forecast of the project, grouped by period end (latest first), newest first in each; each forecast
    carries `superseded` and its lines. Two queries."""
    forecasts = (
        CostForecast.objects.filter(company_id=project.company_id, project=project)
        .select_related("entered_by", "reviewed_by")
        .prefetch_related("lines")
        .order_by("-period_end", "-id")
    )
    periods: list[Period] = []
    for forecast in forecasts:
        if not periods or periods[-1].period_end != forecast.period_end:
            periods.append(Period(forecast.period_end))
        forecast.superseded = bool(periods[-1].forecasts)
        periods[-1].forecasts.append(forecast)
    return periods
