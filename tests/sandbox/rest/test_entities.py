"""Routes, create/read/update/delete semantics and name-list rules of the REST API."""

from decimal import Decimal

import pytest

from sandbox import store

from .conftest import body_of, fault_of, put_project

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.rest.urls")]


def test_create_wraps_the_entity_and_read_returns_it(api):
    created = body_of(api.post("customer", {"DisplayName": "Okafor Residence"}))
    assert set(created) == {"Customer", "time"}
    customer = created["Customer"]
    assert customer["SyncToken"] == "0" and customer["domain"] == "QBO" and customer["Active"] is True
    assert customer["FullyQualifiedName"] == "Okafor Residence" and customer["IsProject"] is False
    read = body_of(api.get(f"customer/{customer['Id']}"))
    assert read["Customer"] == customer


def test_minorversion_is_accepted_whatever_its_value(api):
    response = api.post("customer", {"DisplayName": "Version Test"}, minorversion="12")
    assert response.status_code == 200


def test_sub_customer_is_a_job_with_a_full_name_but_not_a_project(api):
    parent = api.create("customer", {"DisplayName": "Okafor Residence"})
    child = api.create("customer", {"DisplayName": "Garage", "Job": True, "ParentRef": {"value": parent["Id"]}})
    assert child["FullyQualifiedName"] == "Okafor Residence:Garage"
    assert child["Job"] is True and child["IsProject"] is False and child["Level"] == 1
    assert child["ParentRef"] == {"value": parent["Id"], "name": "Okafor Residence"}


def test_is_project_sent_by_a_client_is_ignored(api):
    parent = api.create("customer", {"DisplayName": "Okafor Residence"})
    child = api.create(
        "customer",
        {"DisplayName": "Pretend Project", "Job": True, "IsProject": True, "ParentRef": {"value": parent["Id"]}},
    )
    assert child["IsProject"] is False


def test_job_without_parent_is_missing_a_required_param(api):
    error = fault_of(api.post("customer", {"DisplayName": "Orphan", "Job": True}))
    assert error["code"] == "2020" and error["element"] == "ParentRef"


def test_display_name_is_unique_across_customers_vendors_and_employees(api):
    api.create("vendor", {"DisplayName": "Bay Lumber"})
    response = api.post("customer", {"DisplayName": "bay lumber"})
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "6240" and error["Message"] == "Duplicate Name Exists Error"


def test_display_name_is_composed_from_name_parts(api):
    employee = api.create("employee", {"GivenName": "Rosa", "FamilyName": "Diaz"})
    assert employee["DisplayName"] == "Rosa Diaz"


def test_customer_without_any_name_is_rejected(api):
    assert fault_of(api.post("customer", {"CompanyName": ""}))["code"] == "6080"


def test_read_only_fields_sent_by_clients_are_recomputed(api):
    customer = api.create(
        "customer",
        {
            "DisplayName": "Lee",
            "FullyQualifiedName": "Wrong:Name",
            "Level": 3,
            "MetaData": {"CreateTime": "2001-01-01T00:00:00-08:00"},
            "BalanceWithJobs": 9,
        },
    )
    assert customer["FullyQualifiedName"] == "Lee" and customer["Level"] == 0
    assert customer["MetaData"]["CreateTime"] != "2001-01-01T00:00:00-08:00"
    assert customer["BalanceWithJobs"] == 0


def test_full_update_clears_omitted_fields_and_bumps_sync_token(api):
    customer = api.create("customer", {"DisplayName": "Lee", "Notes": "gate code 1234", "CompanyName": "Lee LLC"})
    updated = api.create(
        "customer", {"Id": customer["Id"], "SyncToken": "0", "DisplayName": "Lee", "CompanyName": "Lee Inc"}
    )
    assert updated["SyncToken"] == "1" and updated["CompanyName"] == "Lee Inc" and "Notes" not in updated


def test_sparse_update_keeps_omitted_fields(api):
    customer = api.create("customer", {"DisplayName": "Lee", "Notes": "gate code 1234"})
    updated = api.create("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "X"})
    assert updated["Notes"] == "gate code 1234" and updated["CompanyName"] == "X" and updated["SyncToken"] == "1"


def test_sparse_update_replaces_the_line_list_whole(api, seeded):
    line = {
        "DetailType": "SalesItemLineDetail",
        "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "Qty": 1, "UnitPrice": 10},
    }
    invoice = api.create("invoice", {"CustomerRef": {"value": "1"}, "Line": [line, line]})
    updated = api.create("invoice", {"Id": invoice["Id"], "SyncToken": "0", "sparse": True, "Line": [line]})
    assert [x["DetailType"] for x in updated["Line"]] == ["SalesItemLineDetail", "SubTotalLineDetail"]
    assert updated["TotalAmt"] == Decimal("10.00")


def test_stale_sync_token_is_5010(api):
    customer = api.create("customer", {"DisplayName": "Lee"})
    api.create("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "a"})
    response = api.post("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Notes": "b"})
    assert response.status_code == 400
    assert fault_of(response)["code"] == "5010"


def test_update_without_sync_token_is_missing_a_required_param(api):
    customer = api.create("customer", {"DisplayName": "Lee"})
    error = fault_of(api.post("customer", {"Id": customer["Id"], "DisplayName": "Lee"}))
    assert error["code"] == "2020" and error["element"] == "SyncToken"


def test_name_lists_cannot_be_deleted_but_can_be_made_inactive(api):
    customer = api.create("customer", {"DisplayName": "Lee"})
    response = api.post("customer", {"Id": customer["Id"], "SyncToken": "0"}, operation="delete")
    assert response.status_code == 400 and fault_of(response)["code"] == "500"
    inactive = api.create("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert inactive["Active"] is False


def test_delete_answers_the_deleted_stub_and_the_object_is_gone(api, seeded):
    estimate = api.create(
        "estimate",
        {
            "CustomerRef": {"value": "1"},
            "Line": [
                {"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
            ],
        },
    )
    body = body_of(api.post("estimate", {"Id": estimate["Id"], "SyncToken": "0"}, operation="delete"))
    assert body["Estimate"] == {"Id": estimate["Id"], "SyncToken": "1", "status": "Deleted", "domain": "QBO"}
    response = api.get(f"estimate/{estimate['Id']}")
    assert response.status_code == 400 and fault_of(response)["code"] == "610"


def test_delete_with_a_stale_sync_token_is_5010(api, seeded):
    estimate = api.create(
        "estimate",
        {
            "CustomerRef": {"value": "1"},
            "Line": [
                {"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}
            ],
        },
    )
    response = api.post("estimate", {"Id": estimate["Id"], "SyncToken": "7"}, operation="delete")
    assert fault_of(response)["code"] == "5010"


def test_read_of_a_missing_object_is_610(api):
    response = api.get("invoice/4242")
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "610" and error["Message"] == "Object Not Found"


def test_unknown_entity_is_unsupported_operation(api):
    response = api.post("widget", {"Name": "x"})
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "500" and error["Message"] == "Unsupported Operation"
    assert api.get("reports/deep/path").status_code == 400


def test_entity_paths_are_lower_case(api):
    assert fault_of(api.post("Customer", {"DisplayName": "Lee"}))["code"] == "500"


def test_malformed_json_body_is_a_2010_fault(api):
    response = api.post("customer", '{"DisplayName": "Lee",')
    assert response.status_code == 400
    error = fault_of(response)
    assert error["code"] == "2010" and error["Message"] == "Request has invalid or unsupported property"


def test_tax_code_cannot_be_created_through_the_entity_endpoint(api):
    assert fault_of(api.post("taxcode", {"Name": "Local"}))["code"] == "500"


def test_item_name_is_unique_among_siblings_and_sub_items_get_full_names(api, seeded):
    assert fault_of(api.post("item", {"Name": "labor", "Type": "Service"}))["code"] == "6240"
    sub = api.create("item", {"Name": "Labor", "Type": "Service", "ParentRef": {"value": "7"}})
    assert sub["FullyQualifiedName"] == "Labor:Labor" and sub["SubItem"] is True and sub["Level"] == 1


def test_account_requires_a_type_and_gets_its_classification(api):
    assert fault_of(api.post("account", {"Name": "Tools"}))["code"] == "2020"
    account = api.create("account", {"Name": "Tools", "AccountType": "Expense"})
    assert account["Classification"] == "Expense"
    assert fault_of(api.post("account", {"Name": "A:B", "AccountType": "Expense"}))["code"] == "6000"


def test_company_info_is_read_by_realm_id(api, realm):
    body = body_of(api.get(f"companyinfo/{realm.realm_id}"))
    info = body["CompanyInfo"]
    assert info["CompanyName"] == realm.name
    assert {"Name": "OfferingSku", "Value": "QuickBooks Online Advanced"} in info["NameValue"]


def test_preferences_are_read_and_sparse_updated(api):
    prefs = body_of(api.get("preferences"))["Preferences"]
    assert {"Name": "ProjectsEnabled", "Value": "true"} in prefs["OtherPrefs"]["NameValue"]
    updated = api.create(
        "preferences",
        {
            "Id": prefs["Id"],
            "SyncToken": prefs["SyncToken"],
            "sparse": True,
            "AccountingInfoPrefs": {"TrackDepartments": False},
        },
    )
    assert updated["AccountingInfoPrefs"] == {"TrackDepartments": False}
    assert "OtherPrefs" in updated


def test_private_project_fields_of_other_parts_are_hidden_and_survive_rest_updates(api, seeded):
    project = store.get(seeded, "Customer", 39298034)
    store.save(project, {**project.document, "_project": {"status": "IN_PROGRESS"}})
    read = body_of(api.get("customer/39298034"))["Customer"]
    assert "_project" not in read and read["IsProject"] is True
    api.create("customer", {**read, "Notes": "site access via alley"})
    stored = store.get(seeded, "Customer", 39298034).document
    assert stored["_project"] == {"status": "IN_PROGRESS"} and stored["IsProject"] is True
    assert stored["FullyQualifiedName"] == "Acme Construction Corp:Kitchen Renovation - Phase 2"


def test_rest_full_update_of_a_project_keeps_it_a_project(api, seeded):
    put_project(seeded, 777, "Deck", 58)
    read = body_of(api.get("customer/777"))["Customer"]
    updated = api.create(
        "customer",
        {"Id": "777", "SyncToken": read["SyncToken"], "DisplayName": "Deck", "ParentRef": {"value": "58"}, "Job": True},
    )
    assert updated["IsProject"] is True
