"""The project page's sections: header figures, estimates and change orders, the ledger of actuals (filtered,
paged; exported by reports.exports), profitability, a chart."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone

from budgets.forecasts import forecast_for
from changeorders.services import offered
from projects.models import Project
from quickbooks.links import txn_url

from . import figures
from .charts import cumulative_chart

LEDGER_PAGE_SIZE = 100
DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-03-31."


class LedgerFilter(forms.Form):
    """The ledger's GET filters; choices are what the project's own lines carry."""

    def __init__(self, data, lines: QuerySet):
        super().__init__(data)
        self.fields["type"] = forms.ChoiceField(
            label="Type",
            required=False,
            choices=_choices((t, t) for t in sorted({txn_type for _, txn_type in kinds_and_types(lines)})),
        )
        self.fields["account"] = forms.ChoiceField(
            label="Account", required=False, choices=_choices(_named(lines, "account"))
        )
        self.fields["class"] = forms.ChoiceField(
            label="Class", required=False, choices=_choices(_named(lines, "class"))
        )
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                error_messages={"invalid": DATE_ERROR},
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean returns; the stubs allow None
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            raise forms.ValidationError(f"The start date ({start:%Y-%m-%d}) is after the end date ({end:%Y-%m-%d}).")
        return cleaned

    def apply(self, lines: QuerySet) -> QuerySet:
        """The lines the valid filters keep; every line when the filters are not valid (the form says why)."""
        if not self.is_valid():
            return lines
        wanted = self.cleaned_data
        lookups = {
            "txn_type": wanted["type"],
            "account_qbo_id": wanted["account"],
            "class_qbo_id": wanted["class"],
            "txn_date__gte": wanted["from"],
            "txn_date__lte": wanted["to"],
        }
        return lines.filter(**{lookup: value for lookup, value in lookups.items() if value})


def _choices(pairs) -> list[tuple[str, str]]:
    return [("", "All"), *pairs]


def kinds_and_types(lines: QuerySet) -> QuerySet:
    """Distinct (kind, transaction type) of the lines, which the ledger's by-project index covers: for the type
    choices. Asked for the types alone, SQLite (which keeps no statistics) reads the company's whole ledger in the
    unique constraint's (company, type) order to skip its sort."""
    return lines.order_by().values_list("kind", "txn_type").distinct()


def _named(lines: QuerySet, prefix: str):
    """Distinct (id, name) of the lines' accounts or classes, by name."""
    pairs = lines.exclude(**{f"{prefix}_qbo_id": ""}).order_by(f"{prefix}_name", f"{prefix}_qbo_id")
    return pairs.values_list(f"{prefix}_qbo_id", f"{prefix}_name").distinct()


def header(project: Project, lines: QuerySet) -> dict:
    estimates, orphans = figures.estimates(project)
    contract = figures.contract(project, estimates, orphans)
    budgets = figures.budgets(project)
    budget_total = sum((b.total for b in budgets), figures.ZERO) if budgets else None
    actuals = figures.actuals(lines)
    forecast = forecast_for(project, timezone.localdate())
    progress = figures.Progress(
        contract=contract.value,
        original_budget=budget_total,
        change_order_cost=figures.change_order_cost(project),
        cost=actuals.cost,
        billed=actuals.revenue,
        forecast=forecast.estimated_cost_at_completion if forecast else None,
    )
    signed_orders = [o for e in estimates for o in e.change_orders if o.in_contract] + [
        o for o in orphans if o.in_contract
    ]
    return {
        "estimates": estimates,
        "orphan_change_orders": orphans,
        "signed_change_orders": sorted(signed_orders, key=lambda o: (o.txn_date or date.min, o.pk)),
        "change_orders_offered": offered(project.company),
        "contract": contract,
        "budgets": budgets,
        "budget_total": budget_total,
        "actuals": actuals,
        "progress": progress,
        "cost_rule": figures.COST_RULE,
        "chart": cumulative_chart(figures.cumulative_by_month(lines)),
    }


def ledger(request, lines: QuerySet, every_line: figures.Actuals) -> dict:
    """The ledger panel: the filtered lines a page at a time and their totals (`every_line`'s, the header's
    figures, when no filter narrows them: the same aggregate is not read twice)."""
    form = LedgerFilter(request.GET or None, lines)
    shown = form.apply(lines).order_by("txn_date", "txn_type", "txn_qbo_id", "line_id", "pk")
    page = Paginator(shown, LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    for line in page:
        line.qbo_url = txn_url(line.txn_type, line.txn_qbo_id)
    kept = {key: value for key, value in request.GET.items() if key not in ("page", "export") and value}
    narrowed = form.is_valid() and any(form.cleaned_data.values())
    return {
        "filter_form": form,
        "ledger_page": page,
        "ledger_totals": figures.actuals(shown) if narrowed else every_line,
        "filter_query": urlencode(kept),
        "filtered": narrowed,  # said beside the totals: only when a valid filter really narrowed the lines
    }
