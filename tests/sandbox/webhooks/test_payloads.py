"""Webhook bodies in Intuit's two formats, and the signature over them."""

from datetime import UTC, datetime

from sandbox.webhooks import Change, cloudevents_payload, legacy_payload, sign
from tests.sandbox.conftest import intuit_signature

AT = datetime(2026, 3, 5, 21, 42, 19, tzinfo=UTC)


def test_legacy_payload_has_one_notification_per_realm_in_change_order():
    changes = [
        Change("111", "Customer", "1", "Create", AT),
        Change("222", "Invoice", "9", "Update", AT),
        Change("111", "Estimate", "4", "Delete", AT),
    ]
    assert legacy_payload(changes) == {
        "eventNotifications": [
            {
                "realmId": "111",
                "dataChangeEvent": {
                    "entities": [
                        {
                            "name": "Customer",
                            "id": "1",
                            "operation": "Create",
                            "lastUpdated": "2026-03-05T13:42:19-0800",
                        },
                        {
                            "name": "Estimate",
                            "id": "4",
                            "operation": "Delete",
                            "lastUpdated": "2026-03-05T13:42:19-0800",
                        },
                    ]
                },
            },
            {
                "realmId": "222",
                "dataChangeEvent": {
                    "entities": [
                        {"name": "Invoice", "id": "9", "operation": "Update", "lastUpdated": "2026-03-05T13:42:19-0800"}
                    ]
                },
            },
        ]
    }


def test_cloudevents_payload_carries_intuits_fields():
    [event] = cloudevents_payload([Change("310687", "Customer", "1234", "Create", AT)])
    assert event["specversion"] == "1.0"
    assert event["type"] == "qbo.customer.created.v1"
    assert event["intuitaccountid"] == "310687" and event["intuitentityid"] == "1234"
    assert event["datacontenttype"] == "application/json" and event["data"] == {}
    assert event["time"] == "2026-03-05T21:42:19Z"
    assert event["source"].startswith("intuit.") and len(event["source"]) == len("intuit.") + 44
    assert len(event["id"]) == 36


def test_cloudevents_types_name_the_verb():
    types = [
        e["type"]
        for e in cloudevents_payload(
            [Change("1", "Invoice", "2", op, AT) for op in ("Update", "Delete", "Void", "Merge")]
        )
    ]
    assert types == [
        "qbo.invoice.updated.v1",
        "qbo.invoice.deleted.v1",
        "qbo.invoice.voided.v1",
        "qbo.invoice.merged.v1",
    ]


def test_signature_is_base64_hmac_sha256_of_the_body():
    body = b'{"eventNotifications":[]}'
    assert sign(body, "verifier-123") == intuit_signature(body, "verifier-123")
    assert sign(body, "verifier-123") != sign(body, "another-verifier")
