"""Change-order rules (change_order_* in tests/sandbox/fixtures/qbo_seed_001_project_examples.json;
docs/quickbooks-api.md, Change orders)."""

import copy
from decimal import Decimal

import pytest

from sandbox import store
from sandbox.models import Entity
from sandbox.rest.changeorders import contract_total

from .conftest import body_of, build_company, fault_of, put_project

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]

PROJECT = "39298034"


def line(amount, estimate_id=None, item="7"):
    result = {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": item},
            "Qty": 1,
            "UnitPrice": amount,
            "TaxCodeRef": {"value": "NON"},
        },
    }
    if estimate_id:
        result["LinkedTxn"] = [{"TxnId": estimate_id, "TxnType": "Estimate"}]
    return result


def estimate(api, project=PROJECT, amount=1000):
    body = {"CustomerRef": {"value": "58"}, "Line": [line(amount)]}
    if project:
        body["ProjectRef"] = {"value": project}
    return api.create("estimate", body)


def change_order(estimate_id, *lines, project=PROJECT):
    return {
        "CustomerRef": {"value": "58"},
        "ProjectRef": {"value": project},
        "Line": list(lines) or [line(100, estimate_id)],
    }


def test_change_order_line_must_link_the_parent_estimate(api, seeded):
    parent = estimate(api)
    response = api.post("changeorder", change_order(parent["Id"], line(100)))
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "2020" and error["element"] == "Line.LinkedTxn"


def test_top_level_linked_txn_is_copied_onto_lines_without_one(api, seeded):
    parent = estimate(api)
    body = change_order(parent["Id"], line(100), line(50, parent["Id"]))
    body["LinkedTxn"] = [{"TxnId": parent["Id"], "TxnType": "Estimate"}]
    created = api.create("changeorder", body)
    item_lines = [x for x in created["Line"] if x["DetailType"] == "SalesItemLineDetail"]
    assert all(x["LinkedTxn"] == [{"TxnId": parent["Id"], "TxnType": "Estimate"}] for x in item_lines)
    assert created["TotalAmt"] == Decimal("150.00")


def test_change_order_lines_must_all_link_the_same_estimate(api, seeded):
    first, second = estimate(api), estimate(api)
    response = api.post("changeorder", change_order(first["Id"], line(1, first["Id"]), line(2, second["Id"])))
    assert fault_of(response)["code"] == "6000"


def test_parent_estimate_must_be_a_project_estimate(api, seeded):
    plain = estimate(api, project=None)
    error = fault_of(api.post("changeorder", change_order(plain["Id"])))
    assert error["code"] == "6000" and "ProjectRef" in error["Detail"]


def test_change_order_project_must_be_the_parent_estimates_project(api, seeded):
    parent = estimate(api)
    put_project(seeded, 555, "Other Job", 58)
    error = fault_of(api.post("changeorder", change_order(parent["Id"], project="555")))
    assert error["code"] == "6000" and error["element"] == "ProjectRef"


def test_change_order_without_project_ref_is_a_required_param(api, seeded):
    parent = estimate(api)
    body = change_order(parent["Id"])
    del body["ProjectRef"]
    assert fault_of(api.post("changeorder", body))["element"] == "ProjectRef"


def test_change_order_linked_to_a_missing_estimate_is_610(api, seeded):
    assert fault_of(api.post("changeorder", change_order("9999")))["code"] == "610"


def test_change_orders_need_the_advanced_plan(plus_api, plus_realm):
    build_company(plus_realm)
    for response in (
        plus_api.post("changeorder", change_order("1")),
        plus_api.get("changeorder/1"),
        plus_api.query("select * from ChangeOrder"),
    ):
        assert response.status_code == 400
        error = fault_of(response)
        assert error["code"] == "5020" and error["Message"] == "Permission Denied Error"


def test_full_update_replaces_the_line_list(api, seeded):
    parent = estimate(api)
    created = api.create("changeorder", change_order(parent["Id"], line(100, parent["Id"]), line(50, parent["Id"])))
    updated = api.create(
        "changeorder", {**change_order(parent["Id"], line(70, parent["Id"])), "Id": created["Id"], "SyncToken": "0"}
    )
    assert [x["Amount"] for x in updated["Line"]] == [Decimal("70.00"), Decimal("70.00")]
    assert updated["TotalAmt"] == Decimal("70.00") and updated["SyncToken"] == "1"


def test_deleting_a_change_order_leaves_the_estimate_and_reduces_the_contract_total(api, seeded):
    parent = estimate(api, amount=1000)
    created = api.create("changeorder", change_order(parent["Id"], line(250, parent["Id"])))
    assert contract_total(seeded, PROJECT) == Decimal("1250.00")
    before = copy.deepcopy(store.get(seeded, "Estimate", parent["Id"]).document)
    body = body_of(api.post("changeorder", {"Id": created["Id"], "SyncToken": "0"}, operation="delete"))
    assert body["ChangeOrder"]["status"] == "Deleted"
    assert store.get(seeded, "Estimate", parent["Id"]).document == before
    assert contract_total(seeded, PROJECT) == Decimal("1000.00")


def test_contract_total_counts_only_the_projects_own_documents(api, seeded):
    estimate(api, amount=1000)
    estimate(api, project="447322633", amount=400)
    assert contract_total(seeded, PROJECT) == Decimal("1000.00")
    assert contract_total(seeded, "447322633") == Decimal("400.00")


def qty_line(qty, unit_price, estimate_id):
    """A line priced by quantity: a negative quantity is scope taken out of the contract."""
    return {
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {
            "ItemRef": {"value": "7"},
            "Qty": qty,
            "UnitPrice": unit_price,
            "TaxCodeRef": {"value": "NON"},
        },
        "LinkedTxn": [{"TxnId": estimate_id, "TxnType": "Estimate"}],
    }


def test_a_negative_quantity_line_is_accepted_when_the_total_stays_positive(api, seeded):
    parent = estimate(api)
    created = api.create(
        "changeorder", change_order(parent["Id"], qty_line(3, 100, parent["Id"]), qty_line(-1, 50, parent["Id"]))
    )
    amounts = [x["Amount"] for x in created["Line"] if x["DetailType"] == "SalesItemLineDetail"]
    assert amounts == [Decimal("300.00"), Decimal("-50.00")]
    assert created["TotalAmt"] == Decimal("250.00")


@pytest.mark.parametrize("removed", [100, 150], ids=["zero", "negative"])
def test_a_change_order_whose_total_is_not_positive_is_refused_and_not_stored(api, seeded, removed):
    parent = estimate(api)
    body = change_order(parent["Id"], qty_line(1, 100, parent["Id"]), qty_line(-1, removed, parent["Id"]))
    response = api.post("changeorder", body)
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "6000" and error["element"] == "TotalAmt"
    assert error["Message"] == "A business validation error has occurred while processing your request"
    assert error["Detail"] == (
        "Business Validation Error: A change order's total must be positive; "
        "use negative quantities on its lines for removed scope."
    )
    assert not Entity.objects.filter(realm=seeded, type="ChangeOrder").exists()
    assert contract_total(seeded, PROJECT) == Decimal("1000.00")


def test_an_update_that_takes_the_total_to_zero_is_refused_and_the_change_order_kept(api, seeded):
    parent = estimate(api)
    created = api.create("changeorder", change_order(parent["Id"], qty_line(2, 100, parent["Id"])))
    removed_all = {
        **change_order(parent["Id"], qty_line(2, 100, parent["Id"]), qty_line(-2, 100, parent["Id"])),
        "Id": created["Id"],
        "SyncToken": "0",
    }
    error = fault_of(api.post("changeorder", removed_all))
    assert error["code"] == "6000" and error["element"] == "TotalAmt"
    stored = store.get(seeded, "ChangeOrder", created["Id"])
    assert stored.sync_token == 0 and stored.document["TotalAmt"] == Decimal("200.00")


@pytest.mark.parametrize("entity", ["estimate", "changeorder"])
def test_void_of_an_estimate_or_change_order_is_an_unsupported_operation(api, seeded, entity):
    """Intuit voids only posting transactions (Invoice, SalesReceipt, Payment, BillPayment); an estimate or a
    change order has no void operation, and nothing changes."""
    parent = estimate(api)
    target = parent if entity == "estimate" else api.create("changeorder", change_order(parent["Id"]))
    name = "Estimate" if entity == "estimate" else "ChangeOrder"
    response = api.post(entity, {"Id": target["Id"], "SyncToken": target["SyncToken"]}, operation="void")
    assert response.status_code == 400
    fault = body_of(response)["Fault"]
    assert fault["type"] == "ValidationFault"
    assert fault["Error"][0] == {
        "Message": "Unsupported Operation",
        "Detail": f"Operation void for {name} is not supported.",
        "code": "500",
        "element": "",
    }
    assert store.get(seeded, name, target["Id"]).document == target


def test_void_in_a_batch_is_refused_the_same_way(api, seeded):
    parent = estimate(api)
    created = api.create("changeorder", change_order(parent["Id"]))
    item = {"bId": "v1", "operation": "void", "ChangeOrder": {"Id": created["Id"], "SyncToken": "0"}}
    [answer] = body_of(api.post("batch", {"BatchItemRequest": [item]}))["BatchItemResponse"]
    assert answer["bId"] == "v1"
    assert answer["Fault"]["Error"][0]["code"] == "500"
    assert answer["Fault"]["Error"][0]["Detail"] == "Operation void for ChangeOrder is not supported."
    assert store.get(seeded, "ChangeOrder", created["Id"]).sync_token == 0
