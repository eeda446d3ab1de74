"""Budgets written from Costline to QuickBooks through the Budgets API (GraphQL), by way of the push outbox.

`register()` plugs the Budget entity into the sync engine (called from `BudgetsConfig.ready`). The outbox calls
`send_budget`, which creates the budget (businessPlanningCreateBudget, budgetType PROJECT, the project's id as
linkedEntityId), updates it (businessPlanningUpdateBudget: only the lines changed here, each by its sequenceId; see
budgets/lines.py for why every update reads the budget first), or deletes it (businessPlanningDeleteBudgets), and
`apply_budget_document`, which takes QuickBooks' answer back with the mapping the pull uses.

What QuickBooks refuses, and Costline therefore checks first or says in words (docs/quickbooks-api.md, Budget rules):
plans without project budgets (PNB-PCBM-008), a project that already has a budget (PNB-INPUT-72), a project that is
not one (PNB-INPUT-75), a locked budget made a draft again (PNB-INPUT-85).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.documents.state import plan_allows
from quickbooks.client import GraphQLError, QuickBooksClient, StaleObjectError
from quickbooks.models import SyncState
from quickbooks.sync.registry import Conflict, PushedEntity, register_push

from .lines import LocalLine, line_input, plan_update
from .models import Budget, BudgetLine
from .sync import GONE, fetch_budget, ingest_budgets

# The read's own selection (sync.BUDGET_QUERY) minus the pages: what a mutation answers is kept as the budget.
BUDGET_FIELDS = """
    budgetId budgetName budgetType startDate endDate linkedEntityId total state
    budgetMetaData { createdBy createdAt lastUpdatedBy updatedAt }
    budgetDetails {
      sequenceId order type itemId unitCost quantity amount description date accountId klassId locationId
    }
"""
CREATE = """
mutation CreateBudget($budgetInput: BusinessPlanning_BudgetInput!) {
  businessPlanningCreateBudget(budgetInput: $budgetInput) { budget { FIELDS } }
}
""".replace("FIELDS", BUDGET_FIELDS)
UPDATE = """
mutation UpdateBudget($budgetInput: BusinessPlanning_BudgetInput!) {
  businessPlanningUpdateBudget(budgetInput: $budgetInput) { budget { FIELDS } }
}
""".replace("FIELDS", BUDGET_FIELDS)
DELETE = """
mutation DeleteBudgets($budgetIdsInput: BusinessPlanning_BudgetIdsInput!) {
  businessPlanningDeleteBudgets(budgetIdsInput: $budgetIdsInput) { budgetResponseList { budgetId status description } }
}
"""
NO_BUDGETS = (
    "This company's QuickBooks plan has no project budgets (they come with QuickBooks Online Advanced): the budget "
    "stays in Costline and nothing is sent."
)
ALREADY_HAS_ONE = (
    "QuickBooks says this project already has a budget, and a project has at most one. If an earlier send's reply "
    "was lost, it is the budget this one made: open the project's budget in QuickBooks, copy the number at the end of "
    "its address, and give it under “Track a budget made in QuickBooks”. Costline then links it to these lines "
    "instead of making another. Nothing was lost."
)
GONE_IN_QUICKBOOKS = (
    "This budget was deleted in QuickBooks, so the change was not sent. Your lines are kept here: delete this copy, or "
    "start a new budget from them."
)


def header_input(budget: Budget) -> dict:
    return {
        "budgetName": budget.name.strip(),
        "startDate": budget.start_date.isoformat() if budget.start_date else None,
        "endDate": budget.end_date.isoformat() if budget.end_date else None,
        "state": budget.state,
    }


def local_lines(budget: Budget) -> list[LocalLine]:
    return [
        LocalLine(line.pk, line.sequence_id, line_input(line), line.description)
        for line in BudgetLine.objects.filter(budget=budget).order_by("id")
    ]


def budget_to_document(budget: Budget) -> dict:
    """The budget as Costline holds it: header and every line (the page's and the history's view of it)."""
    lines = [{"sequenceId": line.sequence_id or None, **line.document} for line in local_lines(budget)]
    return {**header_input(budget), "budgetDetails": lines}


def _create(client: QuickBooksClient, budget: Budget) -> dict:
    lines = [{**line.document, "order": str(number)} for number, line in enumerate(local_lines(budget), start=1)]
    budget_input = {
        **header_input(budget),
        "budgetType": "PROJECT",
        "linkedEntityId": budget.project.qbo_id if budget.project else budget.project_qbo_id,
        "budgetDetails": lines,
    }
    try:
        data = client.graphql(CREATE, {"budgetInput": budget_input})
    except GraphQLError as error:
        if error.code == "PNB-INPUT-72":
            raise GraphQLError(ALREADY_HAS_ONE, code=error.code, detail=ALREADY_HAS_ONE) from error
        raise
    return data["businessPlanningCreateBudget"]["budget"]


def _update(client: QuickBooksClient, budget: Budget) -> dict:
    """Read, plan, send only what changed here; nothing at all when QuickBooks already holds this edit."""
    remote = _read(client, budget.qbo_id)
    lines = local_lines(budget)
    plan = plan_update(base=budget.qbo_document or {}, header=header_input(budget), lines=lines, remote=remote)
    if plan.conflicts:
        raise Conflict(remote, plan.conflicts)
    if not plan.sends_anything:
        return remote  # an earlier try's reply was lost, or nothing changed: QuickBooks already holds it
    budget_input = {"budgetId": budget.qbo_id, **plan.header, "budgetDetails": plan.details}
    data = client.graphql(UPDATE, {"budgetInput": budget_input})
    return data["businessPlanningUpdateBudget"]["budget"]


def _read(client: QuickBooksClient, budget_id: str) -> dict:
    remote = fetch_budget(client, budget_id)
    if remote.get("deleted"):
        raise GraphQLError(GONE_IN_QUICKBOOKS, code="PNB-INPUT-024", detail=GONE_IN_QUICKBOOKS)
    return remote


def _delete(client: QuickBooksClient, budget: Budget) -> None:
    try:
        client.graphql(DELETE, {"budgetIdsInput": {"budgetIds": [budget.qbo_id]}})
    except GraphQLError as error:
        if error.code not in GONE:  # already deleted (a retry after a lost reply, or in QuickBooks): as wanted
            raise


def send_budget(client: QuickBooksClient, budget: Budget, document: dict, request_id: str) -> dict | None:
    """Create, update or delete the budget; QuickBooks' budget after it, or None once it is deleted.
    `request_id` is unused: the Budgets API has no idempotency key (budgets/lines.py says how retries stay safe)."""
    try:
        if budget.deleted:
            if budget.qbo_id:
                _delete(client, budget)
            return None
        if not budget.qbo_id:
            return _create(client, budget)
        return _update(client, budget)
    except StaleObjectError as error:  # GraphQL has no SyncToken: never let the REST merge path run for a budget
        raise GraphQLError(error.message, code=error.code, detail=error.detail) from error


@transaction.atomic
def apply_budget_document(budget: Budget, document: dict) -> Budget:
    """QuickBooks' budget becomes the local copy, lines and all (the pull's own mapping)."""
    if budget.qbo_id != str(document["budgetId"]):
        Budget.objects.filter(pk=budget.pk).update(qbo_id=str(document["budgetId"]))
    Budget.objects.filter(pk=budget.pk).update(sync_state=SyncState.SYNCED)  # so the pull's mapping may write it
    ingest_budgets(budget.company, [document])
    budget.refresh_from_db()
    return budget


def removed(budget: Budget) -> None:
    """QuickBooks confirmed the deletion: the copy goes; its history stays (BudgetChange.budget is SET_NULL)."""
    budget.delete()


def check_budget(budget: Budget) -> None:
    """Before anything is sent: the plan has budgets, the project is in QuickBooks, the budget has a name."""
    if not plan_allows(budget.company, "budgets_api"):
        raise ValidationError(NO_BUDGETS)
    if budget.deleted:
        return
    if budget.project is None or not budget.project.qbo_id:
        raise ValidationError("The project is not in QuickBooks yet: its budget goes once the project has arrived.")
    if not budget.name.strip():
        raise ValidationError("Give the budget a name: QuickBooks requires one.")


def register() -> None:
    register_push(
        PushedEntity(
            "Budget",
            Budget,
            budget_to_document,
            apply_budget_document,
            send=send_budget,
            check=check_budget,
            removed=removed,
            id_key="budgetId",
        )
    )
