"""Project budgets: kept by budgetId with their lines; a budget QuickBooks deleted is marked deleted."""

from decimal import Decimal

import pytest

from budgets.models import Budget, BudgetLine
from budgets.sync import ingest_budgets, remove_budgets
from projects.models import Project
from quickbooks.models import SyncState
from quickbooks.sync import registry

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_the_demo_budget_arrives_with_its_project_and_lines(with_projects, budget_documents):
    document = budget_documents[0]

    assert ingest_budgets(with_projects, budget_documents) == 1

    budget = Budget.objects.get(company=with_projects, qbo_id=document["budgetId"])
    assert budget.project == Project.objects.get(company=with_projects, qbo_id=document["linkedEntityId"])
    assert (budget.name, budget.state, budget.total) == (document["budgetName"], "LOCKED", document["total"])
    lines = list(budget.lines.all())
    assert [line.sequence_id for line in lines] == [line["sequenceId"] for line in document["budgetDetails"]]
    assert sum(line.amount for line in lines) == budget.total
    first, source = lines[0], document["budgetDetails"][0]
    assert (first.unit_cost, first.quantity, first.amount) == (source["unitCost"], source["quantity"], source["amount"])
    assert first.unit_cost * first.quantity == first.amount
    assert (first.item_qbo_id, first.class_qbo_id, first.location_qbo_id) == (
        source["itemId"],
        source["klassId"],
        source["locationId"],
    )


def test_a_changed_budget_replaces_its_lines(with_projects, budget_documents):
    document = budget_documents[0]
    ingest_budgets(with_projects, [document])
    kept = document["budgetDetails"][:2]
    changed = {
        **document,
        "budgetDetails": kept,
        "total": sum((line["amount"] for line in kept), Decimal(0)),
        "budgetMetaData": {**document["budgetMetaData"], "updatedAt": "2026-06-01T10:00:00.000Z"},
    }

    ingest_budgets(with_projects, [changed])

    budget = Budget.objects.get(company=with_projects, qbo_id=document["budgetId"])
    assert budget.total == changed["total"]
    assert list(budget.lines.values_list("sequence_id", flat=True)) == [line["sequenceId"] for line in kept]
    assert BudgetLine.objects.count() == 2


def test_a_budget_edited_here_and_changed_in_quickbooks_is_a_conflict(with_projects, budget_documents):
    document = budget_documents[0]
    ingest_budgets(with_projects, [document])
    Budget.objects.filter(qbo_id=document["budgetId"]).update(sync_state=SyncState.PENDING_PUSH, name="Ours")

    ingest_budgets(with_projects, [{**document, "budgetName": "Theirs"}])

    budget = Budget.objects.get(qbo_id=document["budgetId"])
    assert (budget.name, budget.sync_state) == ("Ours", SyncState.CONFLICT)
    assert budget.conflict_document["budgetName"] == "Theirs"


def test_a_budget_reported_deleted_is_marked_deleted(with_projects, budget_documents):
    document = budget_documents[0]
    ingest_budgets(with_projects, [document])

    ingest_budgets(with_projects, [{"budgetId": document["budgetId"], "deleted": True}])

    assert Budget.objects.get(qbo_id=document["budgetId"]).deleted is True
    assert remove_budgets(with_projects, [document["budgetId"]]) == 1


def test_budgets_are_pulled_by_fetch_for_companies_with_the_budgets_api():
    entity = registry.pulled_entity("Budget")
    assert (entity.source, entity.requires) == ("fetch", "budgets_api")
