"""Estimates: pulled with their lines, never overwriting a local edit, and pushed back as QuickBooks documents."""

import pytest
from django.core.exceptions import ValidationError

from projects.estimates.push import apply_estimate_document, check_project_ref, estimate_to_document
from projects.estimates.sync import ingest_estimates, remove_estimates
from projects.models import Estimate, EstimateLine, TxnStatus
from quickbooks.models import SyncState
from quickbooks.sync import registry

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])
EDITED_HEADER = (
    "CustomerRef",
    "ProjectRef",
    "TxnDate",
    "ExpirationDate",
    "TxnStatus",
    "AcceptedBy",
    "AcceptedDate",
    "DocNumber",
    "DepartmentRef",
)


def project_estimate(docs) -> dict:
    return next(d for d in docs["Estimate"] if d.get("ProjectRef") and d.get("TxnStatus") == "Accepted")


def test_estimates_arrive_with_header_totals_and_lines(with_projects, docs):
    document = project_estimate(docs)
    ingest_estimates(with_projects, docs["Estimate"])

    estimate = Estimate.objects.get(company=with_projects, qbo_id=document["Id"])
    assert estimate.project.qbo_id == document["ProjectRef"]["value"]
    assert estimate.status == TxnStatus.ACCEPTED
    assert estimate.total_amount == document["TotalAmt"]
    assert estimate.total_cost_amount == document["TotalCostAmount"]
    assert estimate.total_tax == document["TxnTaxDetail"]["TotalTax"]
    item_lines = [line for line in document["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    lines = list(estimate.lines.order_by("line_num"))
    assert len(lines) == len(item_lines)  # QuickBooks' SubTotal line is derived, not kept
    first, source = lines[0], item_lines[0]
    assert (first.amount, first.cost_amount) == (source["Amount"], source["CostAmount"])
    assert first.unit_cost == source["SalesItemLineDetail"]["UnitCostPrice"]
    assert first.item_qbo_id == source["SalesItemLineDetail"]["ItemRef"]["value"]
    assert sum(line.amount for line in lines) + estimate.total_tax == estimate.total_amount


def test_ingesting_estimates_twice_keeps_one_copy_and_one_set_of_lines(with_projects, docs):
    ingest_estimates(with_projects, docs["Estimate"])
    lines = EstimateLine.objects.count()
    ingest_estimates(with_projects, docs["Estimate"])

    assert Estimate.objects.filter(company=with_projects).count() == len(docs["Estimate"])
    assert EstimateLine.objects.count() == lines


def test_a_pending_local_edit_is_not_overwritten_and_becomes_a_conflict(with_projects, docs):
    document = project_estimate(docs)
    ingest_estimates(with_projects, [document])
    estimate = Estimate.objects.get(company=with_projects, qbo_id=document["Id"])
    estimate.private_note, estimate.sync_state = "Client asked for walnut trim", SyncState.PENDING_PUSH
    estimate.save()

    newer = {**document, "SyncToken": str(int(document["SyncToken"]) + 1), "PrivateNote": "Changed in QuickBooks"}
    ingest_estimates(with_projects, [newer])

    estimate.refresh_from_db()
    assert estimate.private_note == "Client asked for walnut trim"
    assert estimate.sync_state == SyncState.CONFLICT
    assert estimate.conflict_document["PrivateNote"] == "Changed in QuickBooks"
    assert estimate.sync_token == document["SyncToken"]


def test_the_same_version_again_leaves_a_pending_edit_pending(with_projects, docs):
    document = project_estimate(docs)
    ingest_estimates(with_projects, [document])
    Estimate.objects.filter(qbo_id=document["Id"]).update(sync_state=SyncState.PENDING_PUSH, private_note="mine")

    ingest_estimates(with_projects, [document])

    estimate = Estimate.objects.get(qbo_id=document["Id"])
    assert (estimate.sync_state, estimate.private_note, estimate.conflict_document) == (
        SyncState.PENDING_PUSH,
        "mine",
        None,
    )


def test_removal_deletes_the_estimate_and_its_lines(with_projects, docs):
    ingest_estimates(with_projects, docs["Estimate"])
    gone = docs["Estimate"][0]["Id"]

    assert remove_estimates(with_projects, [gone]) >= 1

    assert not Estimate.objects.filter(company=with_projects, qbo_id=gone).exists()
    assert not EstimateLine.objects.filter(estimate__qbo_id=gone).exists()


def test_to_document_of_an_applied_document_round_trips_what_costline_edits(with_projects, docs):
    document = project_estimate(docs)
    estimate = apply_estimate_document(Estimate(company=with_projects), document)

    sent = estimate_to_document(estimate)

    for key in EDITED_HEADER:
        assert sent[key] == document[key], key
    item_lines = [line for line in document["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert len(sent["Line"]) == len(item_lines)
    for mine, theirs in zip(sent["Line"], item_lines, strict=True):
        assert (mine["Id"], mine["Amount"], mine["CostAmount"], mine["Description"]) == (
            theirs["Id"],
            theirs["Amount"],
            theirs["CostAmount"],
            theirs["Description"],
        )
        detail, source = mine["SalesItemLineDetail"], theirs["SalesItemLineDetail"]
        for key in ("ItemRef", "Qty", "UnitPrice", "UnitCostPrice", "TaxCodeRef"):
            assert detail[key] == source[key], key
    assert "Id" not in sent and "SyncToken" not in sent


def test_apply_document_takes_quickbooks_version_and_clears_the_wait(with_projects, docs):
    document = project_estimate(docs)
    estimate = Estimate.objects.create(
        company=with_projects,
        customer_qbo_id=document["CustomerRef"]["value"],
        sync_state=SyncState.PENDING_PUSH,
        sync_error="Timed out",
    )

    apply_estimate_document(estimate, document)

    estimate.refresh_from_db()
    assert (estimate.qbo_id, estimate.sync_token) == (document["Id"], document["SyncToken"])
    assert (estimate.sync_state, estimate.sync_error) == (SyncState.SYNCED, "")
    assert estimate.total_amount == document["TotalAmt"]
    assert estimate.lines.count() == len([x for x in document["Line"] if x["DetailType"] == "SalesItemLineDetail"])


def test_a_project_ref_naming_no_project_is_refused_before_sending(with_projects, docs):
    document = project_estimate(docs)
    estimate = Estimate(
        company=with_projects,
        customer_qbo_id=document["CustomerRef"]["value"],
        project_qbo_id=document["CustomerRef"]["value"],
    )  # the client, not its project

    with pytest.raises(ValidationError, match="no project"):
        check_project_ref(estimate)
    estimate.project_qbo_id = document["ProjectRef"]["value"]
    check_project_ref(estimate)


def test_estimates_are_registered_for_pull_and_push():
    pushed = registry.pushed_entity("Estimate")
    assert (pushed.model, pushed.to_document, pushed.apply_document) == (
        Estimate,
        estimate_to_document,
        apply_estimate_document,
    )
    assert registry.pulled_entity("Estimate").ingest is ingest_estimates
    assert registry.pulled_entity("TimeActivity").cdc is False
    assert registry.pulled_entity("Project").requires == "projects_api"
