"""Projects written from Costline to QuickBooks through the Projects API (GraphQL), by way of the push outbox.

`register()` plugs the Project entity into the sync engine (called from `ProjectsConfig.ready`). The outbox calls
`send_project`, which creates, updates or soft-deletes the project with the projectManagement* mutations, and
`apply_project_document`, which takes QuickBooks' answer back with the same mapping the pull uses.

The Projects API has no SyncToken (so no stale-object path: `send_project` never raises StaleObjectError) and no
idempotency key (`requestid` is a REST feature). A retry after a lost reply could therefore create the project a
second time; see `_adopt` for how a create avoids that.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from quickbooks.client import GraphQLError, QuickBooksClient, StaleObjectError
from quickbooks.sync.documents import plain
from quickbooks.sync.registry import PushedEntity, register_push

from ..models import Project
from .services import PLAN_MESSAGE, customer_problem, projects_api_available
from .sync import GRAPHQL_FIELDS, project_node_values

# The same selection the pull uses (PROJECTS_QUERY in sync.py), so the document kept after a push equals the one the
# next pull brings and the pull sees no change.
NODE = """
      id name description type status priority customer { id } dueDate startDate completedDate
      completionRate pinned deleted
      emailAddress { email name }
      addresses { streetAddressLine1 streetAddressLine2 streetAddressLine3 postalCode city state country }
"""
CREATE = """
mutation CreateProject($input: ProjectManagement_CreateProjectInput!) {
  projectManagementCreateProject(input: $input) { ... on ProjectManagement_Project { NODE } }
}
""".replace("NODE", NODE)
UPDATE = """
mutation UpdateProject($input: ProjectManagement_UpdateProjectInput!) {
  projectManagementUpdateProject(input: $input) { ... on ProjectManagement_Project { NODE } }
}
""".replace("NODE", NODE)
DELETE = """
mutation DeleteProject($input: ProjectManagement_DeleteProjectInput!) {
  projectManagementDeleteProject(input: $input) { ... on ProjectManagement_Project { NODE } }
}
""".replace("NODE", NODE)
READ = "query Project($id: ID!) { projectManagementProject(id: $id) { NODE } }".replace("NODE", NODE)
FIND = """
query FindProjects($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!) {
  projectManagementProjects(first: $first, after: $after, filter: $filter) {
    edges { node { NODE } }
    pageInfo { hasNextPage endCursor }
  }
}
""".replace("NODE", NODE)


def date_time(value: date | None) -> str | None:
    """A date as the Projects API's DateTime (midnight UTC, the form QuickBooks answers with)."""
    return f"{value.isoformat()}T00:00:00.000Z" if value else None


def project_to_document(project: Project) -> dict:
    """The fields Costline edits, as ProjectManagement_*ProjectInput (without `id`). Empty values are null:
    an update clears them in QuickBooks; a create leaves them out (see `send_project`)."""
    document = {
        "name": project.name.strip(),
        "description": project.description or None,
        "status": project.status or Project.Status.OTHER,
        "priority": project.priority,
        "customer": {"id": project.customer_qbo_id} if project.customer_qbo_id else None,
        "startDate": date_time(project.start_date),
        "dueDate": date_time(project.due_date),
        "completionRate": plain(project.completion_rate),
        "pinned": bool(project.pinned),
        "emailAddress": [
            {"email": address["email"]} for address in project.email_addresses or [] if address.get("email")
        ],
    }
    if project.company.realm_id:
        document["account"] = {"id": project.company.realm_id}
    return document


def _result(data: dict, field: str) -> dict:
    node = data.get(field)
    if not node or "id" not in node:  # a union member Costline does not know: nothing to take back
        raise GraphQLError(f"QuickBooks answered {field} without a project", code="NO_PROJECT")
    return node


def _read(client: QuickBooksClient, qbo_id: str) -> dict | None:
    return client.graphql(READ, {"id": qbo_id}).get("projectManagementProject")


def _adopt(client: QuickBooksClient, project: Project) -> dict | None:
    """The project QuickBooks already has under this name for this customer, if any.

    The Projects API takes no requestid: if an earlier attempt's create reached QuickBooks but its reply was lost,
    creating again would make a second project (or be refused as a duplicate name). So before every create we look
    for a live project with the same name (QuickBooks compares names without case) and the same customer, and
    adopt it. The customer filter narrows the listing; the match is checked here too, since Intuit's notes say
    not every filter takes effect.
    """
    name, customer = project.name.strip().casefold(), str(project.customer_qbo_id)
    variables = {"filter": {"customer": {"equals": {"id": customer}}}}
    for node in client.graphql_nodes(FIND, variables, ["projectManagementProjects"]):
        if (
            (node.get("name") or "").strip().casefold() == name
            and str((node.get("customer") or {}).get("id")) == customer
            and not node.get("deleted")
        ):
            return node
    return None


def send_project(client: QuickBooksClient, project: Project, document: dict, request_id: str) -> dict | None:
    """Create, update or soft-delete the project; QuickBooks' resulting node, or None when there is nothing in
    QuickBooks to delete. `request_id` is unused: the Projects API has no idempotency key (see `_adopt`)."""
    try:
        if project.deleted:
            return _delete(client, project)
        if not project.qbo_id:
            found = _adopt(client, project)
            if found is None:
                create = {key: value for key, value in document.items() if value not in (None, [])}
                return _result(client.graphql(CREATE, {"input": create}), "projectManagementCreateProject")
            project.qbo_id = str(found["id"])  # adopted: now update it to what the form said
        update = {**document, "id": project.qbo_id}
        return _result(client.graphql(UPDATE, {"input": update}), "projectManagementUpdateProject")
    except StaleObjectError as error:  # GraphQL has no SyncToken; never let the REST merge path run for a project
        raise GraphQLError(error.message, code=error.code, detail=error.detail) from error


def _delete(client: QuickBooksClient, project: Project) -> dict | None:
    qbo_id = project.qbo_id
    if not qbo_id:  # deleted before it reached QuickBooks, unless a lost reply hid a create that did
        found = _adopt(client, project)
        if found is None:
            return None
        qbo_id = str(found["id"])
    try:
        return _result(client.graphql(DELETE, {"input": {"id": qbo_id}}), "projectManagementDeleteProject")
    except GraphQLError:
        # A retry after a lost reply: QuickBooks refuses to delete twice. Already deleted is what we wanted.
        node = _read(client, qbo_id)
        if node and node.get("deleted"):
            return node
        raise


@transaction.atomic
def apply_project_document(project: Project, document: dict) -> Project:
    """QuickBooks' node becomes the local copy (the pull's own mapping, project_node_values)."""
    for name, value in project_node_values(document).items():
        setattr(project, name, value)
    project.qbo_id = str(document["id"])
    project.save(update_fields=[*GRAPHQL_FIELDS, "qbo_id"])
    return project


def check_project(project: Project) -> None:
    """Before anything is sent: the plan has the Projects API, and (unless deleting) the customer is a real,
    active customer that is not itself a project."""
    if not projects_api_available(project.company):
        raise ValidationError(PLAN_MESSAGE)
    if not project.deleted and (problem := customer_problem(project.company, project.customer_qbo_id)):
        raise ValidationError(problem)


def register() -> None:
    register_push(
        PushedEntity(
            "Project",
            Project,
            project_to_document,
            apply_project_document,
            send=send_project,
            check=check_project,
            id_key="id",
        )
    )
