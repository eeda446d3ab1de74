"""GET cdc (docs/quickbooks-api.md, Change Data Capture)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sandbox import store
from sandbox.timefmt import intuit_time

from .conftest import body_of, fault_of

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]


def cdc(api, entities, since):
    return api.get("cdc", entities=entities, changedSince=intuit_time(since))


def test_cdc_groups_changes_by_entity_with_deleted_stubs_last(api, seeded):
    since = timezone.now() - timedelta(days=1)
    earlier = timezone.now() - timedelta(hours=2)
    store.create(seeded, "Customer", {"DisplayName": "Changed Earlier"}, at=earlier)
    gone = api.create(
        "estimate",
        {
            "CustomerRef": {"value": "1"},
            "Line": [
                {"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
            ],
        },
    )
    kept = api.create(
        "estimate",
        {
            "CustomerRef": {"value": "2"},
            "Line": [
                {"Amount": 6, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
            ],
        },
    )
    api.post("estimate", {"Id": gone["Id"], "SyncToken": "0"}, operation="delete")
    body = body_of(cdc(api, "Customer,Estimate", since))
    customers, estimates = body["CDCResponse"][0]["QueryResponse"]
    names = [c["DisplayName"] for c in customers["Customer"]]
    assert names[0] == "Changed Earlier" and "Acme Construction Corp" in names  # by last update, oldest first
    assert customers["startPosition"] == 1 and customers["maxResults"] == len(names)
    assert estimates["Estimate"][0]["Id"] == kept["Id"]
    stub = estimates["Estimate"][1]
    assert set(stub) == {"status", "domain", "Id", "MetaData"}
    assert stub["status"] == "Deleted" and stub["Id"] == gone["Id"] and "LastUpdatedTime" in stub["MetaData"]


def test_cdc_leaves_out_changes_before_changed_since(api, seeded):
    body = body_of(cdc(api, "Customer", timezone.now() + timedelta(seconds=5)))
    assert body["CDCResponse"] == [{"QueryResponse": [{}]}]


def test_cdc_look_back_is_at_most_30_days(api):
    response = cdc(api, "Customer", timezone.now() - timedelta(days=31))
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "500" and "older than fixed days is not supported" in error["Detail"]


@pytest.mark.parametrize("entity", ["TimeActivity", "TaxCode"])
def test_cdc_does_not_cover_time_activity_or_tax_codes(api, entity):
    error = fault_of(cdc(api, f"Customer,{entity}", timezone.now() - timedelta(days=1)))
    assert error["code"] == "500" and entity in error["Detail"]


def test_cdc_returns_at_most_1000_objects_in_all(api, realm):
    moment = timezone.now() - timedelta(hours=1)
    for n in range(1005):
        store.create(realm, "Class", {"Name": f"Class {n}"}, at=moment)
    store.create(realm, "Department", {"Name": "Late"}, at=moment)
    classes, departments = body_of(cdc(api, "Class,Department", moment - timedelta(minutes=1)))["CDCResponse"][0][
        "QueryResponse"
    ]
    assert classes["maxResults"] == 1000 and len(classes["Class"]) == 1000
    assert departments == {}


def test_cdc_needs_entities_and_a_valid_changed_since(api):
    assert fault_of(api.get("cdc", changedSince=intuit_time(timezone.now())))["code"] == "2020"
    assert fault_of(api.get("cdc", entities="Customer", changedSince="yesterday"))["code"] == "2010"
