"""Projects arrive from the project customers (every plan) and from the Projects API (Advanced), into one row."""

from datetime import date
from decimal import Decimal

import pytest

from projects.estimates.sync import ingest_estimates
from projects.ledger.sync import ingest_ledger
from projects.models import Estimate, LedgerLine, Project
from projects.project.sync import ingest_project_customers, ingest_projects, remove_projects
from sandbox import demo
from sandbox.demo_data import harbor as harbor_data
from sandbox.models import Realm
from tests.sync.domain.conftest import documents_of

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_project_customers_become_projects_and_plain_customers_do_not(company, docs):
    written = ingest_project_customers(company, docs["Customer"])

    names = set(Project.objects.filter(company=company).values_list("name", flat=True))
    assert names == {spec["name"] for spec in harbor_data.PROJECTS}
    assert written == len(harbor_data.PROJECTS)
    assert harbor_data.LOOKALIKE[1] not in names  # a sub-customer that is not a project


def test_a_project_customer_keeps_its_client_and_quickbooks_version(company, docs):
    ingest_project_customers(company, docs["Customer"])

    document = next(d for d in docs["Customer"] if d.get("IsProject"))
    project = Project.objects.get(company=company, qbo_id=document["Id"])
    assert project.customer_qbo_id == document["ParentRef"]["value"]
    assert project.customer_name == document["ParentRef"]["name"]
    assert project.fully_qualified_name == document["FullyQualifiedName"]
    assert project.sync_token == document["SyncToken"]
    assert project.qbo_document == document
    assert project.qbo_updated_at is not None


def test_projects_api_nodes_fill_in_the_same_rows(company, docs, project_nodes):
    ingest_project_customers(company, docs["Customer"])
    ingest_projects(company, project_nodes)

    assert Project.objects.filter(company=company).count() == len(harbor_data.PROJECTS)
    node = project_nodes[0]
    project = Project.objects.get(company=company, qbo_id=node["id"])
    assert project.status == node["status"]
    assert project.priority == node["priority"]
    assert project.start_date == date.fromisoformat(node["startDate"][:10])
    assert project.completion_rate == Decimal(node["completionRate"])
    assert project.description == node["description"]
    assert project.sync_token == next(d for d in docs["Customer"] if d["Id"] == node["id"])["SyncToken"]


def test_a_project_deleted_in_quickbooks_is_marked_deleted(company, project_nodes):
    gone = {**project_nodes[0], "deleted": True}
    ingest_projects(company, [gone, *project_nodes[1:]])
    assert Project.objects.get(company=company, qbo_id=gone["id"]).deleted is True

    assert remove_projects(company, [project_nodes[1]["id"]]) == 1
    assert Project.objects.filter(company=company, deleted=True).count() == 2


def test_rows_that_named_a_project_before_it_arrived_are_linked_to_it(company, docs):
    ingest_estimates(company, docs["Estimate"])
    assert not Estimate.objects.filter(company=company, project__isnull=False).exists()

    ingest_project_customers(company, docs["Customer"])

    project_estimates = Estimate.objects.filter(company=company).exclude(project_qbo_id="")
    assert project_estimates.exists()
    assert all(e.project.qbo_id == e.project_qbo_id for e in project_estimates)


def test_the_plus_company_has_its_project_without_the_projects_api(company, harbor):
    maple = documents_of(Realm.objects.get(realm_id=demo.PLUS_REALM_ID))
    ingest_project_customers(company, maple["Customer"])
    ingest_ledger("Invoice", company, maple["Invoice"])

    project = Project.objects.get(company=company)
    assert project.name == "Courtyard Refresh"
    assert LedgerLine.objects.filter(project=project, kind=LedgerLine.Kind.REVENUE).count() == 2
