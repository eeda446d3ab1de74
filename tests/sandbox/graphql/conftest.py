"""Fixtures: an Advanced company with a full token, a customer, and a `gql` poster bound to them."""

import pytest

from sandbox.testing import auth_headers, issue_token, make_realm

from .support import CREATE, answer, make_customer, post


@pytest.fixture(autouse=True)
def _unthrottled(unthrottled):
    """These tests send many requests a second (see tests/sandbox/conftest.py)."""


@pytest.fixture
def realm(db):
    return make_realm()


@pytest.fixture
def headers(realm):
    return auth_headers(issue_token(realm))


@pytest.fixture
def customer(realm):
    return make_customer(realm)


@pytest.fixture
def gql(client, headers):
    """gql(query, variables) -> (status, body) with the Advanced company's full-scope token."""

    def _gql(query, variables=None, *, as_headers=None, operation_name=None):
        response = post(client, as_headers or headers, query, variables, operation_name)
        return response.status_code, answer(response)

    return _gql


@pytest.fixture
def create_project(gql, customer):
    """create_project(name, **fields) -> the created project's node, through the Projects API."""

    def _create(name="Kitchen Remodel", **fields):
        fields.setdefault("customer", {"id": customer.document["Id"]})
        status, body = gql(CREATE, {"input": {"name": name, **fields}})
        assert status == 200 and "errors" not in body, body
        return body["data"]["projectManagementCreateProject"]

    return _create
