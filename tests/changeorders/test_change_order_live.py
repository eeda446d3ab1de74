"""Against the live sandbox: a change order drafted, sent, updated, accepted, rejected and deleted through
Costline's pages and outbox reaches QuickBooks with LinkedTxn to its parent estimate on every line, and the contract
value and revised budget move only by what QuickBooks holds as accepted."""

from decimal import Decimal

import pytest
from django.urls import reverse

from changeorders.contract import contract_value
from changeorders.models import ChangeOrder, ChangeOrderEvent
from quickbooks.client import QuickBooksError
from quickbooks.connections import capabilities_detect
from quickbooks.models import OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from reports.figures import change_order_cost
from tests.live_quickbooks import rid

from .conftest import change_order_data, extra_cabinet, new_url

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox row is committed with the change order


def send_all() -> list[str]:
    return [outbox_send(item_id=pk) for pk in OutboxItem.objects.filter(status="pending").values_list("pk", flat=True)]


def item_lines(document):
    return [line for line in document["Line"] if line["DetailType"] == "SalesItemLineDetail"]


def sent_change_order(client, company, project, estimate, lines, **header) -> ChangeOrder:
    response = client.post(new_url(company, project), change_order_data(estimate, lines, **header))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert send_all() == ["sent"]
    return ChangeOrder.objects.get(company=company)


def test_a_project_manager_drafts_and_an_accountant_sends_it_with_every_line_linking_the_estimate(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, project_manager, accountant
):
    item = project_setup["item"]
    lines = [extra_cabinet(item), {**extra_cabinet(item, qty="1", price="120", cost="80"), "description": "Trim"}]
    drafted = login(project_manager).post(
        new_url(connected_company, project), change_order_data(accepted_estimate, lines, action="save")
    )
    assert drafted.status_code == 302
    change_order = ChangeOrder.objects.get(company=connected_company)
    assert not OutboxItem.objects.exists() and change_order.project_qbo_id == ""  # a draft: nothing queued
    assert contract_value(project) == Decimal("1000.00")

    page = login(accountant).post(
        reverse("changeorders:send", args=[connected_company.pk, project.pk, change_order.pk])
    )
    assert page.status_code == 302 and send_all() == ["sent"]

    change_order.refresh_from_db()
    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert remote["LinkedTxn"] == [{"TxnId": accepted_estimate.qbo_id, "TxnType": "Estimate"}]
    assert [line["LinkedTxn"] for line in item_lines(remote)] == [remote["LinkedTxn"]] * 2
    assert [line["Amount"] for line in item_lines(remote)] == [Decimal("600.00"), Decimal("120.00")]
    assert remote["TotalAmt"] == Decimal("720.00") == change_order.booked_subtotal
    assert remote["TxnStatus"] == "Pending" and remote["ProjectRef"]["value"] == project.qbo_id
    assert change_order.doc_number and change_order.doc_number == remote.get("DocNumber")
    assert change_order.sync_state == SyncState.SYNCED
    assert contract_value(project) == Decimal("1000.00")  # pending: proposed, not in the contract
    actions = list(change_order.events.values_list("action", "by__email"))
    assert actions == [("drafted", project_manager.email), ("sent", accountant.email)]


def test_accepting_moves_the_contract_and_the_revised_budget_by_exactly_its_amounts(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client = login(accountant)
    lines = [extra_cabinet(project_setup["item"], qty="3", price="333.335", cost="210.10")]
    change_order = sent_change_order(client, connected_company, project, accepted_estimate, lines)
    contract, cost = contract_value(project), change_order_cost(project)

    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    answer = client.post(status_url, {"status": "Accepted", "accepted_by": "Dana Reyes", "accepted_date": "2026-05-03"})
    assert answer.status_code == 302
    assert contract_value(project) == contract  # queued, not yet what QuickBooks holds
    assert send_all() == ["sent"]

    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert (remote["TxnStatus"], remote["AcceptedBy"], remote["AcceptedDate"]) == (
        "Accepted",
        "Dana Reyes",
        "2026-05-03",
    )
    assert contract_value(project) - contract == Decimal("1000.01") == remote["TotalAmt"]
    assert change_order_cost(project) - cost == Decimal("630.30") == remote["TotalCostAmount"]
    event = change_order.events.get(action="status")
    assert event.detail == "Accepted by Dana Reyes on 2026-05-03." and event.by == accountant


def test_acceptance_needs_who_and_when(
    connected_company, project, accepted_estimate, project_setup, sent, login, accountant
):
    client = login(accountant)
    change_order = sent_change_order(
        client, connected_company, project, accepted_estimate, [extra_cabinet(project_setup["item"])]
    )
    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    page = client.post(
        status_url, {"status": "Accepted", "accepted_by": "", "accepted_date": "2026-05-03"}, follow=True
    )
    assert "Say who accepted the change order and on what date" in page.content.decode()
    assert not OutboxItem.objects.filter(status="pending").exists()
    assert ChangeOrder.objects.get().status == "Pending"


def test_a_rejected_change_order_stays_out_of_the_contract(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client = login(accountant)
    change_order = sent_change_order(
        client, connected_company, project, accepted_estimate, [extra_cabinet(project_setup["item"])]
    )
    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    client.post(status_url, {"status": "Rejected", "accepted_by": "Dana", "accepted_date": "2026-05-03"})
    assert send_all() == ["sent"]
    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert remote["TxnStatus"] == "Rejected" and not remote.get("AcceptedBy")
    assert contract_value(project) == Decimal("1000.00")


def test_an_update_replaces_the_lines_and_sends_the_link_on_every_one_including_removed_scope(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client, item = login(accountant), project_setup["item"]
    change_order = sent_change_order(client, connected_company, project, accepted_estimate, [extra_cabinet(item)])
    edit_url = reverse("changeorders:edit", args=[connected_company.pk, project.pk, change_order.pk])
    old_line = change_order.lines.get()
    lines = [
        {**extra_cabinet(item, qty="3"), "line_id": old_line.line_id},
        {**extra_cabinet(item, qty="-1", price="250", cost="180"), "description": "One upper cabinet left out"},
    ]
    data = change_order_data(accepted_estimate, lines, version=change_order.sync_token)
    data["lines-INITIAL_FORMS"] = "1"
    assert client.post(edit_url, data).status_code == 302
    assert send_all() == ["sent"]

    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert [line["Amount"] for line in item_lines(remote)] == [Decimal("900.00"), Decimal("-250.00")]
    assert all(line["LinkedTxn"] == remote["LinkedTxn"] for line in item_lines(remote))
    assert remote["TotalAmt"] == Decimal("650.00") and remote["TotalCostAmount"] == Decimal("420.00")
    change_order.refresh_from_db()
    assert change_order.total_amount == Decimal("650.00") and change_order.lines.count() == 2


def test_a_stale_sync_token_is_merged_when_quickbooks_changed_another_field(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client = login(accountant)
    change_order = sent_change_order(
        client, connected_company, project, accepted_estimate, [extra_cabinet(project_setup["item"])]
    )
    qb.update(
        "ChangeOrder",
        {"Id": change_order.qbo_id, "SyncToken": change_order.sync_token, "CustomerMemo": {"value": "Theirs"}},
        request_id=rid(),
        sparse=True,
    )  # someone writes the customer message in QuickBooks, not yet pulled
    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    client.post(status_url, {"status": "Accepted", "accepted_by": "Dana Reyes", "accepted_date": "2026-05-03"})
    assert send_all() == ["merged"]
    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert remote["TxnStatus"] == "Accepted" and remote["CustomerMemo"]["value"] == "Theirs"


def test_deleting_lowers_the_contract_and_leaves_the_estimate_as_it_was(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client = login(accountant)
    change_order = sent_change_order(
        client, connected_company, project, accepted_estimate, [extra_cabinet(project_setup["item"])]
    )
    status_url = reverse("changeorders:status", args=[connected_company.pk, project.pk, change_order.pk])
    client.post(status_url, {"status": "Accepted", "accepted_by": "Dana Reyes", "accepted_date": "2026-05-03"})
    send_all()
    assert contract_value(project) == Decimal("1600.00")
    estimate_before = qb.read("Estimate", accepted_estimate.qbo_id)
    delete_url = reverse("changeorders:delete", args=[connected_company.pk, project.pk, change_order.pk])
    assert "The contract value drops by 600.00" in client.get(delete_url).content.decode()

    assert client.post(delete_url).status_code == 302
    assert ChangeOrder.objects.filter(pk=change_order.pk).exists()  # until QuickBooks confirms
    detail = client.get(reverse("changeorders:detail", args=[connected_company.pk, project.pk, change_order.pk]))
    text = detail.content.decode()
    assert "Deletion waiting to reach QuickBooks" in text and "Delete in QuickBooks</a>" not in text
    assert send_all() == ["sent"]

    assert not ChangeOrder.objects.filter(pk=change_order.pk).exists()
    with pytest.raises(QuickBooksError):
        qb.read("ChangeOrder", change_order.qbo_id)
    assert qb.read("Estimate", accepted_estimate.qbo_id) == estimate_before
    assert contract_value(project) == Decimal("1000.00")
    log = list(ChangeOrderEvent.objects.filter(project=project).values_list("action", flat=True))
    assert log[-2:] == ["delete_requested", "deleted"]
    pull.pull_changes(company=connected_company)  # QuickBooks' deletion arrives by CDC too: nothing doubles
    assert ChangeOrderEvent.objects.filter(project=project, action="deleted").count() == 1


def test_a_change_order_made_in_quickbooks_arrives_with_its_parent_and_a_history_line(
    connected_company, project, accepted_estimate, project_setup, qb
):
    link = [{"TxnId": accepted_estimate.qbo_id, "TxnType": "Estimate"}]
    line = {
        "Amount": Decimal("150.00"),
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": project_setup["item"]}, "Qty": 1, "UnitPrice": Decimal("150")},
    }
    remote = qb.create(
        "ChangeOrder",
        {
            "CustomerRef": {"value": project_setup["customer"]},
            "ProjectRef": {"value": project.qbo_id},
            "LinkedTxn": link,
            "TxnStatus": "Accepted",
            "Line": [line],
        },
        request_id=rid(),
    )
    pull.pull_changes(company=connected_company)
    change_order = ChangeOrder.objects.get(company=connected_company, qbo_id=remote["Id"])
    assert change_order.estimate == accepted_estimate and change_order.project == project
    assert contract_value(project) == Decimal("1150.00")
    assert change_order.events.get().detail == "Arrived from QuickBooks, Accepted."


def test_a_company_that_types_its_own_numbers_gets_the_next_one_from_costline(
    connected_company, project, accepted_estimate, project_setup, qb, qbo, sent, login, accountant
):
    """With custom transaction numbers on, QuickBooks leaves a document unnumbered unless it is sent one."""
    realm = {"realm_id": connected_company.realm_id, "name": connected_company.name, "custom_txn_numbers": True}
    qbo.control("post", "realms", json=realm)
    assert capabilities_detect(company=connected_company)["custom_txn_numbers"] is True
    client, item = login(accountant), project_setup["item"]

    first = sent_change_order(client, connected_company, project, accepted_estimate, [extra_cabinet(item)])
    client.post(new_url(connected_company, project), change_order_data(accepted_estimate, [extra_cabinet(item)]))
    assert send_all() == ["sent"]
    second = ChangeOrder.objects.exclude(pk=first.pk).get()

    assert [first.doc_number, second.doc_number] == ["1001", "1002"]
    assert [qb.read("ChangeOrder", o.qbo_id)["DocNumber"] for o in (first, second)] == ["1001", "1002"]


def test_the_same_field_changed_on_both_sides_is_a_conflict_a_person_settles(
    connected_company, project, accepted_estimate, project_setup, qb, sent, login, accountant
):
    client, item = login(accountant), project_setup["item"]
    change_order = sent_change_order(client, connected_company, project, accepted_estimate, [extra_cabinet(item)])
    qb.update(
        "ChangeOrder",
        {"Id": change_order.qbo_id, "SyncToken": change_order.sync_token, "PrivateNote": "Theirs"},
        request_id=rid(),
        sparse=True,
    )
    edit_url = reverse("changeorders:edit", args=[connected_company.pk, project.pk, change_order.pk])
    lines = [{**extra_cabinet(item), "line_id": change_order.lines.get().line_id}]
    data = change_order_data(accepted_estimate, lines, version=change_order.sync_token, private_note="Ours")
    data["lines-INITIAL_FORMS"] = "1"
    assert client.post(edit_url, data).status_code == 302
    assert send_all() == ["conflict"]

    change_order.refresh_from_db()
    assert change_order.sync_state == SyncState.CONFLICT and change_order.private_note == "Ours"
    assert qb.read("ChangeOrder", change_order.qbo_id)["PrivateNote"] == "Theirs"  # not overwritten
    conflict = OutboxItem.objects.get(status="conflict")
    detail = client.get(reverse("changeorders:detail", args=[connected_company.pk, project.pk, change_order.pk]))
    assert reverse("quickbooks:sync-conflict", args=[connected_company.pk, conflict.pk]) in detail.content.decode()
    page = client.get(reverse("quickbooks:sync-conflict", args=[connected_company.pk, conflict.pk]))
    assert page.status_code == 200 and "Theirs" in page.content.decode()

    client.post(
        reverse("quickbooks:sync-conflict", args=[connected_company.pk, conflict.pk]), {"keep_PrivateNote": "costline"}
    )
    assert send_all() == ["sent"]
    remote = qb.read("ChangeOrder", change_order.qbo_id)
    assert remote["PrivateNote"] == "Ours"
    assert all(line["LinkedTxn"] == remote["LinkedTxn"] for line in item_lines(remote))  # still linked
