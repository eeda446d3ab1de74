"""Helpers for the GraphQL tests: posting documents, reading the seed fixtures, seeding customers."""

from pathlib import Path

import pytest

from sandbox import codec, store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "graphql"

# The sandbox's URL map, as the brief of these tests asks.
URLCONF = "sandbox.urls"
MARKS = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls(URLCONF)]


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


def fixture_json(name: str):
    return codec.loads(fixture_text(name))


def post(client, headers: dict, query: str, variables=None, operation_name=None):
    """POST a GraphQL request (JSON written Decimal-exact, as a client would) and return the response."""
    body = {"query": query, "variables": variables}
    if operation_name:
        body["operationName"] = operation_name
    return client.post("/graphql", data=codec.dumps(body), content_type="application/json", **headers)


def answer(response) -> dict:
    return codec.loads(response.content)


def make_customer(realm, name: str = "Acme Builders", **fields):
    """A top-level QuickBooks customer, as the REST layer stores it."""
    document = {
        "DisplayName": name,
        "FullyQualifiedName": name,
        "Job": False,
        "IsProject": False,
        "Active": True,
        "Level": 0,
        **fields,
    }
    return store.create(realm, "Customer", document)


PROJECT_FIELDS = """
  id name description type status priority dueDate startDate completedDate completionRate pinned deleted
  customer { id } account { id } assignee { id }
  emailAddress { email name } addresses { streetAddressLine1 city state postalCode country }
"""

CREATE = (
    "mutation($input: ProjectManagement_CreateProjectInput!) { projectManagementCreateProject(input: $input) {"
    f" ... on ProjectManagement_Project {{ {PROJECT_FIELDS} }} }} }}"
)
