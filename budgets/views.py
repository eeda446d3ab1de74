"""Budget pages' writes: the budget lines form, start from the estimate, send, lock as the baseline, delete, resolve a
conflict, track a budget made in QuickBooks. The budget is read on the project's budget vs actual page (reports).

Project managers write and send a draft budget; a locked budget (the baseline) only accountants and admins change.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.documents.forms import References
from projects.documents.views import PREFIX, SENT, with_one_more_line
from projects.models import Project
from quickbooks.access import company_view
from quickbooks.models import Role, SyncState
from quickbooks.sync.documents import plain

from .forms import BudgetForm, LineFormSet
from .models import Budget, BudgetChange
from .services import (
    budget_adopt,
    budget_delete,
    budget_from_estimate,
    budget_lock,
    budget_of,
    budget_resolve,
    budget_save,
    budget_send,
    line_amount,
    may_change,
    new_budget,
    offered,
)

BLANK_ROWS = 1
STALE = (
    "This budget changed (in QuickBooks, or by someone else here) while you were editing. Your lines are still below: "
    "compare them with the budget page, then save again."
)


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _budget_page(company, project):
    return redirect("reports:project-budget", company.pk, project.pk)


def version(budget: Budget) -> str:
    """Changes whenever the budget does, here or in QuickBooks: a form loaded before is stale."""
    if budget.pk is None:
        return ""
    last = BudgetChange.objects.filter(budget=budget).order_by("-id").values_list("id", flat=True).first()
    return f"{budget.qbo_updated_at.isoformat() if budget.qbo_updated_at else ''}/{last or ''}"


def _keep(budget: Budget) -> dict:
    if budget.pk is None:
        return {}
    rows = list(budget.lines.values_list("item_qbo_id", "account_qbo_id", "class_qbo_id", "location_qbo_id"))
    return {key: {row[index] for row in rows} for index, key in enumerate(("item", "account", "class", "location"))}


def _initial_lines(budget: Budget) -> list[dict]:
    if budget.pk is None:
        return []
    return [
        {
            "line_id": line.pk,
            "line_type": line.line_type,
            "item": line.item_qbo_id,
            "account": line.account_qbo_id,
            "class_qbo_id": line.class_qbo_id,
            "location_qbo_id": line.location_qbo_id,
            "description": line.description,
            "qty": plain(line.quantity),
            "unit_cost": plain(line.unit_cost),
            "amount": None if line.quantity is not None and line.unit_cost is not None else line.amount,
            "date": line.date,
        }
        for line in budget.lines.order_by("id")
    ]


def _forms(budget: Budget, references: References, data=None):
    form_kwargs = {"references": references, "keep": _keep(budget)}
    if data is not None:
        return BudgetForm(data), LineFormSet(data, prefix=PREFIX, form_kwargs=form_kwargs)
    initial = {"name": budget.name, "start_date": budget.start_date, "end_date": budget.end_date}
    form = BudgetForm(initial={**initial, "version": version(budget)})
    formset = LineFormSet(initial=_initial_lines(budget), prefix=PREFIX, form_kwargs=form_kwargs)
    formset.extra = BLANK_ROWS
    return form, formset


def _rows(formset) -> tuple[list, Decimal]:
    """Each line form with its amount as the server computes it, and the total of the lines kept."""
    rows, total = [], Decimal("0.00")
    for line_form in formset.forms:
        amount = None
        if line_form.is_bound and line_form.is_valid() and line_form.has_changed():
            if not line_form.cleaned_data.get("DELETE"):
                amount = line_amount(line_form.line())
        elif not line_form.is_bound and line_form.initial:
            initial = line_form.initial
            amount = line_amount({"quantity": initial.get("qty"), "unit_cost": initial.get("unit_cost"), **initial})
        rows.append((line_form, amount))
        total += amount or 0
    return rows, total


@company_view(min_role=Role.PROJECT_MANAGER)
def budget_edit(request, company, project_id):
    """The budget lines form: a new budget, or the project's budget."""
    project = _project(company, project_id)
    budget = budget_of(project) or new_budget(project)
    if not may_change(request.membership, budget):
        raise PermissionDenied(
            "This budget is locked as the project's baseline: only accountants and admins change it."
        )
    if budget.sync_state == SyncState.CONFLICT:
        messages.error(request, "This budget changed here and in QuickBooks: resolve that first.")
        return _budget_page(company, project)
    references = References(company)
    if request.method != "POST":
        return _render(request, company, project, budget, *_forms(budget, references))
    action = request.POST.get("action", "save")
    if action == "add_line":  # without the script: the same page with one more blank line
        return _render(request, company, project, budget, *_forms(budget, references, with_one_more_line(request.POST)))
    form, formset = _forms(budget, references, request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _render(request, company, project, budget, form, formset, status=400)
    if budget.pk and form.cleaned_data["version"] != version(budget):
        data = request.POST.copy()
        data["version"] = version(budget)  # a second save, after reading, goes through
        form, formset = _forms(budget, references, data)
        form.is_valid()
        form.add_error(None, STALE)
        return _render(request, company, project, budget, form, formset, status=409)
    budget.name = form.cleaned_data["name"].strip()
    budget.start_date, budget.end_date = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    send = action == "send"
    try:
        item = budget_save(budget=budget, lines=formset.lines(), by=request.membership, send=send)
    except ValidationError as error:
        form.add_error(None, error)
        return _render(request, company, project, budget, form, formset, status=400)
    messages.success(request, SENT if item else "Saved in Costline, not yet in QuickBooks: send it when it is ready.")
    return _budget_page(company, project)


def _render(request, company, project, budget, form, formset, status=200):
    rows, total = _rows(formset)
    context = {
        "company": company,
        "project": project,
        "budget": budget,
        "form": form,
        "formset": formset,
        "rows": rows,
        "total": total,
        "offered": offered(company),
        "is_new": budget.pk is None,
    }
    return render(request, "budgets/form.html", context, status=status)


@require_POST
@company_view(min_role=Role.PROJECT_MANAGER)
def from_estimate(request, company, project_id):
    """A draft budget from the accepted estimates' costs, opened for editing."""
    project = _project(company, project_id)
    try:
        budget = budget_from_estimate(project=project, by=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _budget_page(company, project)
    messages.success(
        request,
        f"{budget} started from the accepted estimate: {budget.lines.count()} lines, {budget.total:,} of cost. "
        "Check them, then save and send.",
    )
    return redirect("budgets:edit", company.pk, project.pk)


def _act(request, company, project_id, act, done: str):
    project = _project(company, project_id)
    budget = budget_of(project)
    if budget is None:
        messages.error(request, "This project has no budget.")
        return _budget_page(company, project)
    try:
        act(budget)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _budget_page(company, project)


@require_POST
@company_view(min_role=Role.PROJECT_MANAGER)
def send(request, company, project_id):
    return _act(request, company, project_id, lambda b: budget_send(budget=b, by=request.membership), SENT)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def lock(request, company, project_id):
    done = "Locked as the project's baseline; the lock is on its way to QuickBooks. Changes from now on are kept."
    return _act(request, company, project_id, lambda b: budget_lock(budget=b, by=request.membership), done)


@company_view(min_role=Role.ACCOUNTANT)
def delete(request, company, project_id):
    project = _project(company, project_id)
    budget = budget_of(project)
    if budget is None:
        return _budget_page(company, project)
    if request.method != "POST" or request.POST.get("confirmed") != "1":
        context = {
            "company": company,
            "title": f"Delete {budget}?",
            "explanation": f"{budget} has {budget.lines.count()} lines, {budget.total:,} in all."
            + (" QuickBooks deletes it for good." if budget.in_quickbooks else " It was never sent to QuickBooks.")
            + " Its history stays on the project's budget page.",
            "button": "Delete the budget",
            "action": request.path,
            "cancel": _budget_page(company, project).url,
        }
        return render(request, "confirm.html", context)
    done = "Deleted." if not budget.in_quickbooks else "The deletion is on its way to QuickBooks."
    return _act(request, company, project_id, lambda b: budget_delete(budget=b, by=request.membership), done)


@require_POST
@company_view(min_role=Role.PROJECT_MANAGER)
def resolve(request, company, project_id):
    keep_mine = request.POST.get("keep") == "mine"
    done = "Your lines are on their way to QuickBooks." if keep_mine else "QuickBooks' version is kept."
    act = lambda b: budget_resolve(budget=b, keep_mine=keep_mine, by=request.membership)  # noqa: E731
    return _act(request, company, project_id, act, done)


@require_POST
@company_view(min_role=Role.ACCOUNTANT)
def adopt(request, company, project_id):
    """Track a budget made in QuickBooks, by the id QuickBooks shows for it."""
    project = _project(company, project_id)
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
    return _budget_page(company, project)
