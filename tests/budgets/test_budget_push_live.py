"""Against the live sandbox: a budget written in Costline reaches QuickBooks through the outbox and the Budgets API.
Created with server-given sequenceIds, updated line by line by sequenceId (never a duplicated line, even when a
reply is lost or QuickBooks changed the budget meanwhile), a line deleted, locked, deleted; a plan without budgets
refused in words."""

from decimal import Decimal

import pytest

from budgets.models import Budget, BudgetChange
from budgets.push import DELETE
from budgets.services import budget_adopt, budget_delete, budget_lock, budget_resolve, budget_save
from budgets.sync import fetch_budget
from projects.models import Project
from quickbooks.models import Membership, OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.live_quickbooks import connect_through_consent, new_realm
from tests.sync.domain.test_live_sandbox import UPDATE_BUDGET

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox row is committed with the budget


def send_all() -> list[str]:
    return [outbox_send(item_id=pk) for pk in OutboxItem.objects.filter(status="pending").values_list("pk", flat=True)]


def member(user, company) -> Membership:
    return Membership.objects.get(user=user, company=company)


def line(item_id: str, quantity: str, unit_cost: str, description: str, **more) -> dict:
    return {
        "line_type": "ITEM",
        "item_qbo_id": item_id,
        "quantity": Decimal(quantity),
        "unit_cost": Decimal(unit_cost),
        "description": description,
        **more,
    }


def as_sent(budget: Budget) -> list[dict]:
    """The form's lines for the budget as it stands: each keeps its row, hence its sequenceId."""
    return [
        {
            "line_id": row.pk,
            "line_type": row.line_type,
            "item_qbo_id": row.item_qbo_id,
            "account_qbo_id": row.account_qbo_id,
            "quantity": row.quantity,
            "unit_cost": row.unit_cost,
            "amount": row.amount,
            "description": row.description,
        }
        for row in budget.lines.order_by("id")
    ]


def remote_lines(qb, budget: Budget) -> list[tuple[str, str, Decimal]]:
    document = fetch_budget(qb, budget.qbo_id)
    return [(line["sequenceId"], line["description"], line["amount"]) for line in document["budgetDetails"]]


@pytest.fixture
def project(connected_company, project_setup) -> Project:
    return Project.objects.get(company=connected_company, qbo_id=project_setup["project"])


@pytest.fixture
def sent_budget(connected_company, project, project_setup, accountant, sent) -> Budget:
    item = project_setup["item"]
    budget = Budget(company=connected_company, project=project, name="Kitchen budget", state=Budget.State.DRAFT)
    lines = [line(item, "4", "180", "Cabinets"), line(item, "10", "45.50", "Install labour")]
    budget_save(budget=budget, lines=lines, by=member(accountant, connected_company), send=True)
    assert send_all() == ["sent"]
    budget.refresh_from_db()
    return budget


def test_a_budget_is_created_in_quickbooks_with_its_lines_and_their_sequence_ids(qb, sent_budget, project):
    budget = sent_budget
    assert budget.qbo_id and budget.sync_state == SyncState.SYNCED and budget.total == Decimal("1175.00")
    assert remote_lines(qb, budget) == [
        ("1", "Cabinets", Decimal("720.00")),
        ("2", "Install labour", Decimal("455.00")),
    ]
    assert sorted(budget.lines.values_list("sequence_id", flat=True)) == ["1", "2"]
    remote = fetch_budget(qb, budget.qbo_id)
    assert (remote["linkedEntityId"], remote["state"], remote["budgetName"]) == (project.qbo_id, "DRAFT", budget.name)
    assert budget.changes.get().action == BudgetChange.Action.CREATED


def test_an_edit_updates_lines_by_sequence_id_adds_one_and_deletes_one(
    connected_company, qb, sent_budget, project_setup, accountant
):
    budget, item = sent_budget, project_setup["item"]
    cabinets, _labour = as_sent(budget)
    lines = [{**cabinets, "quantity": Decimal("5")}, line(item, "1", "300", "Skip hire")]

    budget_save(budget=budget, lines=lines, by=member(accountant, connected_company), send=True)
    assert send_all() == ["sent"]

    assert remote_lines(qb, budget) == [("1", "Cabinets", Decimal("900.00")), ("3", "Skip hire", Decimal("300.00"))]
    budget.refresh_from_db()
    assert budget.total == Decimal("1200.00") and sorted(budget.lines.values_list("sequence_id", flat=True)) == [
        "1",
        "3",
    ]
    change = budget.changes.first()  # the newest first
    assert (change.total_before, change.total_after) == (Decimal("1175.00"), Decimal("1200.00"))
    assert [row["description"] for row in change.lines_before] == ["Cabinets", "Install labour"]


def test_an_update_whose_reply_was_lost_is_not_sent_twice_on_the_retry(
    connected_company, qb, qbo, sent_budget, project_setup, accountant, settings
):
    settings.QBO_MAX_RETRIES = 0  # the outbox, not the client, retries
    budget, item = sent_budget, project_setup["item"]
    lines = [*as_sent(budget), line(item, "2", "99.99", "Extra hinges")]
    budget_save(budget=budget, lines=lines, by=member(accountant, connected_company), send=True)
    drop = {"kind": "drop", "count": 1, "method": "POST", "body_contains": "businessPlanningUpdateBudget"}
    qbo.control("post", "faults", json=drop)

    assert send_all() == ["retry"]
    assert qbo.control("get", "faults").json()["faults"] == []  # the fault fired: QuickBooks has the new line
    assert [d for _, d, _ in remote_lines(qb, budget)] == ["Cabinets", "Install labour", "Extra hinges"]

    OutboxItem.objects.filter(status="pending").update(next_attempt_at=budget.changes.first().at)
    assert send_all() == ["sent"]

    assert [d for _, d, _ in remote_lines(qb, budget)] == ["Cabinets", "Install labour", "Extra hinges"]
    budget.refresh_from_db()
    assert sorted(budget.lines.values_list("sequence_id", flat=True)) == ["1", "2", "3"]
    assert budget.total == Decimal("1374.98") and budget.sync_state == SyncState.SYNCED


def test_a_line_changed_in_quickbooks_meanwhile_is_kept_and_a_clash_is_a_conflict(
    connected_company, qb, sent_budget, accountant
):
    budget, by = sent_budget, member(accountant, connected_company)
    cabinets, labour = as_sent(budget)
    # Someone changes the labour line in QuickBooks; Costline's edit touches only the cabinets.
    qb.graphql(
        UPDATE_BUDGET,
        {"budgetInput": {"budgetId": budget.qbo_id, "budgetName": budget.name, "budgetDetails": [
            {"sequenceId": "2", "type": "ITEM", "unitCost": Decimal("50"), "quantity": Decimal("10"),
             "description": "Install labour"}
        ]}},
    )  # fmt: skip
    budget_save(budget=budget, lines=[{**cabinets, "quantity": Decimal("6")}, labour], by=by, send=True)
    assert send_all() == ["sent"]
    assert [a for _, _, a in remote_lines(qb, budget)] == [Decimal("1080.00"), Decimal("500.00")]  # both kept

    budget.refresh_from_db()
    cabinets, labour = as_sent(budget)
    qb.graphql(
        UPDATE_BUDGET,
        {"budgetInput": {"budgetId": budget.qbo_id, "budgetName": budget.name, "budgetDetails": [
            {"sequenceId": "1", "type": "ITEM", "unitCost": Decimal("180"), "quantity": Decimal("7"),
             "description": "Cabinets"}
        ]}},
    )  # fmt: skip
    budget_save(budget=budget, lines=[{**cabinets, "quantity": Decimal("8")}, labour], by=by, send=True)
    assert send_all() == ["conflict"]
    budget.refresh_from_db()
    assert budget.sync_state == SyncState.CONFLICT and "line 1 (Cabinets) changed here and in QuickBooks" in (
        budget.sync_error
    )
    assert [a for _, _, a in remote_lines(qb, budget)][0] == Decimal("1260.00")  # nothing was sent over it

    budget_resolve(budget=budget, keep_mine=True, by=by)
    assert send_all() == ["sent"]
    assert [a for _, _, a in remote_lines(qb, budget)] == [Decimal("1440.00"), Decimal("500.00")]


def test_lock_then_delete(connected_company, qb, sent_budget, accountant):
    budget, by = sent_budget, member(accountant, connected_company)
    budget_lock(budget=budget, by=by)
    assert send_all() == ["sent"]
    assert fetch_budget(qb, budget.qbo_id)["state"] == "LOCKED"

    budget.refresh_from_db()
    budget_id = budget.qbo_id
    budget_delete(budget=budget, by=by)
    assert send_all() == ["sent"]

    assert fetch_budget(qb, budget_id).get("deleted") is True
    assert not Budget.objects.filter(pk=budget.pk).exists()
    actions = list(BudgetChange.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["created", "locked", "delete_requested"]


def test_a_delete_whose_reply_was_lost_is_done_on_the_retry(connected_company, qb, sent_budget, accountant):
    budget = sent_budget
    budget_delete(budget=budget, by=member(accountant, connected_company))
    qb.graphql(DELETE, {"budgetIdsInput": {"budgetIds": [budget.qbo_id]}})  # the first try got through, unanswered

    assert send_all() == ["sent"]
    assert not Budget.objects.filter(pk=budget.pk).exists()


def test_a_plan_without_budgets_is_refused_in_words_and_nothing_is_lost(qbo, login, admin_user, company, sent):
    connect_through_consent(login(admin_user), new_realm(qbo, plan="plus"), company)
    pull.pull_changes(company=company)
    project = Project.objects.create(company=company, qbo_id="5", name="Porch")
    budget = Budget(company=company, project=project, name="Porch budget", state=Budget.State.DRAFT)
    by = member(admin_user, company)

    with pytest.raises(Exception, match="no project budgets"):
        budget_save(budget=budget, lines=[line("1", "1", "10", "Paint")], by=by, send=True)
    budget_save(budget=budget, lines=[line("1", "1", "10", "Paint")], by=by, send=False)  # kept here, not sent
    assert Budget.objects.get().lines.count() == 1 and not OutboxItem.objects.filter(entity="Budget").exists()


def test_quickbooks_refusing_the_plan_comes_back_in_words_and_keeps_the_edit(
    connected_company, qbo, qb, sent_budget, accountant
):
    budget = sent_budget
    # The company moved to a plan without project budgets after it was connected: QuickBooks now says PNB-PCBM-008.
    qbo.control("post", "realms", json={"realm_id": connected_company.realm_id, "name": "Downgraded", "plan": "plus"})
    cabinets, labour = as_sent(budget)
    by = member(accountant, connected_company)
    budget_save(budget=budget, lines=[{**cabinets, "quantity": Decimal("9")}, labour], by=by, send=True)

    assert send_all() == ["failed"]

    budget.refresh_from_db()
    assert budget.sync_state == SyncState.FAILED
    assert "not available for this company's QuickBooks subscription" in budget.sync_error
    assert budget.lines.get(sequence_id="1").quantity == 9  # nothing typed is lost


def test_a_create_whose_reply_was_lost_is_linked_by_its_id_never_made_twice(
    connected_company, project, project_setup, qbo, qb, accountant, sent, settings
):
    settings.QBO_MAX_RETRIES = 0  # the outbox, not the client, retries
    by, item = member(accountant, connected_company), project_setup["item"]
    budget = Budget(company=connected_company, project=project, name="Kitchen budget", state=Budget.State.DRAFT)
    lines = [line(item, "4", "180", "Cabinets"), line(item, "10", "45.50", "Install labour")]
    budget_save(budget=budget, lines=lines, by=by, send=True)
    drop = {"kind": "drop", "count": 1, "method": "POST", "body_contains": "businessPlanningCreateBudget"}
    qbo.control("post", "faults", json=drop)

    assert send_all() == ["retry"]
    assert qbo.control("get", "faults").json()["faults"] == []  # the fault fired
    budget_id = "100000001"  # this realm's first budget: what its address in QuickBooks shows the person
    assert fetch_budget(qb, budget_id)["linkedEntityId"] == project.qbo_id
    OutboxItem.objects.filter(status="pending").update(next_attempt_at=budget.changes.first().at)

    assert send_all() == ["failed"]  # QuickBooks allows one budget a project (PNB-INPUT-72), and cannot list it
    budget.refresh_from_db()
    assert "already has a budget" in budget.sync_error and not budget.qbo_id

    linked = budget_adopt(project=project, budget_id=budget_id, by=by)

    assert linked.pk == budget.pk and linked.qbo_id == budget_id and linked.sync_state == SyncState.SYNCED
    assert sorted(linked.lines.values_list("sequence_id", flat=True)) == ["1", "2"]
    assert not OutboxItem.objects.filter(status="pending").exists()  # every line was already there
    budget_save(budget=linked, lines=[*as_sent(linked), line(item, "1", "60", "Handles")], by=by, send=True)
    assert send_all() == ["sent"]
    assert [d for _, d, _ in remote_lines(qb, linked)] == ["Cabinets", "Install labour", "Handles"]
