"""Project estimate pages: write one (a draft, or saved and sent to QuickBooks), read it, send it, set its status.

Viewers read; project managers draft; accountants and admins send to QuickBooks.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from quickbooks.access import company_view
from quickbooks.models import Role, SyncState

from ..documents.forms import References, StatusForm
from ..documents.lines import line_totals
from ..documents.state import can_edit, can_send, is_draft, open_conflict
from ..documents.views import (
    PREFIX,
    initial_lines,
    keep,
    line_table,
    posted_decimal,
    posted_status,
    saved_message,
    shown_lines,
    stale_message,
    with_one_more_line,
)
from ..models import Estimate, Project, TxnStatus
from .forms import EstimateForm, LineFormSet
from .services import (
    SETTABLE_STATUSES,
    estimate_delete_draft,
    estimate_save,
    estimate_send,
    estimate_set_status,
)

BLANK_ROWS = 1  # blank line rows shown (the script, or "Add line" without it, adds more)
STALE = stale_message("estimate")


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _estimate(company, project, estimate_id) -> Estimate:
    return get_object_or_404(Estimate.objects.filter(company=company, project=project), pk=estimate_id)


@company_view(min_role=Role.PROJECT_MANAGER)
def estimate_new(request, company, project_id):
    project = _project(company, project_id)
    estimate = Estimate(company=company, project=project, txn_date=timezone.localdate())
    return _edit(request, company, project, estimate)


@company_view(min_role=Role.PROJECT_MANAGER)
def estimate_edit(request, company, project_id, estimate_id):
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    if not can_edit(request.membership, estimate):
        raise PermissionDenied("This estimate is in QuickBooks: only accountants and admins change it.")
    if estimate.sync_state == SyncState.CONFLICT:
        messages.error(request, "This estimate changed here and in QuickBooks: resolve the conflict before editing.")
        return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)
    return _edit(request, company, project, estimate)


def _forms(estimate, references, data=None):
    form_kwargs = {"references": references, "keep": keep(estimate)}
    if data is not None:
        return EstimateForm(data, **form_kwargs), LineFormSet(data, prefix=PREFIX, form_kwargs=form_kwargs)
    header = {name: getattr(estimate, name) for name in EstimateForm.base_fields if name != "version"}
    form = EstimateForm(initial={**header, "version": estimate.sync_token}, **form_kwargs)
    formset = LineFormSet(initial=initial_lines(estimate), prefix=PREFIX, form_kwargs=form_kwargs)
    formset.extra = BLANK_ROWS
    return form, formset


def _edit(request, company, project, estimate):
    references = References(company)
    if request.method != "POST":
        return _render_form(request, company, project, estimate, *_forms(estimate, references))
    action = request.POST.get("action", "save")
    if action == "add_line":  # without the script: the same page with one more blank line
        data = with_one_more_line(request.POST)
        return _render_form(request, company, project, estimate, *_forms(estimate, references, data))
    send = action == "send"
    if send and not can_send(request.membership):
        raise PermissionDenied("Only accountants and admins send estimates to QuickBooks.")
    form, formset = _forms(estimate, references, request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _render_form(request, company, project, estimate, form, formset, status=400)
    if estimate.pk and form.cleaned_data["version"] != estimate.sync_token:
        data = request.POST.copy()
        data["version"] = estimate.sync_token  # a second save, after reading, goes through
        form, formset = _forms(estimate, references, data)
        form.add_error(None, STALE)
        return _render_form(request, company, project, estimate, form, formset, status=409)
    for name, value in form.header().items():
        setattr(estimate, name, value)
    confirmed = posted_decimal(request.POST.get("confirm_total"))
    try:
        estimate_save(
            estimate=estimate, lines=formset.lines(), by=request.membership, send=send, confirmed_total=confirmed
        )
    except ValidationError as error:
        form.add_error(None, error)
        confirm = error.code == "confirm_total"
        return _render_form(request, company, project, estimate, form, formset, status=400, confirm=confirm)
    messages.success(request, saved_message(send, can_send(request.membership)))
    return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)


def _render_form(request, company, project, estimate, form, formset, status=200, confirm=False):
    context = {
        "company": company,
        "project": project,
        "estimate": estimate,
        "form": form,
        **line_table(formset),
        "confirm_total": confirm,
        "can_send": can_send(request.membership),
        "is_new": estimate.pk is None,
        "is_draft": estimate.pk is None or is_draft(estimate),
    }
    return render(request, "projects/estimate_form.html", context, status=status)


@company_view()
def estimate_detail(request, company, project_id, estimate_id):
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    return render(request, "projects/estimate_detail.html", _detail_context(request, company, project, estimate))


def _detail_context(request, company, project, estimate) -> dict:
    membership, draft = request.membership, is_draft(estimate)
    lines = shown_lines(estimate)
    conflict = open_conflict(estimate) if estimate.sync_state == SyncState.CONFLICT else None
    in_conflict = estimate.sync_state == SyncState.CONFLICT
    return {
        "company": company,
        "project": project,
        "estimate": estimate,
        "lines": lines,
        "is_draft": draft,
        "totals": line_totals([{"amount": line.amount, "cost_amount": line.cost_amount} for line, _ in lines]),
        "conflict": conflict,
        "can_edit": can_edit(membership, estimate) and not in_conflict,
        "can_delete": draft and can_edit(membership, estimate),
        "can_send_draft": draft and can_send(membership),
        "can_write": membership.can(Role.PROJECT_MANAGER),
        "status_form": _status_form(estimate) if can_send(membership) and not in_conflict else None,
    }


def _status_form(estimate) -> StatusForm | None:
    return None if estimate.status == TxnStatus.CONVERTED else StatusForm.for_document(estimate, SETTABLE_STATUSES)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def estimate_status(request, company, project_id, estimate_id):
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    posted = posted_status(request, SETTABLE_STATUSES)
    if posted is None:
        return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)
    try:
        item = estimate_set_status(estimate=estimate, by=request.membership, **posted)
    except ValidationError as error:
        messages.error(request, "Status not changed: " + " ".join(error.messages))
    else:
        label = TxnStatus(estimate.status).label
        messages.success(request, f"Marked {label}." + (" Queued for QuickBooks." if item else " Still a draft."))
    return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def estimate_send_draft(request, company, project_id, estimate_id):
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    if not is_draft(estimate):
        messages.info(request, "This estimate was already sent to QuickBooks.")
        return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)
    try:
        estimate_send(estimate=estimate, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Queued for QuickBooks: it is sent in the background.")
    return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)


@company_view(min_role=Role.PROJECT_MANAGER)
def estimate_delete(request, company, project_id, estimate_id):
    """GET asks; POST deletes the draft (estimates in QuickBooks are not deleted from here)."""
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    if not (is_draft(estimate) and can_edit(request.membership, estimate)):
        raise PermissionDenied("Only drafts are deleted here, by whoever may edit them.")
    if request.method != "POST":
        context = {"company": company, "project": project, "estimate": estimate}
        return render(request, "projects/estimate_delete.html", context)
    label = str(estimate)
    estimate_delete_draft(estimate=estimate, by=request.membership)
    messages.success(request, f"Draft {label} deleted. Nothing was sent to QuickBooks.")
    return redirect("reports:project-detail", company.pk, project.pk)
