"""Intuit's OAuth 2.0 flow as the sandbox serves it: consent, code exchange, refresh rotation, revocation."""

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from sandbox.models import OAuthGrant, SupersededRefreshToken
from sandbox.oauth.conf import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from sandbox.testing import make_realm

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]

REDIRECT = "https://app.example.test/qbo/callback"
SCOPES = "com.intuit.quickbooks.accounting project-management.project openid"
TOKEN_URL = "/oauth2/v1/tokens/bearer"


def basic(client_id=DEFAULT_CLIENT_ID, secret=DEFAULT_CLIENT_SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def authorization(**overrides) -> dict:
    return {
        "client_id": DEFAULT_CLIENT_ID,
        "response_type": "code",
        "scope": SCOPES,
        "redirect_uri": REDIRECT,
        "state": "st-123",
        **overrides,
    }


def callback_params(response) -> dict:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


@pytest.fixture
def realm(db):
    return make_realm("9341453000000001", "Harbor Build Co.")


@pytest.fixture
def code(client, realm):
    response = client.post("/connect/oauth2", {**authorization(), "realm_id": realm.realm_id, "decision": "approve"})
    return callback_params(response)["code"]


def exchange(client, code, **headers):
    return client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        **{**basic(), **headers},
    )


def refresh(client, refresh_token, **headers):
    return client.post(
        TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": refresh_token}, **{**basic(), **headers}
    )


def bearer(token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_consent_page_lists_companies_and_requested_scopes(client, realm):
    response = client.get("/connect/oauth2", authorization())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Harbor Build Co." in page and realm.realm_id in page
    assert "project-management.project" in page
    assert 'value="approve"' in page and 'value="deny"' in page


@pytest.mark.parametrize(
    "override, message",
    [
        ({"client_id": "someone-else"}, "Unknown client_id"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": ""}, "scope is required"),
        ({"scope": "com.intuit.quickbooks.accounting bogus.scope"}, "Unknown scope: bogus.scope"),
        ({"redirect_uri": "not-a-url"}, "redirect_uri"),
    ],
)
def test_bad_authorization_request_shows_an_error_page_not_a_redirect(client, realm, override, message):
    response = client.get("/connect/oauth2", authorization(**override))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Location" not in response


def test_approve_redirects_with_code_state_and_realm_id(client, realm):
    response = client.post("/connect/oauth2", {**authorization(), "realm_id": realm.realm_id, "decision": "approve"})
    params = callback_params(response)
    assert params["state"] == "st-123"
    assert params["realmId"] == realm.realm_id
    assert OAuthGrant.objects.get(code=params["code"]).scopes == SCOPES


def test_realm_id_is_left_out_without_an_accounting_scope(client, realm):
    response = client.post(
        "/connect/oauth2", {**authorization(scope="openid email"), "realm_id": realm.realm_id, "decision": "approve"}
    )
    assert "realmId" not in callback_params(response)


def test_deny_redirects_with_access_denied_and_state(client, realm):
    response = client.post("/connect/oauth2", {**authorization(), "realm_id": realm.realm_id, "decision": "deny"})
    assert callback_params(response) == {"error": "access_denied", "state": "st-123"}
    assert not OAuthGrant.objects.exists()


def test_approve_without_a_company_re_asks(client, realm):
    response = client.post("/connect/oauth2", {**authorization(), "decision": "approve"})
    assert response.status_code == 400
    assert "Choose a company" in response.content.decode()


def test_code_exchange_returns_intuits_token_fields(client, code):
    response = exchange(client, code)
    body = response.json()
    assert response.status_code == 200
    assert response["intuit_tid"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == pytest.approx(8726400, abs=5)
    assert "x_refresh_token_hard_expires_in" not in body
    grant = OAuthGrant.objects.get(access_token=body["access_token"])
    assert grant.refresh_token == body["refresh_token"] and grant.code is None


def test_access_token_from_the_flow_authenticates_api_calls(client, code):
    access = exchange(client, code).json()["access_token"]
    response = client.get("/v1/openid_connect/userinfo", **bearer(access))
    assert response.status_code == 200
    assert response.json()["email"] == "sandbox@costline.local"


def test_code_is_single_use(client, code):
    assert exchange(client, code).status_code == 200
    second = exchange(client, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_expired_code_is_refused(client, code):
    OAuthGrant.objects.filter(code=code).update(code_expires_at=timezone.now() - timedelta(seconds=1))
    assert exchange(client, code).json()["error"] == "invalid_grant"


def test_code_exchange_needs_the_same_redirect_uri(client, code):
    response = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": "https://evil.example.test/cb"},
        **basic(),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(client, code):
    response = exchange(client, code, **basic(secret="wrong"))
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}
    assert response["intuit_tid"]


def test_client_secret_post_is_accepted(client, code):
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        },
    )
    assert response.status_code == 200


def test_unsupported_grant_type_is_refused(client):
    response = client.post(TOKEN_URL, {"grant_type": "password"}, **basic())
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_and_the_old_refresh_token_is_invalid_grant(client, code):
    first = exchange(client, code).json()
    second = refresh(client, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert SupersededRefreshToken.objects.filter(token=first["refresh_token"]).exists()
    again = refresh(client, first["refresh_token"])
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Incorrect or invalid refresh token"}
    assert refresh(client, second["refresh_token"]).status_code == 200


def test_unknown_refresh_token_is_invalid_grant(client):
    response = refresh(client, "RT1-never-issued")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_hard_expiry_field_only_when_asked_for(client, code):
    tokens = exchange(client, code).json()
    body = refresh(client, tokens["refresh_token"], HTTP_X_INCLUDE_REFRESH_TOKEN_HARD_EXPIRES_IN="true").json()
    assert body["x_refresh_token_hard_expires_in"] == pytest.approx(5 * 365 * 24 * 3600, abs=5)


def test_access_token_ttl_comes_from_the_environment(client, code, monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_ACCESS_TOKEN_TTL", "7")
    body = exchange(client, code).json()
    assert body["expires_in"] == 7
    OAuthGrant.objects.filter(access_token=body["access_token"]).update(
        access_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/v1/openid_connect/userinfo", **bearer(body["access_token"]))
    assert response.status_code == 401
    assert response.json()["fault"]["error"][0]["detail"] == "Token expired"


def test_revoking_the_refresh_token_ends_the_grant(client, code):
    tokens = exchange(client, code).json()
    response = client.post(
        "/oauth2/v1/tokens/revoke", {"token": tokens["refresh_token"]}, content_type="application/json", **basic()
    )
    assert response.status_code == 200
    assert refresh(client, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert client.get("/v1/openid_connect/userinfo", **bearer(tokens["access_token"])).status_code == 401


def test_revoke_needs_client_credentials(client, code):
    tokens = exchange(client, code).json()
    response = client.post(
        "/oauth2/v1/tokens/revoke",
        {"token": tokens["access_token"]},
        content_type="application/json",
        **basic(secret="nope"),
    )
    assert response.status_code == 401
    assert OAuthGrant.objects.filter(revoked=False).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/openid_configuration/",
        "/.well-known/openid_sandbox_configuration/",
        "/.well-known/openid-sandbox-configuration",
    ],
)
def test_discovery_documents_point_at_this_server(client, path):
    body = client.get(path).json()
    assert body["authorization_endpoint"] == "http://testserver/connect/oauth2"
    assert body["token_endpoint"] == "http://testserver/oauth2/v1/tokens/bearer"
    assert body["revocation_endpoint"] == "http://testserver/oauth2/v1/tokens/revoke"
    for key in ("issuer", "userinfo_endpoint", "jwks_uri"):
        assert body[key].startswith("http://testserver/")
    assert body["response_types_supported"] == ["code"]
    assert set(body["token_endpoint_auth_methods_supported"]) == {"client_secret_post", "client_secret_basic"}
