"""The reports' pages: the company dashboard with its exports, the project page, the change order log."""

from functools import cache
from pathlib import Path

import markdown
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from budgets import services as budget_services
from projects.models import Project
from quickbooks.access import company_view
from quickbooks.links import txn_url
from quickbooks.models import Role, SyncRun

from . import budget_vs_actual as budget_comparison
from . import change_orders, exports, figures, project_page, summaries, wip
from .charts import bar_chart, over_under_chart
from .dashboard import CountedPaginator, dashboard_listing, dashboard_totals, header_links, query_string

PAGE_SIZE = 50
EXPORTS = {"csv": exports.csv_response, "xlsx": exports.xlsx_response}


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
    return render(request, "reports/dashboard.html", context)


@company_view()
def dashboard_csv(request, company):
    """The dashboard's filtered, sorted list, every row and the totals, as CSV."""
    _, projects, _ = dashboard_listing(request.GET, company)
    return exports.csv_response(exports.dashboard_table(company, projects, dashboard_totals(projects)))


@company_view()
def dashboard_xlsx(request, company):
    """The dashboard's filtered, sorted list, every row and the totals, as an Excel workbook."""
    _, projects, _ = dashboard_listing(request.GET, company)
    return exports.xlsx_response(exports.dashboard_table(company, projects, dashboard_totals(projects)))


@company_view()
def project_detail(request, company, project_id):
    """One project as its accountant reads it; a deleted project still shows, read-only, marked deleted."""
    project = get_object_or_404(Project.objects.filter(company=company), pk=project_id)
    project.company = company  # the one the request already read
    lines = figures.ledger_lines(project)
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        filtered = project_page.LedgerFilter(request.GET, lines).apply(lines)
        return export(exports.ledger_table(project, filtered, txn_url))
    header = project_page.header(project, lines)
    context = {
        "company": company,
        "project": project,
        **header,
        **project_page.ledger(request, lines, header["actuals"]),
        "can_write_estimates": request.membership.can(Role.PROJECT_MANAGER),
    }
    return render(request, "reports/project_detail.html", context)


@cache
def _figure_rules() -> str:
    """docs/figures.md, the one place the rules are written, as HTML (the file is the repo's own, not user input)."""
    text = (Path(settings.BASE_DIR) / "docs" / "figures.md").read_text(encoding="utf-8")
    return markdown.markdown(text, extensions=["tables"])


@login_required
def figure_rules(request):
    """How each figure is computed: linked from every page that shows one."""
    return render(request, "reports/figure_rules.html", {"rules": mark_safe(_figure_rules())})  # noqa: S308


@company_view()
def change_order_log(request, company, project_id=None):
    """Every change order of the company, or of one project: where each stands and how long the customer took."""
    project = get_object_or_404(Project.objects.filter(company=company), pk=project_id) if project_id else None
    rows = change_orders.log(change_orders.change_orders(company, project), timezone.localdate())
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        scope = project.name if project else "all-projects"
        return export(change_orders.log_table(company, rows, scope))
    context = {
        "company": company,
        "project": project,
        "rows": rows,
        "signed_totals": change_orders.signed_totals(rows),
        "days_pending_rule": change_orders.DAYS_PENDING_RULE,
    }
    return render(request, "reports/change_order_log.html", context)


@company_view()
def budget_vs_actual(request, company, project_id):
    """The project's budget line by line against what was spent, committed and added by change orders."""
    project = get_object_or_404(Project.objects.filter(company=company), pk=project_id)
    comparison = budget_comparison.compare(project)
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        return export(budget_comparison.table(project, comparison))
    context = {
        "company": company,
        "project": project,
        "comparison": comparison,
        "totals": comparison.totals,
        "rule": budget_comparison.MATCHING_RULE,
        "budgets_offered": budget_services.offered(company),
        "can_adopt": request.membership.can(Role.ACCOUNTANT),
        **budget_services.budget_panel(project, request.membership),
        "chart": bar_chart(
            [(row.label, row.revised, row.actual) for row in comparison.all_rows if row.revised or row.actual]
        ),
    }
    return render(request, "reports/budget_vs_actual.html", context)


@company_view()
def wip_schedule(request, company):
    """The work-in-progress schedule as of a period end: every project's contract, estimate at completion, cost,
    percent complete, earned revenue, billing and over/under billing, with the totals a month-end close books."""
    filterset = wip.WipFilter(request.GET or None, company=company)
    as_of_form = wip.AsOfForm(request.GET or None)
    as_of = as_of_form.period_end(timezone.localdate())
    found = wip.company_schedule(company, filterset.projects, as_of)
    found.rows, sort = wip.sorted_rows(found.rows, request.GET.get("sort", ""))
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        return export(wip.table(company, found))
    every_row = request.GET.get("all") == "1"  # the print layout: every project on one page
    page = Paginator(found.rows, max(len(found.rows), 1) if every_row else PAGE_SIZE).get_page(request.GET.get("page"))
    totals = found.totals  # once: over every row, not only the page's
    context = {
        "company": company,
        "filter": filterset,
        "as_of_form": as_of_form,
        "schedule": found,
        "page": page,
        "every_row": every_row,
        "totals": totals,
        "net_over_under": totals["over_billing"] - totals["under_billing"],
        "needing_forecast": len(found.needing_forecast),
        "sort": sort,
        "query": query_string(request.GET, drop=("export", "page")),
        "headers": wip.headers(request.GET, sort),
        "chart": over_under_chart(wip.largest_over_under(found.rows)),
        "chart_limit": wip.CHART_PROJECTS,
    }
    return render(request, "reports/wip.html", context)


@company_view()
def summary(request, company, report):
    """A report across projects beside the WIP (job profitability, budget vs actual), as of a period end."""
    build = summaries.SUMMARIES.get(report)
    if build is None:
        raise Http404("No such report.")
    filterset = wip.WipFilter(request.GET or None, company=company)
    as_of_form = wip.AsOfForm(request.GET or None)
    as_of = as_of_form.period_end(timezone.localdate())
    found = build(company, filterset.projects, as_of)
    if (export := EXPORTS.get(request.GET.get("export", ""))) is not None:
        return export(found.table)
    context = {
        "company": company,
        "filter": filterset,
        "as_of_form": as_of_form,
        "as_of": as_of,
        "report": found,
        "rows": summaries.cells(found.table),
        "query": query_string(request.GET, drop=("export",)),
    }
    return render(request, "reports/summary.html", context)
