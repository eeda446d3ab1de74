"""Against the live sandbox: an estimate saved through the form reaches QuickBooks with its lines, project and costs,
and an edit after someone changed it in QuickBooks goes through the outbox's conflict flow, never over it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Estimate, Project
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.live_quickbooks import estimates_in_quickbooks, rid
from tests.projects.test_estimate_form import form_data

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox row is committed with the estimate


def three_lines(item_id):
    return [
        {"item": item_id, "description": "Uppers", "qty": "4", "unit_price": "250", "unit_cost": "180"},
        {"item": item_id, "description": "Lowers", "qty": "2.5", "unit_price": "310.10", "unit_cost": "200"},
        {"item": item_id, "description": "Odd lot", "qty": "3", "unit_price": "33.335", "unit_cost": "20"},
    ]


def save_through_the_form(client, company, setup, **header):
    project = Project.objects.get(company=company, qbo_id=setup["project"])
    response = client.post(
        reverse("projects:estimate-new", args=[company.pk, project.pk]), form_data(three_lines(setup["item"]), **header)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Estimate.objects.get(company=company)


def test_an_estimate_saved_in_the_form_reaches_quickbooks_with_its_three_lines(
    connected_company, project_setup, qb, sent, login, accountant
):
    estimate = save_through_the_form(login(accountant), connected_company, project_setup, private_note="Phase 1")
    item = OutboxItem.objects.get()
    assert sent.outbox == [("quickbooks.tasks.outbox_send", [item.pk])]  # after the commit, to the worker

    assert outbox_send(item_id=item.pk) == "sent"

    estimate.refresh_from_db()
    [remote] = estimates_in_quickbooks(qb, project_setup)
    lines = [line for line in remote["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert [line["Amount"] for line in lines] == [Decimal("1000.00"), Decimal("775.25"), Decimal("100.01")]
    assert [line["CostAmount"] for line in lines] == [Decimal("720.00"), Decimal("500.00"), Decimal("60.00")]
    assert remote["ProjectRef"]["value"] == project_setup["project"]
    assert remote["CustomerRef"]["value"] == project_setup["customer"] and remote["PrivateNote"] == "Phase 1"
    assert remote["TotalAmt"] == Decimal("1875.26") == estimate.total_amount
    assert (estimate.qbo_id, estimate.sync_state) == (remote["Id"], SyncState.SYNCED)
    assert [line.line_id for line in estimate.lines.order_by("line_num")] == [line["Id"] for line in lines]


def test_an_edit_after_a_change_in_quickbooks_becomes_a_conflict_not_an_overwrite(
    connected_company, project_setup, qb, sent, login, accountant
):
    client = login(accountant)
    estimate = save_through_the_form(client, connected_company, project_setup, private_note="Phase 1")
    outbox_send(item_id=OutboxItem.objects.get().pk)
    estimate.refresh_from_db()
    edit_url = reverse("projects:estimate-edit", args=[connected_company.pk, estimate.project_id, estimate.pk])
    page = client.get(edit_url)  # the accountant opens the form ...
    qb.update(
        "Estimate",
        {"Id": estimate.qbo_id, "SyncToken": estimate.sync_token, "PrivateNote": "Theirs"},
        request_id=rid(),
        sparse=True,
    )  # ... someone changes the memo in QuickBooks, not yet pulled ...
    data = form_data(three_lines(project_setup["item"]), private_note="Ours", version=estimate.sync_token)
    data.update({f"lines-{i}-line_id": line.line_id for i, line in enumerate(estimate.lines.order_by("line_num"))})
    data["lines-INITIAL_FORMS"] = "3"
    assert page.status_code == 200 and client.post(edit_url, data).status_code == 302  # ... and the form saves

    update = OutboxItem.objects.get(operation="update")
    assert outbox_send(item_id=update.pk) == "conflict"

    estimate.refresh_from_db()
    assert estimate.sync_state == SyncState.CONFLICT
    assert qb.read("Estimate", estimate.qbo_id)["PrivateNote"] == "Theirs"  # not overwritten
    detail = client.get(
        reverse("projects:estimate-detail", args=[connected_company.pk, estimate.project_id, estimate.pk])
    )
    assert reverse("quickbooks:sync-conflict", args=[connected_company.pk, update.pk]) in detail.content.decode()
    pull.pull_changes(company=connected_company)  # a pull does not take the local change away either
    assert Estimate.objects.get(pk=estimate.pk).private_note == "Ours"
