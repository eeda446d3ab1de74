"""The data-health page: project mis-coding in the books, and re-tagging it in QuickBooks.

Any member reads it; accountants and admins preview and send re-tags (others get 403 on POST and see no buttons).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from quickbooks.access import company_view
from quickbooks.models import Role

from ..models import Project
from . import findings, retag

QUEUED = (
    "Queued for QuickBooks: {txn} will carry ProjectRef = {project}. It is sent in the background; this page "
    "shows when QuickBooks has taken it."
)


@require_GET
@company_view(min_role=Role.VIEWER)
def health_page(request, company):
    return render(
        request,
        "projects/health.html",
        {
            "company": company,
            "health": findings.health(company),
            "can_act": request.membership.can(Role.ACCOUNTANT),
            "retaggable": retag.RETAGGABLE,
        },
    )


def _group(company, txn_type, txn_qbo_id) -> findings.MiscodedTransaction:
    group = findings.miscoded_transaction(company, txn_type, txn_qbo_id)
    if group is None:
        raise Http404("No line of this transaction is charged without ProjectRef.")
    return group


def _chosen(group, qbo_id) -> Project | None:
    return next((p for p in group.candidates if p.qbo_id == (qbo_id or "")), None)


@require_GET
@company_view(min_role=Role.ACCOUNTANT)
def retag_preview(request, company, txn_type, txn_qbo_id):
    group = _group(company, txn_type, txn_qbo_id)
    project = _chosen(group, request.GET.get("project")) or group.suggested
    if project is None:
        messages.error(request, "Choose the project this transaction belongs to.")
        return redirect("projects:health", company.pk)
    try:
        retag.check_choice(group, project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("projects:health", company.pk)
    project = Project.objects.filter(pk=project.pk).with_actuals().get()
    changes = retag.preview(group, project)
    return render(
        request,
        "projects/retag_preview.html",
        {
            "company": company,
            "group": group,
            "project": project,
            **changes,
            "cost_after": project.cost_to_date + sum(amount for kind, amount in changes["moving"] if kind == "Cost"),
        },
    )


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def retag_send(request, company, txn_type, txn_qbo_id):
    group = _group(company, txn_type, txn_qbo_id)
    project = _chosen(group, request.POST.get("project"))
    try:
        request_ = retag.request_retag(company=company, group=group, project=project, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        txn = f"{txn_type} {request_.doc_number or request_.qbo_id}"
        messages.success(request, QUEUED.format(txn=txn, project=request_.project_name))
    return redirect("projects:health", company.pk)
