"""Intuit's own REST examples (tests/sandbox/fixtures/qbo_seed_000_*.json and qbo_seed_001_*.json), replayed.

Each test sends the documented request and checks the documented response: the computed amounts, the
defaults QuickBooks fills in, the references it names, the Id/SyncToken bookkeeping and the error wording.
Fields that depend on the company's own data (addresses, ShipFromAddr) are not compared.
"""

import copy
from decimal import Decimal

import pytest

from sandbox import store

from .conftest import body_of, fault_of, load_fixture

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]

SEED = load_fixture("qbo_seed_001_project_examples.json")
SEED_000 = load_fixture("qbo_seed_000_invalid_projectref.json")


def example(name):
    return copy.deepcopy(SEED[name]["request"]), copy.deepcopy(SEED[name]["response"])


def lines_without_ids(document):
    return [
        {k: v for k, v in line.items() if k not in ("Id", "LineNum", "CustomExtensions", "LinkedTxn")}
        for line in document["Line"]
    ]


def test_invoice_with_project_ref_gets_totals_due_date_and_item_account(api, seeded):
    request, documented = example("invoice_with_project")
    response = api.post("invoice", request)
    assert response.status_code == 200
    body = body_of(response)
    invoice, expected = body["Invoice"], documented["Invoice"]
    assert set(body) == {"Invoice", "time"}
    assert invoice["SyncToken"] == "0" and invoice["Id"].isdigit()
    for field in (
        "TxnDate",
        "CurrencyRef",
        "LinkedTxn",
        "ProjectRef",
        "CustomerRef",
        "SalesTermRef",
        "DueDate",
        "TotalAmt",
        "Balance",
    ):
        assert invoice[field] == expected[field], field
    assert invoice["Line"] == expected["Line"]
    assert set(invoice["MetaData"]) >= {"CreateTime", "LastUpdatedTime"}


def test_project_estimate_applies_percent_discount_after_subtotal(api, seeded):
    request, documented = example("project_estimate")
    estimate = body_of(api.post("estimate", request))["Estimate"]
    expected = documented["Estimate"]
    assert estimate["TotalAmt"] == Decimal("31.50") == expected["TotalAmt"]
    assert [line["DetailType"] for line in estimate["Line"]] == [line["DetailType"] for line in expected["Line"]]
    assert [line["Amount"] for line in estimate["Line"]] == [Decimal("35.00"), Decimal("35.00"), Decimal("3.50")]
    assert estimate["Line"][2]["DiscountLineDetail"] == expected["Line"][2]["DiscountLineDetail"]
    for field in (
        "TxnStatus",
        "ProjectRef",
        "CurrencyRef",
        "CustomerMemo",
        "ApplyTaxAfterDiscount",
        "PrintStatus",
        "EmailStatus",
        "BillEmail",
        "domain",
        "sparse",
    ):
        assert estimate[field] == expected[field], field
    assert estimate["TxnTaxDetail"]["TotalTax"] == 0


def test_bill_keeps_line_project_ref_and_fills_accounts_payable(api, seeded):
    request, documented = example("bill_with_line_project")
    bill = body_of(api.post("bill", request))["Bill"]
    expected = documented["Bill"]
    for field in ("VendorRef", "APAccountRef", "TotalAmt", "Balance", "CurrencyRef", "domain", "sparse"):
        assert bill[field] == expected[field], field
    assert bill["DueDate"] == bill["TxnDate"]
    assert bill["Line"] == expected["Line"]


def test_sales_receipt_with_line_project_ref_is_paid_in_full(api, seeded):
    request, documented = example("sales_receipt_with_line_project")
    receipt = body_of(api.post("salesreceipt", request))["SalesReceipt"]
    expected = documented["SalesReceipt"]
    for field in (
        "TotalAmt",
        "Balance",
        "DepositToAccountRef",
        "ApplyTaxAfterDiscount",
        "PrintStatus",
        "EmailStatus",
        "CurrencyRef",
    ):
        assert receipt[field] == expected[field], field
    assert [line["Amount"] for line in receipt["Line"]] == [Decimal("35.00"), Decimal("35.00")]
    assert receipt["Line"][0]["SalesItemLineDetail"]["ItemAccountRef"] == {"value": "5", "name": "Sales"}
    assert receipt["Line"][0]["ProjectRef"] == {"value": "493722274"}  # validated and kept (see report)


def test_estimate_for_a_customer_keeps_line_costs(api, seeded):
    request, documented = example("customer_estimate")
    estimate = body_of(api.post("estimate", request))["Estimate"]
    expected = documented["Estimate"]
    assert estimate["TotalAmt"] == expected["TotalAmt"] == Decimal("126.00")
    assert estimate["CustomerRef"] == {"value": "2", "name": "Tets"} == expected["CustomerRef"]
    assert estimate["TxnStatus"] == "Pending"
    assert estimate["Line"][0]["CostAmount"] == Decimal("120.00")
    assert estimate["TotalCostAmount"] == Decimal("120.00")
    # The documented response also shows a ProjectRef the request never sent; a copy-paste slip in the page.
    assert "ProjectRef" not in estimate


def test_project_estimate_on_advanced_keeps_project_ref(api, seeded):
    request, documented = example("project_estimate_with_costs")
    estimate = body_of(api.post("estimate", request))["Estimate"]
    assert estimate["ProjectRef"] == documented["Estimate"]["ProjectRef"] == {"value": "447322633"}
    assert lines_without_ids(estimate)[1] == lines_without_ids(documented["Estimate"])[1]
    assert estimate["TotalAmt"] == documented["Estimate"]["TotalAmt"]


def test_project_estimate_on_plus_becomes_a_financial_proposal_without_project_ref(plus_api, plus_realm):
    from .conftest import build_company

    build_company(plus_realm)
    request, documented = example("plus_plan_estimate_with_project")
    response = plus_api.post("estimate", request)
    assert response.status_code == 200
    estimate = body_of(response)["Estimate"]
    assert "ProjectRef" not in estimate and "ProjectRef" not in documented["Estimate"]
    assert estimate["TotalAmt"] == documented["Estimate"]["TotalAmt"]


def _parent_estimate(api):
    return api.create(
        "estimate",
        {
            "CustomerRef": {"value": "58"},
            "ProjectRef": {"value": "39298034"},
            "TxnDate": "2024-09-01",
            "Line": [
                {
                    "Amount": 10000,
                    "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {
                        "ItemRef": {"value": "7"},
                        "Qty": 100,
                        "UnitPrice": 100,
                        "TaxCodeRef": {"value": "NON"},
                    },
                }
            ],
        },
        qbo_id=512,
    )


def test_change_order_lifecycle_replays_the_documented_create_read_update_delete(api, seeded):
    parent = _parent_estimate(api)
    request, documented = example("change_order_create")
    created = api.create("changeorder", request, qbo_id=621)
    expected = documented["ChangeOrder"]
    assert created["Id"] == "621" and created["SyncToken"] == "0"
    for field in (
        "DocNumber",
        "TxnDate",
        "ExpirationDate",
        "TxnStatus",
        "LinkedTxn",
        "ProjectRef",
        "CustomerRef",
        "CustomerMemo",
        "PrivateNote",
        "TxnTaxDetail",
        "TotalAmt",
        "ApplyTaxAfterDiscount",
        "PrintStatus",
        "EmailStatus",
        "BillEmail",
    ):
        assert created[field] == expected[field], field
    assert created["Line"] == expected["Line"]
    # The page shows "TotalCostAmt": 1616.00, which no line adds up to; the line costs are 600 + 1000.
    assert created["TotalCostAmount"] == Decimal("1600.00") == request["TotalCostAmount"]

    accepted = {
        "Id": "621",
        "SyncToken": "0",
        "sparse": True,
        "TxnStatus": "Accepted",
        "AcceptedBy": "John Smith",
        "AcceptedDate": "2024-09-16",
    }
    assert body_of(api.post("changeorder", accepted))["ChangeOrder"]["SyncToken"] == "1"

    read = body_of(api.get("changeorder/621"))
    _, documented_read = example("change_order_read")
    for field in (
        "Id",
        "SyncToken",
        "DocNumber",
        "TxnDate",
        "TxnStatus",
        "AcceptedBy",
        "AcceptedDate",
        "LinkedTxn",
        "ProjectRef",
        "CustomerRef",
        "TotalAmt",
        "TxnTaxDetail",
    ):
        assert read["ChangeOrder"][field] == documented_read["ChangeOrder"][field], field

    request, documented = example("change_order_sparse_update")
    updated = body_of(api.post("changeorder", request))["ChangeOrder"]
    expected = documented["ChangeOrder"]
    for field in (
        "Id",
        "SyncToken",
        "DocNumber",
        "TxnStatus",
        "AcceptedBy",
        "AcceptedDate",
        "ProjectRef",
        "CustomerRef",
        "LinkedTxn",
        "TotalAmt",
        "TxnTaxDetail",
    ):
        assert updated[field] == expected[field], field
    item_lines = [line for line in updated["Line"] if line["DetailType"] == "SalesItemLineDetail"]
    assert [line["Id"] for line in item_lines] == ["1", "2", "3"]
    assert all(line["LinkedTxn"] == [{"TxnId": "512", "TxnType": "Estimate"}] for line in item_lines)

    request, documented = example("change_order_delete")
    deleted = body_of(api.post("changeorder", request, operation="delete"))
    assert deleted["ChangeOrder"] == documented["ChangeOrder"]
    assert api.get("changeorder/621").status_code == 400
    assert store.get(seeded, "Estimate", 512).document == parent


def test_time_activity_with_customer_ref_is_created(api, seeded):
    request = copy.deepcopy(SEED_000["time_activity_with_customer"]["request"])
    activity = body_of(api.post("timeactivity", request))["TimeActivity"]
    assert activity["CustomerRef"] == {"value": "83", "name": "Amy's Bird Sanctuary"}
    assert activity["EmployeeRef"] == {"value": "80", "name": "Emily Platt"}


def test_time_activity_with_project_ref_to_a_plain_customer_is_invalid_project_ref(api, seeded):
    request = copy.deepcopy(SEED_000["time_activity_with_customer"]["request"])
    request["ProjectRef"] = SEED_000["customer_ref_example"]["CustomerRef"]
    response = api.post("timeactivity", request)
    assert response.status_code == 400
    error = fault_of(response)
    assert error["Message"] == SEED_000["error_text"] == "Invalid ProjectRef"
    assert error["code"] == "9341" and error["element"] == "ProjectRef"
    assert body_of(response)["Fault"]["type"] == "ValidationFault"


def test_time_activity_with_a_real_project_ref_is_accepted(api, seeded):
    request = copy.deepcopy(SEED_000["time_activity_with_customer"]["request"])
    request.update(SEED_000["project_ref_example"])
    activity = body_of(api.post("timeactivity", request))["TimeActivity"]
    assert activity["ProjectRef"]["value"] == "530614583"


def test_project_ref_to_a_missing_customer_is_invalid_project_ref(api, seeded):
    request = copy.deepcopy(SEED_000["time_activity_with_customer"]["request"])
    request["ProjectRef"] = {"value": "999999"}
    assert fault_of(api.post("timeactivity", request))["Message"] == "Invalid ProjectRef"
