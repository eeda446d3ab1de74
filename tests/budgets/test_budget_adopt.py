"""Against the live sandbox: a budget made in QuickBooks is tracked from the project's budget page by its id (the
Budgets API cannot list budgets), and every wrong id is refused in words with nothing kept."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Budget
from projects.models import Project
from quickbooks.sync import pull
from tests.live_quickbooks import connect_through_consent, create_project, new_realm, rid
from tests.sync.domain.test_live_sandbox import CREATE_BUDGET, DELETE_BUDGETS

pytestmark = pytest.mark.django_db(transaction=True)


def budget_in_quickbooks(qb, project_id: str, item_id: str, name="Kitchen budget") -> str:
    line = {
        "type": "ITEM",
        "itemId": item_id,
        "unitCost": Decimal("180"),
        "quantity": Decimal("4"),
        "date": "2026-04-01",
    }
    budget = {
        "budgetName": name,
        "budgetType": "PROJECT",
        "linkedEntityId": project_id,
        "state": "LOCKED",
        "startDate": "2026-04-01",
        "endDate": "2026-12-31",
        "budgetDetails": [line],
    }
    created = qb.graphql(CREATE_BUDGET, {"budgetInput": budget})
    return created["businessPlanningCreateBudget"]["budget"]["budgetId"]


def adopt(client, company, project, budget_id):
    url = reverse("budgets:adopt", args=[company.pk, project.pk])
    return client.post(url, {"budget_id": budget_id}, follow=True).content.decode()


def test_a_budget_made_in_quickbooks_is_tracked_by_its_id_and_kept_in_step(
    connected_company, project_setup, qb, login, accountant
):
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    budget_id = budget_in_quickbooks(qb, project.qbo_id, project_setup["item"])
    client = login(accountant)
    page = client.get(reverse("reports:project-budget", args=[connected_company.pk, project.pk])).content.decode()
    assert "Track this budget" in page

    answer = adopt(client, connected_company, project, budget_id)

    budget = Budget.objects.get(company=connected_company, qbo_id=budget_id)
    assert "is tracked" in answer and (budget.total, budget.project) == (Decimal("720.00"), project)
    assert budget.lines.get().amount == Decimal("720.00")
    assert "already tracks" in adopt(client, connected_company, project, budget_id)
    qb.graphql(DELETE_BUDGETS, {"ids": {"budgetIds": [budget_id]}})
    pull.pull_changes(company=connected_company)  # the next sync keeps it in step: gone in QuickBooks, gone here
    assert Budget.objects.get(pk=budget.pk).deleted


def test_wrong_ids_are_refused_in_words_and_nothing_is_kept(connected_company, project_setup, qb, login, accountant):
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    other = create_project(qb, project_setup["customer"], f"Porch {rid()[:6]}")
    elsewhere = budget_in_quickbooks(qb, other, project_setup["item"], name="Porch budget")
    gone = budget_in_quickbooks(qb, project.qbo_id, project_setup["item"])
    qb.graphql(DELETE_BUDGETS, {"ids": {"budgetIds": [gone]}})
    client = login(accountant)

    assert "belongs to another project in QuickBooks" in adopt(client, connected_company, project, elsewhere)
    assert "it was deleted, or never made" in adopt(client, connected_company, project, gone)
    assert "is not a budget id" in adopt(client, connected_company, project, "budget 12")
    assert not Budget.objects.filter(company=connected_company).exists()


def test_viewers_cannot_add_and_a_plan_without_budgets_is_told(qbo, login, admin_user, viewer, company, sent):
    connect_through_consent(login(admin_user), new_realm(qbo, plan="plus"), company)
    project = Project.objects.create(company=company, qbo_id="5", name="Porch")
    url = reverse("reports:project-budget", args=[company.pk, project.pk])
    page = login(admin_user).get(url).content.decode()
    assert "has no project budgets" in page and "Track this budget" not in page
    assert "has no project budgets" in adopt(login(admin_user), company, project, "12")
    assert (
        login(viewer).post(reverse("budgets:adopt", args=[company.pk, project.pk]), {"budget_id": "1"}).status_code
        == 403
    )
