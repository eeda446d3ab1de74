"""Writes to project budgets: save the lines (and send them), start from the accepted estimate, lock as the baseline,
delete, resolve a conflict, and track a budget made in QuickBooks by its id. Every change is kept in the budget's
history with who made it and the lines and total before and after.

Who: project managers write and send a draft budget; a locked budget is the project's baseline, so only
accountants and admins change, lock or delete it. QuickBooks has no way back from locked to draft (PNB-INPUT-85).

The Budgets API has no query that lists budgets (docs/quickbooks-api.md, Budgets): a budget made in QuickBooks is
tracked once someone gives Costline its id, and is then kept in step by every pull. A write saves the budget, its
lines and an outbox row in one transaction (`outbox_enqueue`); budgets/push.py sends it after commit.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from projects.documents.lines import to_cents
from projects.documents.state import plan_allows
from projects.models import Estimate, EstimateLine, Project
from quickbooks.client import QuickBooksClient, QuickBooksError
from quickbooks.models import Membership, OutboxItem, ReferenceRecord, Role, SyncState
from quickbooks.sync.push import outbox_enqueue

from .lines import plan_update
from .models import Budget, BudgetChange, BudgetLine
from .push import NO_BUDGETS, local_lines
from .sync import budget_line_values, fetch_budget, ingest_budgets

Action = BudgetChange.Action
MAX_BUDGET_LINES = 500  # a budget page stays readable, and one update stays one request
REFERENCE_FIELDS = ("item_qbo_id", "account_qbo_id", "class_qbo_id", "location_qbo_id", "description")
LINE_NUMBERS = ("line_type", "quantity", "unit_cost", "amount", "date")


def offered(company) -> bool:
    return plan_allows(company, "budgets_api")


def budget_of(project: Project) -> Budget | None:
    """The project's budget (QuickBooks allows one a project, PNB-INPUT-72), if it has one."""
    return Budget.objects.filter(company=project.company, project=project, deleted=False).order_by("id").first()


def may_change(by: Membership, budget: Budget) -> bool:
    """Project managers change a draft; a locked budget is the baseline: accountants and admins only."""
    return by.can(Role.ACCOUNTANT) if budget.is_baseline else by.can(Role.PROJECT_MANAGER)


def waiting(budget: Budget) -> bool:
    """Queued for QuickBooks and not yet answered."""
    return budget.sync_state == SyncState.PENDING_PUSH


# ---- the history ----


def _names(company) -> dict[tuple[str, str], str]:
    rows = ReferenceRecord.objects.filter(company=company, entity__in=["Item", "Account", "Class", "Department"])
    return {(r.entity, r.qbo_id): r.fully_qualified_name or r.name or r.qbo_id for r in rows}


def snapshot(budget: Budget) -> list[dict]:
    """The lines as a person reads them, kept in the history whatever becomes of the names later."""
    names = _names(budget.company)
    rows = []
    for line in budget.lines.order_by("id"):
        what = (
            names.get(("Item", line.item_qbo_id), line.item_qbo_id)
            if line.line_type == BudgetLine.Type.ITEM
            else names.get(("Account", line.account_qbo_id), line.account_qbo_id)
        )
        rows.append(
            {
                "line": line.sequence_id,
                "what": what or "",
                "description": line.description,
                "class": names.get(("Class", line.class_qbo_id), "") if line.class_qbo_id else "",
                "location": names.get(("Department", line.location_qbo_id), "") if line.location_qbo_id else "",
                "quantity": "" if line.quantity is None else str(line.quantity.normalize()),
                "unit_cost": "" if line.unit_cost is None else str(line.unit_cost.normalize()),
                "amount": str(line.amount),
            }
        )
    return rows


def lines_total(budget: Budget) -> Decimal:
    return sum((line.amount for line in budget.lines.all()), Decimal("0.00"))


@dataclass
class Before:
    """The budget as it stood before a change, for the history."""

    lines: list[dict]
    total: Decimal | None
    was_baseline: bool

    @classmethod
    def of(cls, budget: Budget) -> "Before":
        if budget.pk is None:
            return cls([], None, False)
        return cls(snapshot(budget), lines_total(budget), budget.is_baseline)


def record(budget: Budget, action: str, by: Membership | None, before: Before, detail: str = "") -> BudgetChange:
    return BudgetChange.objects.create(
        company_id=budget.company_id,
        budget=None if action == Action.DELETED else budget,
        project_id=budget.project_id,
        budget_name=str(budget),
        action=action,
        state=budget.state,
        was_baseline=before.was_baseline,
        total_before=before.total,
        total_after=None if action == Action.DELETED else lines_total(budget),
        lines_before=before.lines,
        lines_after=[] if action == Action.DELETED else snapshot(budget),
        detail=detail[:500],
        by=by.user if by else None,
    )


# ---- writing ----


def line_amount(line: dict) -> Decimal:
    """Quantity x unit cost, to the cent as QuickBooks computes it; else the amount typed."""
    if line.get("quantity") is not None and line.get("unit_cost") is not None:
        return to_cents(line["quantity"] * line["unit_cost"])
    return to_cents(line.get("amount") or Decimal(0))


def _check_lines(lines: list[dict]) -> None:
    if len(lines) > MAX_BUDGET_LINES:
        raise ValidationError(f"A budget takes at most {MAX_BUDGET_LINES} lines here.")
    for number, line in enumerate(lines, start=1):
        if line.get("line_type") == BudgetLine.Type.ACCOUNT and not line.get("account_qbo_id"):
            raise ValidationError(f"Line {number}: choose the account this line budgets.")
        if line.get("line_type", BudgetLine.Type.ITEM) == BudgetLine.Type.ITEM and not line.get("item_qbo_id"):
            raise ValidationError(f"Line {number}: choose the item this line budgets.")


def _replace_lines(budget: Budget, lines: list[dict]) -> None:
    """The budget's lines become `lines`; a line that was already there (its `line_id`) keeps its sequenceId, so
    QuickBooks updates it instead of adding it again."""
    kept = {str(line.pk): line.sequence_id for line in budget.lines.all()}
    lines = [
        {**line, "item_qbo_id": ""} if line.get("line_type") == BudgetLine.Type.ACCOUNT else line for line in lines
    ]
    budget.lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            budget=budget,
            sequence_id=kept.get(str(line.get("line_id") or ""), ""),
            line_type=line.get("line_type") or BudgetLine.Type.ITEM,
            **{name: line.get(name) or "" for name in REFERENCE_FIELDS},
            unit_cost=line.get("unit_cost"),
            quantity=line.get("quantity"),
            amount=line_amount(line),
            date=line.get("date"),
        )
        for line in lines
    )


def _items_of(budget: Budget):
    return OutboxItem.objects.filter(content_type=ContentType.objects.get_for_model(Budget), object_id=budget.pk)


def _check_writable(budget: Budget, by: Membership, send: bool) -> None:
    if not may_change(by, budget):
        raise PermissionDenied(
            "This budget is locked as the project's baseline: only accountants and admins change it."
        )
    if send and not offered(budget.company):
        raise ValidationError(NO_BUDGETS)
    if budget.sync_state == SyncState.CONFLICT:
        raise ValidationError("This budget changed here and in QuickBooks: resolve that first (below).")


def budget_save(
    *, budget: Budget, lines: list[dict], by: Membership, send: bool, action: str | None = None, detail: str = ""
) -> OutboxItem | None:
    """Save the budget (header already set) and its lines; with `send`, queue it for QuickBooks in the same
    transaction. A budget already in QuickBooks is always sent. Raises ValidationError (nothing saved) when QuickBooks
    would refuse it, PermissionDenied when `by` may not change it."""
    send = send or budget.in_quickbooks
    _check_writable(budget, by, send)
    if budget.project is None:
        raise ValueError("A budget is saved from its project's page: it must have a project.")
    if not budget.name.strip():
        raise ValidationError("Give the budget a name: QuickBooks requires one.")
    if budget.start_date and budget.end_date and budget.end_date < budget.start_date:
        raise ValidationError("The budget ends before it starts: check the two dates.")
    other = budget_of(budget.project)
    if other is not None and other.pk != budget.pk:
        raise ValidationError(f"{budget.project} already has a budget ({other}): QuickBooks allows one a project.")
    _check_lines(lines)
    before, new = Before.of(budget), budget.pk is None
    with transaction.atomic():
        if not budget.in_quickbooks:
            # A draft names its project by key only, so no figure counts it until it is sent; once in QuickBooks,
            # the total figures use is QuickBooks' own (written back from its answer).
            budget.project_qbo_id = budget.project.qbo_id if send else ""
            budget.total = sum((line_amount(line) for line in lines), Decimal("0.00"))
        budget.save()
        _replace_lines(budget, lines)
        item = outbox_enqueue(obj=budget) if send else None
        record(budget, action or (Action.CREATED if new else Action.EDITED), by, before, detail)
        return item


def new_budget(project: Project) -> Budget:
    """A draft budget for the project, named after it and spanning its dates, kept in Costline until it is sent."""
    return Budget(
        company=project.company,
        project=project,
        name=f"{project.name} budget"[:500],
        state=Budget.State.DRAFT,
        start_date=project.start_date,
        end_date=project.due_date,
        sync_state=SyncState.SYNCED,
    )


def current_lines(budget: Budget | None) -> list[dict]:
    """The budget's lines as `budget_save` takes them, each keeping its row (hence its sequenceId)."""
    if budget is None or budget.pk is None:
        return []
    return [
        {"line_id": line.pk, **{name: getattr(line, name) for name in (*REFERENCE_FIELDS, *LINE_NUMBERS)}}
        for line in budget.lines.order_by("id")
    ]


def budget_send(*, budget: Budget, by: Membership) -> OutboxItem | None:
    """Send a budget kept in Costline so far, as it stands."""
    if budget.in_quickbooks or waiting(budget):
        raise ValidationError("This budget is already in QuickBooks (or on its way): its edits are sent as saved.")
    return budget_save(budget=budget, lines=current_lines(budget), by=by, send=True, action=Action.SENT)


def budget_lock(*, budget: Budget, by: Membership) -> OutboxItem:
    """Lock the budget as the project's baseline, in QuickBooks too. There is no way back (PNB-INPUT-85)."""
    if not by.can(Role.ACCOUNTANT):
        raise PermissionDenied("Only accountants and admins lock a budget as the baseline.")
    if budget.is_baseline:
        raise ValidationError("This budget is already locked.")
    _check_writable(budget, by, send=True)
    before = Before.of(budget)
    with transaction.atomic():
        budget.state = Budget.State.LOCKED
        budget.save(update_fields=["state"])
        item = outbox_enqueue(obj=budget)
        record(budget, Action.LOCKED, by, before)
        return item


def budget_delete(*, budget: Budget, by: Membership) -> OutboxItem | None:
    """An unsent budget goes at once; one in QuickBooks is deleted there first and goes here once QuickBooks confirms.
    Deletes are hard in QuickBooks; the history keeps the lines."""
    if not by.can(Role.ACCOUNTANT):
        raise PermissionDenied("Only accountants and admins delete a budget.")
    before = Before.of(budget)
    with transaction.atomic():
        if not budget.in_quickbooks and not waiting(budget):
            record(budget, Action.DELETED, by, before, "Never sent: nothing was in QuickBooks.")
            budget.delete()
            return None
        if not budget.in_quickbooks:
            raise ValidationError("This budget is on its way to QuickBooks: once it has arrived, delete it.")
        budget.deleted = True
        budget.save(update_fields=["deleted"])
        item = outbox_enqueue(obj=budget)
        record(budget, Action.DELETE_REQUESTED, by, before)
        return item


def budget_resolve(*, budget: Budget, keep_mine: bool, by: Membership) -> OutboxItem | None:
    """A conflict ends one of two ways: QuickBooks' version is taken (the edit here is dropped), or the edit here is
    sent over it (every line changed here is sent, QuickBooks' other changes stay)."""
    if not may_change(by, budget):
        raise PermissionDenied(
            "This budget is locked as the project's baseline: only accountants and admins change it."
        )
    remote = budget.conflict_document
    if budget.sync_state != SyncState.CONFLICT or not remote:
        raise ValidationError("This budget has no conflict to resolve.")
    before = Before.of(budget)
    with transaction.atomic():
        _items_of(budget).filter(status=OutboxItem.Status.CONFLICT).update(
            status=OutboxItem.Status.RESOLVED, lease_until=None
        )
        if keep_mine:  # QuickBooks' version becomes the base: the next send finds only this side's changes
            Budget.objects.filter(pk=budget.pk).update(
                qbo_document=remote, conflict_document=None, sync_state=SyncState.SYNCED, sync_error=""
            )
            budget.refresh_from_db()
            _match_to(budget, remote)
            item = outbox_enqueue(obj=budget)
            record(budget, Action.RESOLVED, by, before, "Kept Costline's lines; sent over QuickBooks' version.")
            return item
        Budget.objects.filter(pk=budget.pk).update(conflict_document=None, sync_state=SyncState.SYNCED, sync_error="")
        ingest_budgets(budget.company, [remote])
        budget.refresh_from_db()
        record(budget, Action.RESOLVED, by, before, "Took QuickBooks' version; the edit here was dropped.")
        return None


def _match_to(budget: Budget, remote: dict) -> None:
    """New lines that QuickBooks already has (same content) take its sequenceIds, so they are not sent twice."""
    lines = local_lines(budget)
    plan = plan_update(base=remote, header={}, lines=lines, remote=remote)
    for pk, sequence_id in plan.matched.items():
        BudgetLine.objects.filter(pk=pk).update(sequence_id=sequence_id)


# ---- starting points ----


def estimate_cost_lines(project: Project) -> list[dict]:
    """The cost side of the project's accepted estimates, one budget line an item line: quantity x unit cost."""
    accepted = Estimate.objects.signed().filter(company_id=project.company_id, project=project)
    rows = (
        EstimateLine.objects.filter(estimate__in=accepted).exclude(item_qbo_id="").order_by("estimate_id", "line_num")
    )
    lines = []
    for row in rows:
        unit_cost = row.unit_cost
        if unit_cost is None and row.cost_amount is not None and row.qty:
            unit_cost = row.cost_amount / row.qty
        lines.append(
            {
                "line_type": BudgetLine.Type.ITEM,
                "item_qbo_id": row.item_qbo_id,
                "account_qbo_id": "",
                "class_qbo_id": row.class_qbo_id,
                "location_qbo_id": "",
                "unit_cost": unit_cost,
                "quantity": row.qty,
                "amount": row.cost_amount if unit_cost is None else None,
                "description": row.description,
                "date": None,
            }
        )
    return lines


def budget_from_estimate(*, project: Project, by: Membership) -> Budget:
    """A draft budget whose lines are the accepted estimate's costs, kept in Costline to edit before it is sent."""
    if not by.can(Role.PROJECT_MANAGER):
        raise PermissionDenied("Your role does not allow writing budgets.")
    if budget_of(project) is not None:
        raise ValidationError(f"{project} already has a budget: QuickBooks allows one a project.")
    lines = estimate_cost_lines(project)
    if not lines:
        raise ValidationError(
            f"{project} has no accepted estimate with item lines to start from. Write the budget's lines instead."
        )
    budget = new_budget(project)
    budget_save(budget=budget, lines=lines, by=by, send=False, action=Action.FROM_ESTIMATE)
    return budget


def budget_adopt(*, project: Project, budget_id: str, by: Membership, client: QuickBooksClient | None = None) -> Budget:
    """Start tracking the QuickBooks budget `budget_id` of `project`: read now, kept in step by every pull after.

    If the project has a budget here that never reached QuickBooks (a send whose reply was lost, PNB-INPUT-72), the
    two become one: lines with the same content take QuickBooks' sequenceIds; lines only here are sent as new ones;
    lines only in QuickBooks are kept. Raises ValidationError, in words, when the id names no live budget, or a
    budget of another project; nothing is kept then."""
    if not by.can(Role.ACCOUNTANT):
        raise PermissionDenied("Only accountants and admins add budgets.")
    if not offered(project.company):
        raise ValidationError(NO_BUDGETS)
    budget_id = budget_id.strip()
    if not budget_id.isdigit():
        raise ValidationError(
            f"“{budget_id[:40]}” is not a budget id: QuickBooks' budget ids are numbers, shown in the budget's address "
            "in QuickBooks (…/budgets/123)."
        )
    tracked = Budget.objects.filter(company=project.company, qbo_id=budget_id, deleted=False).first()
    if tracked is not None:
        raise ValidationError(f"Costline already tracks budget {budget_id} ({tracked}).")
    client = client or QuickBooksClient.for_company(project.company)
    try:
        document = fetch_budget(client, budget_id)
    except QuickBooksError as error:
        raise ValidationError(f"QuickBooks did not give budget {budget_id}: {error.user_message}") from error
    if document.get("deleted"):
        raise ValidationError(f"QuickBooks has no budget {budget_id}: it was deleted, or never made.")
    linked = str(document.get("linkedEntityId") or "")
    if linked != project.qbo_id:
        raise ValidationError(
            f"Budget {budget_id} ({document.get('budgetName') or 'no name'}) belongs to "
            f"{'another project' if linked else 'no project'} in QuickBooks, not to {project}. Nothing was added."
        )
    local = budget_of(project)
    if local is not None and local.in_quickbooks:
        raise ValidationError(f"{project} already has budget {local.qbo_id} ({local}): QuickBooks allows one.")
    if local is not None:
        return _link(local, document, by)
    ingest_budgets(project.company, [document])
    budget = Budget.objects.get(company=project.company, qbo_id=budget_id)
    record(budget, Action.ADOPTED, by, Before([], None, False), f"QuickBooks budget {budget_id}.")
    return budget


def _link(budget: Budget, document: dict, by: Membership) -> Budget:
    """This project's unsent budget is the one QuickBooks has: it takes QuickBooks' id; its lines with the same content
    take QuickBooks' sequenceIds, QuickBooks' other lines are added here, and lines only here are sent as new ones."""
    before = Before.of(budget)
    with transaction.atomic():
        _items_of(budget).filter(status=OutboxItem.Status.FAILED).update(status=OutboxItem.Status.RESOLVED)
        Budget.objects.filter(pk=budget.pk).update(
            qbo_id=str(document["budgetId"]), qbo_document=document, sync_state=SyncState.SYNCED, sync_error=""
        )
        budget.refresh_from_db()
        _match_to(budget, document)
        have = set(budget.lines.exclude(sequence_id="").values_list("sequence_id", flat=True))
        BudgetLine.objects.bulk_create(
            BudgetLine(budget=budget, **budget_line_values(line))
            for line in document.get("budgetDetails") or []
            if str(line["sequenceId"]) not in have
        )
        if budget.lines.filter(sequence_id="").exists():
            outbox_enqueue(obj=budget)
        else:
            ingest_budgets(budget.company, [document])
            budget.refresh_from_db()
        record(budget, Action.ADOPTED, by, before, f"Linked to QuickBooks budget {budget.qbo_id}.")
    return budget


# ---- what the budget page shows ----


def budget_panel(project: Project, by: Membership) -> dict:
    """The project's budget as it stands here (a draft too), what `by` may do with it, and its history."""
    budget = budget_of(project)
    history = BudgetChange.objects.filter(company_id=project.company_id, project=project).select_related("by")[:30]
    return {
        "budget": budget,
        "budget_lines": list(budget.lines.order_by("id")) if budget else [],
        "budget_waiting": budget is not None and waiting(budget),
        "can_write_budget": by.can(Role.PROJECT_MANAGER),
        "can_change_budget": budget is not None and may_change(by, budget),
        "can_lock_budget": by.can(Role.ACCOUNTANT),
        "has_accepted_estimate": Estimate.objects.signed()
        .filter(company_id=project.company_id, project=project)
        .exists(),
        "budget_history": list(history),
    }
