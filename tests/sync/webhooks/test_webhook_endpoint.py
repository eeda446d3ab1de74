"""POST /quickbooks/webhooks/: Intuit's signature is checked, both payload formats recorded once, fetches queued."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quickbooks.models import Company, WebhookEvent
from quickbooks.tasks import webhook_sweep

pytestmark = pytest.mark.django_db

VERIFIER = "test-verifier-token"
REALM = "9130357992221046"
FETCH = "quickbooks.tasks.sync_fetch_object"


@pytest.fixture(autouse=True)
def verifier(settings):
    settings.QBO_WEBHOOK_VERIFIER = VERIFIER


@pytest.fixture
def connected(company):
    company.realm_id = REALM
    company.connection_state = Company.ConnectionState.CONNECTED
    company.save()
    return company


def sign(body: bytes, key: str = VERIFIER) -> str:
    """Computed here as Intuit documents it, independently of the code under test."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a body as Intuit would (signed unless told otherwise), running on-commit work like a real commit."""

    def _deliver(payload, signature="sign", content_type="application/json; charset=utf-8"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {} if signature is None else {"intuit-signature": sign(body) if signature == "sign" else signature}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("quickbooks:webhook"), body, content_type=content_type, headers=headers)

    return _deliver


def legacy(*entities, realm=REALM):
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": list(entities)}}]}


def entity(name="Customer", id="1", operation="Create", last_updated="2015-10-05T14:42:19-0700"):
    return {"name": name, "id": id, "operation": operation, "lastUpdated": last_updated}


def cloud_event(
    event_id="88cd52aa-33b6-4351-9aa4-47572edbd068",
    type="qbo.invoice.updated.v1",
    entity_id="130",
    realm=REALM,
    time="2025-09-10T21:31:25.179851517Z",
):
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "intuit.abc=",
        "type": type,
        "datacontenttype": "application/json",
        "time": time,
        "intuitentityid": entity_id,
        "intuitaccountid": realm,
        "data": {},
    }


def test_legacy_notification_is_recorded_and_its_object_fetched(connected, deliver, sent_tasks):
    response = deliver(legacy(entity("Customer", "1", "Create"), entity("Invoice", "42", "Update")))

    assert response.status_code == 200
    events = {(e.entity, e.qbo_id): e for e in WebhookEvent.objects.all()}
    assert set(events) == {("Customer", "1"), ("Invoice", "42")}
    customer = events["Customer", "1"]
    assert (customer.company, customer.realm_id, customer.operation) == (connected, REALM, "Create")
    assert customer.changed_at == datetime(2015, 10, 5, 21, 42, 19, tzinfo=UTC)  # -0700 read correctly
    assert customer.processed_at is None
    # One fetch for the company: it reads every object its waiting events name.
    assert sent_tasks == [(FETCH, [connected.pk, "Customer", "1"], {})]


def test_cloudevents_array_is_recorded_with_intuits_entity_and_operation_names(connected, deliver, sent_tasks):
    response = deliver(
        [cloud_event(type="qbo.purchaseorder.created.v1", entity_id="77")], content_type="application/cloudevents+json"
    )

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.entity, event.qbo_id, event.operation) == ("PurchaseOrder", "77", "Create")
    assert event.event_key == "ce:88cd52aa-33b6-4351-9aa4-47572edbd068"
    assert event.changed_at == datetime(2025, 9, 10, 21, 31, 25, 179851, tzinfo=UTC)  # nanoseconds cut, not refused
    assert sent_tasks == [(FETCH, [connected.pk, "PurchaseOrder", "77"], {})]


def test_a_single_cloudevent_not_in_an_array_is_accepted(connected, deliver, sent_tasks):
    response = deliver(
        cloud_event(type="qbo.customer.deleted.v1", entity_id="5"), content_type="application/cloudevents+json"
    )

    assert response.status_code == 200
    assert WebhookEvent.objects.get().operation == "Delete"
    assert sent_tasks == [(FETCH, [connected.pk, "Customer", "5"], {})]


def test_the_same_legacy_event_delivered_twice_counts_once(connected, deliver, sent_tasks):
    payload = legacy(entity("Customer", "1", "Update"))

    assert deliver(payload).status_code == 200
    assert deliver(payload).status_code == 200  # Intuit's retry after a lost 200

    assert WebhookEvent.objects.count() == 1
    assert sent_tasks == [(FETCH, [connected.pk, "Customer", "1"], {})]


def test_the_same_cloudevent_delivered_twice_counts_once_even_in_another_batch(connected, deliver, sent_tasks):
    deliver([cloud_event(event_id="e-1")])
    deliver([cloud_event(event_id="e-1"), cloud_event(event_id="e-2", entity_id="131")])

    assert sorted(WebhookEvent.objects.values_list("event_key", flat=True)) == ["ce:e-1", "ce:e-2"]
    assert sent_tasks == [(FETCH, [connected.pk, "Invoice", "130"], {}), (FETCH, [connected.pk, "Invoice", "131"], {})]


def test_a_later_change_to_the_same_object_is_a_new_event(connected, deliver, sent_tasks):
    deliver(legacy(entity("Customer", "1", "Update", "2025-01-01T10:00:00-0800")))
    deliver(legacy(entity("Customer", "1", "Update", "2025-01-01T10:05:00-0800")))

    assert WebhookEvent.objects.count() == 2
    assert len(sent_tasks) == 2


def test_two_changes_to_one_object_in_one_delivery_are_both_recorded_but_fetched_once(connected, deliver, sent_tasks):
    deliver(
        legacy(
            entity("Customer", "1", "Create", "2025-01-01T10:00:00-0800"),
            entity("Customer", "1", "Update", "2025-01-01T10:00:30-0800"),
        )
    )

    assert WebhookEvent.objects.count() == 2
    assert sent_tasks == [(FETCH, [connected.pk, "Customer", "1"], {})]


def test_the_fetch_is_queued_only_after_the_events_are_committed(
    connected, client, django_capture_on_commit_callbacks, sent_tasks
):
    body = json.dumps(legacy(entity())).encode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("quickbooks:webhook"),
            body,
            content_type="application/json",
            headers={"intuit-signature": sign(body)},
        )

        assert sent_tasks == []  # nothing reaches a worker before the row it will read is committed
    assert len(callbacks) == 1


def test_an_unknown_realm_is_recorded_without_a_company_and_nothing_is_fetched(connected, deliver, sent_tasks):
    response = deliver(legacy(entity(), realm="5550001"))

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.realm_id, event.company) == ("5550001", None)
    assert sent_tasks == []


def test_one_delivery_for_two_realms_goes_to_each_company(connected, other_company, deliver, sent_tasks):
    other_company.realm_id = "4620816365"
    other_company.save()

    deliver([cloud_event(event_id="a"), cloud_event(event_id="b", realm="4620816365", entity_id="9")])

    assert dict(WebhookEvent.objects.values_list("event_key", "company")) == {
        "ce:a": connected.pk,
        "ce:b": other_company.pk,
    }
    assert sorted(sent_tasks) == sorted(
        [(FETCH, [connected.pk, "Invoice", "130"], {}), (FETCH, [other_company.pk, "Invoice", "9"], {})]
    )


@pytest.mark.parametrize(
    "signature",
    [None, "", "bm90IHRoZSBzaWduYXR1cmU=", "not base64 at all ✗"],
    ids=["missing", "empty", "wrong", "garbage"],
)
def test_a_missing_or_bad_signature_is_refused_and_nothing_recorded(connected, deliver, sent_tasks, signature):
    response = deliver(legacy(entity()), signature=signature)

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0
    assert sent_tasks == []


def test_a_body_signed_with_another_verifier_is_refused(connected, client, sent_tasks):
    body = json.dumps(legacy(entity())).encode()

    response = client.post(
        reverse("quickbooks:webhook"),
        body,
        content_type="application/json",
        headers={"intuit-signature": sign(body, key="someone-elses-verifier")},
    )

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(connected, client, sent_tasks):
    body = json.dumps(legacy(entity(id="1"))).encode()
    tampered = body.replace(b'"1"', b'"2"')

    response = client.post(
        reverse("quickbooks:webhook"),
        tampered,
        content_type="application/json",
        headers={"intuit-signature": sign(body)},
    )

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_with_no_verifier_configured_every_delivery_is_refused(connected, deliver, settings):
    settings.QBO_WEBHOOK_VERIFIER = ""
    body = json.dumps(legacy(entity())).encode()

    response = deliver(body, signature=base64.b64encode(hmac.new(b"", body, hashlib.sha256).digest()).decode())

    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"42", b'{"something": "else"}'],
    ids=["broken-json", "not-utf8", "a-number", "neither-format"],
)
def test_a_signed_body_that_is_not_a_webhook_payload_is_a_400(connected, deliver, sent_tasks, body):
    response = deliver(body)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_incomplete_events_are_skipped_and_the_rest_recorded(connected, deliver, sent_tasks):
    # A 400 would make Intuit resend the whole batch forever; the good events are kept, the bad ones logged.
    response = deliver(
        [
            cloud_event(event_id="ok"),
            {"id": "no-type", "intuitaccountid": REALM},
            cloud_event(event_id="no-entity", entity_id=""),
        ]
    )

    assert response.status_code == 200
    assert list(WebhookEvent.objects.values_list("event_key", flat=True)) == ["ce:ok"]
    assert len(sent_tasks) == 1


def test_the_endpoint_needs_no_login_or_csrf_token_but_only_answers_post(connected, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    body = json.dumps(legacy(entity())).encode()

    assert (
        strict.post(
            reverse("quickbooks:webhook"),
            body,
            content_type="application/json",
            headers={"intuit-signature": sign(body)},
        ).status_code
        == 200
    )
    assert client.get(reverse("quickbooks:webhook")).status_code == 405


def test_a_broker_failure_still_answers_200_and_notes_it_on_the_event(connected, deliver, monkeypatch):
    from config.celery import app

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(app, "send_task", broker_down)

    response = deliver(legacy(entity()))

    assert response.status_code == 200  # the event is stored; the scheduled pull picks the change up
    assert "Could not queue the fetch" in WebhookEvent.objects.get().error


@pytest.mark.parametrize("builder", ["legacy_payload", "cloudevents_payload"])
def test_what_the_local_sandbox_sends_is_understood(connected, deliver, sent_tasks, builder):
    from sandbox import webhooks as sandbox_webhooks

    change = sandbox_webhooks.Change(
        realm_id=REALM, name="TimeActivity", id="12", operation="Update", at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    )
    body = sandbox_webhooks.codec.dumps(getattr(sandbox_webhooks, builder)([change])).encode()

    assert deliver(body, signature=sandbox_webhooks.sign(body, VERIFIER)).status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.entity, event.qbo_id, event.operation) == ("TimeActivity", "12", "Update")
    assert event.changed_at == datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert sent_tasks == [(FETCH, [connected.pk, "TimeActivity", "12"], {})]


def test_a_webhook_no_fetch_took_is_fetched_again_by_the_sweep_and_others_are_left(connected, sent_tasks, settings):
    settings.QBO_WEBHOOK_SWEEP_AFTER_SECONDS = 60
    old = timezone.now() - timedelta(minutes=5)
    fields = {"company": connected, "realm_id": REALM, "operation": "Update"}
    WebhookEvent.objects.create(event_key="lost-1", entity="Estimate", qbo_id="7", received_at=old, **fields)
    WebhookEvent.objects.create(event_key="lost-2", entity="Estimate", qbo_id="7", received_at=old, **fields)
    WebhookEvent.objects.create(
        event_key="done", entity="Estimate", qbo_id="8", received_at=old, processed_at=timezone.now(), **fields
    )
    WebhookEvent.objects.create(
        event_key="fresh", entity="Estimate", qbo_id="9", **fields
    )  # its fetch may be on its way
    WebhookEvent.objects.create(
        event_key="nobody", realm_id="999", entity="Estimate", qbo_id="10", received_at=old, operation="Update"
    )  # no company has that realm

    assert webhook_sweep() == 1

    assert sent_tasks == [(FETCH, [connected.pk, "Estimate", "7"], {})]
