"""The domain apps' QuickBooks calls against the running sandbox: the Projects query, budget fetch and adoption,
and an estimate document QuickBooks accepts."""

from datetime import date
from decimal import Decimal

import pytest

from budgets.models import Budget
from budgets.sync import adopt_budget, fetch_budgets, ingest_budgets
from projects.estimates.push import apply_estimate_document, check_project_ref, estimate_to_document
from projects.models import Estimate, EstimateLine, Project, TxnStatus
from projects.project.sync import PROJECTS_SOURCE, ingest_project_customers, ingest_projects
from quickbooks.models import SyncState
from tests.live_quickbooks import create_project, rid

pytestmark = pytest.mark.django_db(transaction=True)

DELETE_PROJECT = """
mutation($input: ProjectManagement_DeleteProjectInput!) {
  projectManagementDeleteProject(input: $input) { ... on ProjectManagement_Project { id deleted } }
}
"""
CREATE_BUDGET = """
mutation($budgetInput: BusinessPlanning_BudgetInput!) {
  businessPlanningCreateBudget(budgetInput: $budgetInput) { budget { budgetId } }
}
"""
UPDATE_BUDGET = """
mutation($budgetInput: BusinessPlanning_BudgetInput!) {
  businessPlanningUpdateBudget(budgetInput: $budgetInput) { budget { budgetId total } }
}
"""
DELETE_BUDGETS = """
mutation($ids: BusinessPlanning_BudgetIdsInput!) {
  businessPlanningDeleteBudgets(budgetIdsInput: $ids) { budgetResponseList { budgetId status } }
}
"""


@pytest.fixture
def books(qb):
    """A client, two projects under it (one deleted later), an income account and a service item."""
    client = qb.create("Customer", {"DisplayName": "Marsh Family"}, request_id=rid())
    names = ("Attic Conversion", "Fence Repair")
    ids = [create_project(qb, client["Id"], name, status="IN_PROGRESS") for name in names]
    income = qb.create("Account", {"Name": "Remodel Income", "AccountType": "Income"}, request_id=rid())
    item = qb.create(
        "Item",
        {"Name": "Framing", "Type": "Service", "UnitPrice": Decimal("95"), "IncomeAccountRef": {"value": income["Id"]}},
        request_id=rid(),
    )
    return {"client": client, "projects": ids, "item": item}


def pull_projects(qb, company) -> None:
    source = PROJECTS_SOURCE
    nodes = list(qb.graphql_nodes(source.query, dict(source.variables), list(source.path)))
    ingest_projects(company, nodes)


def test_the_projects_query_pulls_projects_and_their_deletion(qb, connected_company, books):
    attic, fence = books["projects"]
    pull_projects(qb, connected_company)
    assert set(Project.objects.filter(company=connected_company, deleted=False).values_list("qbo_id", flat=True)) == {
        attic,
        fence,
    }
    project = Project.objects.get(company=connected_company, qbo_id=attic)
    assert (project.name, project.status, project.customer_qbo_id) == (
        "Attic Conversion",
        Project.Status.IN_PROGRESS,
        books["client"]["Id"],
    )

    qb.graphql(DELETE_PROJECT, {"input": {"id": fence}})
    pull_projects(qb, connected_company)

    assert Project.objects.get(company=connected_company, qbo_id=fence).deleted is True


def test_a_budget_is_adopted_then_followed_until_deleted(qb, connected_company, books):
    attic = books["projects"][0]
    line = {
        "type": "ITEM",
        "itemId": books["item"]["Id"],
        "unitCost": Decimal("48.50"),
        "quantity": Decimal("40"),
        "date": "2026-04-01",
        "description": "Framing labor",
    }
    created = qb.graphql(
        CREATE_BUDGET,
        {
            "budgetInput": {
                "budgetName": "Attic budget",
                "budgetType": "PROJECT",
                "linkedEntityId": attic,
                "state": "DRAFT",
                "startDate": "2026-04-01",
                "endDate": "2026-06-30",
                "budgetDetails": [line],
            }
        },
    )
    budget_id = created["businessPlanningCreateBudget"]["budget"]["budgetId"]

    budget = adopt_budget(connected_company, budget_id, qb)
    assert (budget.total, budget.state, budget.project_qbo_id) == (Decimal("1940.00"), "DRAFT", attic)
    assert budget.lines.get().amount == Decimal("1940.00")

    qb.graphql(
        UPDATE_BUDGET,
        {
            "budgetInput": {
                "budgetId": budget_id,
                "budgetName": "Attic budget",
                "budgetDetails": [{**line, "quantity": Decimal("2")}],
            }
        },
    )
    ingest_budgets(connected_company, fetch_budgets(qb, connected_company))
    budget.refresh_from_db()
    assert budget.total == Decimal("2037.00")
    assert budget.lines.count() == 2

    qb.graphql(DELETE_BUDGETS, {"ids": {"budgetIds": [budget_id]}})
    ingest_budgets(connected_company, fetch_budgets(qb, connected_company))
    assert Budget.objects.get(pk=budget.pk).deleted is True
    assert fetch_budgets(qb, connected_company) == []


def test_an_estimate_written_here_is_accepted_by_quickbooks_and_taken_back(qb, connected_company, books):
    attic, item = books["projects"][0], books["item"]
    ingest_project_customers(connected_company, [qb.read("Customer", attic)])
    estimate = Estimate.objects.create(
        company=connected_company,
        customer_qbo_id=books["client"]["Id"],
        project_qbo_id=attic,
        project=Project.objects.get(company=connected_company, qbo_id=attic),
        txn_date=date(2026, 4, 2),
        status=TxnStatus.PENDING,
        customer_memo="Framing for the attic",
        sync_state=SyncState.PENDING_PUSH,
    )
    EstimateLine.objects.create(
        estimate=estimate,
        line_num=1,
        item_qbo_id=item["Id"],
        description="Framing",
        qty=Decimal("40"),
        unit_price=Decimal("95"),
        amount=Decimal("3800.00"),
        unit_cost=Decimal("48.50"),
        tax_code="NON",
    )
    check_project_ref(estimate)

    answer = qb.create("Estimate", estimate_to_document(estimate), request_id=rid())
    apply_estimate_document(estimate, answer)

    estimate.refresh_from_db()
    assert estimate.qbo_id == answer["Id"] and estimate.sync_state == SyncState.SYNCED
    assert (estimate.total_amount, estimate.total_cost_amount) == (Decimal("3800.00"), Decimal("1940.00"))
    line = estimate.lines.get()
    assert (line.line_id, line.cost_amount, line.item_qbo_id) == (
        answer["Line"][0]["Id"],
        Decimal("1940.00"),
        item["Id"],
    )
    stored = qb.read("Estimate", answer["Id"])
    assert stored["ProjectRef"]["value"] == attic
    assert stored["CustomerMemo"]["value"] == "Framing for the attic"
