"""Every GraphQL example of the project Budget use case (tests/sandbox/fixtures/graphql/budget_*), replayed.

The seed's responses do not follow from its own requests in places (another budget name, the input total echoed,
one line of two); the sandbox follows docs/quickbooks-api.md (Budget rules) there and the comments say so. Intuit
numbers budgets from 100000001, as the sandbox does per company, so the seed's budget ids work verbatim.
"""

from decimal import Decimal

import pytest

from .support import MARKS, fixture_json, fixture_text

pytestmark = MARKS

SEED_LINE_1 = {
    "sequenceId": "1",
    "order": "1",
    "type": "ITEM",
    "itemId": "5001",
    "unitCost": Decimal("100.00"),
    "quantity": 10,
    "amount": Decimal("1000.00"),
    "description": "Design Services",
    "date": "2024-01-15",
    "accountId": "79",
    "klassId": "1001",
    "locationId": None,
}
SEED_LINE_2 = {
    "sequenceId": "2",
    "order": "2",
    "type": "ITEM",
    "itemId": "5002",
    "unitCost": Decimal("150.00"),
    "quantity": 20,
    "amount": Decimal("3000.00"),
    "description": "Development Services",
    "date": "2024-02-01",
    "accountId": "79",
    "klassId": None,
    "locationId": None,
}


@pytest.fixture
def project_id(create_project):
    return create_project("Project Alpha")["id"]


@pytest.fixture
def seed_budget(gql, project_id):
    """The seed's create request (fixed to parse), for our project; returns the created budget."""
    variables = fixture_json("budget_create.variables.json")
    variables["budgetInput"]["linkedEntityId"] = project_id
    status, body = gql(fixture_text("budget_create.fixed.graphql"), variables)
    assert status == 200 and "errors" not in body, body
    return body["data"]["businessPlanningCreateBudget"]["budget"]


def test_create_budget_as_printed_in_the_seed_does_not_parse(gql, project_id):
    status, body = gql(fixture_text("budget_create.graphql"), fixture_json("budget_create.variables.json"))

    assert status == 400
    assert body["errors"][0]["extensions"]["innerCode"] == "GRAPHQL_PARSE_FAILED"


def test_create_budget_replay_answers_the_seed_shape_with_computed_values(seed_budget, project_id):
    seed = fixture_json("budget_create.response.json")["data"]["businessPlanningCreateBudget"]["budget"]

    assert set(seed_budget) == set(seed) - {"syncToken"}  # the seed answers syncToken without selecting it
    assert seed_budget["budgetId"] == seed["budgetId"] == "100000001"
    assert seed_budget["budgetName"] == "Project STTA4123423TE"  # the name sent (the seed answers another)
    assert (seed_budget["budgetType"], seed_budget["linkedEntityId"]) == ("PROJECT", project_id)
    assert (seed_budget["startDate"], seed_budget["endDate"]) == ("2026-01-01", "2026-12-31")
    # Budget rules (docs/quickbooks-api.md): state defaults to LOCKED (the seed shows DRAFT), the total is the sum
    # of the lines (the seed echoes the 50000.00 sent), and both lines the seed nests in viewSettings are kept.
    assert seed_budget["state"] == "LOCKED"
    assert seed_budget["total"] == Decimal("4000.00")
    assert seed_budget["budgetDetails"] == [SEED_LINE_1, SEED_LINE_2]
    assert seed["budgetDetails"] == [SEED_LINE_1]
    assert seed_budget["budgetMetaData"]["createdBy"] == "test-client"
    assert seed_budget["budgetMetaData"]["createdAt"].endswith("Z")


def test_read_budget_replay_answers_the_seed_response(gql, seed_budget, project_id):
    status, body = gql(fixture_text("budget_read.graphql"), fixture_json("budget_read.variables.json"))

    seed = fixture_json("budget_read.response.json")
    expected = seed["data"]["businessPlanningBudget"]
    meta = body["data"]["businessPlanningBudget"]["budgetMetaData"]
    expected.update(
        budgetName="Project STTA4123423TE",
        startDate="2026-01-01",
        endDate="2026-12-31",
        linkedEntityId=project_id,
        total=Decimal("4000.00"),
        state="LOCKED",
        budgetMetaData=meta,
        budgetDetails=[{**line, "dimensions": [], "customFields": []} for line in (SEED_LINE_1, SEED_LINE_2)],
    )
    assert (status, body) == (200, seed)
    assert meta["createdAt"] == meta["updatedAt"] and meta["createdBy"] == meta["lastUpdatedBy"]


def test_paginated_read_replay_answers_the_seed_page(gql, project_id):
    lines = [
        {
            "unitCost": Decimal("100.00"),
            "quantity": 10,
            "description": "Design Services",
            "type": "ITEM",
            "itemId": "5001",
            "date": "2024-01-15",
            "accountId": "79",
            "klassId": "1001",
            "order": str(n),
        }
        for n in range(1, 26)
    ]
    create = fixture_text("budget_create.fixed.graphql")
    gql(
        create,
        {
            "budgetInput": {
                "budgetName": "Project Alpha Budget",
                "budgetType": "PROJECT",
                "linkedEntityId": project_id,
                "budgetDetails": lines,
            }
        },
    )

    status, body = gql(
        fixture_text("budget_read_paginated.graphql"), fixture_json("budget_read_paginated.variables.json")
    )

    seed = fixture_json("budget_read_paginated.response.json")["data"]["businessPlanningBudget"]
    page = body["data"]["businessPlanningBudget"]["budgetDetailsPaginated"]
    assert status == 200
    assert page["edges"][0] == seed["budgetDetailsPaginated"]["edges"][0]
    assert len(page["edges"]) == 10  # the seed asks for first: 10 and shows one edge
    assert page["totalCount"] == seed["budgetDetailsPaginated"]["totalCount"] == 25
    assert page["pageInfo"]["startCursor"] == seed["budgetDetailsPaginated"]["pageInfo"]["startCursor"]
    assert (page["pageInfo"]["hasPreviousPage"], page["pageInfo"]["hasNextPage"]) == (False, True)


def test_update_budget_replay_merges_the_line_and_answers_the_seed_shape(gql, seed_budget, project_id):
    variables = fixture_json("budget_update.variables.json")
    variables["budgetInput"]["linkedEntityId"] = project_id

    status, body = gql(fixture_text("budget_update.graphql"), variables)

    seed = fixture_json("budget_update.response.json")
    expected = seed["data"]["businessPlanningUpdateBudget"]
    meta = body["data"]["businessPlanningUpdateBudget"]["budget"]["budgetMetaData"]
    # Lines merge by sequenceId: line 1 takes the new values, line 2 (not sent) stays; the total is computed.
    expected["budget"].update(
        linkedEntityId=project_id,
        total=Decimal("5250.00"),
        budgetMetaData=meta,
        budgetDetails=[expected["budget"]["budgetDetails"][0], SEED_LINE_2],
    )
    assert (status, body) == (200, seed)
    assert set(meta) == {"lastUpdatedBy", "updatedAt"}


def test_delete_line_snippet_as_printed_in_the_seed_is_refused(gql, seed_budget):
    status, body = gql(fixture_text("budget_delete_line.graphql"))

    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "VAL-0100"


def test_delete_line_replay_removes_the_line_and_its_amount(gql, seed_budget):
    document = fixture_text("budget_delete_line.fixed.graphql")
    document = document.replace("__BUDGET_ID__", seed_budget["budgetId"]).replace("__SEQUENCE_ID__", "1")

    status, body = gql(document)

    budget = body["data"]["businessPlanningUpdateBudget"]["budget"]
    assert budget["budgetDetails"] == [{"sequenceId": "2", "amount": Decimal("3000.00")}]
    assert budget["total"] == Decimal("3000.00")


def test_delete_budgets_replay_answers_the_seed_response(gql, seed_budget, create_project):
    second_project = create_project("Project Beta")["id"]
    create = fixture_text("budget_create.fixed.graphql")
    gql(create, {"budgetInput": {"budgetName": "Beta", "budgetType": "PROJECT", "linkedEntityId": second_project}})

    status, body = gql(fixture_text("budget_delete.graphql"), fixture_json("budget_delete.variables.json"))

    seed = fixture_json("budget_delete.response.json")
    for result in seed["data"]["businessPlanningDeleteBudgets"]["budgetResponseList"]:
        # The text of docs/quickbooks-api.md (Budget rules); the seed prints "Budget deleted successfully".
        result["description"] = "Delete budget successful."
    assert (status, body) == (200, seed)
    read_status, read = gql(fixture_text("budget_read.graphql"), {"budgetId": "100000002"})
    assert read["errors"][0]["extensions"]["errorCode"] == "PNB-INPUT-024"
