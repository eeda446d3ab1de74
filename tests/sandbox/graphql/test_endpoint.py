"""POST /graphql as a transport: Intuit's 400s for invalid documents, gateway envelopes, exact money."""

from decimal import Decimal

from sandbox.testing import auth_headers, issue_token

from .support import MARKS, answer, post

pytestmark = MARKS

READ_ONE = "query($id: ID!) { projectManagementProject(id: $id) { id name } }"


def test_unparsable_document_is_400_graphql_parse_failed_with_location(gql):
    status, body = gql("query {\n  projectManagementProject(id: 1 {\n id }")

    assert status == 400
    [error] = body["errors"]
    assert error["message"] == "Syntax error. Unable to parse incoming request"
    assert error["locations"] == [{"line": 2, "column": 34}]
    assert error["extensions"]["code"] == "VAL-0100"
    assert error["extensions"]["innerCode"] == "GRAPHQL_PARSE_FAILED"
    assert error["extensions"]["classification"] == "VALIDATION_ERROR"
    assert "Syntax Error" in error["extensions"]["innerMessage"]


def test_unknown_field_is_400_graphql_validation_failed(gql):
    status, body = gql('{ projectManagementProject(id: "1") { id noSuchField } }')

    assert status == 400
    [error] = body["errors"]
    assert error["extensions"]["innerCode"] == "GRAPHQL_VALIDATION_FAILED"
    assert "noSuchField" in error["extensions"]["innerMessage"]
    assert "data" not in body


def test_missing_required_variable_is_400_before_any_resolver_runs(gql):
    status, body = gql(READ_ONE, {})

    assert status == 400
    assert body["errors"][0]["extensions"]["innerCode"] == "GRAPHQL_VALIDATION_FAILED"
    assert "$id" in body["errors"][0]["extensions"]["innerMessage"]


def test_variable_of_the_wrong_enum_is_400(gql, customer):
    query = 'mutation($s: ProjectManagement_Status) { projectManagementCreateProject(input: {name: "A",'
    query += ' customer: {id: "1"}, status: $s}) { ... on ProjectManagement_Project { id } } }'

    status, body = gql(query, {"s": "DONE"})

    assert status == 400
    assert "DONE" in body["errors"][0]["extensions"]["innerMessage"]


def test_body_that_is_not_json_is_400_parse_failed(client, headers):
    response = client.post("/graphql", data="{not json", content_type="application/json", **headers)

    assert response.status_code == 400
    assert answer(response)["errors"][0]["extensions"]["innerCode"] == "GRAPHQL_PARSE_FAILED"


def test_several_operations_need_an_operation_name(gql):
    two = "query A { businessPlanningBudget(budgetId: 1) { budgetId } } query B { __typename }"

    status, body = gql(two)
    named_status, named_body = gql(two, operation_name="B")

    assert status == 400
    assert named_status == 200 and named_body == {"data": {"__typename": "Query"}}


def test_get_is_not_served(client, headers):
    assert client.get("/graphql", **headers).status_code == 405


def test_missing_token_is_401_in_the_graphql_gateway_envelope(client):
    response = post(client, {}, READ_ONE, {"id": "1"})

    assert response.status_code == 401
    body = answer(response)
    assert body["code"] == "AuthenticationFailed" and body["type"] == "INPUT"
    assert set(body) == {"code", "type", "message", "detail", "moreInfo"}
    assert response["WWW-Authenticate"] == 'Bearer realm="Intuit"'


def test_token_without_the_accounting_scope_is_403(client, realm):
    headers = auth_headers(issue_token(realm, scopes="project-management.project"))

    response = post(client, headers, READ_ONE, {"id": "1"})

    assert response.status_code == 403
    assert answer(response)["code"] == "Forbidden"


def test_decimal_input_comes_back_digit_for_digit(create_project):
    project = create_project(completionRate=Decimal("33.3333333333333333333333"))

    assert project["completionRate"] == Decimal("33.3333333333333333333333")


def test_decimal_literal_in_the_document_is_exact(gql, customer):
    query = (
        'mutation { projectManagementCreateProject(input: {name: "Exact", customer: {id: "CUSTOMER"},'
        " completionRate: 12.10}) { ... on ProjectManagement_Project { completionRate } } }"
    ).replace("CUSTOMER", customer.document["Id"])

    status, body = gql(query)

    assert status == 200
    assert body["data"]["projectManagementCreateProject"]["completionRate"] == Decimal("12.10")


def test_money_is_written_as_a_json_number_without_float_rounding(client, headers, create_project):
    create_project(completionRate=Decimal("0.10000000000000000001"))
    response = post(
        client, headers, "{ projectManagementProjects(first: 1, filter: {}) { edges { node { completionRate } } } }"
    )

    assert b'"completionRate":0.10000000000000000001' in response.content
