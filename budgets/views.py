"""Budget pages' writes. The budget itself is read on the project's budget vs actual page (reports)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from projects.models import Project
from quickbooks.access import company_view
from quickbooks.models import Role

from .services import budget_adopt


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def adopt(request, company, project_id):
    """Track a budget made in QuickBooks, by the id QuickBooks shows for it."""
    project = get_object_or_404(Project.objects.filter(company=company), pk=project_id)
    budget_id = request.POST.get("budget_id", "")
    try:
        budget = budget_adopt(project=project, budget_id=budget_id, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{budget} ({budget.lines.count()} lines, {budget.total:,}) is tracked: every sync keeps it in step.",
        )
    return redirect("reports:project-budget", company.pk, project.pk)
