"""New, edit and delete project pages: accountants and admins, on plans with the Projects API.

Where the plan or the grant lacks the Projects API there is no form: the page says that projects are made in
QuickBooks and arrive with the next sync, and a POST is refused (403) with the same words.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from quickbooks.access import company_view
from quickbooks.models import Role

from ..models import Project
from . import services
from .forms import ProjectForm
from .services import PLAN_MESSAGE, project_save, projects_api_available

SAVED = "Saved and queued for QuickBooks: it is sent in the background, and this page shows when it has arrived."
DELETED = (
    "Deleted: the project has left the dashboard, and QuickBooks deletes it in the background (QuickBooks "
    "keeps deleted projects, so its estimates and costs stay readable here)."
)
TEMPLATE = "projects/project_form.html"


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _context(company, project, **extra) -> dict:
    return {"company": company, "project": project, "is_new": project.pk is None, "plan_message": PLAN_MESSAGE, **extra}


def _unavailable(request, company, project):
    """No form on this plan; a POST gets the same page with 403 and changes nothing."""
    status = 403 if request.method == "POST" else 200
    return render(request, TEMPLATE, _context(company, project, mode="unavailable"), status=status)


@company_view(min_role=Role.ACCOUNTANT)
def project_new(request, company):
    project = Project(company=company, status=Project.Status.OPEN)
    return _edit(request, company, project)


@company_view(min_role=Role.ACCOUNTANT)
def project_edit(request, company, project_id):
    project = _project(company, project_id)
    if project.deleted:
        messages.error(request, "This project is deleted; it can no longer be changed.")
        return redirect("reports:project-detail", company.pk, project.pk)
    return _edit(request, company, project)


def _edit(request, company, project):
    if not projects_api_available(company):
        return _unavailable(request, company, project)
    if request.method != "POST":
        return _render_form(request, company, project, ProjectForm(project=project))
    form = ProjectForm(request.POST, project=project)
    if not form.is_valid():
        return _render_form(request, company, project, form, status=400)
    form.apply(project)
    try:
        project_save(project=project, by=request.membership)
    except ValidationError as error:  # what changed since the form was checked (a customer made inactive...)
        _add_errors(form, error)
        return _render_form(request, company, project, form, status=400)
    messages.success(request, SAVED)
    return redirect("reports:project-detail", company.pk, project.pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error)


def _render_form(request, company, project, form, status=200):
    return render(request, TEMPLATE, _context(company, project, mode="form", form=form), status=status)


@company_view(min_role=Role.ACCOUNTANT)
def project_delete(request, company, project_id):
    """A confirmation page; the POST deletes (softly, as QuickBooks does)."""
    project = _project(company, project_id)
    if not projects_api_available(company):
        return _unavailable(request, company, project)
    if project.deleted:
        messages.info(request, "This project is already deleted.")
        return redirect("reports:project-detail", company.pk, project.pk)
    if request.method == "POST":
        services.project_delete(project=project, by=request.membership)
        messages.success(request, DELETED)
        return redirect("reports:project-detail", company.pk, project.pk)
    return render(request, TEMPLATE, _context(company, project, mode="delete"))
