"""POST batch (docs/quickbooks-api.md, Batch)."""

import pytest

from .conftest import body_of, fault_of

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]


def test_batch_runs_creates_and_queries_in_order_with_per_item_faults(api, seeded):
    bill = api.create(
        "bill",
        {
            "VendorRef": {"value": "15"},
            "Line": [
                {
                    "Amount": 20,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "7"}},
                }
            ],
        },
    )
    response = api.post(
        "batch",
        {
            "BatchItemRequest": [
                {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch Customer"}},
                {"bId": "2", "Query": "select * from Bill"},
                {"bId": "3", "operation": "create", "Customer": {"DisplayName": "Batch Customer"}},
                {"bId": "4", "operation": "delete", "Bill": {"Id": bill["Id"], "SyncToken": "0"}},
                {"bId": "5", "Query": "select * from Bill where"},
            ]
        },
    )
    assert response.status_code == 200
    items = body_of(response)["BatchItemResponse"]
    assert [item["bId"] for item in items] == ["1", "2", "3", "4", "5"]
    assert items[0]["Customer"]["DisplayName"] == "Batch Customer"
    assert [b["Id"] for b in items[1]["QueryResponse"]["Bill"]] == [bill["Id"]]
    assert items[2]["Fault"]["Error"][0]["code"] == "6240" and items[2]["Fault"]["type"] == "ValidationFault"
    assert items[3]["Bill"]["status"] == "Deleted"
    assert items[4]["Fault"]["Error"][0]["code"] == "4000"


def test_batch_update_uses_the_sync_token(api):
    customer = api.create("customer", {"DisplayName": "Lee"})
    items = body_of(
        api.post(
            "batch",
            {
                "BatchItemRequest": [
                    {
                        "bId": "u1",
                        "operation": "update",
                        "Customer": {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "first"},
                    },
                    {
                        "bId": "u2",
                        "operation": "update",
                        "Customer": {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "second"},
                    },
                ]
            },
        )
    )["BatchItemResponse"]
    assert items[0]["Customer"]["SyncToken"] == "1"
    assert items[1]["Fault"]["Error"][0]["code"] == "5010"


def test_batch_of_more_than_30_items_is_refused(api):
    items = [{"bId": str(n), "Query": "select * from Customer"} for n in range(31)]
    response = api.post("batch", {"BatchItemRequest": items})
    assert response.status_code == 400
    assert fault_of(response)["code"] == "1040"


def test_batch_item_with_an_unknown_entity_fails_alone(api):
    items = body_of(
        api.post(
            "batch",
            {
                "BatchItemRequest": [
                    {"bId": "1", "operation": "create", "Widget": {}},
                    {"bId": "2", "Query": "select count(*) from Customer"},
                ]
            },
        )
    )["BatchItemResponse"]
    assert items[0]["Fault"]["Error"][0]["code"] == "500"
    assert items[1]["QueryResponse"] == {"totalCount": 0}
