"""The budget pages against the live sandbox: start from the accepted estimate, edit the lines on the line table, send;
every refusal said on the offending line with nothing lost; a locked budget changed only by accountants and admins,
each change kept; a plan without budgets told, and offered no send."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import Budget, BudgetChange
from budgets.sync import fetch_budget
from projects.models import Project
from quickbooks.models import OutboxItem, ReferenceRecord, SyncState
from quickbooks.sync.push import outbox_send
from tests.changeorders.conftest import accept_estimate_in_quickbooks
from tests.live_quickbooks import connect_through_consent, new_realm

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox row is committed with the budget

BLANK_LINE = {
    "line_id": "",
    "line_type": "ITEM",
    "item": "",
    "account": "",
    "description": "",
    "class_qbo_id": "",
    "location_qbo_id": "",
    "qty": "",
    "unit_cost": "",
    "amount": "",
    "date": "",
}


def budget_data(lines: list[dict], action="send", initial=0, **header) -> dict:
    """What the browser posts: name and dates, the formset's management form and one block of fields a line."""
    data = {
        "version": "",
        "name": "Kitchen budget",
        "start_date": "2026-04-01",
        "end_date": "2026-12-31",
        "action": action,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        **header,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in {**BLANK_LINE, **line}.items()})
    return data


def send_all() -> list[str]:
    return [outbox_send(item_id=pk) for pk in OutboxItem.objects.filter(status="pending").values_list("pk", flat=True)]


def urls(company, project) -> dict:
    names = ("edit", "from-estimate", "send", "lock", "delete", "resolve")
    return {
        **{name: reverse(f"budgets:{name}", args=[company.pk, project.pk]) for name in names},
        "page": reverse("reports:project-budget", args=[company.pk, project.pk]),
    }


@pytest.fixture
def project(connected_company, project_setup) -> Project:
    return Project.objects.get(company=connected_company, qbo_id=project_setup["project"])


def test_an_accountant_starts_from_the_estimate_edits_and_sends(
    connected_company, project, project_setup, qb, sent, login, accountant
):
    from quickbooks.sync import pull

    accept_estimate_in_quickbooks(qb, project_setup)
    pull.pull_changes(company=connected_company)
    client, url = login(accountant), urls(connected_company, project)
    assert "Start from the accepted estimate" in client.get(url["page"]).content.decode()

    assert client.post(url["from-estimate"]).url == url["edit"]
    budget = Budget.objects.get(company=connected_company)
    assert (budget.qbo_id, budget.total, budget.project_qbo_id) == ("", Decimal("720.00"), "")  # a draft: no figure
    [line] = budget.lines.all()
    assert (line.item_qbo_id, line.quantity, line.unit_cost) == (project_setup["item"], 4, 180)

    form = client.get(url["edit"]).content.decode()
    assert 'value="4"' in form and 'value="180"' in form and "720.00" in form
    lines = [
        {
            "line_id": str(line.pk),
            "item": project_setup["item"],
            "qty": "4",
            "unit_cost": "180",
            "description": "Uppers",
        },
        {"item": project_setup["item"], "qty": "2", "unit_cost": "99.995", "description": "Hinges"},
    ]
    saved = client.post(url["edit"], budget_data(lines, initial=1, version=version_of(client, url)))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert send_all() == ["sent"]

    budget.refresh_from_db()
    remote = fetch_budget(qb, budget.qbo_id)
    assert [(d["description"], d["amount"]) for d in remote["budgetDetails"]] == [
        ("Uppers", Decimal("720.00")),
        ("Hinges", Decimal("199.99")),
    ]
    assert budget.total == Decimal("919.99") and budget.project_qbo_id == project.qbo_id
    page = client.get(url["page"]).content.decode()
    assert budget.qbo_id in page and "Started from the estimate" in page and "Lines edited" in page


def version_of(client, url) -> str:
    form = client.get(url["edit"]).content.decode()
    marker = 'name="version" value="'
    start = form.index(marker) + len(marker)
    return form[start : form.index('"', start)]


def test_bad_lines_are_refused_on_the_line_and_nothing_typed_is_lost(
    connected_company, project, project_setup, login, accountant
):
    item = project_setup["item"]
    ReferenceRecord.objects.create(company=connected_company, entity="Account", qbo_id="9901", name="Materials")
    lines = [
        {"item": item, "qty": "ten", "unit_cost": "180", "description": "Keep me"},
        {"line_type": "ACCOUNT", "qty": "1", "unit_cost": "5"},
        {"item": item, "qty": "2", "unit_cost": "10", "amount": "25"},
        {"line_type": "ACCOUNT", "account": "9901", "qty": "3", "amount": "50", "description": "Half"},
    ]
    answer = login(accountant).post(urls(connected_company, project)["edit"], budget_data(lines))

    assert answer.status_code == 400
    page = answer.content.decode()
    for message in (
        "Quantity must be a number, like 4 or 2.5.",
        "Choose the account this line budgets, or make it an item line.",
        "Quantity × unit cost is 20.00: leave the amount blank, or correct one of them.",
        "Enter both quantity and unit cost, or neither.",
    ):
        assert message in page
    assert 'value="Keep me"' in page and 'value="ten"' in page
    assert not Budget.objects.exists() and not OutboxItem.objects.exists()


def test_a_form_loaded_before_another_change_is_stale_and_keeps_what_was_typed(
    connected_company, project, project_setup, login, accountant
):
    client, url = login(accountant), urls(connected_company, project)
    first = [{"item": project_setup["item"], "qty": "1", "unit_cost": "100"}]
    assert client.post(url["edit"], budget_data(first, action="save")).status_code == 302
    loaded = version_of(client, url)
    budget = Budget.objects.get()
    line = budget.lines.get()
    edit = [{"line_id": str(line.pk), "item": project_setup["item"], "qty": "2", "unit_cost": "100"}]
    assert client.post(url["edit"], budget_data(edit, action="save", initial=1, version=loaded)).status_code == 302

    stale = client.post(
        url["edit"],
        budget_data([{**edit[0], "qty": "7", "description": "Mine"}], action="save", initial=1, version=loaded),
    )

    assert stale.status_code == 409 and "changed" in stale.content.decode() and 'value="Mine"' in stale.content.decode()
    assert Budget.objects.get().lines.get().quantity == 2


def test_a_locked_budget_only_accountants_change_and_each_change_is_kept(
    connected_company, project, project_setup, qb, sent, login, accountant, project_manager
):
    client, url, item = login(accountant), urls(connected_company, project), project_setup["item"]
    client.post(url["edit"], budget_data([{"item": item, "qty": "1", "unit_cost": "100"}]))
    send_all()
    assert client.post(url["lock"]).status_code == 302
    assert send_all() == ["sent"]
    budget = Budget.objects.get()
    assert budget.is_baseline and fetch_budget(qb, budget.qbo_id)["state"] == "LOCKED"

    manager = login(project_manager)
    assert manager.get(url["edit"]).status_code == 403
    assert "Edit lines" not in manager.get(url["page"]).content.decode()

    client = login(accountant)
    line = budget.lines.get()
    edit = [{"line_id": str(line.pk), "item": item, "qty": "3", "unit_cost": "100"}]
    assert client.post(url["edit"], budget_data(edit, initial=1, version=version_of(client, url))).status_code == 302
    assert send_all() == ["sent"]
    change = BudgetChange.objects.filter(action="edited").latest("id")
    assert change.was_baseline and (change.total_before, change.total_after) == (Decimal("100.00"), Decimal("300.00"))
    assert change.by == accountant and change.lines_before[0]["quantity"] == "1"
    assert "baseline" in client.get(url["page"]).content.decode()


def test_viewers_cannot_write_and_other_companies_are_not_found(
    connected_company, project, login, viewer, outsider, accountant
):
    url = urls(connected_company, project)
    assert login(viewer).get(url["edit"]).status_code == 403
    assert login(viewer).post(url["from-estimate"]).status_code == 403
    assert login(outsider).get(url["edit"]).status_code in (403, 404)


def test_a_plan_without_budgets_is_told_and_offered_no_send(qbo, login, admin_user, company, sent):
    connect_through_consent(login(admin_user), new_realm(qbo, plan="plus"), company)
    project = Project.objects.create(company=company, qbo_id="5", name="Porch")
    ReferenceRecord.objects.create(company=company, entity="Item", qbo_id="1", name="Paint")
    client, url = login(admin_user), urls(company, project)

    form = client.get(url["edit"]).content.decode()
    assert "no project budgets" in form and "Save and send to QuickBooks" not in form
    assert client.post(url["edit"], budget_data([{"item": "1", "qty": "2", "unit_cost": "30"}], action="save")).url
    assert Budget.objects.get().sync_state == SyncState.SYNCED and not OutboxItem.objects.exists()
    assert "Send to QuickBooks" not in client.get(url["page"]).content.decode()
