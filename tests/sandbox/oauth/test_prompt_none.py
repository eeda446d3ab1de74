"""OpenID Connect's prompt=none: approved without a page only for the realm configured as already consented."""

import pytest

from sandbox.testing import make_realm
from tests.sandbox.oauth.test_tokens import authorization, callback_params

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]


@pytest.fixture
def realm(db):
    return make_realm("9341453000000002", "Consented Co.")


def test_prompt_none_is_approved_for_the_consented_realm(client, realm, monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_AUTO_APPROVE_REALM", realm.realm_id)

    response = client.get("/connect/oauth2", authorization(prompt="none"))

    assert response.status_code == 302
    params = callback_params(response)
    assert params["realmId"] == realm.realm_id and params["code"] and params["state"]


def test_prompt_none_without_prior_consent_answers_consent_required(client, realm):
    response = client.get("/connect/oauth2", authorization(prompt="none"))

    params = callback_params(response)
    assert params["error"] == "consent_required"
    assert "code" not in params


def test_without_prompt_none_the_consent_page_is_shown_even_when_consented(client, realm, monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_AUTO_APPROVE_REALM", realm.realm_id)

    response = client.get("/connect/oauth2", authorization())

    assert response.status_code == 200 and realm.realm_id in response.content.decode()
