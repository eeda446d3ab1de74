"""Project estimate pages: write one (a draft, or saved and sent to QuickBooks), read it, send it, set its status.

Viewers read; project managers draft; accountants and admins send to QuickBooks.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from quickbooks.access import company_view
from quickbooks.models import Role, SyncState
from quickbooks.sync.documents import plain

from ..models import Estimate, Project, TxnStatus
from .forms import EstimateForm, LineFormSet, References, StatusForm
from .services import (
    MAX_LINES,
    can_edit,
    can_send,
    estimate_delete_draft,
    estimate_save,
    estimate_send,
    estimate_set_status,
    estimate_totals,
    is_draft,
    markup_percent,
    open_conflict,
    priced,
)

PREFIX = "lines"
NUMBERS = ("qty", "unit_price", "unit_cost")
BLANK_ROWS = 1  # blank line rows shown (the script, or "Add line" without it, adds more)
SENT = "Saved and queued for QuickBooks: it is sent in the background, and this page shows when it has arrived."
DRAFTED = "Saved as a draft, not yet in QuickBooks."
PM_DRAFTED = DRAFTED + " An accountant will send it to QuickBooks."
STALE = (
    "This estimate changed in QuickBooks (or reached it) while you were editing. Your changes are still "
    "below: compare them with the estimate's page, then save again to send them."
)


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


def _keep(estimate) -> dict:
    """QuickBooks records the estimate already uses stay choosable, even if inactive now."""
    if estimate.pk is None:
        return {}
    lines = list(estimate.lines.values_list("item_qbo_id", "class_qbo_id"))
    return {
        "item": {i for i, _ in lines},
        "class": {c for _, c in lines} | {estimate.class_qbo_id},
        "location": {estimate.department_qbo_id},
    }


def _forms(estimate, references, data=None):
    keep, new = _keep(estimate), estimate.pk is None
    form_kwargs = {"references": references, "keep": keep}
    if data is not None:
        return EstimateForm(data, **form_kwargs), LineFormSet(data, prefix=PREFIX, form_kwargs=form_kwargs)
    header = {name: getattr(estimate, name) for name in EstimateForm.base_fields if name != "version"}
    form = EstimateForm(initial={**header, "version": estimate.sync_token}, **form_kwargs)
    lines = [] if new else list(estimate.lines.filter(detail_type="SalesItemLineDetail").values())
    initial = [{**line, "item": line["item_qbo_id"], **{name: plain(line[name]) for name in NUMBERS}} for line in lines]
    formset = LineFormSet(initial=initial, prefix=PREFIX, form_kwargs=form_kwargs)
    formset.extra = BLANK_ROWS
    return form, formset


def _edit(request, company, project, estimate):
    references = References(company)
    if request.method != "POST":
        return _render_form(request, company, project, estimate, *_forms(estimate, references))
    action = request.POST.get("action", "save")
    if action == "add_line":  # without the script: the same page with one more blank line
        data = request.POST.copy()
        rows = _count(data.get(f"{PREFIX}-TOTAL_FORMS"))
        data[f"{PREFIX}-TOTAL_FORMS"] = str(min(rows + 1, MAX_LINES))
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
    confirmed = _decimal(request.POST.get("confirm_total"))
    try:
        estimate_save(
            estimate=estimate, lines=formset.lines(), by=request.membership, send=send, confirmed_total=confirmed
        )
    except ValidationError as error:
        form.add_error(None, error)
        confirm = error.code == "confirm_total"
        return _render_form(request, company, project, estimate, form, formset, status=400, confirm=confirm)
    messages.success(request, SENT if send else (DRAFTED if can_send(request.membership) else PM_DRAFTED))
    return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)


def _count(value: str | None) -> int:
    """The row count the page posted; a tampered one counts as none (the formset then says what is missing)."""
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _row_figures(form) -> dict | None:
    """A line's amount, cost and markup as the server computes them (None while the line is incomplete)."""
    if form.is_bound:
        line = form.line() if form.is_valid() and form.cleaned_data.get("item") else None
    elif form.initial.get("qty") is None or form.initial.get("unit_price") is None:
        line = None
    else:
        line = priced(form.initial)
    return line and {**line, "markup": markup_percent(line["amount"], line["cost_amount"])}


def _render_form(request, company, project, estimate, form, formset, status=200, confirm=False):
    rows = [(line_form, _row_figures(line_form)) for line_form in formset.forms]
    counted = [
        figures
        for line_form, figures in rows
        if figures and not (line_form.is_bound and line_form.cleaned_data.get("DELETE"))
    ]
    context = {
        "company": company,
        "project": project,
        "estimate": estimate,
        "form": form,
        "formset": formset,
        "rows": rows,
        "totals": estimate_totals(counted),
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
    lines = [(_shown(line), markup_percent(line.amount, line.cost_amount)) for line in estimate.lines.all()]
    conflict = open_conflict(estimate) if estimate.sync_state == SyncState.CONFLICT else None
    in_conflict = estimate.sync_state == SyncState.CONFLICT
    return {
        "company": company,
        "project": project,
        "estimate": estimate,
        "lines": lines,
        "is_draft": draft,
        "totals": estimate_totals([{"amount": line.amount, "cost_amount": line.cost_amount} for line, _ in lines]),
        "conflict": conflict,
        "can_edit": can_edit(membership, estimate) and not in_conflict,
        "can_delete": draft and can_edit(membership, estimate),
        "can_send_draft": draft and can_send(membership),
        "status_form": _status_form(estimate) if can_send(membership) and not in_conflict else None,
    }


def _shown(line):
    """Quantities and prices as typed (4, 33.335), not as stored (4.0000000)."""
    line.qty, line.unit_price, line.unit_cost = plain(line.qty), plain(line.unit_price), plain(line.unit_cost)
    return line


def _status_form(estimate) -> StatusForm | None:
    if estimate.status == TxnStatus.CONVERTED:
        return None
    return StatusForm(
        initial={
            "status": estimate.status,
            "accepted_by": estimate.accepted_by,
            "accepted_date": estimate.accepted_date or timezone.localdate(),
        }
    )


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def estimate_status(request, company, project_id, estimate_id):
    project = _project(company, project_id)
    estimate = _estimate(company, project, estimate_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)  # ErrorList yields str; str() for mypy
        messages.error(request, "Status not changed: " + errors)
        return redirect("projects:estimate-detail", company.pk, project.pk, estimate.pk)
    try:
        item = estimate_set_status(estimate=estimate, by=request.membership, **form.cleaned_data)
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
