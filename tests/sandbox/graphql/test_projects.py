"""The Projects API's rules: projects are Customers, validation, filters, ordering, paging, access."""

from decimal import Decimal

from sandbox import store
from sandbox.graphql.projects import PROJECT_KEY
from sandbox.models import Realm
from sandbox.testing import auth_headers, issue_token, make_realm

from .support import CREATE, MARKS, make_customer

pytestmark = MARKS

READ = "query($id: ID!) { projectManagementProject(id: $id) { id name status deleted customer { id } } }"
LIST = """query($first: PositiveInt!, $after: String, $filter: ProjectManagement_ProjectFilter!,
  $orderBy: [ProjectManagement_OrderBy!]) {
  projectManagementProjects(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
UPDATE = (
    "mutation($input: ProjectManagement_UpdateProjectInput!) { projectManagementUpdateProject(input: $input)"
    " { ... on ProjectManagement_Project { id name priority completionRate customer { id } } } }"
)
DELETE = (
    "mutation($id: ID!) { projectManagementDeleteProject(input: {id: $id})"
    " { ... on ProjectManagement_Project { id deleted } } }"
)


def _names(gql, project_filter, **variables):
    status, body = gql(LIST, {"first": 50, "filter": project_filter, **variables})
    assert status == 200 and "errors" not in body, body
    return [edge["node"]["name"] for edge in body["data"]["projectManagementProjects"]["edges"]]


def _error(body) -> dict:
    [error] = body["errors"]
    return error["extensions"]


# ---- a project is a QuickBooks Customer ----


def test_created_project_is_a_job_customer_under_its_customer(realm, customer, create_project):
    project = create_project("Kitchen Remodel", description="Two walls")

    document = store.get(realm, "Customer", project["id"]).document
    assert document["Id"] == project["id"]
    assert document["DisplayName"] == "Kitchen Remodel"
    assert document["FullyQualifiedName"] == "Acme Builders:Kitchen Remodel"
    assert (document["Job"], document["IsProject"], document["Level"]) == (True, True, 1)
    assert document["ParentRef"] == {"value": customer.document["Id"], "name": "Acme Builders"}
    assert document[PROJECT_KEY]["description"] == "Two walls"


def test_new_project_defaults_to_status_other_unpinned_and_belongs_to_the_token_company(realm, create_project):
    project = create_project(account={"id": "999"})

    assert (project["status"], project["pinned"], project["deleted"]) == ("OTHER", False, False)
    assert (project["addresses"], project["emailAddress"], project["priority"]) == ([], [], None)
    assert project["account"] == {"id": realm.realm_id}


def test_update_is_a_customer_update_with_a_new_sync_token(gql, realm, create_project):
    project = create_project("Old Name")

    status, body = gql(UPDATE, {"input": {"id": project["id"], "name": "New Name", "priority": 9}})

    assert status == 200
    assert body["data"]["projectManagementUpdateProject"]["name"] == "New Name"
    document = store.get(realm, "Customer", project["id"]).document
    assert (document["SyncToken"], document["FullyQualifiedName"]) == ("1", "Acme Builders:New Name")


def test_update_leaves_fields_not_sent_unchanged(gql, create_project):
    project = create_project(priority=4, completionRate=Decimal("10"))

    gql(UPDATE, {"input": {"id": project["id"], "name": "Only the name"}})

    status, body = gql(UPDATE, {"input": {"id": project["id"]}})
    assert body["data"]["projectManagementUpdateProject"]["priority"] == 4
    assert body["data"]["projectManagementUpdateProject"]["completionRate"] == Decimal("10")


def test_changing_the_customer_moves_the_project_under_it(gql, realm, create_project):
    project = create_project("Deck")
    other = make_customer(realm, "Bayside Homes")

    gql(UPDATE, {"input": {"id": project["id"], "customer": {"id": other.document["Id"]}}})

    document = store.get(realm, "Customer", project["id"]).document
    assert document["ParentRef"]["value"] == other.document["Id"]
    assert document["FullyQualifiedName"] == "Bayside Homes:Deck"


def test_project_created_in_quickbooks_is_served_with_defaults(gql, realm, customer):
    made_in_qbo = store.create(
        realm,
        "Customer",
        {"DisplayName": "From the UI", "Job": True, "IsProject": True, "ParentRef": {"value": customer.document["Id"]}},
    )

    status, body = gql(READ, {"id": made_in_qbo.document["Id"]})

    assert body["data"]["projectManagementProject"] == {
        "id": made_in_qbo.document["Id"],
        "name": "From the UI",
        "status": "OTHER",
        "deleted": False,
        "customer": {"id": customer.document["Id"]},
    }


# ---- validation ----


def _create_error(gql, owner, **fields) -> dict:
    variables = {"input": {"name": "Valid", "customer": {"id": owner.document["Id"]}, **fields}}
    status, body = gql(CREATE, variables)
    assert status == 200
    assert body["data"] == {"projectManagementCreateProject": None}
    return _error(body)


def test_create_without_customer_is_refused(gql, customer):
    assert _create_error(gql, customer, customer=None)["innerCode"] == "CUSTOMER_REQUIRED"


def test_create_for_an_unknown_customer_is_refused(gql, customer):
    assert _create_error(gql, customer, customer={"id": "404"})["innerCode"] == "INVALID_CUSTOMER"


def test_a_project_cannot_be_the_customer_of_a_project(gql, customer, create_project):
    parent = create_project("Parent")

    assert _create_error(gql, customer, customer={"id": parent["id"]})["innerCode"] == "INVALID_CUSTOMER"


def test_an_inactive_customer_cannot_get_a_project(gql, realm, customer):
    inactive = make_customer(realm, "Gone Inc", Active=False)

    assert _create_error(gql, customer, customer={"id": inactive.document["Id"]})["innerCode"] == "INVALID_CUSTOMER"


def test_project_names_are_unique_among_customers_and_projects(gql, customer, create_project):
    create_project("Roof")

    assert _create_error(gql, customer, name="roof")["innerCode"] == "DUPLICATE_NAME"
    assert _create_error(gql, customer, name="Acme Builders")["innerCode"] == "DUPLICATE_NAME"


def test_blank_and_colon_names_are_refused(gql, customer):
    assert _create_error(gql, customer, name="  ")["innerCode"] == "NAME_REQUIRED"
    assert _create_error(gql, customer, name="Phase 1: Demo")["innerCode"] == "INVALID_NAME"


def test_priority_must_be_between_0_and_9(gql, customer, create_project):
    assert _create_error(gql, customer, priority=10)["innerCode"] == "INVALID_PRIORITY"
    assert _create_error(gql, customer, priority=-1)["innerCode"] == "INVALID_PRIORITY"
    assert create_project("Zero", priority=0)["priority"] == 0


def test_completion_rate_must_be_between_0_and_100(gql, customer):
    error = _create_error(gql, customer, completionRate=Decimal("100.01"))

    assert error == {
        "classification": "VALIDATION_ERROR",
        "code": "INVALID_INPUT",
        "innerCode": "INVALID_COMPLETION_RATE",
        "innerMessage": "The completion rate must be between 0 and 100",
    }


def test_email_addresses_must_look_like_email_addresses(gql, customer):
    assert _create_error(gql, customer, emailAddress=[{"email": "not-an-email"}])["innerCode"] == "INVALID_EMAIL"


def test_renaming_to_a_taken_name_is_refused_and_changes_nothing(gql, realm, create_project):
    create_project("Taken")
    project = create_project("Mine")

    status, body = gql(UPDATE, {"input": {"id": project["id"], "name": "Taken", "priority": 2}})

    assert _error(body)["innerCode"] == "DUPLICATE_NAME"
    assert store.get(realm, "Customer", project["id"]).document["SyncToken"] == "0"


def test_unknown_project_is_not_found(gql, customer):
    status, body = gql(READ, {"id": customer.document["Id"]})  # a customer, not a project

    assert status == 200
    assert body["data"] == {"projectManagementProject": None}
    assert _error(body)["classification"] == "NOT_FOUND"


# ---- delete ----


def test_delete_is_soft_the_customer_stays_inactive(gql, realm, create_project):
    project = create_project()

    status, body = gql(DELETE, {"id": project["id"]})

    assert body["data"]["projectManagementDeleteProject"] == {"id": project["id"], "deleted": True}
    document = store.get(realm, "Customer", project["id"]).document
    assert (document["Active"], document[PROJECT_KEY]["deleted"]) == (False, True)
    assert gql(READ, {"id": project["id"]})[1]["data"]["projectManagementProject"]["deleted"] is True


def test_deleted_projects_are_listed_only_when_asked(gql, create_project):
    create_project("Kept")
    gone = create_project("Gone")
    gql(DELETE, {"id": gone["id"]})

    assert _names(gql, {}) == ["Kept"]
    assert _names(gql, {"deleted": False}) == ["Kept"]
    assert _names(gql, {"deleted": True}) == ["Kept", "Gone"]


def test_deleted_project_cannot_be_updated_or_deleted_again(gql, create_project):
    project = create_project()
    gql(DELETE, {"id": project["id"]})

    assert _error(gql(UPDATE, {"input": {"id": project["id"], "priority": 1}})[1])["innerCode"] == "PROJECT_DELETED"
    assert _error(gql(DELETE, {"id": project["id"]})[1])["innerCode"] == "PROJECT_DELETED"


# ---- filters ----


def _three(realm, create_project):
    other = make_customer(realm, "Other Co").document["Id"]
    first = create_project(
        "A", status="OPEN", type="Remodel", priority=1, dueDate="2024-05-01T00:00:00Z", startDate="2024-01-10T00:00:00Z"
    )
    second = create_project(
        "B", status="IN_PROGRESS", type="New build", priority=5, dueDate="2024-07-01T00:00:00Z", customer={"id": other}
    )
    third = create_project("C", status="COMPLETE", priority=9, startDate="2024-03-01T00:00:00Z")
    return first, second, third, other


def test_filter_by_id(gql, realm, create_project):
    first, second, _third, _ = _three(realm, create_project)

    assert _names(gql, {"id": {"equals": first["id"]}}) == ["A"]
    assert _names(gql, {"id": {"in": [first["id"], second["id"]]}}) == ["A", "B"]


def test_filter_by_status(gql, realm, create_project):
    _three(realm, create_project)

    assert _names(gql, {"status": {"equals": "OPEN"}}) == ["A"]
    assert _names(gql, {"status": {"in": ["OPEN", "IN_PROGRESS"]}}) == ["A", "B"]
    assert _names(gql, {"status": {"nin": ["OPEN", "IN_PROGRESS"]}}) == ["C"]


def test_filter_by_customer(gql, realm, create_project, customer):
    _first, _second, _third, other = _three(realm, create_project)

    assert _names(gql, {"customer": {"equals": {"id": other}}}) == ["B"]
    assert _names(gql, {"customer": {"in": [{"id": customer.document["Id"]}]}}) == ["A", "C"]


def test_filter_by_type_and_priority(gql, realm, create_project):
    _three(realm, create_project)

    assert _names(gql, {"type": {"equals": "Remodel"}}) == ["A"]
    assert _names(gql, {"type": {"in": ["Remodel", "New build"]}}) == ["A", "B"]
    assert _names(gql, {"priority": {"equals": 9}}) == ["C"]
    assert _names(gql, {"priority": {"in": [1, 5]}, "status": {"equals": "IN_PROGRESS"}}) == ["B"]


def test_filter_by_due_and_start_date_windows_in_any_offset(gql, realm, create_project):
    _three(realm, create_project)
    june = {"minDate": "2024-06-01T00:00:00-07:00", "maxDate": "2024-12-05T18:47:25.123456789-07:00"}
    winter = {"minDate": "2024-01-01T00:00:00Z", "maxDate": "2024-02-01T00:00:00Z"}

    assert _names(gql, {"dueDate": {"between": june}}) == ["B"]
    assert _names(gql, {"startDate": {"between": winter}}) == ["A"]


# ---- ordering and paging ----


def test_due_date_ordering_puts_projects_without_due_date_last(gql, realm, create_project):
    _three(realm, create_project)

    assert _names(gql, {}, orderBy=["DUE_DATE_ASC"]) == ["A", "B", "C"]
    assert _names(gql, {}, orderBy=["DUE_DATE_DESC"]) == ["B", "A", "C"]


def test_pages_follow_the_end_cursor_until_no_next_page(gql, create_project):
    for name in ("P1", "P2", "P3", "P4", "P5"):
        create_project(name)
    seen, after, pages = [], None, 0
    while True:
        status, body = gql(LIST, {"first": 2, "after": after, "filter": {}})
        connection = body["data"]["projectManagementProjects"]
        seen += [edge["node"]["name"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (pages > 0)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert (seen, pages) == (["P1", "P2", "P3", "P4", "P5"], 3)


def test_a_cursor_that_is_not_ours_is_refused(gql, create_project):
    create_project()

    status, body = gql(LIST, {"first": 2, "after": "bm90LWEtY3Vyc29y", "filter": {}})

    assert _error(body)["innerCode"] == "INVALID_CURSOR"


def test_first_must_be_positive(gql):
    status, body = gql(LIST, {"first": 0, "filter": {}})

    assert status == 400
    assert "PositiveInt" in body["errors"][0]["extensions"]["innerMessage"]


# ---- access ----


def test_token_without_projects_scope_gets_ahz_0010_on_http_200(gql, realm, create_project):
    project = create_project()
    accounting_only = auth_headers(issue_token(realm, scopes="com.intuit.quickbooks.accounting"))

    status, body = gql(READ, {"id": project["id"]}, as_headers=accounting_only)

    assert status == 200
    assert body["data"] == {"projectManagementProject": None}
    assert _error(body) == {
        "classification": "AUTHORIZATION",
        "innerMessage": "Access denied; Insufficient Scope",
        "code": "AHZ-0010",
    }


def test_plus_company_keeps_its_projects_but_the_projects_api_answers_403(gql):
    plus = make_realm("9341450000000001", "Plus Co", plan=Realm.Plan.PLUS)
    parent = make_customer(plus, "Plus Customer")
    project = store.create(
        plus,
        "Customer",
        {"DisplayName": "UI project", "Job": True, "IsProject": True, "ParentRef": {"value": parent.document["Id"]}},
    )

    status, body = gql(READ, {"id": project.document["Id"]}, as_headers=auth_headers(issue_token(plus)))

    assert status == 403
    assert body["code"] == "Forbidden"
    assert store.get(plus, "Customer", project.document["Id"]).document["IsProject"] is True
