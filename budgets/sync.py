"""How project budgets follow QuickBooks' Budgets GraphQL API (QuickBooks Online Advanced).

The API has no list-all query (docs/quickbooks-api.md, Budgets): Costline pulls again the budgets whose
ids it knows, and starts tracking a budget with `adopt_budget` once its id is known (created in Costline, or
found elsewhere). A budget QuickBooks reports deleted (PNB-INPUT-024) is marked deleted here.
"""

from django.db import transaction

from projects.project.sync import link_projects_to, project_index
from quickbooks.client import GraphQLError
from quickbooks.sync.documents import day, moment, money, number
from quickbooks.sync.registry import PulledEntity, register_pull
from quickbooks.sync.upsert import SYNCED_FIELDS, Incoming, replace_lines, synced, upsert

from .models import Budget, BudgetLine

PULL_ORDER = 220
PAGE_SIZE = 100
GONE = {"PNB-INPUT-024", "BUDGET_DELETED", "BUDGET_NOT_FOUND"}
# No syncToken: the public API rejects it (docs/quickbooks-api.md, Budgets).
BUDGET_QUERY = """
query Budget($budgetId: ID!, $first: Int, $after: String) {
  businessPlanningBudget(budgetId: $budgetId) {
    budgetId budgetName budgetType startDate endDate linkedEntityId total state
    budgetMetaData { createdBy createdAt lastUpdatedBy updatedAt }
    budgetDetailsPaginated(budgetDetailsInput: {
      first: $first, after: $after, sortBy: [{field: SEQUENCE_ID, direction: ASC}]
    }) {
      edges { node {
        sequenceId order type itemId unitCost quantity amount description date accountId klassId locationId
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
FIELDS = [
    "name",
    "budget_type",
    "project_qbo_id",
    "project_id",
    "start_date",
    "end_date",
    "state",
    "total",
    "deleted",
    "created_by",
    "updated_by",
    *SYNCED_FIELDS,
]


def fetch_budget(client, budget_id: str) -> dict:
    """One budget with all its lines (budgetDetailsPaginated, page by page); a deleted one as a stub."""
    lines: list[dict] = []
    after = None
    while True:
        try:
            data = client.graphql(BUDGET_QUERY, {"budgetId": budget_id, "first": PAGE_SIZE, "after": after})
        except GraphQLError as error:
            if error.code in GONE:
                return {"budgetId": str(budget_id), "deleted": True}
            raise
        budget = data["businessPlanningBudget"]
        page = budget.pop("budgetDetailsPaginated")
        lines.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return {**budget, "budgetDetails": lines}
        after = page["pageInfo"]["endCursor"]


def fetch_budgets(client, company) -> list[dict]:
    """The sync engine's fetch: every budget Costline tracks for the company, read again."""
    ids = Budget.objects.filter(company=company, deleted=False).exclude(qbo_id="").values_list("qbo_id", flat=True)
    return [fetch_budget(client, budget_id) for budget_id in ids]


def budget_values(document: dict, projects: dict[str, int]) -> dict:
    meta = document.get("budgetMetaData") or {}
    project = str(document.get("linkedEntityId") or "")
    return {
        "name": document.get("budgetName") or "",
        "budget_type": document.get("budgetType") or "PROJECT",
        "project_qbo_id": project,
        "project_id": projects.get(project),
        "start_date": day(document.get("startDate")),
        "end_date": day(document.get("endDate")),
        "state": document.get("state") or Budget.State.LOCKED,
        "total": money(document.get("total")),
        "deleted": False,
        "created_by": meta.get("createdBy") or "",
        "updated_by": meta.get("lastUpdatedBy") or "",
        **synced(document, updated_at=moment(meta.get("updatedAt"))),
    }


def budget_line_values(line: dict) -> dict:
    return {
        "sequence_id": str(line["sequenceId"]),
        "order": str(line.get("order") or ""),
        # ITEM is the API's one type: a line naming an account and no item budgets the account
        "line_type": "ACCOUNT" if line.get("accountId") and not line.get("itemId") else "ITEM",
        "item_qbo_id": str(line.get("itemId") or ""),
        "account_qbo_id": str(line.get("accountId") or ""),
        "class_qbo_id": str(line.get("klassId") or ""),
        "location_qbo_id": str(line.get("locationId") or ""),
        "unit_cost": number(line.get("unitCost")),
        "quantity": number(line.get("quantity")),
        "amount": money(line.get("amount")),
        "description": line.get("description") or "",
        "date": day(line.get("date")),
    }


def _budget_lines(budget: Budget) -> list[dict]:
    return budget.qbo_document.get("budgetDetails", [])


@transaction.atomic
def ingest_budgets(company, documents: list[dict]) -> int:
    gone = [str(d["budgetId"]) for d in documents if d.get("deleted")]
    live = [d for d in documents if not d.get("deleted")]
    projects = project_index(company)
    written = upsert(Budget, company, [Incoming(str(d["budgetId"]), budget_values(d, projects)) for d in live], FIELDS)
    replace_lines(BudgetLine, "budget", written.rows, budget_line_values, _budget_lines)
    return written.count + (remove_budgets(company, gone) if gone else 0)


@transaction.atomic
def remove_budgets(company, budget_ids: list[str]) -> int:
    """Deleted in QuickBooks (deletes are hard there): marked deleted here and no longer pulled."""
    return Budget.objects.filter(company=company, qbo_id__in=list(budget_ids)).update(deleted=True)


def adopt_budget(company, budget_id: str, client) -> Budget:
    """Start tracking a budget whose id was found elsewhere: read it now; later pulls keep it current."""
    document = fetch_budget(client, str(budget_id))
    if document.get("deleted"):
        raise LookupError(f"QuickBooks has no budget {budget_id} (deleted or never created).")
    ingest_budgets(company, [document])
    return Budget.objects.get(company=company, qbo_id=str(budget_id))


def register() -> None:
    register_pull(
        PulledEntity(
            "Budget", ingest_budgets, remove_budgets, order=PULL_ORDER, fetch=fetch_budgets, requires="budgets_api"
        )
    )
    link_projects_to(Budget)
