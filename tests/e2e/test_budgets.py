"""Budgets in the configuration a deployment runs: the sandbox's webhooks on, a real Celery worker on the real broker,
beat with the change-capture round and the outbox sweeper. A budget started from the accepted estimate and sent from
the page is created by the worker; a line changed in QuickBooks comes back with beat's round (the Budgets API sends
no webhooks, so budgets are read again by id); an edit here goes line by line beside it; lock; delete."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Budget
from budgets.sync import fetch_budget
from projects.models import Estimate, Project
from quickbooks.models import SyncState
from tests.budgets.test_budget_pages import budget_data
from tests.changeorders.conftest import accept_estimate_in_quickbooks
from tests.e2e.conftest import wait_until
from tests.sync.domain.test_live_sandbox import UPDATE_BUDGET

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def settled(**wanted) -> Budget | None:
    """The budget once the worker has it in QuickBooks and QuickBooks' answer is taken back, as `wanted`."""
    return Budget.objects.filter(sync_state=SyncState.SYNCED, **wanted).exclude(qbo_id="").first()


def test_a_budget_goes_from_the_page_to_quickbooks_and_back_with_the_worker_and_beat(
    qbo, deploy, connected_company, project_setup, qb, login, accountant
):
    deploy()
    estimate = accept_estimate_in_quickbooks(qb, project_setup)
    assert wait_until(lambda: Estimate.objects.filter(qbo_id=estimate["Id"]).exists(), timeout=60)
    project = Project.objects.get(company=connected_company, qbo_id=project_setup["project"])
    client, args = login(accountant), [connected_company.pk, project.pk]

    assert client.post(reverse("budgets:from-estimate", args=args)).status_code == 302
    assert client.post(reverse("budgets:send", args=args)).status_code == 302
    assert wait_until(lambda: settled(total=Decimal("720.00")), timeout=60), Budget.objects.values().first()
    budget = settled()
    assert budget is not None and fetch_budget(qb, budget.qbo_id)["total"] == Decimal("720.00")

    # Someone adds a line in QuickBooks: beat's round reads the budget again by its id.
    qb.graphql(
        UPDATE_BUDGET,
        {"budgetInput": {"budgetId": budget.qbo_id, "budgetName": budget.name, "budgetDetails": [
            {"type": "ITEM", "itemId": project_setup["item"], "unitCost": Decimal("25"), "quantity": Decimal("4"),
             "description": "Handles"}
        ]}},
    )  # fmt: skip
    assert wait_until(lambda: settled(total=Decimal("820.00")), timeout=90), "beat's round brought QuickBooks' line"

    line = budget.lines.get(sequence_id="1")
    edit = [{"line_id": str(line.pk), "item": project_setup["item"], "qty": "5", "unit_cost": "180"}]
    handles = budget.lines.get(sequence_id="2")
    edit.append({"line_id": str(handles.pk), "item": project_setup["item"], "qty": "4", "unit_cost": "25"})
    form = client.get(reverse("budgets:edit", args=args)).content.decode()
    version = form.split('name="version" value="')[1].split('"')[0]
    saved = client.post(reverse("budgets:edit", args=args), budget_data(edit, initial=2, version=version))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert wait_until(lambda: settled(total=Decimal("1000.00")), timeout=60)
    remote = fetch_budget(qb, budget.qbo_id)["budgetDetails"]
    assert [(d["sequenceId"], d["amount"]) for d in remote] == [("1", Decimal("900.00")), ("2", Decimal("100.00"))]

    assert client.post(reverse("budgets:lock", args=args)).status_code == 302
    assert wait_until(lambda: settled(state=Budget.State.LOCKED), timeout=60)
    assert fetch_budget(qb, budget.qbo_id)["state"] == "LOCKED"

    client.post(reverse("budgets:delete", args=args), {"confirmed": "1"})
    assert wait_until(lambda: not Budget.objects.exists(), timeout=60)
    assert fetch_budget(qb, budget.qbo_id).get("deleted") is True
