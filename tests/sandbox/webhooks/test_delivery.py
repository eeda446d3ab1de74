"""Changes committed in the sandbox reach registered endpoints as signed POSTs, after commit, with retries."""

import json

import pytest
from django.db import transaction

from sandbox import store
from sandbox.models import WebhookDelivery
from sandbox.oauth.conf import DEFAULT_VERIFIER
from sandbox.testing import make_realm
from sandbox.webhooks import dispatcher
from tests.sandbox.conftest import intuit_signature

# Real commits (transaction=True): deliveries happen on commit, from the dispatcher's own thread.
pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"], transaction=True),
    pytest.mark.urls("sandbox.urls"),
]


@pytest.fixture(autouse=True)
def quick_dispatcher(monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_WEBHOOK_BATCH_SECONDS", "0.05")
    monkeypatch.setenv("QBO_SANDBOX_WEBHOOK_RETRY_SECONDS", "0.1,0.1")
    yield
    assert dispatcher.wait_idle(15), "webhook dispatcher still busy"
    dispatcher.clear()


@pytest.fixture
def realm(db):
    return make_realm("9341453000000001", "Harbor Build Co.")


def register(client, url, fmt="legacy", **extra):
    response = client.post("/_sandbox/webhooks", {"url": url, "format": fmt, **extra}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_legacy_notification_is_signed_with_the_verifier_token(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    customer = store.create(realm, "Customer", {"DisplayName": "Acme"})
    [got] = webhook_receiver.wait_for(1)
    assert got["headers"]["intuit-signature"] == intuit_signature(got["body"], DEFAULT_VERIFIER)
    assert got["headers"]["Content-Type"].startswith("application/json")
    [notification] = json.loads(got["body"])["eventNotifications"]
    assert notification["realmId"] == realm.realm_id
    assert notification["dataChangeEvent"]["entities"][0] == {
        "name": "Customer",
        "id": str(customer.qbo_id),
        "operation": "Create",
        "lastUpdated": notification["dataChangeEvent"]["entities"][0]["lastUpdated"],
    }


def test_cloudevents_endpoint_gets_an_event_array(client, realm, webhook_receiver):
    register(client, webhook_receiver.url, "cloudevents", verifier_token="ce-verifier")
    store.create(realm, "Invoice", {"DocNumber": "1001"})
    [got] = webhook_receiver.wait_for(1)
    assert got["headers"]["Content-Type"] == "application/cloudevents+json"
    assert got["headers"]["intuit-signature"] == intuit_signature(got["body"], "ce-verifier")
    [event] = json.loads(got["body"])
    assert event["type"] == "qbo.invoice.created.v1" and event["intuitaccountid"] == realm.realm_id


def test_changes_close_together_share_one_notification(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    with transaction.atomic(using="sandbox"):
        customer = store.create(realm, "Customer", {"DisplayName": "Acme"})
        store.save(customer, {**customer.document, "DisplayName": "Acme Ltd"})
    [got] = webhook_receiver.wait_for(1)
    entities = json.loads(got["body"])["eventNotifications"][0]["dataChangeEvent"]["entities"]
    assert [e["operation"] for e in entities] == ["Create", "Update"]


def test_rolled_back_changes_notify_nobody(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic(using="sandbox"):
        store.create(realm, "Customer", {"DisplayName": "Never Saved"})
        raise RuntimeError("roll back")
    assert dispatcher.wait_idle(5)
    assert webhook_receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_failed_delivery_is_retried_with_the_same_body_and_recorded(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    webhook_receiver.statuses = [500]
    store.create(realm, "Customer", {"DisplayName": "Acme"})
    first, second = webhook_receiver.wait_for(2)
    assert (first["status"], second["status"]) == (500, 200)
    assert first["body"] == second["body"]
    assert dispatcher.wait_idle(5)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.status_code, delivery.error) == (2, 200, "")
    assert delivery.delivered_at is not None


def test_unreachable_endpoint_gives_up_after_the_schedule(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    webhook_receiver.close()  # nothing listens there any more
    store.create(realm, "Customer", {"DisplayName": "Acme"})
    assert dispatcher.wait_idle(15)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3  # the first try and two retries
    assert delivery.delivered_at is None and "ConnectionError" in delivery.error


def test_deliveries_are_listed_by_the_control_endpoint(client, realm, webhook_receiver):
    register(client, webhook_receiver.url)
    store.create(realm, "Customer", {"DisplayName": "Acme"})
    listing = client.get("/_sandbox/webhooks?wait=5").json()
    [delivery] = listing["deliveries"]
    assert delivery["status_code"] == 200 and delivery["url"] == webhook_receiver.url
    assert delivery["body"]["eventNotifications"][0]["realmId"] == realm.realm_id
