"""The work-in-progress (WIP) schedule: every project of a company as of a period end, one row a project, with the
month-end figures construction accounting books from it (docs/figures.md, The WIP schedule).

As of a date means by transaction date: a bill dated after the period end is not in it, however early it was
entered; an estimate or change order counts once it was accepted by then (its accepted date, else its date). The
schedule reads each source once, grouped by project, whatever the number of projects: projects, the ledger, signed
estimates, signed change orders, budgets, and the reviewed forecasts the caller passes in.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar, overload

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, Sum
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from budgets.forecasts import reviewed_estimates
from budgets.models import Budget
from changeorders.models import ChangeOrder
from projects.models import Estimate, LedgerLine, Project
from quickbooks.models import ReferenceRecord
from quickbooks.sync.documents import CENT

from .dashboard import choices_for
from .exports import MONEY, PERCENT, TEXT, Column, Table, dated_name
from .figures import complete_ratio

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
Kind = LedgerLine.Kind


def last_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


T = TypeVar("T")


class cached_figure(Generic[T]):  # noqa: N801 - used as a decorator, as functools.cached_property is
    """functools.cached_property without its lock (Python 3.11 takes one on every first reading): a schedule of
    2,000 projects works out some 30,000 figures, and the lock was a third of that time."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> "cached_figure[T]": ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass
class WipRow:
    """One project's line of the schedule. Money is Decimal to the cent; None where it cannot be known."""

    project_id: int
    project: str
    customer: str
    status: str
    original_contract: Decimal = ZERO  # signed estimates, before tax
    change_orders: Decimal = ZERO  # signed change orders, before tax
    original_budget: Decimal | None = None  # the budget in QuickBooks
    change_order_cost: Decimal = ZERO  # signed change orders' cost
    forecast: Decimal | None = None  # the latest reviewed forecast's estimated cost at completion
    cost_to_date: Decimal = ZERO
    billed_to_date: Decimal = ZERO
    flags: list[str] = field(default_factory=list)

    def __setattr__(self, name: str, value) -> None:
        """Set a field, forgetting the figures worked out from the old values. Each figure is worked out once, on
        first reading (`cached_figure`): a page reads the percent complete, earned revenue and the rest many times
        over, for every row and again for the totals."""
        object.__setattr__(self, name, value)
        if len(self.__dict__) > len(INPUTS):  # some figure is remembered
            for figure in FIGURES:
                self.__dict__.pop(figure, None)

    @cached_figure
    def revised_contract(self) -> Decimal:
        return self.original_contract + self.change_orders

    @cached_figure
    def revised_budget(self) -> Decimal | None:
        return None if self.original_budget is None else self.original_budget + self.change_order_cost

    @cached_figure
    def estimated_cost(self) -> Decimal | None:
        """Estimated cost at completion: the latest reviewed forecast, else the revised budget."""
        return self.forecast if self.forecast is not None else self.revised_budget

    @cached_figure
    def estimate_source(self) -> str:
        if self.forecast is not None:
            return "reviewed forecast"
        return "revised budget" if self.revised_budget is not None else "none: no budget or forecast"

    @cached_figure
    def ratio(self) -> Decimal | None:
        """Percent complete, cost-to-cost, as a ratio; None without an estimate, or with cost already past it."""
        return complete_ratio(self.cost_to_date, self.estimated_cost)

    @cached_figure
    def percent_complete(self) -> Decimal | None:
        return None if self.ratio is None else (self.ratio * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @cached_figure
    def earned(self) -> Decimal | None:
        """Earned revenue: percent complete x revised contract, to the cent."""
        return None if self.ratio is None else (self.ratio * self.revised_contract).quantize(CENT, ROUND_HALF_UP)

    @cached_figure
    def over_billing(self) -> Decimal | None:
        """Billings in excess of earnings: billed - earned, when positive (a liability)."""
        return None if self.earned is None else max(self.billed_to_date - self.earned, ZERO)

    @cached_figure
    def under_billing(self) -> Decimal | None:
        """Earnings in excess of billings: earned - billed, when positive (an asset)."""
        return None if self.earned is None else max(self.earned - self.billed_to_date, ZERO)

    @cached_figure
    def projected_loss(self) -> Decimal | None:
        """Revised contract - estimated cost at completion, when negative: the loss the job is heading for."""
        estimate = self.estimated_cost
        if estimate is None or estimate <= self.revised_contract:
            return None
        return self.revised_contract - estimate

    @cached_figure
    def loss_provision(self) -> Decimal | None:
        """The part of a projected loss not yet in gross profit to date, booked now so the loss is recognised in
        full: projected loss x (1 - percent complete)."""
        loss, ratio = self.projected_loss, self.ratio
        if loss is None or ratio is None:
            return None
        return (loss * (1 - ratio)).quantize(CENT, ROUND_HALF_UP)

    @cached_figure
    def gross_profit(self) -> Decimal | None:
        """Gross profit to date: earned revenue - cost to date, less the loss provision."""
        if self.earned is None:
            return None
        return self.earned - self.cost_to_date + (self.loss_provision or ZERO)

    @cached_figure
    def estimated_gross_profit(self) -> Decimal | None:
        """Estimated gross profit at completion: revised contract - estimated cost at completion."""
        return None if self.estimated_cost is None else self.revised_contract - self.estimated_cost

    @cached_figure
    def estimated_margin(self) -> Decimal | None:
        """Estimated gross profit at completion as a percentage of the revised contract, to one place."""
        profit = self.estimated_gross_profit
        if profit is None or not self.revised_contract:
            return None
        return (profit / self.revised_contract * HUNDRED).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @cached_figure
    def backlog(self) -> Decimal | None:
        """Revenue still to earn: revised contract - earned revenue."""
        return None if self.earned is None else self.revised_contract - self.earned

    @classmethod
    def of(cls, **values) -> "WipRow":
        """A row from every input field but flags, without the per-field __setattr__ of __init__ (nothing is
        remembered yet to forget): 24,000 calls saved at 2,000 projects."""
        row = cls.__new__(cls)
        row.__dict__.update(values, flags=[])
        return row

    def figures(self) -> dict:
        """Every figure of the row, by name: what a close keeps and a reopening compares."""
        stored = {k: v for k, v in asdict(self).items() if k != "flags"}
        return {**stored, **{name: getattr(self, name) for name in COMPUTED}, "flags": list(self.flags)}


INPUTS = frozenset(spec.name for spec in fields(WipRow))
FIGURES = tuple(name for name, value in vars(WipRow).items() if isinstance(value, cached_figure))
COMPUTED = (
    "revised_contract",
    "revised_budget",
    "estimated_cost",
    "estimate_source",
    "percent_complete",
    "earned",
    "over_billing",
    "under_billing",
    "projected_loss",
    "loss_provision",
    "gross_profit",
    "estimated_gross_profit",
    "estimated_margin",
    "backlog",
)
TOTALLED = (
    "original_contract",
    "change_orders",
    "revised_contract",
    "estimated_cost",
    "cost_to_date",
    "earned",
    "billed_to_date",
    "over_billing",
    "under_billing",
    "gross_profit",
    "estimated_gross_profit",
    "backlog",
    "projected_loss",
    "loss_provision",
)


@dataclass
class Schedule:
    as_of: date
    rows: list[WipRow]

    @property
    def totals(self) -> dict[str, Decimal]:
        """Each money column summed over the rows that have it (a row without an estimate has no earned revenue)."""
        sums = dict.fromkeys(TOTALLED, ZERO)
        for row in self.rows:
            for name in TOTALLED:
                value = getattr(row, name)
                if value is not None:
                    sums[name] += value
        return sums

    @property
    def net_over_under(self) -> Decimal:
        """Over billing - under billing: positive is a net liability on the balance sheet."""
        totals = self.totals
        return totals["over_billing"] - totals["under_billing"]

    @property
    def needing_forecast(self) -> list[WipRow]:
        return [row for row in self.rows if row.earned is None]


def accepted_by(as_of: date) -> Q:
    """Signed as QuickBooks holds it, and accepted by the period end (its accepted date, else its date; a document
    with neither, which QuickBooks never sends, counts as QuickBooks holds it)."""
    undated = Q(accepted_date__isnull=True)
    return Q(accepted_date__lte=as_of) | undated & Q(txn_date__lte=as_of) | undated & Q(txn_date__isnull=True)


def _sums(rows, *fields: str) -> dict[str, dict[str, Decimal]]:
    """Per project QuickBooks id, each field summed, in one grouped query."""
    found: dict[str, dict[str, Decimal]] = {}
    aggregates = {f"sum_{name}": Sum(name) for name in fields}
    for values in rows.exclude(project_qbo_id="").order_by().values("project_qbo_id").annotate(**aggregates):
        found[values["project_qbo_id"]] = {name: values[f"sum_{name}"] or ZERO for name in fields}
    return found


# What a row takes from its project: the rest of a project (its QuickBooks document above all) is not read.
LISTED = ("company_id", "qbo_id", "name", "customer_name", "status")


def schedule(projects, as_of: date, forecasts: dict[int, Decimal] | None = None) -> Schedule:
    """The WIP of `projects` (a Project queryset of one company, filtered as the page asks) as of `as_of`."""
    # Plain tuples, not model instances, and the status label from a dict: at 2,000 projects building instances
    # and get_status_display() (which flattens the choices on every call) took longer than the queries.
    listed = list(projects.order_by("name", "pk").values_list("pk", *LISTED))
    company_ids = {company_id for _, company_id, *_ in listed}
    labels = {value: str(label) for value, label in Project.Status.choices}
    ledger: dict[str, dict[str, Decimal]] = defaultdict(dict)
    in_period = LedgerLine.objects.filter(company_id__in=company_ids, txn_date__lte=as_of)
    for values in (
        in_period.filter(kind__in=[Kind.COST, Kind.REVENUE])
        .exclude(project_qbo_id="")
        .order_by()
        .values("project_qbo_id", "kind")
        .annotate(total=Sum("amount"))
    ):
        ledger[values["project_qbo_id"]][values["kind"]] = values["total"] or ZERO
    signed = accepted_by(as_of)
    estimates = _sums(Estimate.objects.signed().filter(signed, company_id__in=company_ids), "booked_subtotal")
    orders = _sums(
        ChangeOrder.objects.signed().filter(signed, company_id__in=company_ids), "booked_subtotal", "booked_cost"
    )
    budgets = _sums(Budget.objects.filter(company_id__in=company_ids, deleted=False), "total")
    forecasts = forecasts or {}
    rows = []
    for pk, _, key, name, customer_name, status in listed:
        order = orders.get(key, {})
        lines = ledger.get(key, {}) if key else {}
        rows.append(
            WipRow.of(
                project_id=pk,
                project=name,
                customer=customer_name,
                status=labels.get(status, str(status)),
                original_contract=estimates.get(key, {}).get("booked_subtotal", ZERO),
                change_orders=order.get("booked_subtotal", ZERO),
                change_order_cost=order.get("booked_cost", ZERO),
                original_budget=budgets[key]["total"] if key in budgets else None,
                forecast=forecasts.get(pk),
                cost_to_date=lines.get(Kind.COST, ZERO),
                billed_to_date=lines.get(Kind.REVENUE, ZERO),
            )
        )
    for row in rows:
        if row.estimated_cost is None:
            row.flags.append("no budget or forecast: percent complete unknown")
        elif row.ratio is None and row.cost_to_date > row.estimated_cost:
            row.flags.append("cost past the estimate: forecast needed")
    return Schedule(as_of=as_of, rows=rows)


# --- The page's choices ----------------------------------------------------------------------------------------


class ListedSelect(forms.Select):
    """A select rendered in one pass rather than a template per option: a company of 2,000 projects has hundreds of
    customers, and their option templates were a third of the page's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "\n",
            '  <option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class WipFilter(django_filters.FilterSet):
    """Which projects the schedule lists: by name, status and customer (the company's live projects)."""

    q = django_filters.CharFilter(
        label="Search",
        method="search_names",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Project or customer"}),
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Project.Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    customer = django_filters.ChoiceFilter(
        field_name="customer_qbo_id", label="Customer", empty_label="Any customer", widget=ListedSelect
    )
    # Projects have no class in QuickBooks; their documents do: a project is in a class when one of its estimates, or
    # one of its cost or billing lines, is.
    klass = django_filters.ChoiceFilter(label="Class", method="in_class", empty_label="Any class")

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, *, company, **kwargs):
        super().__init__(data, queryset=Project.objects.filter(company=company).live(), **kwargs)
        self.filters["customer"].extra["choices"] = choices_for(company)[0]
        classes = ReferenceRecord.objects.filter(company=company, entity="Class", active=True)
        self.filters["klass"].extra["choices"] = [
            (record.qbo_id, record.fully_qualified_name or record.name)
            for record in classes.order_by("fully_qualified_name", "name")
        ]

    def in_class(self, queryset, name, value):
        of_project = {"company": OuterRef("company"), "project_qbo_id": OuterRef("qbo_id"), "class_qbo_id": value}
        return queryset.exclude(qbo_id="").filter(
            Exists(Estimate.objects.filter(**of_project)) | Exists(LedgerLine.objects.filter(**of_project))
        )

    def search_names(self, queryset, name, value):
        return queryset.search(value)

    @property
    def projects(self):
        """The filtered projects, or all of them when the filters do not validate (the form says why)."""
        return self.qs if self.is_bound and self.is_valid() else self.queryset


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period_end(self, today: date) -> date:
        """The date asked for, else the last month end (what a month-end close reports)."""
        if self.is_valid() and self.cleaned_data["as_of"]:
            return self.cleaned_data["as_of"]
        return last_month_end(today)


def sorted_rows(rows: list[WipRow], sort: str) -> tuple[list[WipRow], str]:
    """Rows by the column asked for ("-" first for descending), unknown values last; by project by default."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key not in SORTABLE:
        return rows, "project"
    known = [row for row in rows if getattr(row, key) is not None]
    unknown = [row for row in rows if getattr(row, key) is None]
    known.sort(key=lambda row: (getattr(row, key), row.project.casefold()), reverse=descending)
    return known + unknown, sort


# --- Export ----------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("Project", "project", TEXT, 32),
    ("Customer", "customer", TEXT, 24),
    ("Status", "status", TEXT, 12),
    ("Original contract", "original_contract", MONEY, 16),
    ("Change orders", "change_orders", MONEY, 14),
    ("Revised contract", "revised_contract", MONEY, 16),
    ("Estimated cost at completion", "estimated_cost", MONEY, 16),
    ("Estimate from", "estimate_source", TEXT, 18),
    ("Cost to date", "cost_to_date", MONEY, 14),
    ("% complete", "percent_complete", PERCENT, 10),
    ("Earned revenue", "earned", MONEY, 14),
    ("Billed to date", "billed_to_date", MONEY, 14),
    ("Over billing", "over_billing", MONEY, 14),
    ("Under billing", "under_billing", MONEY, 14),
    ("Gross profit to date", "gross_profit", MONEY, 14),
    ("Estimated gross profit", "estimated_gross_profit", MONEY, 14),
    ("Estimated margin", "estimated_margin", PERCENT, 10),
    ("Backlog", "backlog", MONEY, 14),
    ("Projected loss", "projected_loss", MONEY, 14),
    ("Loss provision", "loss_provision", MONEY, 14),
]


def table(company, found: Schedule) -> Table:
    totals = found.totals
    first = f"Total, {len(found.rows)} project{'' if len(found.rows) == 1 else 's'}"
    total_row = [first, "", ""] + [
        totals.get(attribute) if attribute in TOTALLED else None for _, attribute, _, _ in EXPORT_COLUMNS[3:]
    ]
    return Table(
        name=dated_name(company.name, f"wip-{found.as_of:%Y-%m-%d}"),
        sheet=f"WIP {found.as_of:%Y-%m-%d}",
        columns=[Column(header, kind, width) for header, _, kind, width in EXPORT_COLUMNS],
        rows=[[getattr(row, attribute) for _, attribute, _, _ in EXPORT_COLUMNS] for row in found.rows],
        totals=total_row,
    )


SORTABLE = {attribute for _, attribute, _, _ in EXPORT_COLUMNS}


def headers(params, sort: str) -> list[dict]:
    """Each column with the query string that sorts by it (the other way round when it is the current sort)."""
    found = []
    for label, attribute, kind, _ in EXPORT_COLUMNS:
        current = sort.lstrip("-") == attribute
        wanted = attribute if not current or sort.startswith("-") else f"-{attribute}"
        query = params.copy()
        query.pop("export", None)
        query["sort"] = wanted
        arrow = ("▼" if sort.startswith("-") else "▲") if current else ""
        found.append({"label": label, "query": query.urlencode(), "numeric": kind != TEXT, "arrow": arrow})
    return found


CHART_PROJECTS = 25  # a chart of more bars than this is read as a list: the table has every project


def largest_over_under(rows: list[WipRow]) -> list[tuple[str, Decimal]]:
    """(project, billed - earned) for the projects furthest over or under billed, largest first."""
    known = [(row.project, row.billed_to_date - row.earned) for row in rows if row.earned is not None]
    return sorted(known, key=lambda pair: abs(pair[1]), reverse=True)[:CHART_PROJECTS]


def company_schedule(company, projects, as_of: date) -> Schedule:
    """The WIP the page shows and a close stores: `projects` of `company`, with its latest reviewed forecasts."""
    return schedule(projects, as_of, reviewed_estimates(company, as_of))
