"""Importing budget lines from a spreadsheet, in steps: upload the file, say which column holds what (only when its
headers are not the template's), check every row, import. Between the steps the rows are kept in the session as
plain text, never as a file; nothing is saved to the budget until every row is valid (budgets/imports.py).

Project managers import into a draft budget; a locked budget (the baseline) only accountants and admins change.
"""

import secrets
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from projects.models import Project
from quickbooks.access import company_view
from quickbooks.models import Role, SyncState

from . import imports
from .models import Budget
from .push import NO_BUDGETS
from .services import budget_of, may_change, offered, waiting

SESSION_KEY = "budget_imports"
KEPT_IMPORTS = 3  # imports kept in one session at once (another tab, a second file)
ACCEPT = ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
GONE = (
    "This import is no longer kept (it ends with your session, or when you have started three others since): "
    "upload the file again."
)
COLUMN_HELP = (
    (
        "Type",
        "Item or Account. Left blank, a row naming an item is an item line, one naming an account an account line.",
    ),
    ("Item", "An item's name as QuickBooks shows it (for an item line)."),
    ("Account", "An account's name as QuickBooks shows it (for an account line)."),
    ("Description", "Optional, up to 4,000 characters."),
    ("Class", "Optional: a class's name in QuickBooks."),
    ("Location", "Optional: a location's name in QuickBooks."),
    ("Quantity", "With Unit cost: the amount is quantity × unit cost, to the cent."),
    ("Unit cost", "Left blank beside a quantity, an item's purchase cost in QuickBooks is used."),
    ("Amount", "On its own, or equal to quantity × unit cost. Numbers like 1234.50, 1,234.50 or $1,234.50."),
    ("Date", "Optional: 2026-04-01 or 04/01/2026 (month first)."),
)


class LimitedUpload(FileUploadHandler):
    """Keeps the uploaded file in memory, up to the size allowed, and stops reading past it: no file is written to
    disk, and a file too large is told as such instead of being read whole."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit, self.received, self.too_large = limit, 0, False
        self.buffer = BytesIO()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)  # across every file of the request
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


def _project(company, project_id) -> Project:
    return get_object_or_404(Project.objects.filter(company=company), pk=project_id)


def _blocked(membership, budget: Budget | None) -> str:
    """Why lines cannot be imported into this budget now, in words; "" when they can."""
    if budget is None:
        return ""
    if not may_change(membership, budget):
        return "This budget is locked as the project's baseline: only accountants and admins change it."
    if budget.sync_state == SyncState.CONFLICT:
        return "This budget changed here and in QuickBooks: resolve that on the budget page first, then import."
    return ""


def _refuse_if_blocked(request, budget: Budget | None) -> None:
    if budget is not None and not may_change(request.membership, budget):
        raise PermissionDenied(_blocked(request.membership, budget))


# ---- keeping the rows between the steps ----


def _kept(request, company, project, token: str) -> dict | None:
    kept = request.session.get(SESSION_KEY, {}).get(token)
    if not kept or kept.get("company") != company.pk or kept.get("project") != project.pk:
        return None
    return kept


def _keep(request, company, project, sheet: imports.Sheet, mapping: dict | None) -> str:
    token = secrets.token_urlsafe(12)
    kept = dict(request.session.get(SESSION_KEY, {}))
    while len(kept) >= KEPT_IMPORTS:
        kept.pop(next(iter(kept)))
    kept[token] = {"company": company.pk, "project": project.pk, "sheet": sheet.to_dict(), "mapping": mapping}
    request.session[SESSION_KEY] = kept
    return token


def _save_mapping(request, token: str, mapping: dict) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = {**kept[token], "mapping": mapping}
    request.session[SESSION_KEY] = kept


def _forget(request, token: str) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept.pop(token, None)
    request.session[SESSION_KEY] = kept


def _gone(request, company, project):
    messages.error(request, GONE)
    return redirect("budgets:import", company.pk, project.pk)


# ---- the steps ----


@csrf_exempt  # the token is checked below, once the upload handler is in place (it must be set before reading)
def upload(request, company_id, project_id):
    handler = LimitedUpload(request, imports.MAX_FILE_BYTES)
    request.upload_handlers = [handler]
    return _upload(request, company_id=company_id, project_id=project_id, handler=handler)


@csrf_protect
@company_view(min_role=Role.PROJECT_MANAGER)
def _upload(request, company, project_id, handler: LimitedUpload):
    """Step 1: the upload form, with the template to download and what each column takes."""
    project = _project(company, project_id)
    budget = budget_of(project)
    if request.method != "POST":
        return _upload_page(request, company, project, budget)
    _refuse_if_blocked(request, budget)
    if blocked := _blocked(request.membership, budget):
        return _upload_page(request, company, project, budget, error=blocked, status=400)
    upload_ = request.FILES.get("file")
    if handler.too_large:
        error = f"The file is larger than {imports.MAX_FILE_WORDS}: import at most {imports.MAX_ROWS} lines at a time."
        return _upload_page(request, company, project, budget, error=error, status=400)
    if upload_ is None:
        return _upload_page(request, company, project, budget, error="Choose a file to upload.", status=400)
    try:
        sheet = imports.read_file(upload_.name or "", upload_.read())
    except imports.FileError as error:
        return _upload_page(request, company, project, budget, error=str(error), status=400)
    mapping, certain = imports.guess_columns(sheet)
    token = _keep(request, company, project, sheet, mapping if certain else None)
    if certain:
        return redirect("budgets:import-preview", company.pk, project.pk, token)
    return redirect("budgets:import-columns", company.pk, project.pk, token)


def _upload_page(request, company, project, budget, *, error: str = "", status: int = 200):
    context = {
        "company": company,
        "project": project,
        "budget": budget,
        "sends": budget is not None and (budget.in_quickbooks or waiting(budget)),
        "blocked": _blocked(request.membership, budget),
        "error": error,
        "accept": ACCEPT,
        "column_help": COLUMN_HELP,
        "max_rows": imports.MAX_ROWS,
        "max_size": imports.MAX_FILE_WORDS,
        "offered": offered(company),
        "no_budgets": NO_BUDGETS,
    }
    return render(request, "budgets/import.html", context, status=status)


@company_view(min_role=Role.PROJECT_MANAGER)
def columns(request, company, project_id, token):
    """Step 2, when the file's headers are not the template's: which column holds what."""
    project = _project(company, project_id)
    kept = _kept(request, company, project, token)
    if kept is None:
        return _gone(request, company, project)
    sheet = imports.Sheet.from_dict(kept["sheet"])
    if request.method == "POST":
        mapping = imports.clean_mapping(request.POST, sheet.width)
        problems = imports.column_problems(mapping)
        if not problems:
            _save_mapping(request, token, mapping)
            return redirect("budgets:import-preview", company.pk, project.pk, token)
        return _columns_page(request, company, project, token, sheet, mapping, problems, status=400)
    mapping = kept.get("mapping") or imports.guess_columns(sheet)[0]
    return _columns_page(request, company, project, token, sheet, mapping, [])


def _columns_page(request, company, project, token, sheet, mapping, problems, status=200):
    choices = [(index, sheet.column_label(index)) for index in range(sheet.width)]
    fields = [
        {
            "key": column.key,
            "label": column.header,
            "chosen": mapping.get(column.key),
            "example": _example(sheet, mapping.get(column.key)),
        }
        for column in imports.COLUMNS
    ]
    context = {
        "company": company,
        "project": project,
        "token": token,
        "sheet": sheet,
        "fields": fields,
        "choices": choices,
        "problems": problems,
        "first_rows": [(number, [*cells, *[""] * (sheet.width - len(cells))]) for number, cells in sheet.rows[:3]],
    }
    return render(request, "budgets/import_columns.html", context, status=status)


def _example(sheet: imports.Sheet, index: int | None) -> str:
    if index is None:
        return ""
    for _, cells in sheet.rows[:20]:
        if index < len(cells) and cells[index]:
            return cells[index][:60]
    return ""


@company_view(min_role=Role.PROJECT_MANAGER)
def preview(request, company, project_id, token):
    """Step 3: every row as it would be imported, with what is wrong on each; then import, once all are right."""
    project = _project(company, project_id)
    kept = _kept(request, company, project, token)
    if kept is None:
        return _gone(request, company, project)
    if not kept.get("mapping"):
        return redirect("budgets:import-columns", company.pk, project.pk, token)
    sheet = imports.Sheet.from_dict(kept["sheet"])
    mapping = imports.clean_mapping(kept["mapping"], sheet.width)
    if request.method != "POST":
        return _preview_page(request, company, project, token, sheet, imports.check(sheet, mapping, project))
    budget = budget_of(project)
    _refuse_if_blocked(request, budget)
    try:
        if blocked := _blocked(request.membership, budget):
            raise ValidationError(blocked)
        result = imports.import_lines(project=project, sheet=sheet, mapping=mapping, by=request.membership)
    except ValidationError as error:
        checked = imports.check(sheet, mapping, project)  # the rows as they stand now, each with its problems
        return _preview_page(
            request, company, project, token, sheet, checked, error=" ".join(error.messages), status=400
        )
    _forget(request, token)
    messages.success(request, imports.imported_message(result, project))
    return redirect("reports:project-budget", company.pk, project.pk)


def _preview_page(request, company, project, token, sheet, checked, *, error: str = "", status: int = 200):
    budget = checked.budget
    context = {
        "company": company,
        "project": project,
        "token": token,
        "sheet": sheet,
        "preview": checked,
        "budget": budget,
        "new_budget_name": f"{project.name} budget",
        "sends": budget is not None and (budget.in_quickbooks or waiting(budget)),
        "offered": offered(company),
        "blocked": _blocked(request.membership, budget),
        "error": error,
        "headers": imports.HEADERS,
    }
    return render(request, "budgets/import_preview.html", context, status=status)


@company_view(min_role=Role.PROJECT_MANAGER)
def template(request, company, project_id, file_format):
    """The template to fill in: XLSX with drop-downs of the company's names, or CSV with the headers alone."""
    project = _project(company, project_id)
    if file_format == "xlsx":
        response = HttpResponse(
            imports.template_xlsx(company),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif file_format == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("The template comes as xlsx or csv.")
    response["Content-Disposition"] = f'attachment; filename="budget-lines-{project.pk}.{file_format}"'
    return response
