"""Change orders: pulled with their parent estimate, and the contract value they add once accepted."""

from decimal import Decimal

import pytest

from changeorders.models import ChangeOrder, ChangeOrderLine
from changeorders.sync import ingest_change_orders, remove_change_orders
from projects.estimates.sync import ingest_estimates
from projects.models import Project, TxnStatus
from reports.figures import with_contract_value

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


SIGNED = {"Accepted", "Closed", "Converted"}


def before_tax(document) -> Decimal:
    return document["TotalAmt"] - Decimal(str((document.get("TxnTaxDetail") or {}).get("TotalTax") or 0))


def totals_by_project(docs, txn_type, statuses) -> dict[str, Decimal]:
    """What QuickBooks' own documents add up to per project, before tax: computed here, apart from the code."""
    found = {}
    for d in docs[txn_type]:
        if d.get("ProjectRef") and d["TxnStatus"] in statuses:
            key = d["ProjectRef"]["value"]
            found[key] = found.get(key, Decimal("0.00")) + before_tax(d)
    return found


def test_change_orders_arrive_linked_to_their_project_and_parent_estimate(synced, docs):
    assert ChangeOrder.objects.filter(company=synced).count() == len(docs["ChangeOrder"])
    for document in docs["ChangeOrder"]:
        change = ChangeOrder.objects.get(company=synced, qbo_id=document["Id"])
        assert change.estimate.qbo_id == change.estimate_qbo_id == document["LinkedTxn"][0]["TxnId"]
        assert change.project.qbo_id == document["ProjectRef"]["value"]
        assert change.status == document["TxnStatus"]
        assert change.total_amount == document["TotalAmt"]
        assert {line.linked_estimate_qbo_id for line in change.lines.all()} == {change.estimate_qbo_id}


def test_the_demo_has_accepted_and_pending_change_orders(synced):
    statuses = set(ChangeOrder.objects.filter(company=synced).values_list("status", flat=True))
    assert {TxnStatus.ACCEPTED, TxnStatus.PENDING} <= statuses


def test_contract_value_is_signed_estimates_plus_signed_change_orders_before_tax_in_one_query(
    synced, docs, django_assert_num_queries
):
    estimates = totals_by_project(docs, "Estimate", SIGNED)
    accepted = totals_by_project(docs, "ChangeOrder", SIGNED)
    assert totals_by_project(docs, "ChangeOrder", {"Pending"})  # otherwise this could not tell pending ones are out
    assert totals_by_project(docs, "Estimate", {"Pending"})
    assert any(d.get("TxnTaxDetail", {}).get("TotalTax") for d in docs["Estimate"]), "some tax to leave out"

    with django_assert_num_queries(1):
        rows = list(with_contract_value(Project.objects.filter(company=synced)))

    assert len(rows) == 6
    for project in rows:
        estimate, changes = estimates.get(project.qbo_id, Decimal(0)), accepted.get(project.qbo_id, Decimal(0))
        assert (project.estimate_total, project.change_order_total) == (estimate, changes), project.name
        assert project.contract_value == estimate + changes
        assert isinstance(project.contract_value, Decimal)


def test_a_change_order_that_is_accepted_later_raises_the_contract_value(synced, docs):
    document = next(d for d in docs["ChangeOrder"] if d["TxnStatus"] == "Pending")
    project = Project.objects.get(company=synced, qbo_id=document["ProjectRef"]["value"])
    before = with_contract_value(Project.objects.filter(pk=project.pk)).get().contract_value

    accepted = {**document, "TxnStatus": "Accepted", "SyncToken": "1", "AcceptedDate": document["TxnDate"]}
    ingest_change_orders(synced, [accepted])

    after = with_contract_value(Project.objects.filter(pk=project.pk)).get().contract_value
    assert after == before + before_tax(document)


def test_deleting_a_change_order_lowers_the_contract_value_and_leaves_the_estimate(synced, docs):
    document = next(d for d in docs["ChangeOrder"] if d["TxnStatus"] == "Accepted")
    project = Project.objects.get(company=synced, qbo_id=document["ProjectRef"]["value"])
    before = with_contract_value(Project.objects.filter(pk=project.pk)).get()

    assert remove_change_orders(synced, [document["Id"]]) >= 1

    after = with_contract_value(Project.objects.filter(pk=project.pk)).get()
    assert after.contract_value == before.contract_value - before_tax(document)
    assert after.estimate_total == before.estimate_total
    assert not ChangeOrderLine.objects.filter(change_order__qbo_id=document["Id"]).exists()


def test_a_change_order_pulled_before_its_estimate_is_linked_when_the_estimate_arrives(with_projects, docs):
    ingest_change_orders(with_projects, docs["ChangeOrder"])
    assert not ChangeOrder.objects.filter(estimate__isnull=False).exists()

    ingest_estimates(with_projects, docs["Estimate"])

    assert all(c.estimate.qbo_id == c.estimate_qbo_id for c in ChangeOrder.objects.filter(company=with_projects))


def test_ingesting_change_orders_twice_keeps_one_set_of_lines(synced, docs):
    lines = ChangeOrderLine.objects.count()
    ingest_change_orders(synced, docs["ChangeOrder"])
    assert ChangeOrderLine.objects.count() == lines
    assert ChangeOrder.objects.filter(company=synced).count() == len(docs["ChangeOrder"])
