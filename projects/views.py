from decimal import Decimal

from django.shortcuts import render

from changeorders.models import with_contract_value
from quickbooks.access import company_view
from quickbooks.models import SyncRun

from .models import Project

FIGURES = ("contract_value", "cost_to_date", "billed_to_date", "gross_margin")


@company_view()
def dashboard(request, company):
    """The company's home page: every project's contract value, costs, billing and margin to date."""
    projects = list(with_contract_value(Project.objects.for_dashboard(company)))
    totals = {name: sum((getattr(p, name) for p in projects), Decimal(0)) for name in FIGURES}
    context = {
        "company": company,
        "projects": projects,
        "totals": totals,
        "last_sync": SyncRun.objects.filter(company=company).first(),
    }
    return render(request, "projects/dashboard.html", context)
