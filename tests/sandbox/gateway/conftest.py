import pytest

from sandbox.testing import auth_headers, issue_token, make_realm


@pytest.fixture
def realm(db):
    return make_realm("9341453000000001", "Harbor Build Co.")


@pytest.fixture
def headers(realm):
    return auth_headers(issue_token(realm))


@pytest.fixture
def post_customer(client, realm, headers):
    """POST a Customer through the gateway; query string optional."""

    def post(name="Acme", query="", realm_id=None, extra_headers=None):
        url = f"/v3/company/{realm_id or realm.realm_id}/customer{query}"
        return client.post(url, {"DisplayName": name}, content_type="application/json", **(extra_headers or headers))

    return post
