"""The sandbox's index at `/`: what it is, its companies, the client id, its endpoints and controls."""

import re
from urllib.parse import urlsplit

import pytest
from django.template.loader import render_to_string
from django.urls import resolve

from sandbox import store
from sandbox.models import FaultRule, Realm
from sandbox.testing import auth_headers, issue_token, make_realm

from .conftest import put, queries, text

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("sandbox.urls")]


def test_the_root_says_what_the_sandbox_is_and_lists_each_company_with_its_objects(client, harbor, maple):
    store.create(harbor, "Customer", {"DisplayName": "Okafor Residence"})
    store.create(harbor, "Customer", {"DisplayName": "Lakeshore HOA"})
    put(harbor, "Invoice", 130, {"DocNumber": "1042", "TotalAmt": 10})
    store.delete(store.create(harbor, "Bill", {"DocNumber": "B-1"}))  # deleted objects are not counted
    store.create(maple, "Vendor", {"DisplayName": "Green Supply"})

    response = client.get("/")

    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    words = text(response)
    assert "A local simulator of the QuickBooks Online APIs Costline uses" in words
    assert "Harbor Build Co. 9341453000000001 QuickBooks Online Advanced 3 Customer 2 Invoice 1" in words
    assert "Maple Street Services 9341453000000002 QuickBooks Online Plus 1 Vendor 1" in words
    assert "Bill" not in words.split("OAuth client")[0]
    # A transaction type links to that company's newest one.
    assert 'href="/app/invoice?txnId=130&amp;realmId=9341453000000001"' in response.content.decode()


def test_an_empty_sandbox_says_how_to_get_companies(client, db):
    words = text(client.get("/"))
    assert "This sandbox has no companies yet" in words and "POST /_sandbox/reset" in words


def test_the_client_id_is_shown_and_the_secret_never(client, harbor, monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_CLIENT_ID", "harbor-test-client")
    monkeypatch.setenv("QBO_SANDBOX_CLIENT_SECRET", "s3cret-never-shown")
    body = client.get("/").content.decode()
    assert "harbor-test-client" in body
    assert "s3cret-never-shown" not in body and "costline-sandbox-secret" not in body


def test_the_listed_endpoints_are_the_ones_the_sandbox_serves(client, harbor):
    response = client.get("/")
    listed = {endpoint["name"]: endpoint["url"] for endpoint in response.context["endpoints"]}
    words = text(response)
    for name, url in listed.items():
        assert url in words, name

    # The discovery document, fetched from where the index says, names the same OAuth endpoints.
    discovery = client.get(urlsplit(listed["Discovery document"]).path).json()
    assert discovery["authorization_endpoint"] == listed["OAuth authorize"] == "http://testserver/connect/oauth2"
    assert discovery["token_endpoint"] == listed["OAuth token"]
    assert discovery["revocation_endpoint"] == listed["OAuth revoke"]

    # The REST base, filled in, answers a query with a token for that company.
    assert listed["REST v3 Accounting API"] == "http://testserver/v3/company/{realmId}/…"
    rest = listed["REST v3 Accounting API"].replace("{realmId}", harbor.realm_id).replace("…", "query")
    answer = client.get(urlsplit(rest).path, {"query": "select * from Customer"}, **auth_headers(issue_token(harbor)))
    assert answer.status_code == 200 and "QueryResponse" in answer.json()

    # The authorize page and GraphQL are served where listed (no token: refused by the API, not missing).
    assert client.get(urlsplit(listed["OAuth authorize"]).path).status_code == 400
    graphql = client.post(urlsplit(listed["GraphQL"]).path, {"query": "{ a }"}, content_type="application/json")
    assert graphql.status_code == 401
    assert resolve(urlsplit(listed["GraphQL"]).path).func.__name__ == "graphql_endpoint"


def test_it_links_the_controls_and_the_document_pages(client, harbor):
    FaultRule.objects.create(kind="429", remaining=2)
    response = client.get("/")
    body, words = response.content.decode(), text(response)
    for path in ("/_sandbox/state", "/_sandbox/faults", "/_sandbox/webhooks", "/_sandbox/limits", "/app/projects"):
        assert f'href="{path}"' in body, path
        assert client.get(path).status_code == 200, path
    assert "Faults /_sandbox/faults 1 active" in words
    assert "/app/<type>?txnId=<Id>" in words
    for segment in ("invoice", "timeactivity", "journalentry", "changeorder", "purchase"):
        assert f"/app/{segment}" in words


def test_recent_changes_link_to_their_documents(client, harbor):
    put(harbor, "Estimate", 7, {"DocNumber": "1001"})
    customer = store.create(harbor, "Customer", {"DisplayName": "Okafor Residence"})
    body = client.get("/").content.decode()
    assert 'href="/app/estimate?txnId=7&amp;realmId=9341453000000001"' in body
    assert f"Customer {customer.qbo_id}" in text(client.get("/"))  # listed, not linked: not a transaction


def test_the_index_runs_the_same_queries_however_many_objects_and_companies(client, harbor):
    store.create(harbor, "Invoice", {"DocNumber": "1"})
    _, few = queries(lambda: client.get("/"))
    for n in range(5):
        realm = make_realm(f"93414530000001{n:02d}", f"Company {n}", plan=Realm.Plan.PLUS)
        for m in range(10):
            store.create(realm, "Invoice", {"DocNumber": str(m)})
            store.create(realm, "Customer", {"DisplayName": f"Customer {n}-{m}"})
        issue_token(realm)
    response, many = queries(lambda: client.get("/"))
    assert response.status_code == 200 and "Company 4" in text(response)
    assert many == few


def test_the_page_has_no_inline_script_or_style_but_the_shared_stylesheet(client, harbor):
    body = client.get("/").content.decode()
    assert "<script" not in body.lower()
    assert not re.search(r"\s(style|on[a-z]+)\s*=", body, flags=re.I)
    assert body.count("<style>") == 1 and render_to_string("sandbox/_style.html") in body
