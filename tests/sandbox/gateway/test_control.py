"""The /_sandbox/ control API: state, companies, reset and re-seed."""

import sys

import pytest

from sandbox import store
from sandbox.models import Entity, FaultRule, OAuthGrant, Realm, WebhookEndpoint
from sandbox.testing import auth_headers, issue_token, make_realm

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]


def test_state_counts_live_objects_per_company(client):
    realm = make_realm("9341453000000001", "Harbor Build Co.")
    store.create(realm, "Customer", {"DisplayName": "A"})
    store.delete(store.create(realm, "Invoice", {"DocNumber": "1"}))
    issue_token(realm)
    state = client.get("/_sandbox/state").json()
    [row] = [r for r in state["realms"] if r["realm_id"] == realm.realm_id]
    assert row["entities"] == {"Customer": 1}
    assert state["grants"] == {"active": 1, "revoked": 0}
    assert state["limits"]["per_minute"] == 500


def test_realms_can_be_added_without_the_demo_seed(client):
    response = client.post(
        "/_sandbox/realms", {"realm_id": "123", "name": "Plain Co", "plan": "plus"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Realm.objects.get(realm_id="123").plan == "plus"
    assert client.post("/_sandbox/realms", {"name": "No Id"}, content_type="application/json").status_code == 400


def test_a_realm_can_be_added_with_custom_transaction_numbers(client):
    added = client.post(
        "/_sandbox/realms",
        {"realm_id": "124", "name": "Own Numbers Co", "custom_txn_numbers": True},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["custom_txn_numbers"] is True
    realm = Realm.objects.get(realm_id="124")
    prefs = client.get("/v3/company/124/preferences", **auth_headers(issue_token(realm))).json()["Preferences"]
    assert prefs["SalesFormsPrefs"]["CustomTxnNumbers"] is True
    listed = {r["realm_id"]: r for r in client.get("/_sandbox/realms").json()["realms"]}
    assert listed["124"]["custom_txn_numbers"] is True

    plain = client.post("/_sandbox/realms", {"realm_id": "125", "name": "Plain Co"}, content_type="application/json")
    assert plain.json()["custom_txn_numbers"] is False
    assert not Entity.objects.filter(realm__realm_id="125", type="Preferences").exists()  # nothing made to look
    refused = client.post(
        "/_sandbox/realms",
        {"realm_id": "126", "name": "Odd Co", "custom_txn_numbers": "yes"},
        content_type="application/json",
    )
    assert refused.status_code == 400


def test_reset_wipes_everything_and_reseeds_the_demo(client):
    realm = make_realm("555", "Leftover Co")
    issue_token(realm)
    FaultRule.objects.create(kind="500")
    WebhookEndpoint.objects.create(url="http://127.0.0.1:9/hook", verifier_token="v")
    body = client.post("/_sandbox/reset").json()
    assert body["seed"] == "seeded by sandbox.demo.seed_demo()"
    assert "555" not in body["realms"] and sorted(body["realms"]) == sorted(
        Realm.objects.values_list("realm_id", flat=True)
    )
    assert not (OAuthGrant.objects.exists() or FaultRule.objects.exists() or WebhookEndpoint.objects.exists())


def test_reset_says_so_when_there_is_no_demo_module(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "sandbox.demo", None)  # makes `import sandbox.demo` fail
    make_realm("555", "Leftover Co")
    body = client.post("/_sandbox/reset").json()
    assert body == {
        "reset": True,
        "seed": "sandbox.demo is not available yet: no demo companies were seeded",
        "realms": [],
    }


def test_reset_registers_the_webhook_named_in_the_environment(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "sandbox.demo", None)
    monkeypatch.setenv("QBO_SANDBOX_WEBHOOK_URL", "http://127.0.0.1:9/costline-webhooks")
    monkeypatch.setenv("QBO_SANDBOX_WEBHOOK_FORMAT", "cloudevents")
    client.post("/_sandbox/reset")
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.format) == ("http://127.0.0.1:9/costline-webhooks", "cloudevents")
