"""The dashboard's list: filters as the Projects API offers them, a search box, and sorting by any column."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Expression, F, FloatField, IntegerField, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from projects.models import Project
from quickbooks.models.fields import MONEY_FIELD

from .figures import with_contract_value, with_progress

PRIORITIES = [(str(n), str(n)) for n in range(10)]  # the Projects API's priority is 0-9
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def _attributes(attrs: dict) -> str:
    """A tag's attributes, escaped, as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's <select>, the same HTML to the byte, written here rather than by its templates, which include one
    template per option and one more for its attributes: 20-30 ms of every dashboard page for a company's 300
    customers, against 2-3 ms here (tests/reports/test_dashboard_select.py holds the two to the same HTML)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            html.extend(
                f'\n  <option value="{escape(option["value"])}"{_attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 - every name, value and label in it is escaped


class DashboardFilterForm(forms.Form):
    RANGES = (("start_from", "start_to", "Start date"), ("due_from", "due_to", "Due date"))

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean returns; the stubs allow None
        for low, high, label in self.RANGES:
            if cleaned.get(low) and cleaned.get(high) and cleaned[low] > cleaned[high]:
                self.add_error(
                    high, f"{label}: the end ({cleaned[high]:%d %b %Y}) is before the start ({cleaned[low]:%d %b %Y})."
                )
        return cleaned


class DashboardFilter(django_filters.FilterSet):
    """Filters over the dashboard's projects; `company` supplies the customers and types to choose from."""

    q = django_filters.CharFilter(
        label="Search",
        method="search_names",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Project or customer"}),
    )
    # No DISTINCT (django-filter's default for a multiple choice): a project is one row here, and DISTINCT over
    # the figures would work them out for every matching project rather than for the page's rows.
    status = django_filters.MultipleChoiceFilter(
        choices=Project.Status.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    customer = django_filters.ChoiceFilter(
        field_name="customer_qbo_id", label="Customer", empty_label="Any customer", widget=QuickSelect
    )
    type = django_filters.ChoiceFilter(empty_label="Any type", widget=QuickSelect)
    priority = django_filters.ChoiceFilter(choices=PRIORITIES, empty_label="Any priority", widget=QuickSelect)
    start_from = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label="Starts on or after", widget=DATE_INPUT
    )
    start_to = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label="Starts on or before", widget=DATE_INPUT
    )
    due_from = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label="Due on or after", widget=DATE_INPUT
    )
    due_to = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label="Due on or before", widget=DATE_INPUT
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = DashboardFilterForm

    def __init__(self, data=None, *, company, **kwargs):
        super().__init__(data, queryset=dashboard_projects(company), **kwargs)
        customers, types = choices_for(company)
        self.filters["customer"].extra["choices"] = customers
        self.filters["type"].extra["choices"] = types

    def search_names(self, queryset, name, value):
        return queryset.search(value)

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (and the form accepted it)."""
        if not (self.is_bound and self.is_valid()):
            return False
        return any(value not in (None, "", []) for value in self.form.cleaned_data.values())


def dashboard_projects(company):
    """Every live project of the company with its figures, in QuickBooks' order (pinned first)."""
    return with_progress(with_contract_value(Project.objects.for_dashboard(company)))


def choices_for(company) -> tuple[list, list]:
    """The company's customers and project types, from its projects, in one query."""
    rows = (
        Project.objects.filter(company=company)
        .live()
        .order_by()
        .values_list("customer_qbo_id", "customer_name", "type")
        .distinct()
    )
    customers, types = {}, set()
    for customer_id, customer_name, kind in rows:
        if customer_id:
            customers[customer_id] = customer_name or f"Customer {customer_id}"
        if kind:
            types.add(kind)
    return (
        sorted(customers.items(), key=lambda item: (item[1].lower(), item[0])),
        [(kind, kind) for kind in sorted(types, key=str.lower)],
    )


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


COLUMNS = (
    Column("name", "Project"),
    Column("customer", "Customer"),
    Column("status", "Status"),
    Column("contract_value", "Contract value", numeric=True),
    Column("cost", "Cost to date", numeric=True),
    Column("billed", "Billed to date", numeric=True),
    Column("margin", "Billed margin", numeric=True),
    Column("margin_percent", "Billed margin %", numeric=True),
    Column("complete", "% complete", numeric=True),
    Column("due", "Due date"),
)

STATUS_ORDER = Case(
    *(When(status=value, then=Value(n)) for n, value in enumerate(Project.Status.values)),
    default=Value(len(Project.Status.values)),
    output_field=IntegerField(),
)
# Margin % orders only (the page shows the Decimal figures); a float ratio sidesteps integer division in SQLite.
MARGIN_RATIO = Case(
    When(billed_to_date=0, then=None),
    default=Cast("gross_margin", FloatField()) / Cast("billed_to_date", FloatField()),
    output_field=FloatField(),
)
SORT_EXPRESSIONS: dict[str, F | Expression] = {
    "name": F("name"),
    "customer": F("customer_name"),
    "status": STATUS_ORDER,
    "contract_value": F("contract_value"),
    "cost": F("cost_to_date"),
    "billed": F("billed_to_date"),
    "margin": F("gross_margin"),
    "margin_percent": MARGIN_RATIO,
    "complete": F("complete_ratio"),
    "due": F("due_date"),
}


def parse_sort(value: str | None) -> tuple[str, bool] | None:
    """`"margin"` is (margin, ascending), `"-margin"` (margin, descending); anything else is no sort."""
    key = (value or "").strip()
    descending = key.startswith("-")
    key = key.removeprefix("-")
    return (key, descending) if key in SORT_EXPRESSIONS else None


def sort_projects(projects, sort: tuple[str, bool] | None):
    """An explicit sort replaces pinned-first; blanks go last either way; name and id break ties."""
    if sort is None:
        return projects
    key, descending = sort
    expression = SORT_EXPRESSIONS[key]
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return projects.order_by(ordered, "name", "pk")


def filtered_projects(filterset: DashboardFilter):
    """The filtered projects, or all of them when the filters do not validate (the form shows why)."""
    if filterset.is_bound and filterset.is_valid():
        return filterset.qs
    return filterset.queryset


def dashboard_listing(data, company):
    """(filterset, projects, sort) for a request's query string: what the page and the exports both list."""
    filterset = DashboardFilter(data or None, company=company)
    sort = parse_sort(data.get("sort"))
    return filterset, sort_projects(filtered_projects(filterset), sort), sort


# What the totals query sums: contract value and margin over many projects are sums of these (exact, in Decimal),
# so each project's figures are worked out once, the ledger read once per figure, not again for the two sums of
# sums (with_contract_value and with_actuals define contract value and margin per project the same way).
SUMMED = ("estimate_total", "change_order_total", "cost_to_date", "billed_to_date")


def dashboard_totals(projects) -> dict:
    """Count and sums of the figures over every listed project, in one aggregate query."""
    # values() keeps the summed figures in the inner query Django aggregates over, and only them: without it Django
    # 5.2 would select every annotation there. The sums need names of their own: an aggregate named like the
    # annotation it sums breaks the SQL.
    sums = {f"sum_{name}": Coalesce(Sum(name), Value(0), output_field=MONEY_FIELD) for name in SUMMED}
    found = projects.order_by().values(*SUMMED).aggregate(count=Count("pk"), **sums)
    summed = {name: found[f"sum_{name}"] for name in SUMMED}
    return {
        "count": found["count"],
        "contract_value": summed["estimate_total"] + summed["change_order_total"],
        "cost_to_date": summed["cost_to_date"],
        "billed_to_date": summed["billed_to_date"],
        "gross_margin": summed["billed_to_date"] - summed["cost_to_date"],
    }


def page_rows(projects, bottom: int, top: int):
    """The listed projects from position `bottom` up to `top`, in the listing's order, with their figures.

    The listing's order picks the page's projects first (working out a figure for every matching project only
    when the order is by that figure), and only those rows are then read with every figure: an offset never
    makes the database work out the figures of the rows it skips."""
    return projects.filter(pk__in=projects.values("pk")[bottom:top])


class CountedPaginator(Paginator):
    """A paginator told the row count (the totals query already counted them), saving a COUNT query, whose pages
    read the figures of their own rows only (`page_rows`)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(page_rows(self.object_list, bottom, top), number, self)


def query_string(params, drop=(), **replace) -> str:
    """The request's query string without `drop` and with `replace`, for links that keep filters and sort."""
    params = params.copy()
    for name in (*drop, *replace):
        params.pop(name, None)
    for name, value in replace.items():
        params[name] = value
    return params.urlencode()


def header_links(params, sort) -> list[dict]:
    """Each column with the query string that sorts by it (the other way round when it is the current sort)."""
    current, descending = sort or (None, False)
    columns = []
    for column in COLUMNS:
        active = column.key == current
        next_sort = column.key if not active or descending else f"-{column.key}"
        columns.append(
            {
                "column": column,
                "query": query_string(params, drop=("page",), sort=next_sort),
                "direction": ("descending" if descending else "ascending") if active else "",
            }
        )
    return columns
