"""The client against the live sandbox: typed errors, retries that never duplicate, paging, batch, CDC, GraphQL."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from quickbooks.client import (
    AuthorizationError,
    GraphQLError,
    NotFoundError,
    QuickBooksClient,
    RateLimitedError,
    StaleObjectError,
    TransientError,
    ValidationError,
    query_literal,
)
from quickbooks.models import ReferenceRecord
from quickbooks.sync import references

pytestmark = pytest.mark.django_db


@pytest.fixture
def qb(connected_company):
    return QuickBooksClient.for_company(connected_company)


def rid() -> str:
    return uuid.uuid4().hex


def customers_named(qb, name) -> int:
    return qb.count("Customer", f"DisplayName = {query_literal(name)}")


def test_create_read_update_round_trip_keeps_money_exact(qb):
    item = qb.create(
        "Item",
        {
            "Name": "Framing labour",
            "Type": "Service",
            "UnitPrice": Decimal("72.50"),
            "IncomeAccountRef": {"value": _income_account(qb)},
        },
        request_id=rid(),
    )

    read = qb.read("Item", item["Id"])
    updated = qb.update(
        "Item",
        {"Id": read["Id"], "SyncToken": read["SyncToken"], "UnitPrice": Decimal("80.125")},
        request_id=rid(),
        sparse=True,
    )

    assert read["UnitPrice"] == Decimal("72.50") and isinstance(read["UnitPrice"], Decimal)
    assert updated["SyncToken"] == str(int(read["SyncToken"]) + 1)
    assert updated["UnitPrice"] == Decimal("80.125")


def test_names_in_any_script_go_out_and_come_back_unchanged(qb, connected_company):
    name = 'Café Ōsaka — 東京 Ünïcode & <Co> "quoted"'
    created = qb.create("Customer", {"DisplayName": name}, request_id=rid())
    references.ingest(connected_company, [qb.read("Customer", created["Id"])], entity="Customer")

    assert created["DisplayName"] == name
    stored = ReferenceRecord.objects.get(company=connected_company, entity="Customer", qbo_id=created["Id"])
    assert stored.name == name and stored.qbo_document["DisplayName"] == name


def _income_account(qb) -> str:
    account = qb.create("Account", {"Name": f"Income {rid()[:8]}", "AccountType": "Income"}, request_id=rid())
    return account["Id"]


def test_a_write_without_a_request_id_is_refused_before_it_is_sent(qb):
    with pytest.raises(ValueError, match="requestid"):
        qb.create("Customer", {"DisplayName": "No id"}, request_id="")
    assert qb.calls == 0


def test_the_same_request_id_twice_creates_one_object(qb):
    request_id = rid()

    first = qb.create("Customer", {"DisplayName": "Once Only LLC"}, request_id=request_id)
    second = qb.create("Customer", {"DisplayName": "Once Only LLC"}, request_id=request_id)

    assert first["Id"] == second["Id"]
    assert customers_named(qb, "Once Only LLC") == 1


def test_a_dropped_response_is_retried_without_a_duplicate(qb, qbo):
    qbo.control("post", "faults", json={"kind": "drop", "count": 1, "method": "POST", "path_contains": "/customer"})

    created = qb.create("Customer", {"DisplayName": "Dropped Reply Inc."}, request_id=rid())

    assert created["DisplayName"] == "Dropped Reply Inc."
    assert customers_named(qb, "Dropped Reply Inc.") == 1
    assert qb.calls >= 3  # the lost attempt, its replay, and the count


def test_a_500_storm_is_ridden_out(qb, qbo):
    qbo.control("post", "faults", json={"kind": "500", "count": 3, "path_contains": "/customer"})

    created = qb.create("Customer", {"DisplayName": "Storm Survivor Co."}, request_id=rid())

    assert created["Id"]
    assert customers_named(qb, "Storm Survivor Co.") == 1


def test_a_500_storm_longer_than_the_retries_fails_cleanly_with_nothing_written(qb, qbo, settings):
    settings.QBO_MAX_RETRIES = 2
    qbo.control("post", "faults", json={"kind": "500", "count": 5, "path_contains": "/customer"})

    with pytest.raises(TransientError):
        qb.create("Customer", {"DisplayName": "Never Made Ltd."}, request_id=rid())

    qbo.control("delete", "faults")
    assert customers_named(qb, "Never Made Ltd.") == 0


def test_a_429_storm_is_ridden_out(qb, qbo):
    qbo.control("post", "faults", json={"kind": "429", "count": 4})

    assert qb.company_info()["CompanyName"]


def test_a_429_that_outlasts_the_retries_says_rate_limited(qb, qbo, settings):
    settings.QBO_MAX_RETRIES = 1
    qbo.control("post", "faults", json={"kind": "429", "count": 5})

    with pytest.raises(RateLimitedError) as caught:
        qb.company_info()
    assert caught.value.code == "3001"


def test_a_stale_sync_token_is_a_stale_object_error(qb):
    customer = qb.create("Customer", {"DisplayName": "Stale Token Corp."}, request_id=rid())
    qb.update(
        "Customer",
        {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "Notes": "first"},
        request_id=rid(),
        sparse=True,
    )

    with pytest.raises(StaleObjectError) as caught:
        qb.update(
            "Customer",
            {"Id": customer["Id"], "SyncToken": customer["SyncToken"], "Notes": "second"},
            request_id=rid(),
            sparse=True,
        )
    assert caught.value.code == "5010"


def test_a_validation_error_carries_intuits_words(qb):
    qb.create("Customer", {"DisplayName": "Twice Named"}, request_id=rid())

    with pytest.raises(ValidationError) as caught:
        qb.create("Customer", {"DisplayName": "Twice Named"}, request_id=rid())

    assert caught.value.code == "6240"
    assert "QuickBooks did not accept this" in caught.value.user_message
    assert "Twice Named" in caught.value.user_message or "name" in caught.value.user_message.lower()


def test_a_missing_object_is_not_found(qb):
    with pytest.raises(NotFoundError):
        qb.read("Customer", "987654")


def test_a_token_for_another_company_is_refused(qb, qbo):
    from tests.quickbooks.conftest import new_realm

    qb.realm_id = new_realm(qbo)  # our token is bound to the connected realm, not this one

    with pytest.raises(AuthorizationError) as caught:
        qb.company_info()
    assert caught.value.status == 403


def test_query_pages_walk_every_object_once(qb):
    names = {f"Paged Customer {n:02d}" for n in range(23)}
    qb.batch(
        [
            {"bId": str(n), "operation": "create", "Customer": {"DisplayName": name}}
            for n, name in enumerate(sorted(names))
        ],
        request_id=rid()[:20],
    )

    pages = list(qb.query_pages("Customer", "DisplayName LIKE 'Paged Customer%'", page_size=10))

    assert [len(page) for page in pages] == [10, 10, 3]
    assert {row["DisplayName"] for page in pages for row in page} == names


def test_batch_sends_thirty_items_a_request(qb):
    items = [{"bId": str(n), "operation": "create", "Customer": {"DisplayName": f"Batch Co {n}"}} for n in range(45)]

    results = qb.batch(items, request_id=rid()[:20])

    assert len(results) == 45 and all("Customer" in result for result in results)
    assert qb.calls == 2


def test_cdc_reports_changes_and_deletions_since_a_time(qb):
    since = timezone.now() - timedelta(minutes=1)
    customer = qb.create("Customer", {"DisplayName": "Changed Lately LLC"}, request_id=rid())
    estimate = qb.create(
        "Estimate",
        {
            "CustomerRef": {"value": customer["Id"]},
            "Line": [
                {"DetailType": "DescriptionOnly", "Amount": Decimal("0"), "DescriptionLineDetail": {}},
            ],
        },
        request_id=rid(),
    )
    qb.delete("Estimate", estimate["Id"], estimate["SyncToken"], request_id=rid())

    changed, answered_at = qb.cdc(["Customer", "Estimate"], since)

    assert since < answered_at <= timezone.now() + timedelta(seconds=1)  # QuickBooks' clock when it answered
    assert [c["DisplayName"] for c in changed["Customer"]] == ["Changed Lately LLC"]
    assert [(e["Id"], e.get("status")) for e in changed["Estimate"]] == [(estimate["Id"], "Deleted")]


def test_an_invalid_graphql_document_is_a_graphql_error(qb):
    with pytest.raises(GraphQLError) as caught:
        qb.graphql("query { noSuchField }")
    assert caught.value.status == 400 and caught.value.code == "VAL-0100"


def test_graphql_nodes_follow_cursors_to_the_end(qb):
    customer = qb.create("Customer", {"DisplayName": "Graph Owner Inc."}, request_id=rid())
    create = """mutation($name: String!, $customer: ID!) { projectManagementCreateProject(input: {
        name: $name, customer: {id: $customer}}) { ... on ProjectManagement_Project { id } } }"""
    for n in range(5):
        qb.graphql(create, {"name": f"Graph Project {n}", "customer": customer["Id"]})
    listing = """query($first: PositiveInt!, $after: String) { projectManagementProjects(first: $first, after: $after,
        filter: {}) { edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""

    names = [node["name"] for node in qb.graphql_nodes(listing, {}, ["projectManagementProjects"], page_size=2)]

    assert sorted(names) == [f"Graph Project {n}" for n in range(5)]
