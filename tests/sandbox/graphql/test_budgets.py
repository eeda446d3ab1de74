"""The project Budget API's rules: computed money, server sequenceIds, merge updates, states, errors, access."""

from decimal import Decimal

import pytest

from sandbox.models import GraphObject, Realm
from sandbox.testing import auth_headers, issue_token, make_realm

from .support import MARKS, make_customer

pytestmark = MARKS

BUDGET_FIELDS = """budgetId budgetName budgetType linkedEntityId total state syncToken deleted
  viewSettings { archived } budgetDetails { sequenceId order unitCost quantity amount description }"""
CREATE = (
    "mutation($budgetInput: BusinessPlanning_BudgetInput!) { businessPlanningCreateBudget(budgetInput:"
    f" $budgetInput) {{ budget {{ {BUDGET_FIELDS} }} clientMutationId }} }}"
)
UPDATE = CREATE.replace("businessPlanningCreateBudget", "businessPlanningUpdateBudget")
READ = f"query($budgetId: ID!) {{ businessPlanningBudget(budgetId: $budgetId) {{ {BUDGET_FIELDS} }} }}"
PAGE = """query($budgetId: ID!, $input: BusinessPlanning_FetchBudgetDetailsInput) {
  businessPlanningBudget(budgetId: $budgetId) { budgetDetailsPaginated(budgetDetailsInput: $input) {
    edges { cursor node { sequenceId } } pageInfo { startCursor endCursor hasPreviousPage hasNextPage }
    totalCount } } }"""
DELETE = """mutation($ids: [ID!]!) { businessPlanningDeleteBudgets(budgetIdsInput: {budgetIds: $ids}) {
  budgetResponseList { budgetId status description } } }"""


def _line(unit_cost, quantity, **fields):
    return {"type": "ITEM", "unitCost": Decimal(unit_cost), "quantity": Decimal(quantity), **fields}


@pytest.fixture
def project_id(create_project):
    return create_project("Budgeted")["id"]


@pytest.fixture
def create_budget(gql, project_id):
    def _create(lines=(), **fields):
        budget_input = {
            "budgetName": "Budget",
            "budgetType": "PROJECT",
            "linkedEntityId": project_id,
            "budgetDetails": list(lines),
            **fields,
        }
        status, body = gql(CREATE, {"budgetInput": budget_input})
        assert status == 200 and "errors" not in body, body
        return body["data"]["businessPlanningCreateBudget"]["budget"]

    return _create


def _update(gql, budget, lines=(), **fields):
    budget_input = {"budgetId": budget["budgetId"], "budgetName": "Budget", "budgetDetails": list(lines), **fields}
    return gql(UPDATE, {"budgetInput": budget_input})


def _error_code(body) -> str:
    assert body["data"] is None  # budget errors answer data: null
    return body["errors"][0]["extensions"]["errorCode"]


# ---- money ----


def test_amounts_are_unit_cost_times_quantity_in_exact_decimal(create_budget):
    budget = create_budget([_line("0.10", "3"), _line("33.33", "3"), _line("19.995", "1")])

    assert [line["amount"] for line in budget["budgetDetails"]] == [Decimal("0.30"), Decimal("99.99"), Decimal("20.00")]
    assert budget["total"] == Decimal("120.29")


def test_the_total_sent_is_ignored(create_budget):
    budget = create_budget([_line("100", "2")], total=Decimal("99999.99"))

    assert budget["total"] == Decimal("200.00")


def test_a_line_without_unit_cost_keeps_the_amount_sent(create_budget):
    budget = create_budget([{"type": "ITEM", "amount": Decimal("1234.56")}])

    assert budget["budgetDetails"][0]["amount"] == Decimal("1234.56")


# ---- lines ----


def test_server_assigns_sequence_ids_ignoring_the_ones_sent(create_budget):
    budget = create_budget([_line("1", "1", sequenceId="77"), _line("2", "1", sequenceId="77")])

    assert [line["sequenceId"] for line in budget["budgetDetails"]] == ["1", "2"]


def test_update_merges_by_sequence_id_and_leaves_other_lines(gql, create_budget):
    budget = create_budget([_line("10", "1", description="a"), _line("20", "1", description="b")])

    status, body = _update(gql, budget, [{"sequenceId": "2", "quantity": Decimal("3")}])

    lines = body["data"]["businessPlanningUpdateBudget"]["budget"]["budgetDetails"]
    assert [(line["sequenceId"], line["description"], line["amount"]) for line in lines] == [
        ("1", "a", Decimal("10.00")),
        ("2", "b", Decimal("60.00")),
    ]


def test_unknown_sequence_id_adds_a_line_with_a_new_server_id(gql, create_budget):
    budget = create_budget([_line("10", "1")])

    status, body = _update(gql, budget, [_line("5", "1", sequenceId="456")])

    updated = body["data"]["businessPlanningUpdateBudget"]["budget"]
    assert [line["sequenceId"] for line in updated["budgetDetails"]] == ["1", "2"]
    assert updated["total"] == Decimal("15.00")


def test_deleted_true_removes_the_line_and_new_lines_never_reuse_its_id(gql, create_budget):
    budget = create_budget([_line("10", "1"), _line("20", "1")])

    _update(gql, budget, [{"sequenceId": "2", "deleted": True}])
    status, body = _update(gql, budget, [_line("1", "1"), {"sequenceId": "999", "deleted": True}])

    lines = body["data"]["businessPlanningUpdateBudget"]["budget"]["budgetDetails"]
    assert [line["sequenceId"] for line in lines] == ["1", "3"]


def test_budget_name_is_required_on_update(gql, create_budget):
    budget = create_budget()

    status, body = gql(UPDATE, {"budgetInput": {"budgetId": budget["budgetId"]}})

    assert status == 400
    assert body["errors"][0]["extensions"]["innerCode"] == "GRAPHQL_VALIDATION_FAILED"


def test_sync_token_counts_updates_and_a_stale_one_is_still_accepted(gql, create_budget):
    budget = create_budget()

    _update(gql, budget, syncToken="0")
    status, body = _update(gql, budget, syncToken="0")

    assert body["data"]["businessPlanningUpdateBudget"]["budget"]["syncToken"] == "2"


def test_client_mutation_id_is_echoed(gql, create_budget):
    budget = create_budget()

    status, body = _update(gql, budget, clientMutationId="abc-1")

    assert body["data"]["businessPlanningUpdateBudget"]["clientMutationId"] == "abc-1"


# ---- states ----


def test_state_defaults_to_locked_and_cannot_go_back_to_draft(gql, create_budget):
    budget = create_budget()

    status, body = _update(gql, budget, state="DRAFT")

    assert budget["state"] == "LOCKED"
    assert (status, _error_code(body)) == (200, "PNB-INPUT-85")
    assert body["errors"][0]["extensions"]["errorName"] == "INVALID_LOCKED_STATE"


def test_draft_budget_can_be_locked(gql, create_budget):
    budget = create_budget(state="DRAFT")

    status, body = _update(gql, budget, state="LOCKED")

    assert budget["state"] == "DRAFT"
    assert body["data"]["businessPlanningUpdateBudget"]["budget"]["state"] == "LOCKED"


# ---- the linked project ----


def test_one_budget_per_project(gql, create_budget, project_id):
    create_budget()

    status, body = gql(
        CREATE, {"budgetInput": {"budgetName": "Second", "budgetType": "PROJECT", "linkedEntityId": project_id}}
    )

    assert (status, _error_code(body)) == (200, "PNB-INPUT-72")


def test_deleting_the_budget_frees_the_project_for_a_new_one(gql, create_budget):
    budget = create_budget()
    gql(DELETE, {"ids": [budget["budgetId"]]})

    assert create_budget()["budgetId"] != budget["budgetId"]


@pytest.mark.parametrize("target", ["unknown", "customer", "deleted project"])
def test_budget_needs_a_live_project(gql, realm, create_project, target):
    deleted = create_project("Deleted")
    gql("mutation($id: ID!) { projectManagementDeleteProject(input: {id: $id}) { __typename } }", {"id": deleted["id"]})
    linked = {
        "unknown": "999999",
        "customer": make_customer(realm, "Plain").document["Id"],
        "deleted project": deleted["id"],
    }[target]

    status, body = gql(CREATE, {"budgetInput": {"budgetName": "B", "budgetType": "PROJECT", "linkedEntityId": linked}})

    assert (status, _error_code(body)) == (200, "PNB-INPUT-75")


def test_budget_type_other_than_project_is_refused(gql, project_id):
    status, body = gql(
        CREATE, {"budgetInput": {"budgetName": "B", "budgetType": "PROFIT_AND_LOSS", "linkedEntityId": project_id}}
    )
    missing_status, missing = gql(CREATE, {"budgetInput": {"budgetName": "B", "linkedEntityId": project_id}})

    assert status == 400
    assert (missing_status, _error_code(missing)) == (200, "INVALID_BUDGET_TYPE")


# ---- delete ----


def test_deleted_budget_answers_pnb_input_024_to_everything(gql, create_budget):
    budget = create_budget()
    gql(DELETE, {"ids": [budget["budgetId"]]})

    assert _error_code(gql(READ, {"budgetId": budget["budgetId"]})[1]) == "PNB-INPUT-024"
    assert _error_code(_update(gql, budget)[1]) == "PNB-INPUT-024"
    assert _error_code(gql(DELETE, {"ids": [budget["budgetId"]]})[1]) == "PNB-INPUT-024"


def test_delete_is_all_or_nothing(gql, realm, create_budget):
    budget = create_budget()

    status, body = gql(DELETE, {"ids": [budget["budgetId"], "100000999"]})

    assert _error_code(body) == "BUDGET_NOT_FOUND"
    assert GraphObject.objects.get(realm=realm, object_id=budget["budgetId"]).deleted is False


# ---- paginated details ----


def test_paginated_details_walk_in_either_direction(gql, create_budget):
    budget = create_budget([_line("1", "1") for _ in range(5)])

    def page(**options):
        status, body = gql(PAGE, {"budgetId": budget["budgetId"], "input": options})
        return body["data"]["businessPlanningBudget"]["budgetDetailsPaginated"]

    first = page(first=2)
    second = page(first=2, after=first["pageInfo"]["endCursor"])
    backwards = page(first=3, sortBy=[{"field": "SEQUENCE_ID", "direction": "DESC"}])

    assert [edge["node"]["sequenceId"] for edge in second["edges"]] == ["3", "4"]
    assert (second["pageInfo"]["hasPreviousPage"], second["pageInfo"]["hasNextPage"]) == (True, True)
    assert [edge["node"]["sequenceId"] for edge in backwards["edges"]] == ["5", "4", "3"]
    assert page()["totalCount"] == 5 and len(page()["edges"]) == 5


def test_a_deleted_line_does_not_shift_the_next_page(gql, create_budget):
    budget = create_budget([_line("1", "1") for _ in range(4)])
    status, body = gql(PAGE, {"budgetId": budget["budgetId"], "input": {"first": 2}})
    cursor = body["data"]["businessPlanningBudget"]["budgetDetailsPaginated"]["pageInfo"]["endCursor"]

    _update(gql, budget, [{"sequenceId": "1", "deleted": True}])
    status, body = gql(PAGE, {"budgetId": budget["budgetId"], "input": {"first": 2, "after": cursor}})

    edges = body["data"]["businessPlanningBudget"]["budgetDetailsPaginated"]["edges"]
    assert [edge["node"]["sequenceId"] for edge in edges] == ["3", "4"]


# ---- access ----


def test_budgets_need_only_the_accounting_scope(gql, realm, project_id):
    accounting_only = auth_headers(issue_token(realm, scopes="com.intuit.quickbooks.accounting"))

    status, body = gql(
        CREATE,
        {"budgetInput": {"budgetName": "B", "budgetType": "PROJECT", "linkedEntityId": project_id}},
        as_headers=accounting_only,
    )

    assert status == 200 and "errors" not in body


def test_plus_company_gets_realm_sku_does_not_match(gql):
    plus = make_realm("9341450000000002", "Plus Co", plan=Realm.Plan.PLUS)

    status, body = gql(READ, {"budgetId": "100000001"}, as_headers=auth_headers(issue_token(plus)))

    assert (status, _error_code(body)) == (200, "PNB-PCBM-008")
    assert body["errors"][0]["extensions"]["errorName"] == "REALM_SKU_DOES_NOT_MATCH"


def test_unknown_budget_is_an_error_with_data_null(gql):
    status, body = gql(READ, {"budgetId": "100000001"})

    assert (status, _error_code(body)) == (200, "BUDGET_NOT_FOUND")
