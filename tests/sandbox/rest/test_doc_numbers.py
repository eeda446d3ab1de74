"""DocNumber on sales forms created without one, driven by Preferences.SalesFormsPrefs.CustomTxnNumbers
(docs/quickbooks-api.md, Document numbers)."""

import pytest

from sandbox.models import Entity
from sandbox.rest import company

from .conftest import body_of, put

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]

PROJECT = "39298034"


def sales_line(amount=100):
    return {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "7"}, "Qty": 1, "UnitPrice": amount},
    }


def body_for(api, entity: str) -> dict:
    """The least a create of each numbered sales form needs in the seeded company."""
    if entity == "changeorder":
        parent = api.create("estimate", {"CustomerRef": {"value": "58"}, "ProjectRef": {"value": PROJECT}})
        line = {**sales_line(), "LinkedTxn": [{"TxnId": parent["Id"], "TxnType": "Estimate"}]}
        return {"CustomerRef": {"value": "58"}, "ProjectRef": {"value": PROJECT}, "Line": [line]}
    return {"CustomerRef": {"value": "58"}, "Line": [sales_line()]}


def set_custom_numbers_through_the_api(api, on: bool) -> dict:
    """As a client does it: a sparse Preferences update (SalesFormsPrefs is sent whole)."""
    prefs = body_of(api.get("preferences"))["Preferences"]
    sales = {**prefs["SalesFormsPrefs"], "CustomTxnNumbers": on}
    body = {"Id": prefs["Id"], "SyncToken": prefs["SyncToken"], "sparse": True, "SalesFormsPrefs": sales}
    response = api.post("preferences", body)
    assert response.status_code == 200, response.content
    return body_of(response)["Preferences"]


SALES_FORMS = ["invoice", "estimate", "changeorder", "salesreceipt", "creditmemo", "refundreceipt"]


@pytest.mark.parametrize("entity", SALES_FORMS)
def test_without_custom_numbers_each_sales_form_is_numbered_from_1001(api, seeded, entity):
    assert body_of(api.get("preferences"))["Preferences"]["SalesFormsPrefs"]["CustomTxnNumbers"] is False
    first = api.create(entity, body_for(api, entity))
    second = api.create(entity, body_for(api, entity))
    assert (first["DocNumber"], second["DocNumber"]) == ("1001", "1002")


def test_the_next_number_is_the_highest_all_digit_number_of_the_same_type_plus_one(api, seeded):
    for qbo_id, number in [(1, "1041"), (2, "998"), (3, "INV-9999"), (4, "2024-0007"), (5, "1039")]:
        put(seeded, "Invoice", qbo_id, {"DocNumber": number, "TxnDate": "2024-01-01"})
    put(seeded, "Estimate", 1, {"DocNumber": "7000", "TxnDate": "2024-01-01"})
    invoice = api.create("invoice", body_for(api, "invoice"))
    assert invoice["DocNumber"] == "1042"
    assert api.create("estimate", body_for(api, "estimate"))["DocNumber"] == "7001"


def test_a_number_the_client_sends_is_kept_and_the_sequence_follows_it(api, seeded):
    sent = api.create("invoice", {**body_for(api, "invoice"), "DocNumber": "5000"})
    assert sent["DocNumber"] == "5000"
    assert api.create("invoice", body_for(api, "invoice"))["DocNumber"] == "5001"


def test_deleted_forms_do_not_count(api, seeded):
    first = api.create("invoice", body_for(api, "invoice"))
    last = api.create("invoice", body_for(api, "invoice"))
    api.post("invoice", {"Id": last["Id"], "SyncToken": last["SyncToken"]}, operation="delete")
    assert first["DocNumber"] == "1001"
    assert api.create("invoice", body_for(api, "invoice"))["DocNumber"] == "1002"


def test_other_transactions_are_not_numbered(api, seeded):
    bill = {
        "VendorRef": {"value": "15"},
        "Line": [
            {
                "Amount": 200,
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "86"}},
            }
        ],
    }
    assert "DocNumber" not in api.create("bill", bill)


def test_with_custom_numbers_a_form_sent_without_a_number_has_none(api, seeded):
    prefs = set_custom_numbers_through_the_api(api, True)
    assert prefs["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    assert "DocNumber" not in api.create("invoice", body_for(api, "invoice"))
    assert "DocNumber" not in api.create("estimate", {**body_for(api, "estimate"), "DocNumber": ""})
    assert api.create("invoice", {**body_for(api, "invoice"), "DocNumber": "A-100"})["DocNumber"] == "A-100"

    set_custom_numbers_through_the_api(api, False)
    assert api.create("invoice", body_for(api, "invoice"))["DocNumber"] == "1001"


def test_custom_numbers_are_set_per_company(api, seeded, plus_api, plus_realm):
    company.set_custom_txn_numbers(seeded, True)
    put(plus_realm, "Customer", 58, {"DisplayName": "Acme Construction Corp", "Active": True})
    put(plus_realm, "Item", 7, {"Name": "Labor", "Type": "Service"})
    assert "DocNumber" not in api.create("invoice", body_for(api, "invoice"))
    assert plus_api.create("invoice", body_for(plus_api, "invoice"))["DocNumber"] == "1001"
    assert company.custom_txn_numbers(seeded) and not company.custom_txn_numbers(plus_realm)


def test_updates_never_renumber(api, seeded):
    created = api.create("invoice", body_for(api, "invoice"))
    put(seeded, "Invoice", 900, {"DocNumber": "8000", "TxnDate": "2024-01-01"})
    sparse = api.create("invoice", {"Id": created["Id"], "SyncToken": "0", "sparse": True, "PrivateNote": "x"})
    assert sparse["DocNumber"] == "1001"
    full = api.create(
        "invoice", {**body_for(api, "invoice"), "Id": created["Id"], "SyncToken": "1", "DocNumber": "1001"}
    )
    assert full["DocNumber"] == "1001"
    # A full update that leaves DocNumber out is not given a new number either.
    cleared = api.create("invoice", {**body_for(api, "invoice"), "Id": created["Id"], "SyncToken": "2"})
    assert cleared.get("DocNumber") != "8001"


def test_batch_creates_are_numbered_in_order(api, seeded):
    items = [{"bId": str(n), "operation": "create", "Invoice": body_for(api, "invoice")} for n in range(3)]
    answers = body_of(api.post("batch", {"BatchItemRequest": items}))["BatchItemResponse"]
    assert [answer["Invoice"]["DocNumber"] for answer in answers] == ["1001", "1002", "1003"]


def test_a_refused_create_uses_no_number(api, seeded):
    response = api.post("invoice", {"CustomerRef": {"value": "58"}, "Line": [sales_line()], "DocNumber": "x" * 22})
    assert response.status_code == 400
    assert api.create("invoice", body_for(api, "invoice"))["DocNumber"] == "1001"


def test_reading_the_setting_makes_no_preferences_object(realm):
    assert company.custom_txn_numbers(realm) is False
    assert not Entity.objects.filter(realm=realm, type="Preferences").exists()
