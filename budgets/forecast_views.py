"""The cost-to-complete page of a project: its cost to date and revised budget as of a month end, the forecast form
(one figure, or one a budget line), the review of what waits for it, and every forecast per period.

Everyone in the company reads it; project managers (and above) enter forecasts; accountants and admins mark them
reviewed or return them with a note (budgets/forecasts.py).
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.documents.forms import decimal_field
from projects.models import Project
from quickbooks.access import company_view
from quickbooks.models import Role
from quickbooks.models.fields import MONEY_MAX

from . import forecasts
from .forecasts import MAX_COMMENT, LineToForecast
from .models import CostForecast

LINE = "line-"  # the field of a budget line's cost to complete: "line-<budget line pk>"


class ForecastForm(forms.Form):
    """A forecast: its month end, the cost to complete (one figure, or one a budget line), and why."""

    period_end = forms.DateField(
        label="Period end",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the period end: the last day of the month the forecast is for.",
            "invalid": "Enter the period end as a date, like 2026-11-30.",
        },
    )
    cost_to_complete = decimal_field("Cost to complete", "18500 or 950.25", high=MONEY_MAX)
    comment = forms.CharField(
        label="Why",
        required=False,  # said in words below, with the rest
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The comment takes at most {MAX_COMMENT:,} characters."},
    )

    def __init__(self, *args, lines: list[LineToForecast], **kwargs):
        super().__init__(*args, **kwargs)
        self.budget_lines = lines
        for row in lines:
            self.fields[f"{LINE}{row.line.pk}"] = decimal_field(f"Cost to complete of {row.label}", "0", high=MONEY_MAX)

    def line_rows(self) -> list[tuple[LineToForecast, forms.BoundField]]:
        return [(row, self[f"{LINE}{row.line.pk}"]) for row in self.budget_lines]

    def by_line(self) -> dict[int, object] | None:
        """Budget line pk -> cost to complete, when any line was filled; None for one figure for the project."""
        given = {row.line.pk: self.cleaned_data.get(f"{LINE}{row.line.pk}") for row in self.budget_lines}
        return given if any(value is not None for value in given.values()) else None


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _period(request) -> tuple[date, str | None]:
    """The month end the page shows: ?period=, else the last month end; a bad one is said and the default shown."""
    default = forecasts.last_month_end()
    text = request.GET.get("period", "").strip()
    if not text:
        return default, None
    try:
        chosen = date.fromisoformat(text)
    except ValueError:
        return default, f"{text[:20]} is not a date: showing {default}."
    return forecasts.month_end(chosen), None


def _page(request, company, project, period: date, form: ForecastForm, status: int = 200, problem: str | None = None):
    figures = forecasts.revised_budget(project)
    in_use = forecasts.forecast_for(project, period)
    periods = forecasts.history(project)
    waiting = [f for p in periods for f in p.forecasts if f.status == forecasts.Status.SUBMITTED and not f.superseded]
    context = {
        "company": company,
        "project": project,
        "period": period,
        "period_problem": problem,
        "cost_to_date": forecasts.cost_to_date(project, period),
        "figures": figures,
        "in_use": in_use,
        "form": form,
        "line_rows": form.line_rows(),
        "periods": periods,
        "waiting": waiting,
        "can_enter": forecasts.may_enter(request.membership),
        "can_review": forecasts.may_review(request.membership),
        "rule": forecasts.RULE,
    }
    return render(request, "budgets/forecast.html", context, status=status)


@company_view(min_role=Role.VIEWER)
def forecast(request, company, project_id):
    """GET: the page as of a month end. POST (project managers and above): enter a forecast."""
    project = _project(company, project_id)
    lines = forecasts.lines_to_forecast(project)
    if request.method != "POST":
        period, problem = _period(request)
        return _page(
            request,
            company,
            project,
            period,
            ForecastForm(initial={"period_end": period}, lines=lines),
            problem=problem,
        )
    if not forecasts.may_enter(request.membership):
        raise PermissionDenied("Entering a forecast needs the project manager role; you can read this page.")
    form = ForecastForm(request.POST, lines=lines)
    period = forecasts.last_month_end()
    if form.is_valid():
        data = form.cleaned_data
        period = data["period_end"]
        try:
            saved = forecasts.enter_forecast(
                project=project,
                period_end=data["period_end"],
                comment=data["comment"],
                by=request.membership,
                cost_to_complete=data["cost_to_complete"],
                lines=form.by_line(),  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                f"Forecast for {saved.period_end} sent for review: {saved.cost_to_complete:,.2f} to complete, "
                f"{saved.estimated_cost_at_completion:,.2f} estimated cost at completion.",
            )
            return redirect(f"{request.path}?period={saved.period_end.isoformat()}")
    elif form.cleaned_data.get("period_end"):
        period = forecasts.month_end(form.cleaned_data["period_end"])
    return _page(request, company, project, period, form, status=400)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def review(request, company, project_id, forecast_id):
    """Mark a forecast reviewed, or return it to the project manager with a note."""
    project = _project(company, project_id)
    get_object_or_404(CostForecast.objects.filter(company=company, project=project), pk=forecast_id)
    returning = request.POST.get("decision") == "return"
    note = request.POST.get("note", "")
    act = forecasts.return_forecast if returning else forecasts.review_forecast
    try:
        done = act(forecast_id=forecast_id, project=project, by=request.membership, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        period = request.POST.get("period", "")
    else:
        period = done.period_end.isoformat()
        if returning:
            messages.success(request, f"Returned to {done.entered_by or 'the project manager'} with your note.")
        else:
            messages.success(
                request,
                f"Reviewed: from {done.period_end} the estimated cost at completion is "
                f"{done.estimated_cost_at_completion:,.2f}.",
            )
    url = redirect("budgets:forecast", company.pk, project.pk).url
    return redirect(f"{url}?period={period}" if period else url)
