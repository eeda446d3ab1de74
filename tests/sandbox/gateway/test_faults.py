"""Injected faults: the next N matching requests fail with 500 or 429, are delayed, or lose their reply."""

import time

import pytest

from sandbox.gateway import DROP_FLAG
from sandbox.models import Entity, FaultRule

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.gateway.urls")]


def add_fault(client, **rule):
    response = client.post("/_sandbox/faults", rule, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_500_fault_fails_the_next_n_requests_in_intuits_fault_shape(client, post_customer):
    add_fault(client, kind="500", count=2)
    for _ in range(2):
        response = post_customer()
        assert response.status_code == 500
        error = response.json()["Fault"]["Error"][0]
        assert response.json()["Fault"]["type"] == "SystemFault" and error["code"] == "10000"
    assert Entity.objects.count() == 0
    assert post_customer().status_code == 200
    assert Entity.objects.count() == 1


def test_429_fault_answers_intuits_xml_throttle_body(client, post_customer):
    add_fault(client, kind="429")
    response = post_customer()
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/xml")
    assert b'<Error code="3001">' in response.content and b"statusCode=429" in response.content
    assert post_customer().status_code == 200


def test_delay_fault_slows_the_reply_but_answers(client, post_customer):
    add_fault(client, kind="delay", delay_seconds=0.3)
    started = time.monotonic()
    response = post_customer()
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_drop_fault_commits_the_write_and_flags_the_reply_for_dropping(client, post_customer):
    add_fault(client, kind="drop")
    response = post_customer("Dropped Inc")
    assert response.wsgi_request.META.get(DROP_FLAG) is True
    assert Entity.objects.get().name == "Dropped Inc"
    assert DROP_FLAG not in post_customer().wsgi_request.META


def test_fault_only_hits_matching_method_and_path(client, realm, headers, post_customer):
    add_fault(client, kind="500", method="post", path_contains="/batch")
    assert client.get(f"/v3/company/{realm.realm_id}/batch", **headers).status_code == 200
    assert post_customer().status_code == 200
    assert (
        client.post(f"/v3/company/{realm.realm_id}/batch", {}, content_type="application/json", **headers).status_code
        == 500
    )


def test_faults_can_be_listed_and_cleared(client):
    add_fault(client, kind="429", count=3)
    assert [f["remaining"] for f in client.get("/_sandbox/faults").json()["faults"]] == [3]
    assert client.delete("/_sandbox/faults").status_code == 200
    assert not FaultRule.objects.exists()


def test_unknown_fault_kind_is_a_400(client):
    response = client.post("/_sandbox/faults", {"kind": "explode"}, content_type="application/json")
    assert response.status_code == 400
    assert "kind must be one of" in response.json()["error"]


def test_auth_is_checked_before_faults(client, realm):
    add_fault(client, kind="500")
    response = client.post(f"/v3/company/{realm.realm_id}/customer", {}, content_type="application/json")
    assert response.status_code == 401
    assert FaultRule.objects.get().remaining == 1
