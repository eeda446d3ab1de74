"""The webhook endpoint under any correctly signed body: 200 or a 400 with a message, never a 500."""

import json

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from quickbooks.models import WebhookEvent

from .test_webhook_endpoint import REALM, VERIFIER, sign

pytestmark = pytest.mark.django_db

FIELDS = [
    "eventNotifications",
    "realmId",
    "dataChangeEvent",
    "entities",
    "name",
    "id",
    "operation",
    "lastUpdated",
    "type",
    "intuitaccountid",
    "intuitentityid",
    "time",
    "data",
    "Id",
    "realmid",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(
        [
            REALM,
            "Customer",
            "Estimate",
            "qbo.estimate.updated.v1",
            "Create",
            "2026-05-01T10:00:00-0700",
            "x" * 300,
            "\x00",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | st.text(), children, max_size=6)
    ),
    max_leaves=30,
)


@pytest.fixture(autouse=True)
def verifier(settings):
    settings.QBO_WEBHOOK_VERIFIER = VERIFIER


def post(client, body: bytes):
    return client.post(
        reverse("quickbooks:webhook"), body, content_type="application/json", headers={"intuit-signature": sign(body)}
    )


@given(payload=json_values)
def test_any_signed_json_body_is_read_or_refused_never_a_server_error(client, payload):
    response = post(client, json.dumps(payload).encode())
    assert response.status_code in (200, 400), response.content


@given(body=st.binary(max_size=2000))
def test_any_signed_bytes_are_read_or_refused_never_a_server_error(client, body):
    response = post(client, body)
    assert response.status_code in (200, 400), response.content


def test_deeply_nested_json_is_a_400_with_a_message(client):
    body = b"[" * 100_000 + b"]" * 100_000
    response = post(client, body)
    assert response.status_code == 400
    assert b"Not a QuickBooks webhook payload" in response.content


def test_an_event_with_fields_no_column_holds_is_skipped_and_the_rest_recorded(client):
    good = {"name": "Customer", "id": "1", "operation": "Create", "lastUpdated": "2026-05-01T10:00:00-0700"}
    bad = {**good, "id": "9" * 40}
    nul = {**good, "name": "Cust\x00omer"}
    body = json.dumps({"eventNotifications": [{"realmId": REALM, "dataChangeEvent": {"entities": [bad, nul, good]}}]})
    response = post(client, body.encode())
    assert response.status_code == 200
    assert list(WebhookEvent.objects.values_list("entity", "qbo_id")) == [("Customer", "1")]
