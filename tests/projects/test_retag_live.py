"""Re-tagging against the live sandbox: a bill charged to the client, not its project, gets its ProjectRef.

Each test builds its own data in a fresh realm (the demo realm is read by other tests and never changed here).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.health import findings
from projects.models import LedgerLine, RetagRequest
from quickbooks.models import OutboxAttempt, OutboxItem, SyncState
from quickbooks.sync import pull
from quickbooks.sync.push import outbox_send
from tests.live_quickbooks import create_project, rid

pytestmark = pytest.mark.django_db(transaction=True)  # the outbox sends after a real commit


@pytest.fixture
def miscoded_bill(connected_company, qb):
    """In QuickBooks: a client with one project, and a two-line bill charged to the client, not the project."""
    client = qb.create("Customer", {"DisplayName": f"Client {rid()[:6]}"}, request_id=rid())
    project_id = create_project(qb, client["Id"], f"Kitchen {rid()[:6]}")
    vendor = qb.create("Vendor", {"DisplayName": f"Cabinet Depot {rid()[:6]}"}, request_id=rid())
    materials = qb.create(
        "Account", {"Name": f"Materials {rid()[:6]}", "AccountType": "Cost of Goods Sold"}, request_id=rid()
    )
    payable = qb.create(
        "Account", {"Name": f"Payables {rid()[:6]}", "AccountType": "Accounts Payable"}, request_id=rid()
    )

    def expense(n, amount, text):
        detail = {
            "AccountRef": {"value": materials["Id"]},
            "CustomerRef": {"value": client["Id"]},
            "BillableStatus": "Billable",
        }
        return {
            "Id": str(n),
            "Amount": Decimal(amount),
            "Description": text,
            "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": detail,
        }

    bill = qb.create(
        "Bill",
        {
            "VendorRef": {"value": vendor["Id"]},
            "APAccountRef": {"value": payable["Id"]},
            "DocNumber": "CD-9001",
            "Line": [expense(1, "486.20", "Cabinet hardware"), expense(2, "13.80", "Hinges")],
        },
        request_id=rid(),
    )
    pull.pull_full(company=connected_company)
    return {"client": client["Id"], "project": project_id, "bill": bill}


def retag_through_the_page(django_client, company, bill, project_id):
    url = reverse("projects:retag-send", args=[company.pk, "Bill", bill["Id"]])
    return django_client.post(url, {"project": project_id})


def test_a_retag_puts_projectref_on_the_bill_in_quickbooks_and_the_ledger_follows(
    client, connected_company, miscoded_bill, qb, sent
):
    bill = miscoded_bill["bill"]
    [group] = findings.miscoded_transactions(connected_company)
    assert (group.txn_qbo_id, group.suggested.qbo_id, group.amount) == (
        bill["Id"],
        miscoded_bill["project"],
        Decimal("500.00"),
    )
    preview = client.get(reverse("projects:retag-preview", args=[connected_company.pk, "Bill", bill["Id"]]))
    assert preview.context["moving"] == [("Cost", Decimal("500.00"))]

    assert retag_through_the_page(client, connected_company, bill, miscoded_bill["project"]).status_code == 302
    item = OutboxItem.objects.get(entity="RetagRequest")
    assert sent.outbox == [("quickbooks.tasks.outbox_send", [item.pk])]
    assert outbox_send(item_id=item.pk) == "sent"

    remote = qb.read("Bill", bill["Id"])
    assert [line["ProjectRef"]["value"] for line in remote["Line"]] == [miscoded_bill["project"]] * 2
    assert [line["AccountBasedExpenseLineDetail"]["CustomerRef"]["value"] for line in remote["Line"]] == [
        miscoded_bill["project"]
    ] * 2
    assert [line["Amount"] for line in remote["Line"]] == [Decimal("486.20"), Decimal("13.80")]
    assert int(remote["SyncToken"]) == int(bill["SyncToken"]) + 1
    retag = RetagRequest.objects.get()
    assert retag.sync_state == SyncState.SYNCED and retag.sync_token == remote["SyncToken"]

    lines = LedgerLine.objects.filter(company=connected_company, txn_qbo_id=bill["Id"])  # ingested at once
    assert {(ln.tagged_by, ln.project_qbo_id) for ln in lines} == {("project_ref", miscoded_bill["project"])}
    pull.pull_changes(company=connected_company)  # and the next pull agrees
    assert {(ln.tagged_by, ln.project_qbo_id, ln.amount) for ln in lines} == {
        ("project_ref", miscoded_bill["project"], Decimal("486.20")),
        ("project_ref", miscoded_bill["project"], Decimal("13.80")),
    }
    assert lines.first().project.qbo_id == miscoded_bill["project"]
    assert findings.miscoded_transactions(connected_company) == []
    page = client.get(reverse("projects:health", args=[connected_company.pk])).content.decode()
    assert "Re-tagged in QuickBooks" in page


def test_a_retag_quickbooks_refuses_lands_in_plain_words_and_changes_nothing(
    client, connected_company, miscoded_bill, qb, sent
):
    bill = miscoded_bill["bill"]
    retag_through_the_page(client, connected_company, bill, miscoded_bill["project"])
    project = qb.read("Customer", miscoded_bill["project"])  # made inactive in QuickBooks before the send
    qb.update(
        "Customer",
        {"Id": project["Id"], "SyncToken": project["SyncToken"], "Active": False},
        request_id=rid(),
        sparse=True,
    )

    assert outbox_send(item_id=OutboxItem.objects.get(entity="RetagRequest").pk) == "failed"

    retag = RetagRequest.objects.get()
    assert retag.sync_state == SyncState.FAILED
    assert retag.sync_error.startswith("QuickBooks did not accept this") and "made inactive" in retag.sync_error
    assert OutboxAttempt.objects.get().outcome == "failed"
    remote = qb.read("Bill", bill["Id"])
    assert remote["SyncToken"] == bill["SyncToken"] and not any("ProjectRef" in ln for ln in remote["Line"])
    lines = LedgerLine.objects.filter(company=connected_company, txn_qbo_id=bill["Id"])
    assert {ln.tagged_by for ln in lines} == {"customer_ref"} and lines.count() == 2
    page = client.get(reverse("projects:health", args=[connected_company.pk])).content.decode()
    assert "QuickBooks refused the re-tag" in page and "made inactive" in page
    assert (
        reverse("projects:retag-preview", args=[connected_company.pk, "Bill", bill["Id"]]) in page
    )  # can choose again
