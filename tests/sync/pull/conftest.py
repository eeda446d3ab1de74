"""A realm filled through the API: name lists with a sub-customer and an inactive customer."""

from decimal import Decimal

import pytest

from quickbooks.models.references import REFERENCE_ENTITIES
from quickbooks.sync import registry
from tests.sync.conftest import rid

CUSTOMERS = 30


@pytest.fixture(autouse=True)
def only_reference_lists(monkeypatch):
    """These tests are about the engine and the name lists: the domain apps' entities are theirs to test."""
    kept = {name: entity for name, entity in registry._pulled.items() if name in REFERENCE_ENTITIES}
    monkeypatch.setattr(registry, "_pulled", kept)


def create_all(qb, entity: str, documents: list[dict]) -> list[dict]:
    """Create through /batch (30 a request); every item must succeed."""
    items = [{"bId": str(n), "operation": "create", entity: doc} for n, doc in enumerate(documents)]
    answers = qb.batch(items, request_id=rid()[:30])
    assert all(entity in answer for answer in answers), [a for a in answers if entity not in a][:1]
    return [answer[entity] for answer in answers]


def deactivate(qb, entity: str, document: dict) -> dict:
    fresh = qb.read(entity, document["Id"])
    return qb.update(
        entity, {"Id": fresh["Id"], "SyncToken": fresh["SyncToken"], "Active": False}, request_id=rid(), sparse=True
    )


@pytest.fixture
def filled(connected_company, scaffolding):
    """Customers (one a sub-customer, one inactive), accounts, items, a class, a vendor, an employee, a term; written
    at full speed (tests/live_quickbooks.py `at_full_speed`)."""
    with scaffolding(connected_company) as qb:
        customers = create_all(qb, "Customer", [{"DisplayName": f"Pull Customer {n:02d}"} for n in range(CUSTOMERS)])
        child = qb.create(
            "Customer",
            {
                "DisplayName": "Kitchen Remodel",
                "Job": True,
                "BillWithParent": True,
                "ParentRef": {"value": customers[0]["Id"]},
            },
            request_id=rid(),
        )
        inactive = deactivate(qb, "Customer", customers[1])
        income, expense = create_all(
            qb,
            "Account",
            [{"Name": "Pull Income", "AccountType": "Income"}, {"Name": "Pull Costs", "AccountType": "Expense"}],
        )
        items = create_all(
            qb,
            "Item",
            [
                {
                    "Name": f"Pull Item {n}",
                    "Type": "Service",
                    "UnitPrice": Decimal("72.50"),
                    "IncomeAccountRef": {"value": income["Id"]},
                }
                for n in range(3)
            ],
        )
        create_all(qb, "Class", [{"Name": "Pull Class"}])
        create_all(qb, "Vendor", [{"DisplayName": "Pull Supplier"}])
        create_all(qb, "Employee", [{"GivenName": "Pat", "FamilyName": "Puller"}])
        create_all(qb, "Term", [{"Name": "Net 45", "DueDays": 45}])
    return {"customers": customers, "child": child, "inactive": inactive, "items": items, "expense": expense}
