"""The real `manage.py qbo_sandbox` process over HTTP: OAuth end to end, dropped replies, webhooks, throttling."""

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.sandbox.conftest import intuit_signature

REDIRECT = "http://127.0.0.1:9/callback"  # never followed: the test reads the Location header
SCOPES = "com.intuit.quickbooks.accounting project-management.project"
_realm_numbers = itertools.count(1)


@pytest.fixture
def realm_id(live_sandbox):
    """A fresh company in the running sandbox, so tests sharing the server do not see each other's objects."""
    realm_id = f"93414530{next(_realm_numbers):08d}"
    live_sandbox.control("post", "realms", json={"realm_id": realm_id, "name": f"Live Test Co {realm_id}"})
    return realm_id


def discovery(sandbox) -> dict:
    return requests.get(sandbox.url(".well-known/openid_sandbox_configuration/"), timeout=10).json()


def authorize(sandbox, realm_id) -> str:
    """Consent page, then Approve: the authorization code from the redirect."""
    params = {
        "client_id": sandbox.client_id,
        "response_type": "code",
        "scope": SCOPES,
        "redirect_uri": REDIRECT,
        "state": "live-state",
    }
    url = discovery(sandbox)["authorization_endpoint"]
    page = requests.get(url, params=params, timeout=10)
    assert page.status_code == 200 and realm_id in page.text
    approved = requests.post(
        url, data={**params, "realm_id": realm_id, "decision": "approve"}, allow_redirects=False, timeout=10
    )
    assert approved.status_code == 302
    callback = {k: v[0] for k, v in parse_qs(urlsplit(approved.headers["Location"]).query).items()}
    assert callback["state"] == "live-state" and callback["realmId"] == realm_id
    return callback["code"]


def token_call(sandbox, **form) -> requests.Response:
    return requests.post(
        discovery(sandbox)["token_endpoint"], data=form, auth=(sandbox.client_id, sandbox.client_secret), timeout=10
    )


def connect(sandbox, realm_id) -> dict:
    response = token_call(
        sandbox, grant_type="authorization_code", code=authorize(sandbox, realm_id), redirect_uri=REDIRECT
    )
    assert response.status_code == 200, response.text
    return response.json()


def create_customer(sandbox, realm_id, access_token, name, query="") -> requests.Response:
    return requests.post(
        sandbox.url(f"v3/company/{realm_id}/customer{query}"),
        json={"DisplayName": name},
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        timeout=10,
    )


def customer_count(sandbox, realm_id) -> int:
    realms = {r["realm_id"]: r for r in sandbox.control("get", "state").json()["realms"]}
    return realms[realm_id]["entities"].get("Customer", 0)


def test_banner_prints_base_url_and_credentials(live_sandbox):
    log = live_sandbox.log()
    assert f"QuickBooks sandbox at {live_sandbox.base_url}" in log
    for value in (live_sandbox.client_id, live_sandbox.client_secret, live_sandbox.verifier):
        assert value in log


def test_discovery_points_at_the_running_server(live_sandbox):
    document = discovery(live_sandbox)
    for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert document[key].startswith(live_sandbox.base_url)


def test_oauth_flow_end_to_end_with_rotation_and_revocation(live_sandbox, realm_id):
    first = connect(live_sandbox, realm_id)
    assert first["expires_in"] == 3600
    rotated = token_call(live_sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert rotated.status_code == 200 and rotated.headers["intuit_tid"]
    tokens = rotated.json()
    assert tokens["refresh_token"] != first["refresh_token"]
    stale = token_call(live_sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert (stale.status_code, stale.json()["error"]) == (400, "invalid_grant")
    assert create_customer(live_sandbox, realm_id, tokens["access_token"], "Acme").status_code == 200
    revoked = requests.post(
        discovery(live_sandbox)["revocation_endpoint"],
        json={"token": tokens["refresh_token"]},
        auth=(live_sandbox.client_id, live_sandbox.client_secret),
        timeout=10,
    )
    assert revoked.status_code == 200
    assert create_customer(live_sandbox, realm_id, tokens["access_token"], "Too Late").status_code == 401


def test_denied_consent_redirects_with_access_denied(live_sandbox, realm_id):
    response = requests.post(
        live_sandbox.url("connect/oauth2"),
        allow_redirects=False,
        timeout=10,
        data={
            "client_id": live_sandbox.client_id,
            "response_type": "code",
            "scope": SCOPES,
            "redirect_uri": REDIRECT,
            "state": "s1",
            "realm_id": realm_id,
            "decision": "deny",
        },
    )
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"error": ["access_denied"], "state": ["s1"]}


def test_drop_fault_closes_the_connection_after_the_write_committed(live_sandbox, realm_id):
    access = connect(live_sandbox, realm_id)["access_token"]
    live_sandbox.control("post", "faults", json={"kind": "drop", "count": 1, "path_contains": f"/{realm_id}/customer"})
    with pytest.raises(requests.ConnectionError):
        create_customer(live_sandbox, realm_id, access, "Lost Reply Inc", "?requestid=drop-1")
    assert customer_count(live_sandbox, realm_id) == 1
    retried = create_customer(live_sandbox, realm_id, access, "Lost Reply Inc", "?requestid=drop-1")
    assert retried.status_code == 200 and retried.json()["Customer"]["DisplayName"] == "Lost Reply Inc"
    assert customer_count(live_sandbox, realm_id) == 1


def test_webhook_reaches_a_local_endpoint_with_a_valid_signature(live_sandbox, realm_id, webhook_receiver):
    access = connect(live_sandbox, realm_id)["access_token"]
    live_sandbox.control("get", "webhooks", params={"wait": 5})  # earlier tests' changes go out first
    live_sandbox.control("post", "webhooks", json={"url": webhook_receiver.url, "format": "legacy"})
    try:
        customer = create_customer(live_sandbox, realm_id, access, "Hooked LLC").json()["Customer"]
        [got] = webhook_receiver.wait_for(1)
    finally:
        live_sandbox.control("delete", "webhooks")
    assert got["headers"]["intuit-signature"] == intuit_signature(got["body"], live_sandbox.verifier)
    [notification] = json.loads(got["body"])["eventNotifications"]
    assert notification["realmId"] == realm_id
    assert notification["dataChangeEvent"]["entities"][0]["id"] == customer["Id"]


def test_runtime_limit_forces_the_xml_429(live_sandbox, realm_id):
    access = connect(live_sandbox, realm_id)["access_token"]
    live_sandbox.control("post", "limits", json={"per_minute": 1})
    try:
        statuses = [create_customer(live_sandbox, realm_id, access, f"C{i}") for i in range(2)]
    finally:
        live_sandbox.control("post", "limits", json={"reset": True})
    assert [r.status_code for r in statuses] == [200, 429]
    assert "ThrottleExceeded" in statuses[1].text


def test_concurrent_creates_get_distinct_doc_numbers(live_sandbox, realm_id):
    """The server answers on threads: estimates created at the same moment are numbered one after the other."""
    access = connect(live_sandbox, realm_id)["access_token"]
    customer = create_customer(live_sandbox, realm_id, access, "Busy Builders").json()["Customer"]
    headers = {"Authorization": f"Bearer {access}", "Accept": "application/json"}
    count = 12
    start = threading.Barrier(count)

    def create(_):
        start.wait()
        return requests.post(
            live_sandbox.url(f"v3/company/{realm_id}/estimate"),
            json={"CustomerRef": {"value": customer["Id"]}},
            headers=headers,
            timeout=30,
        )

    live_sandbox.control("post", "limits", json={"per_second": None, "per_minute": None})
    try:
        with ThreadPoolExecutor(count) as pool:
            responses = list(pool.map(create, range(count)))
    finally:
        live_sandbox.control("post", "limits", json={"reset": True})
    assert [r.status_code for r in responses] == [200] * count, [r.text for r in responses if r.status_code != 200]
    numbers = sorted(int(r.json()["Estimate"]["DocNumber"]) for r in responses)
    assert numbers == list(range(1001, 1001 + count))


def test_a_realm_with_custom_numbers_leaves_doc_number_out(live_sandbox):
    realm_id = f"93414530{next(_realm_numbers):08d}"
    live_sandbox.control(
        "post", "realms", json={"realm_id": realm_id, "name": "Own Numbers Co", "custom_txn_numbers": True}
    )
    access = connect(live_sandbox, realm_id)["access_token"]
    customer = create_customer(live_sandbox, realm_id, access, "Numbered By Hand").json()["Customer"]
    estimate = requests.post(
        live_sandbox.url(f"v3/company/{realm_id}/estimate"),
        json={"CustomerRef": {"value": customer["Id"]}},
        headers={"Authorization": f"Bearer {access}", "Accept": "application/json"},
        timeout=10,
    )
    assert estimate.status_code == 200 and "DocNumber" not in estimate.json()["Estimate"]


def test_the_apps_own_urls_are_not_served(live_sandbox):
    assert requests.get(live_sandbox.url("accounts/login/"), timeout=10).status_code == 404
