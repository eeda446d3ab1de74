"""projectManagementProjects pages in SQL: the same answers as filtering every project's node in Python, and a
fixed number of queries however many projects the company has.

`python_page` below is the listing as the sandbox computed it before it paged in SQL (decode every project,
filter, sort, slice): each case asks the endpoint and that reference for the same page and wants the same edges
and pageInfo. The projects cover what the filters can meet: every status, no status at all, priorities and types
and dates present or missing, deleted projects, projects of two customers, projects made in QuickBooks (no
Projects API fields) and plain sub-customers that are not projects.
"""

import base64
from decimal import Decimal
from importlib import import_module

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from sandbox import store
from sandbox.graphql.projects import DEFAULTS, PROJECT_KEY, node
from sandbox.models import Entity

from .support import MARKS, make_customer

pytestmark = MARKS

LIST = """query($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!,
  $orderBy: [ProjectManagement_OrderBy!]) {
  projectManagementProjects(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id name status priority type dueDate startDate deleted customer { id } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
UPDATE = (
    "mutation($input: ProjectManagement_UpdateProjectInput!) { projectManagementUpdateProject(input: $input)"
    " { ... on ProjectManagement_Project { id } } }"
)
DELETE = (
    "mutation($id: ID!) { projectManagementDeleteProject(input: {id: $id})"
    " { ... on ProjectManagement_Project { id } } }"
)


def cursor(offset: int) -> str:
    return base64.b64encode(f"simple-cursor{offset}".encode()).decode()


# ---- the reference: the listing as it was computed in Python ----


def _expression(value, expression, key=lambda value: value) -> bool:
    equals, within, without = (expression.get(name) for name in ("equals", "in", "nin"))
    return (
        (equals is None or value == key(equals))
        and (within is None or value in [key(item) for item in within])
        and (without is None or value not in [key(item) for item in without])
    )


def _between(value, expression) -> bool:
    bounds = expression["between"]
    return value is not None and bounds["minDate"] <= value <= bounds["maxDate"]


MATCHERS = {
    "id": lambda project, expr: _expression(project["id"], expr, str),
    "status": lambda project, expr: _expression(project["status"], expr),
    "customer": lambda project, expr: _expression(
        (project["customer"] or {}).get("id"), expr, lambda customer: str(customer["id"])
    ),
    "type": lambda project, expr: _expression(project["type"], expr),
    "priority": lambda project, expr: _expression(project["priority"], expr),
    "dueDate": lambda project, expr: _between(project["dueDate"], expr),
    "startDate": lambda project, expr: _between(project["startDate"], expr),
}


def python_page(realm, project_filter: dict, first: int, after=None, order_by=None) -> dict:
    entities = Entity.objects.filter(realm=realm, type="Customer", deleted=False)
    projects = [node(entity, realm) for entity in entities if entity.document.get("IsProject") is True]
    projects = [
        project
        for project in projects
        if (not project["deleted"] or project_filter.get("deleted"))
        and all(
            MATCHERS[name](project, expr)
            for name, expr in project_filter.items()
            if name in MATCHERS and expr is not None
        )
    ]
    projects.sort(key=lambda project: int(project["id"]))
    for ordering in reversed(order_by or []):
        dated = sorted(
            (project for project in projects if project["dueDate"] is not None),
            key=lambda project: project["dueDate"],
            reverse=ordering == "DUE_DATE_DESC",
        )
        projects = dated + [project for project in projects if project["dueDate"] is None]
    start = int(base64.b64decode(after).decode().removeprefix("simple-cursor")) + 1 if after else 0
    edges = [{"cursor": cursor(start + n), "id": p["id"]} for n, p in enumerate(projects[start : start + first])]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": start + first < len(projects),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def served_page(gql, project_filter: dict, first: int, after=None, order_by=None) -> dict:
    variables = {"first": first, "after": after, "filter": project_filter, "orderBy": order_by}
    status, body = gql(LIST, variables)
    assert status == 200 and "errors" not in body, body
    connection = body["data"]["projectManagementProjects"]
    edges = [{"cursor": edge["cursor"], "id": edge["node"]["id"]} for edge in connection["edges"]]
    return {"edges": edges, "pageInfo": connection["pageInfo"]}


# ---- the company ----


def _project(realm, parent, name: str, **fields):
    """A project as stored (through `sandbox.store`); `fields=None` leaves out the Projects API's fields."""
    document = {
        "DisplayName": name,
        "Job": True,
        "IsProject": True,
        "ParentRef": {"value": parent.document["Id"], "name": parent.document["DisplayName"]},
        "Active": True,
    }
    if fields.pop("bare", False) is False:
        document[PROJECT_KEY] = {**DEFAULTS, **fields}
    return store.create(realm, "Customer", document)


@pytest.fixture
def company(realm, gql):
    acme, bay = make_customer(realm, "Acme Builders"), make_customer(realm, "Bayside Homes")
    jan, feb, mar = "2026-01-10T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-05T12:00:00.000Z"
    made = [
        _project(realm, acme, "Open A", status="OPEN", priority=1, type="Remodel", dueDate=feb, startDate=jan),
        _project(realm, bay, "Blocked", status="BLOCKED", priority=3, dueDate=jan),
        _project(realm, acme, "No fields", bare=True),
        _project(realm, acme, "Null status", status=None, priority=None, type=None),
        _project(realm, bay, "Done", status="COMPLETE", priority=9, type="Addition", dueDate=mar, startDate=feb),
        _project(realm, acme, "Open B", status="OPEN", priority=1, type="Remodel", dueDate=feb),
        _project(realm, bay, "Cancelled", status="CANCELED", priority=0, startDate=mar),
        _project(realm, acme, "Working", status="IN_PROGRESS", priority=5, type="remodel", dueDate=mar),
        _project(realm, bay, "Deleted", status="OPEN", priority=1, dueDate=jan, deleted=True),
        _project(realm, acme, "Other", status="OTHER", priority=Decimal("2"), type="", dueDate=feb),
    ]
    store.create(
        realm, "Customer", {"DisplayName": "A job", "Job": True, "IsProject": False, "ParentRef": {"value": "1"}}
    )
    gone = _project(realm, acme, "Hard deleted", status="OPEN")
    store.delete(gone)
    return {"acme": acme.document["Id"], "bay": bay.document["Id"], "ids": [e.document["Id"] for e in made]}


def _filters(company) -> list[dict]:
    acme, bay, ids = company["acme"], company["bay"], company["ids"]
    window = {"minDate": "2026-01-10T00:00:00.000Z", "maxDate": "2026-02-01T00:00:00.000Z"}
    return [
        {},
        {"deleted": True},
        {"deleted": False, "includeRecurringProjects": True},
        {"status": {"equals": "OPEN"}},
        {"status": {"equals": "OTHER"}},
        {"status": {"in": ["OPEN", "BLOCKED", "OTHER"]}},
        {"status": {"nin": ["OPEN", "OTHER"]}},
        {"status": {"nin": []}},
        {"status": {"in": []}},
        {"status": {"equals": "OPEN", "in": ["OPEN", "COMPLETE"], "nin": ["BLOCKED"]}, "deleted": True},
        {"status": {"equals": None, "in": None}},
        {"priority": {"equals": 1}},
        {"priority": {"in": [0, 2, 9]}},
        {"type": {"equals": "Remodel"}},
        {"type": {"in": ["", "Addition"]}},
        {"customer": {"equals": {"id": acme}}},
        {"customer": {"in": [{"id": bay}, {"id": "404"}]}, "deleted": True},
        {"id": {"equals": ids[4]}},
        {"id": {"in": [ids[0], ids[8], f"0{ids[1]}", " 3", "x", ids[2]]}},
        {"id": {"in": [ids[8]]}, "deleted": True},
        {"dueDate": {"between": window}},
        {"startDate": {"between": {"minDate": "2026-02-01T00:00:00.000Z", "maxDate": "2027-01-01T00:00:00.000Z"}}},
        {"dueDate": {"between": window}, "status": {"nin": ["BLOCKED"]}, "customer": {"in": [{"id": acme}]}},
        {"priority": None, "type": None, "dueDate": None},
    ]


ORDERS = [None, [], ["DUE_DATE_ASC"], ["DUE_DATE_DESC"], ["DUE_DATE_DESC", "DUE_DATE_ASC"]]


def test_every_filter_and_ordering_answers_what_filtering_in_python_answered(gql, realm, company):
    for project_filter in _filters(company):
        for order_by in ORDERS:
            expected = python_page(realm, project_filter, 100, None, order_by)
            assert served_page(gql, project_filter, 100, None, order_by) == expected, (project_filter, order_by)


@pytest.mark.parametrize("order_by", [None, ["DUE_DATE_ASC"], ["DUE_DATE_DESC"]])
@pytest.mark.parametrize("first", [1, 3, 4, 100])
def test_every_page_and_cursor_answers_what_slicing_in_python_answered(gql, realm, company, first, order_by):
    for project_filter in ({}, {"deleted": True}, {"status": {"nin": ["OPEN"]}}):
        for offset in [None, -5, -3, -2, -1, 0, 1, 2, 5, 8, 9, 10, 11, 40, 2**63, 10**30]:
            after = None if offset is None else cursor(offset)
            expected = python_page(realm, project_filter, first, after, order_by)
            served = served_page(gql, project_filter, first, after, order_by)
            assert served == expected, (project_filter, offset)


def test_following_end_cursors_visits_every_project_once_in_order(gql, realm, company):
    for order_by in ORDERS:
        seen, after = [], None
        while True:
            page = served_page(gql, {"deleted": True}, 3, after, order_by)
            seen += [edge["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [edge["id"] for edge in python_page(realm, {"deleted": True}, 100, None, order_by)["edges"]]
        assert len(seen) == len(set(seen)) == 10


def test_due_date_orders_put_undated_projects_last_and_break_ties_by_id(gql, company):
    ids = company["ids"]
    ascending = [edge["id"] for edge in served_page(gql, {}, 100, None, ["DUE_DATE_ASC"])["edges"]]
    descending = [edge["id"] for edge in served_page(gql, {}, 100, None, ["DUE_DATE_DESC"])["edges"]]

    # Blocked (Jan); Open A, Open B, Other (Feb, by id); Done, Working (Mar); then undated by id.
    assert ascending == [ids[1], ids[0], ids[5], ids[9], ids[4], ids[7], ids[2], ids[3], ids[6]]
    assert descending == [ids[4], ids[7], ids[0], ids[5], ids[9], ids[1], ids[2], ids[3], ids[6]]


def test_a_missing_status_is_in_no_list(gql, company):
    names = {edge["id"] for edge in served_page(gql, {"status": {"nin": ["OPEN", "OTHER"]}}, 100)["edges"]}
    listed = {edge["id"] for edge in served_page(gql, {"status": {"in": ["OPEN", "OTHER"]}}, 100)["edges"]}

    null_status, no_fields = company["ids"][3], company["ids"][2]
    assert null_status in names and null_status not in listed  # status null: not OPEN, not OTHER
    assert no_fields in listed and no_fields not in names  # no Projects API fields: status OTHER by default


# ---- the listing follows every write ----


def test_updates_and_deletes_through_the_api_move_projects_between_filters(gql, realm, company):
    open_a = company["ids"][0]

    gql(UPDATE, {"input": {"id": open_a, "status": "BLOCKED", "priority": 7, "dueDate": "2030-01-01T00:00:00Z"}})
    blocked = served_page(gql, {"status": {"equals": "BLOCKED"}, "priority": {"equals": 7}}, 10)
    assert [edge["id"] for edge in blocked["edges"]] == [open_a]
    latest = served_page(gql, {}, 1, None, ["DUE_DATE_DESC"])
    assert latest["edges"][0]["id"] == open_a

    gql(UPDATE, {"input": {"id": open_a, "customer": {"id": company["bay"]}}})
    assert open_a in [
        edge["id"] for edge in served_page(gql, {"customer": {"equals": {"id": company["bay"]}}}, 10)["edges"]
    ]

    gql(DELETE, {"id": open_a})
    assert open_a not in [edge["id"] for edge in served_page(gql, {}, 100)["edges"]]
    assert open_a in [edge["id"] for edge in served_page(gql, {"deleted": True}, 100)["edges"]]
    assert served_page(gql, {"deleted": True}, 100) == python_page(realm, {"deleted": True}, 100)


def test_a_rest_update_of_a_project_customer_keeps_it_listed_with_its_fields(gql, realm, company, client):
    from sandbox.testing import auth_headers, issue_token

    done = store.get(realm, "Customer", company["ids"][4]).document
    body = {"Id": done["Id"], "SyncToken": done["SyncToken"], "sparse": True, "DisplayName": "Done (renamed)"}
    response = client.post(
        f"/v3/company/{realm.realm_id}/customer",
        data=body,
        content_type="application/json",
        **auth_headers(issue_token(realm)),
    )
    assert response.status_code == 200, response.content

    page = served_page(gql, {"status": {"equals": "COMPLETE"}, "type": {"equals": "Addition"}}, 10)
    assert [edge["id"] for edge in page["edges"]] == [done["Id"]]


def test_the_migration_fills_the_columns_of_projects_already_stored(realm, company):
    migration = import_module("sandbox.migrations.0003_project_columns")
    before = list(Entity.objects.order_by("pk").values_list("pk", *migration.PROJECT_COLUMNS))
    Entity.objects.update(
        is_project=False,
        project_customer=None,
        project_status=None,
        project_type=None,
        project_priority=None,
        project_due=None,
        project_start=None,
        project_deleted=False,
    )

    from django.apps import apps

    class Editor:
        connection = connections["sandbox"]

    migration.fill_project_columns(apps, Editor())

    assert list(Entity.objects.order_by("pk").values_list("pk", *migration.PROJECT_COLUMNS)) == before
    assert Entity.objects.filter(is_project=True).count() == 11  # ten listed, one hard-deleted


# ---- cost ----


def _queries(gql, variables) -> int:
    with CaptureQueriesContext(connections["sandbox"]) as captured:
        status, body = gql(LIST, variables)
    assert status == 200 and "errors" not in body, body
    return len(captured)


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 5, "filter": {}},
        {"first": 5, "after": cursor(7), "filter": {"deleted": True}, "orderBy": ["DUE_DATE_DESC"]},
        {"first": 5, "after": cursor(-3), "filter": {"status": {"nin": ["BLOCKED"]}}},
    ],
)
def test_a_page_costs_the_same_queries_for_ten_projects_as_for_two_hundred(gql, realm, company, variables):
    few = _queries(gql, variables)
    parent = make_customer(realm, "Many Projects Inc")
    for n in range(190):
        _project(realm, parent, f"Bulk {n:03d}", status="OPEN", priority=n % 10, dueDate=f"2026-04-{n % 28 + 1:02d}")

    many = _queries(gql, variables)

    assert many == few
    assert few <= 4  # the token, the fault rules, the page (a count first for a cursor from the end)
