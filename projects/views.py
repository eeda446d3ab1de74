from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.functional import cached_property

from quickbooks.access import company_view
from quickbooks.models import SyncRun

from . import exports
from .filters import COLUMNS, dashboard_listing, dashboard_totals

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """A paginator told the row count (the totals query already counted them), saving a COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self):
        return self.known_count


@company_view()
def dashboard(request, company):
    """The company's home page: every project's contract value, costs, billing and margin to date, filtered,
    searched, sorted and paged, with totals over every matching project."""
    filterset, projects, sort = dashboard_listing(request.GET, company)
    totals = dashboard_totals(projects)
    page = CountedPaginator(projects, PAGE_SIZE, count=totals["count"]).get_page(request.GET.get("page"))
    context = {
        "company": company,
        "filter": filterset,
        "page": page,
        "projects": page.object_list,
        "totals": totals,
        "columns": header_links(request.GET, sort),
        "query": query_string(request.GET, drop=("page",)),
        "last_sync": SyncRun.objects.filter(company=company).first(),
    }
    return render(request, "projects/dashboard.html", context)


@company_view()
def dashboard_csv(request, company):
    """The dashboard's filtered, sorted list, every row and the totals, as CSV."""
    _, projects, _ = dashboard_listing(request.GET, company)
    return exports.csv_response(company, projects, dashboard_totals(projects))


@company_view()
def dashboard_xlsx(request, company):
    """The dashboard's filtered, sorted list, every row and the totals, as an Excel workbook."""
    _, projects, _ = dashboard_listing(request.GET, company)
    return exports.xlsx_response(company, projects, dashboard_totals(projects))


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
        columns.append({
            "column": column,
            "query": query_string(params, drop=("page",), sort=next_sort),
            "direction": ("descending" if descending else "ascending") if active else "",
        })
    return columns
