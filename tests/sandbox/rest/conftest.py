"""Fixtures for the REST API tests: realms, a signed-in client, and objects with the Ids Intuit's examples use."""

from pathlib import Path

import pytest

from sandbox import codec, store
from sandbox.models import Counter, Realm
from sandbox.testing import auth_headers, issue_token, make_realm

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_fixture(name: str) -> dict:
    return codec.loads((FIXTURES / name).read_text(encoding="utf-8"))


def put(realm, type_, qbo_id, document):
    """Store an object under a chosen Id (as if the company already had it), through sandbox.store."""
    Counter.objects.update_or_create(realm=realm, name=type_, defaults={"value": int(qbo_id) - 1})
    return store.create(realm, type_, document)


def put_project(realm, qbo_id, name, parent_id):
    """A project as the Projects GraphQL API leaves it in the REST model: a sub-customer with IsProject."""
    parent = store.get(realm, "Customer", parent_id).document
    return put(
        realm,
        "Customer",
        qbo_id,
        {
            "DisplayName": name,
            "FullyQualifiedName": f"{parent['DisplayName']}:{name}",
            "Job": True,
            "IsProject": True,
            "ParentRef": {"value": str(parent_id)},
            "Level": 1,
            "Active": True,
        },
    )


class Api:
    """Calls /v3/company/{realm}/... with the realm's bearer token; answers parsed with Decimal money."""

    def __init__(self, client, realm):
        self.client, self.realm = client, realm
        self.headers = auth_headers(issue_token(realm))

    def url(self, path: str) -> str:
        return f"/v3/company/{self.realm.realm_id}/{path}"

    def post(self, path: str, body, **params):
        data = body if isinstance(body, str | bytes) else codec.dumps(body)
        params.setdefault("minorversion", "75")
        return self.client.post(
            self.url(path), data=data, content_type="application/json", query_params=params, **self.headers
        )

    def get(self, path: str, **params):
        params.setdefault("minorversion", "75")
        return self.client.get(self.url(path), query_params=params, **self.headers)

    def query(self, statement: str):
        return self.get("query", query=statement)

    def create(self, entity: str, body: dict, *, qbo_id=None) -> dict:
        """Create through the API and return the stored object (fails the test on a fault)."""
        if qbo_id is not None:
            name = next(
                k
                for k in (
                    "Customer",
                    "Estimate",
                    "Invoice",
                    "ChangeOrder",
                    "Payment",
                    "Vendor",
                    "Item",
                    "Account",
                    "Term",
                    "Bill",
                    "Employee",
                )
                if k.lower() == entity
            )
            Counter.objects.update_or_create(realm=self.realm, name=name, defaults={"value": int(qbo_id) - 1})
        response = self.post(entity, body)
        assert response.status_code == 200, response.content
        (document,) = [v for k, v in body_of(response).items() if k != "time"]
        return document


def body_of(response) -> dict:
    return codec.loads(response.content)


def fault_of(response) -> dict:
    """The first Error of an Intuit Fault body."""
    return body_of(response)["Fault"]["Error"][0]


@pytest.fixture(autouse=True)
def _unthrottled(unthrottled):
    """These tests send many requests a second (see tests/sandbox/conftest.py)."""


@pytest.fixture
def realm(db):
    return make_realm()


@pytest.fixture
def plus_realm(db):
    return make_realm(realm_id="9341453099999999", name="Plus Builders", plan=Realm.Plan.PLUS)


@pytest.fixture
def api(client, realm):
    return Api(client, realm)


@pytest.fixture
def plus_api(client, plus_realm):
    return Api(client, plus_realm)


def build_company(realm):
    """The objects Intuit's project examples refer to, under the same Ids.

    See tests/sandbox/fixtures/qbo_seed_001_project_examples.json.
    """
    put(realm, "Account", 4, {"Name": "Services", "AccountType": "Income", "Active": True})
    put(realm, "Account", 5, {"Name": "Sales", "FullyQualifiedName": "Sales", "AccountType": "Income"})
    put(realm, "Account", 7, {"Name": "Billable Expense Income", "AccountType": "Income"})
    put(
        realm,
        "Account",
        18,
        {"Name": "Payments to deposit", "AccountType": "Other Current Asset", "AccountSubType": "UndepositedFunds"},
    )
    put(realm, "Account", 20, {"Name": "Accounts Payable (A/P)", "AccountType": "Accounts Payable"})
    put(
        realm,
        "Account",
        86,
        {"Name": "Uniforms", "FullyQualifiedName": "General business expenses:Uniforms", "AccountType": "Expense"},
    )
    income = {"value": "5", "name": "Sales"}
    put(realm, "Item", 1, {"Name": "Pest Control", "Type": "Service", "IncomeAccountRef": income})
    put(realm, "Item", 2, {"Name": "Hours", "Type": "Service", "IncomeAccountRef": income})
    put(realm, "Item", 7, {"Name": "Labor", "Type": "Service", "IncomeAccountRef": income})
    put(realm, "Item", 21, {"Name": "Structural Materials", "Type": "NonInventory", "IncomeAccountRef": income})
    put(realm, "Item", 33, {"Name": "Permit Fees", "Type": "Service", "IncomeAccountRef": income})
    put(realm, "Term", 3, {"Name": "Net 30", "DueDays": 30, "Active": True})
    put(realm, "Vendor", 15, {"DisplayName": "Dianne's Auto Shop", "Active": True})
    put(realm, "Employee", 80, {"DisplayName": "Emily Platt", "GivenName": "Emily", "Active": True})
    for qbo_id, name in [
        (1, "Test Customer"),
        (2, "Tets"),
        (13, "Demo Address Test 3"),
        (58, "Acme Construction Corp"),
        (83, "Amy's Bird Sanctuary"),
    ]:
        put(
            realm,
            "Customer",
            qbo_id,
            {
                "DisplayName": name,
                "FullyQualifiedName": name,
                "Job": False,
                "IsProject": False,
                "Level": 0,
                "Active": True,
            },
        )
    put_project(realm, 393363026, "Office Fit-out", 1)
    put_project(realm, 447322633, "Garden Shed", 2)
    put_project(realm, 493722274, "Pest Control Program", 13)
    put_project(realm, 39298034, "Kitchen Renovation - Phase 2", 58)
    put_project(realm, 530614583, "Redway Bridge", 83)
    _sales_tax(realm, rate=9)


def _sales_tax(realm, rate):
    """A 9% sales tax as the company default: the change-order example charges 216.00 on 2400.00 of TAX lines."""
    put(realm, "TaxRate", 3, {"Name": "California", "RateValue": rate, "Active": True})
    put(
        realm,
        "TaxCode",
        2,
        {
            "Name": "California",
            "Active": True,
            "Taxable": True,
            "SalesTaxRateList": {"TaxRateDetail": [{"TaxRateRef": {"value": "3"}}]},
        },
    )
    from sandbox.rest import company

    prefs = company.ensure(realm, "Preferences")
    document = prefs.document
    document["TaxPrefs"]["TaxGroupCodeRef"] = {"value": "2"}
    store.save(prefs, document)


@pytest.fixture
def seeded(realm):
    build_company(realm)
    return realm
