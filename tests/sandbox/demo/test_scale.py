"""Scale data: exact counts, the same document shapes as the store writes, ids that continue afterwards."""

from collections import Counter
from datetime import datetime

import pytest

from sandbox import store
from sandbox.codec import money
from sandbox.models import Entity, Realm
from sandbox.scale import entity_row, seed_scale
from sandbox.testing import make_realm
from sandbox.timefmt import COMPANY_TZ
from tests.sandbox.demo.helpers import TRANSACTION_TYPES, documents, is_exact_money, line_total, priced_lines

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def scaled():
    realm = make_realm()
    added = seed_scale(realm, customers=500, transactions=2000)
    return realm, added


def test_seed_scale_creates_exactly_the_customers_and_transactions_asked_for(scaled):
    realm, added = scaled
    kinds = Counter(Entity.objects.filter(realm=realm).values_list("type", flat=True))
    assert kinds["Customer"] == added["customers"] == 500
    assert sum(kinds[t] for t in TRANSACTION_TYPES) == added["transactions"] == 2000
    assert {t for t in TRANSACTION_TYPES if kinds[t]} == {"Invoice", "Bill", "Purchase", "TimeActivity", "Estimate"}
    assert sum(kinds.values()) == sum(added.values())


def test_ids_of_each_type_run_from_one_without_gaps(scaled):
    realm, _ = scaled
    for type_ in ("Customer", "Invoice", "Bill", "TimeActivity"):
        ids = list(Entity.objects.filter(realm=realm, type=type_).order_by("qbo_id").values_list("qbo_id", flat=True))
        assert ids == list(range(1, len(ids) + 1))


def test_one_customer_in_five_is_a_project_and_most_transactions_are_charged_to_one(scaled):
    realm, _ = scaled
    people = {doc["Id"]: doc for doc in documents(realm, "Customer")}
    projects = {cid for cid, doc in people.items() if doc["IsProject"]}
    assert len(projects) == 100
    for cid in projects:
        parent = people[people[cid]["ParentRef"]["value"]]
        assert parent["IsProject"] is False
        assert people[cid]["FullyQualifiedName"] == f"{parent['DisplayName']}:{people[cid]['DisplayName']}"
    transactions = documents(realm, *TRANSACTION_TYPES)
    tagged = [
        doc for doc in transactions if doc.get("ProjectRef") or any(ln.get("ProjectRef") for ln in doc.get("Line", []))
    ]
    assert 0.75 < len(tagged) / len(transactions) < 0.95
    for document in tagged:
        refs = [document.get("ProjectRef")] + [line.get("ProjectRef") for line in document.get("Line", [])]
        assert all(ref["value"] in projects for ref in refs if ref)


def test_scale_transactions_have_exact_totals(scaled):
    realm, _ = scaled
    for document in documents(realm, "Invoice", "Bill", "Purchase", "Estimate"):
        assert is_exact_money(document["TotalAmt"])
        assert document["TotalAmt"] == line_total(document)
        assert all(amount == money(qty * price) for amount, qty, price in priced_lines(document))
        if "Balance" in document:
            assert document["Balance"] == document["TotalAmt"]


def test_scale_rows_have_the_envelope_and_indexed_columns_of_the_store(scaled):
    realm, _ = scaled
    for entity in Entity.objects.filter(realm=realm, type__in=["Invoice", "Customer", "TimeActivity"])[:600]:
        document = entity.document
        assert (document["Id"], document["SyncToken"], document["domain"], document["sparse"]) == (
            str(entity.qbo_id),
            "0",
            "QBO",
            False,
        )
        assert set(document["MetaData"]) == {"CreateTime", "LastUpdatedTime"}
        assert entity.name == (document.get("DisplayName") or document.get("DocNumber") or "")
        assert str(entity.txn_date or "") == document.get("TxnDate", "")
        assert entity.created_at == entity.updated_at


def test_a_bulk_row_equals_what_store_create_writes_for_the_same_body():
    realm = make_realm()
    moment = datetime(2026, 5, 4, 10, 30, tzinfo=COMPANY_TZ)
    body = {"DocNumber": "1042", "TxnDate": "2026-05-04", "TotalAmt": money("12.50"), "Active": False}
    stored = store.create(realm, "Invoice", body, at=moment)
    row = entity_row(realm, "Invoice", body, stored.qbo_id, moment)
    assert row.document == stored.document
    columns = ("qbo_id", "sync_token", "name", "txn_date", "active", "created_at", "updated_at")
    assert [getattr(row, c) for c in columns] == [getattr(stored, c) for c in columns]


def test_store_creates_after_seed_scale_continue_each_sequence(scaled):
    realm, _ = scaled
    for type_ in ("Customer", "Invoice", "Estimate"):
        highest = Entity.objects.filter(realm=realm, type=type_).order_by("-qbo_id").first().qbo_id
        assert store.create(realm, type_, {"DisplayName": f"After {type_}"}).qbo_id == highest + 1


def test_seed_scale_continues_after_objects_already_in_the_realm():
    realm = Realm.objects.create(realm_id="9341453000000077", name="Busy Co.")
    existing = store.create(realm, "Customer", {"DisplayName": "First Customer"})
    seed_scale(realm, customers=10, transactions=20)
    ids = sorted(Entity.objects.filter(realm=realm, type="Customer").values_list("qbo_id", flat=True))
    assert ids == list(range(existing.qbo_id, existing.qbo_id + 11))
