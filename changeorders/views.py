"""Change order pages: write one against an accepted project estimate, read it, send it, record the customer's
decision, delete it, print it for signature.

Viewers read; project managers draft; accountants and admins send to QuickBooks and record decisions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects.documents.forms import References, StatusForm
from projects.documents.lines import line_totals
from projects.documents.state import can_edit, can_send, is_draft, open_conflict, outbox_items
from projects.documents.views import (
    PREFIX,
    initial_lines,
    keep,
    line_table,
    posted_status,
    saved_message,
    shown_lines,
    stale_message,
    with_one_more_line,
)
from projects.models import Project, TxnStatus
from quickbooks.access import company_view
from quickbooks.models import OutboxItem, Role, SyncState

from .contract import contract_value
from .forms import ChangeOrderForm, LineFormSet
from .models import ChangeOrder
from .services import (
    SETTABLE_STATUSES,
    change_order_delete,
    change_order_save,
    change_order_send,
    change_order_set_status,
    offered,
    parents,
)

BLANK_ROWS = 1
STALE = stale_message("change order")


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _change_order(company, project, change_order_id) -> ChangeOrder:
    """One of the project's change orders: by its key, or by QuickBooks' ProjectRef as the project page lists them."""
    of_project = Q(project=project) | Q(project_qbo_id=project.qbo_id) if project.qbo_id else Q(project=project)
    rows = ChangeOrder.objects.filter(of_project, company=company).select_related("estimate", "project")
    return get_object_or_404(rows, pk=change_order_id)


def _detail(company, project, change_order):
    return redirect("changeorders:detail", company.pk, project.pk, change_order.pk)


@company_view(min_role=Role.PROJECT_MANAGER)
def change_order_new(request, company, project_id):
    project = _project(company, project_id)
    if not offered(company):
        return render(request, "changeorders/not_offered.html", {"company": company, "project": project})
    change_order = ChangeOrder(company=company, project=project, txn_date=timezone.localdate())
    wanted = request.GET.get("estimate", "")
    if wanted.isdigit():
        change_order.estimate = parents(project).filter(pk=int(wanted)).first()
    return _edit(request, company, project, change_order)


@company_view(min_role=Role.PROJECT_MANAGER)
def change_order_edit(request, company, project_id, change_order_id):
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    if not can_edit(request.membership, change_order):
        raise PermissionDenied("This change order is in QuickBooks: only accountants and admins change it.")
    if change_order.sync_state == SyncState.CONFLICT:
        messages.error(request, "This change order changed here and in QuickBooks: resolve the conflict first.")
        return _detail(company, project, change_order)
    if not offered(company):
        return render(request, "changeorders/not_offered.html", {"company": company, "project": project})
    return _edit(request, company, project, change_order)


def _forms(change_order, references, parent_rows, data=None):
    form_kwargs = {"references": references, "keep": keep(change_order)}
    if data is not None:
        form = ChangeOrderForm(data, parents=parent_rows, **form_kwargs)
        return form, LineFormSet(data, prefix=PREFIX, form_kwargs=form_kwargs)
    fields = [name for name in ChangeOrderForm.base_fields if name not in ("version", "estimate")]
    header = {name: getattr(change_order, name) for name in fields}
    initial = {**header, "version": change_order.sync_token, "estimate": change_order.estimate_id}
    form = ChangeOrderForm(initial=initial, parents=parent_rows, **form_kwargs)
    formset = LineFormSet(initial=initial_lines(change_order), prefix=PREFIX, form_kwargs=form_kwargs)
    formset.extra = BLANK_ROWS
    return form, formset


def _edit(request, company, project, change_order):
    references, parent_rows = References(company), list(parents(project).prefetch_related("lines"))
    if change_order.estimate_id and change_order.estimate not in parent_rows:
        parent_rows.append(change_order.estimate)  # its parent stays shown (and is refused, with the reason)
    if request.method != "POST":
        forms_ = _forms(change_order, references, parent_rows)
        return _render_form(request, company, project, change_order, parent_rows, *forms_)
    action = request.POST.get("action", "save")
    if action == "add_line":  # without the script: the same page with one more blank line
        forms_ = _forms(change_order, references, parent_rows, with_one_more_line(request.POST))
        return _render_form(request, company, project, change_order, parent_rows, *forms_)
    send = action == "send"
    if send and not can_send(request.membership):
        raise PermissionDenied("Only accountants and admins send change orders to QuickBooks.")
    form, formset = _forms(change_order, references, parent_rows, request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _render_form(request, company, project, change_order, parent_rows, form, formset, status=400)
    if change_order.pk and form.cleaned_data["version"] != change_order.sync_token:
        data = request.POST.copy()
        data["version"] = change_order.sync_token  # a second save, after reading, goes through
        form, formset = _forms(change_order, references, parent_rows, data)
        form.add_error(None, STALE)
        return _render_form(request, company, project, change_order, parent_rows, form, formset, status=409)
    for name, value in form.header().items():
        setattr(change_order, name, value)
    try:
        change_order_save(change_order=change_order, lines=formset.lines(), by=request.membership, send=send)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_form(request, company, project, change_order, parent_rows, form, formset, status=400)
    messages.success(request, saved_message(send, can_send(request.membership)))
    return _detail(company, project, change_order)


def _render_form(request, company, project, change_order, parent_rows, form, formset, status=200):
    table = line_table(formset)
    before = contract_value(project) - (change_order.booked_subtotal if change_order.in_contract else 0)
    context = {
        "company": company,
        "project": project,
        "change_order": change_order,
        "form": form,
        "parents": [(parent, shown_lines(parent)) for parent in parent_rows],
        "contract_before": before,
        "contract_after": before + table["totals"].amount,
        "can_send": can_send(request.membership),
        "is_new": change_order.pk is None,
        "is_draft": is_draft(change_order),
        **table,
    }
    return render(request, "changeorders/form.html", context, status=status)


def _contract_trail(change_order: ChangeOrder, project: Project) -> dict:
    """The contract before this change order and after it: accepted, it is inside the value now; otherwise it
    would be added when accepted."""
    now = contract_value(project)
    in_quickbooks = bool(change_order.qbo_id)
    change = change_order.booked_subtotal if in_quickbooks else change_order.total_amount
    cost = change_order.booked_cost if in_quickbooks else change_order.total_cost_amount
    before = now - change if change_order.in_contract else now
    return {"contract_before": before, "change": change, "contract_after": before + change, "cost_change": cost}


@company_view()
def change_order_detail(request, company, project_id, change_order_id):
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    membership, draft = request.membership, is_draft(change_order)
    lines = shown_lines(change_order)
    in_conflict = change_order.sync_state == SyncState.CONFLICT
    deleting = (
        outbox_items(change_order)
        .filter(
            operation=OutboxItem.Operation.DELETE, status__in=[OutboxItem.Status.PENDING, OutboxItem.Status.SENDING]
        )
        .exists()
    )
    decides = can_send(membership) and not draft and not in_conflict
    context = {
        "company": company,
        "project": project,
        "change_order": change_order,
        "lines": lines,
        "totals": line_totals([{"amount": line.amount, "cost_amount": line.cost_amount} for line, _ in lines]),
        "is_draft": draft,
        "conflict": open_conflict(change_order) if in_conflict else None,
        "history": change_order.events.select_related("by").order_by("at", "id"),
        "can_edit": can_edit(membership, change_order) and not in_conflict and not deleting and offered(company),
        "can_delete": (can_edit(membership, change_order) if draft else can_send(membership)) and not deleting,
        "can_send_draft": draft and can_send(membership) and offered(company),
        "deleting": deleting,
        "status_form": StatusForm.for_document(change_order, SETTABLE_STATUSES) if decides else None,
        **_contract_trail(change_order, project),
    }
    return render(request, "changeorders/detail.html", context)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def change_order_status(request, company, project_id, change_order_id):
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    posted = posted_status(request, SETTABLE_STATUSES)
    if posted is None:
        return _detail(company, project, change_order)
    try:
        change_order_set_status(change_order=change_order, by=request.membership, **posted)
    except ValidationError as error:
        messages.error(request, "Status not changed: " + " ".join(error.messages))
    else:
        label = TxnStatus(change_order.status).label
        messages.success(request, f"Marked {label} and queued for QuickBooks.")
    return _detail(company, project, change_order)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def change_order_send_draft(request, company, project_id, change_order_id):
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    if not is_draft(change_order):
        messages.info(request, "This change order was already sent to QuickBooks.")
        return _detail(company, project, change_order)
    try:
        change_order_send(change_order=change_order, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Queued for QuickBooks: it is sent in the background.")
    return _detail(company, project, change_order)


@company_view(min_role=Role.PROJECT_MANAGER)
def change_order_delete_view(request, company, project_id, change_order_id):
    """GET asks (saying what the contract loses); POST deletes a draft here, or one in QuickBooks there first."""
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    draft = is_draft(change_order)
    if not (can_edit(request.membership, change_order) if draft else can_send(request.membership)):
        raise PermissionDenied("Drafts are deleted by whoever may edit them; the rest by accountants and admins.")
    if request.method != "POST":
        context = {"company": company, "project": project, "change_order": change_order, "is_draft": draft}
        return render(request, "changeorders/delete.html", context)
    label = str(change_order)
    try:
        item = change_order_delete(change_order=change_order, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(company, project, change_order)
    if item is None:
        messages.success(request, f"Draft {label} deleted. Nothing was sent to QuickBooks.")
        return redirect("reports:project-detail", company.pk, project.pk)
    messages.success(
        request, f"Deletion of {label} queued for QuickBooks: it goes from Costline once QuickBooks confirms."
    )
    return _detail(company, project, change_order)


@company_view()
def change_order_print(request, company, project_id, change_order_id):
    """The change order for the customer to sign: scope, price change, previous and new contract totals; the cost
    impact only when the company chooses to show it (?cost=1)."""
    project = _project(company, project_id)
    change_order = _change_order(company, project, change_order_id)
    context = {
        "company": company,
        "project": project,
        "change_order": change_order,
        "lines": shown_lines(change_order),
        "show_cost": request.GET.get("cost") == "1",
        **_contract_trail(change_order, project),
    }
    return render(request, "changeorders/print.html", context)
