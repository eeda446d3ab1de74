"""How projects follow QuickBooks: the Projects API's nodes and the project customers (REST Customer, IsProject).

Also the link between projects and the rows that name them: an estimate, ledger line, change order or budget pulled
before its project gets its foreign key once the project arrives (`link_projects_to`).
"""

from django.db import transaction

from quickbooks.sync.documents import day, number, ref_id, ref_name
from quickbooks.sync.registry import GraphQLSource, PulledEntity, memoised, on_ingest, register_pull
from quickbooks.sync.upsert import SYNCED_FIELDS, Incoming, link_waiting_rows, synced_rest, upsert

from ..models import Estimate, LedgerLine, Project

PROJECTS_QUERY = """
query Projects($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!) {
  projectManagementProjects(first: $first, after: $after, filter: $filter) {
    edges { node {
      id name description type status priority customer { id } dueDate startDate completedDate
      completionRate pinned deleted
      emailAddress { email name }
      addresses { streetAddressLine1 streetAddressLine2 streetAddressLine3 postalCode city state country }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
# `deleted: true` lists deleted projects too, so a deletion in QuickBooks reaches Costline on the next pull.
PROJECTS_SOURCE = GraphQLSource(PROJECTS_QUERY, ("projectManagementProjects",), {"filter": {"deleted": True}})
PULL_ORDER = 150  # after the name lists (project customers arrive with them), before what names a project

# Models holding `project_qbo_id` + `project`: linked when their project arrives after them. Other apps add theirs.
PROJECT_LINKED: list = [Estimate, LedgerLine]


def link_projects_to(model) -> None:
    """Let `model` (company, project_qbo_id, project FK) have its project filled in when the project is pulled."""
    if model not in PROJECT_LINKED:
        PROJECT_LINKED.append(model)


def project_index(company) -> dict[str, int]:
    """The company's projects: QuickBooks id -> local pk (one query, once per entity pass of a pull)."""
    rows = Project.objects.filter(company=company).exclude(qbo_id="")
    return memoised(("project_index", company.pk), lambda: dict(rows.values_list("qbo_id", "pk")))


def _link_waiting_rows(company, qbo_ids) -> None:
    link_waiting_rows(PROJECT_LINKED, Project, "project", company, list(qbo_ids))


# --- The Projects API (GraphQL) ---------------------------------------------------------------------------------

GRAPHQL_FIELDS = [
    "name",
    "description",
    "type",
    "status",
    "priority",
    "customer_qbo_id",
    "start_date",
    "due_date",
    "completed_date",
    "completion_rate",
    "pinned",
    "email_addresses",
    "addresses",
    "deleted",
    "project_document",
]


def project_node_values(node: dict) -> dict:
    return {
        "name": node.get("name") or "",
        "description": node.get("description") or "",
        "type": node.get("type") or "",
        "status": node.get("status") or Project.Status.OTHER,
        "priority": node.get("priority"),
        "customer_qbo_id": str((node.get("customer") or {}).get("id") or ""),
        "start_date": day(node.get("startDate")),
        "due_date": day(node.get("dueDate")),
        "completed_date": day(node.get("completedDate")),
        "completion_rate": number(node.get("completionRate")),
        "pinned": bool(node.get("pinned")),
        "email_addresses": node.get("emailAddress") or [],
        "addresses": node.get("addresses") or [],
        "deleted": bool(node.get("deleted")),
        "project_document": _json_safe(node),
    }


def _json_safe(node: dict) -> dict:
    """The node for a plain JSONField: its one number with a fraction (completionRate) as a string."""
    rate = node.get("completionRate")
    return {**node, "completionRate": None if rate is None else str(rate)}


def _node_changed(obj, values: dict) -> bool:
    return values["project_document"] != obj.project_document


@transaction.atomic
def ingest_projects(company, nodes: list[dict]) -> int:
    """A page of projectManagementProjects nodes (deleted ones included) into Project rows."""
    incoming = [Incoming(str(node["id"]), project_node_values(node)) for node in nodes]
    written = upsert(
        Project, company, incoming, GRAPHQL_FIELDS, version=_node_changed, document_field="project_document"
    )
    _link_waiting_rows(company, [item.qbo_id for item in incoming])
    return written.count


@transaction.atomic
def remove_projects(company, qbo_ids: list[str]) -> int:
    """Projects deleted in QuickBooks stay as rows marked deleted: their estimates and ledger keep their history."""
    return Project.objects.filter(company=company, qbo_id__in=list(qbo_ids)).update(deleted=True)


# --- Project customers (REST Customer with IsProject) -----------------------------------------------------------

CUSTOMER_FIELDS = ["name", "fully_qualified_name", "customer_qbo_id", "customer_name", "active", *SYNCED_FIELDS]


def project_customer_values(document: dict) -> dict:
    parent = document.get("ParentRef")
    values = {
        "name": document.get("DisplayName") or "",
        "fully_qualified_name": document.get("FullyQualifiedName") or "",
        "customer_qbo_id": ref_id(parent),
        "customer_name": ref_name(parent),
        "active": document.get("Active", True) is not False,
    }
    return {**values, **synced_rest(document)}


@transaction.atomic
def ingest_project_customers(company, customer_documents: list[dict]) -> int:
    """From a page of REST Customer documents, the projects (IsProject true) into Project rows; others ignored.

    Every plan with projects has these (Plus has no Projects API), so they are the projects' common ground.
    """
    projects = [d for d in customer_documents if d.get("IsProject") is True and d.get("status") != "Deleted"]
    incoming = [Incoming(str(d["Id"]), project_customer_values(d)) for d in projects]
    written = upsert(Project, company, incoming, CUSTOMER_FIELDS)
    _link_waiting_rows(company, [item.qbo_id for item in incoming])
    return written.count


def register() -> None:
    on_ingest("Customer", ingest_project_customers)
    register_pull(
        PulledEntity(
            "Project",
            ingest_projects,
            remove_projects,
            order=PULL_ORDER,
            graphql=PROJECTS_SOURCE,
            requires="projects_api",
        )
    )
