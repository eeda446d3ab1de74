"""The demo company's documents, exactly as the sandbox's APIs return them, for the domain apps' ingest functions.

`sandbox.demo.seed_demo()` fills the sandbox test database; the documents are read back from `sandbox.models`
and stripped of the keys starting with "_" (the sandbox's private fields, which its REST layer never shows).
"""

from collections import defaultdict

import pytest
from django.apps import apps
from django.utils import timezone

from changeorders.sync import ingest_change_orders
from projects.estimates.sync import ingest_estimates
from projects.ledger.normalise import TXN_TYPES
from projects.ledger.sync import ingest_ledger
from projects.project.sync import ingest_project_customers
from sandbox import demo
from sandbox.graphql.budgets import output as budget_output
from sandbox.graphql.projects import node as project_node
from sandbox.models import Entity, GraphObject, Realm
from sandbox.rest.public import public
from sandbox.timefmt import COMPANY_TZ

_SEEDED: dict = {}  # the day's demo rows, by model, as seed_demo() wrote them in this process


@pytest.fixture
def harbor():
    """The Advanced demo realm (Harbor Build Co.), seeded beside the Plus one.

    `seed_demo()` runs in the first of these tests in each worker process each day (its dates follow the day), and
    its rows are kept: the next tests get the same rows written back, a tenth of the time of seeding them again
    (tests/sandbox/demo tests the seed itself). Each test's transaction is rolled back, so each starts empty.
    """
    day = timezone.now().astimezone(COMPANY_TZ).date()  # the demo's "today"
    if day not in _SEEDED:
        demo.seed_demo()
        models = apps.get_app_config("sandbox").get_models()
        _SEEDED.clear()
        _SEEDED[day] = [(model, list(model.objects.values())) for model in models]
    else:
        for model, rows in _SEEDED[day]:
            model.objects.bulk_create([model(**row) for row in rows])
    return Realm.objects.get(realm_id=demo.DEMO_REALM_ID)


def documents_of(realm) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for row in Entity.objects.filter(realm=realm, deleted=False).order_by("type", "qbo_id"):
        found[row.type].append(public(row.document))
    return found


@pytest.fixture
def docs(harbor) -> dict[str, list[dict]]:
    """Every REST document of the demo realm by entity name, as GET/query answers them."""
    return documents_of(harbor)


@pytest.fixture
def project_nodes(harbor) -> list[dict]:
    """The Projects API's nodes for the demo's projects, built by the sandbox's own resolver."""
    customers = Entity.objects.filter(realm=harbor, type="Customer", deleted=False).order_by("qbo_id")
    return [project_node(row, harbor) for row in customers if row.document.get("IsProject")]


@pytest.fixture
def budget_documents(harbor) -> list[dict]:
    """The demo's project budget as businessPlanningBudget answers it (all lines)."""
    return [budget_output(row) for row in GraphObject.objects.filter(realm=harbor, type="Budget")]


@pytest.fixture
def with_projects(company, docs):
    """The company after its Customer page went through `ingest_project_customers` (as the lead wires it)."""
    ingest_project_customers(company, docs["Customer"])
    return company


@pytest.fixture
def synced(with_projects, docs):
    """Projects, estimates, change orders and the whole ledger ingested, in the sync engine's order."""
    ingest_estimates(with_projects, docs["Estimate"])
    ingest_change_orders(with_projects, docs["ChangeOrder"])
    for txn_type in TXN_TYPES:
        ingest_ledger(txn_type, with_projects, docs[txn_type])
    return with_projects
