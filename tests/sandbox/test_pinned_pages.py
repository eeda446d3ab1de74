"""Pinned answers: REST query pages, CDC, a batch query and Projects GraphQL pages answer these exact bytes.

A company is built from fixed inputs at a frozen moment (generated books from `sandbox.scale`, plus projects made
through the Projects API with every field in play), then each request's status and body are compared byte for
byte with tests/sandbox/fixtures/pinned_pages.txt. That file was written by the sandbox as it was before its
pages were made fast (when every page decoded and re-encoded each document, and the Projects listing decoded
every project), so these tests hold the faster code to the very same answers.

An answer meant to change: rewrite the file with SANDBOX_PIN_WRITE=1 and review its diff.
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from sandbox import codec, store
from sandbox.scale import seed_scale
from sandbox.testing import auth_headers, issue_token, make_realm
from sandbox.timefmt import intuit_time

from .graphql.support import CREATE, PROJECT_FIELDS

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]

PINNED = Path(__file__).resolve().parent / "fixtures" / "pinned_pages.txt"
NOW = datetime(2026, 1, 15, 18, 30, 0, tzinfo=UTC)
LIST = (
    "query($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!,"
    " $orderBy: [ProjectManagement_OrderBy!]) {"
    " projectManagementProjects(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {"
    f" edges {{ cursor node {{ {PROJECT_FIELDS} completedBy {{ id }} }} }}"
    " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)
DELETE = (
    "mutation($id: ID!) { projectManagementDeleteProject(input: {id: $id})"
    " { ... on ProjectManagement_Project { id } } }"
)

REST_QUERIES = {
    "invoice page": "select * from Invoice maxresults 1000",
    "invoice page 2": "select * from Invoice startposition 21 maxresults 20",
    "customers with projects": "select * from Customer startposition 3 maxresults 30",
    "customers by name": "select * from Customer where DisplayName like 'Project%' orderby DisplayName desc",
    "jobs (python filter)": "select * from Customer where Job = true",
    "bills of a vendor by date": "select * from Bill where VendorRef = '7' orderby TxnDate desc maxresults 5",
    "invoices by total (python sort)": "select * from Invoice orderby TotalAmt desc, Id startposition 2 maxresults 7",
    "estimate count": "select count(*) from Estimate",
    "past the end": "select * from Invoice startposition 900",
    "non-ascii customer": "select * from Customer where DisplayName = 'Café Zoë'",
}


def _graphql_cases(ids: dict) -> dict:
    return {
        "first page": {"first": 7, "filter": {}},
        "after a cursor": {"first": 7, "after": ids["cursor"], "filter": {}},
        "all, due date descending": {"first": 100, "filter": {}, "orderBy": ["DUE_DATE_DESC"]},
        "due date ascending, second page": {
            "first": 4,
            "after": "c2ltcGxlLWN1cnNvcjM=",  # simple-cursor3
            "filter": {},
            "orderBy": ["DUE_DATE_ASC", "DUE_DATE_DESC"],
        },
        "deleted included": {"first": 100, "filter": {"deleted": True}},
        "status in": {"first": 100, "filter": {"status": {"in": ["OPEN", "BLOCKED"]}}},
        "status not in": {"first": 100, "filter": {"status": {"nin": ["IN_PROGRESS"]}}},
        "status equals, deleted too": {"first": 100, "filter": {"status": {"equals": "OTHER"}, "deleted": True}},
        "priority": {"first": 100, "filter": {"priority": {"in": [0, 3, 9]}}},
        "type": {"first": 100, "filter": {"type": {"equals": "Remodel"}}},
        "customer": {"first": 100, "filter": {"customer": {"in": [{"id": ids["customer"]}, {"id": "999999"}]}}},
        "id": {"first": 100, "filter": {"id": {"in": [ids["first"], "007", "999999"]}}},
        "due between": {
            "first": 100,
            "filter": {"dueDate": {"between": {"minDate": "2025-10-01T00:00:00Z", "maxDate": "2026-03-31T00:00:00Z"}}},
            "orderBy": ["DUE_DATE_ASC"],
        },
        "start between, recurring": {
            "first": 100,
            "filter": {
                "startDate": {"between": {"minDate": "2025-09-01", "maxDate": "2025-12-01T12:00:00-08:00"}},
                "includeRecurringProjects": True,
            },
        },
        "nothing matches": {"first": 5, "filter": {"status": {"in": []}}},
        "negative cursor": {"first": 3, "after": "c2ltcGxlLWN1cnNvci0z", "filter": {}},  # simple-cursor-3
        "negative cursor, few matches": {  # simple-cursor-2: Python's slice from the end
            "first": 5,
            "after": "c2ltcGxlLWN1cnNvci0y",
            "filter": {"status": {"in": ["OPEN", "BLOCKED"]}},
        },
        "cursor past the end": {"first": 3, "after": "c2ltcGxlLWN1cnNvcjUwMA==", "filter": {}},  # simple-cursor500
        "bad cursor": {"first": 3, "after": "bm90LWEtY3Vyc29y", "filter": {}},
    }


@pytest.fixture(autouse=True)
def _unthrottled(unthrottled):
    """Many requests a second (see tests/sandbox/conftest.py)."""


@pytest.fixture
def frozen():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def _gql(client, headers, query, variables):
    body = codec.dumps({"query": query, "variables": variables})
    return client.post("/graphql", data=body, content_type="application/json", **headers)


def _build(client, headers, realm) -> dict:
    """Generated books, then projects through the Projects API with every field in play; returns ids to ask for."""
    seed_scale(realm, customers=40, transactions=120, seed=11)
    customer = store.create(realm, "Customer", {"DisplayName": "Café Zoë", "Job": False, "IsProject": False})
    customer_id = customer.document["Id"]
    made = []
    specs = [
        {"status": "OPEN", "priority": 3, "type": "Remodel", "dueDate": "2026-02-01T00:00:00Z"},
        {"status": "BLOCKED", "priority": 0, "dueDate": "2025-11-20T08:00:00-08:00", "startDate": "2025-10-01"},
        {"status": "COMPLETE", "completedDate": "2025-12-24T00:00:00Z", "completionRate": 100, "pinned": True},
        {"description": 'Ünïcode "quoted" \\ text', "emailAddress": [{"email": "a@b.co", "name": "A"}]},
        {"type": "Remodel", "priority": 9, "dueDate": "2026-02-01T00:00:00Z", "startDate": "2025-11-15T00:00:00Z"},
        {"addresses": [{"streetAddressLine1": "1 Main St", "city": "Oakland", "state": "CA", "country": "USA"}]},
    ]
    for n, fields in enumerate(specs):
        response = _gql(
            client, headers, CREATE, {"input": {"name": f"Pinned {n}", "customer": {"id": customer_id}, **fields}}
        )
        assert response.status_code == 200 and b'"errors"' not in response.content, response.content
        made.append(codec.loads(response.content)["data"]["projectManagementCreateProject"]["id"])
    assert _gql(client, headers, DELETE, {"id": made[2]}).status_code == 200
    return {"customer": customer_id, "first": made[0], "cursor": "c2ltcGxlLWN1cnNvcjY="}  # simple-cursor6


def _answers(client, realm) -> dict[str, tuple[int, str]]:
    headers = auth_headers(issue_token(realm))
    ids = _build(client, headers, realm)
    base = f"/v3/company/{realm.realm_id}"
    answers = {}
    for name, statement in REST_QUERIES.items():
        response = client.get(f"{base}/query", {"query": statement, "minorversion": "75"}, **headers)
        answers[f"rest {name}"] = response
    since = intuit_time(NOW - timedelta(days=20))
    answers["cdc"] = client.get(f"{base}/cdc", {"entities": "Customer,Invoice,Bill", "changedSince": since}, **headers)
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "select * from Purchase startposition 3 maxresults 4"}]}
    answers["batch query"] = client.post(
        f"{base}/batch", data=codec.dumps(batch), content_type="application/json", **headers
    )
    for name, variables in _graphql_cases(ids).items():
        answers[f"graphql {name}"] = _gql(client, headers, LIST, variables)
    return {name: (response.status_code, response.content.decode()) for name, response in answers.items()}


def _read_pinned() -> dict[str, tuple[int, str]]:
    pinned = {}
    for line in PINNED.read_text(encoding="utf-8").splitlines():
        name, status, body = line.split("\t")
        pinned[name] = (int(status), body)
    return pinned


def test_pages_answer_the_pinned_bytes(client, frozen):
    answers = _answers(client, make_realm())
    if os.environ.get("SANDBOX_PIN_WRITE"):
        lines = [f"{name}\t{status}\t{body}\n" for name, (status, body) in answers.items()]
        PINNED.write_text("".join(lines), encoding="utf-8")
    pinned = _read_pinned()

    assert list(answers) == list(pinned)
    for name, answer in answers.items():
        assert answer == pinned[name], f"{name}: the answer is not the pinned one"


def test_the_pinned_pages_are_full_answers():
    """The file holds real pages, not faults or empty answers (it would pin a broken sandbox just as well)."""
    pinned = _read_pinned()

    invoices = codec.loads(pinned["rest invoice page"][1])["QueryResponse"]["Invoice"]
    first = codec.loads(pinned["graphql first page"][1])["data"]["projectManagementProjects"]
    everything = codec.loads(pinned["graphql deleted included"][1])["data"]["projectManagementProjects"]
    assert len(invoices) > 20 and len(first["edges"]) == 7 and first["pageInfo"]["hasNextPage"] is True
    assert len(everything["edges"]) == 14  # 8 generated projects, 6 made here (one deleted)
    assert '"_project"' not in pinned["rest customers with projects"][1]
    assert pinned["graphql bad cursor"][1].count("INVALID_CURSOR") == 1
    assert all(status == 200 for status, _ in pinned.values())
