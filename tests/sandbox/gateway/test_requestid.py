"""`requestid` on writes: the same id for the same realm returns the first response verbatim and runs nothing."""

import pytest

from sandbox.models import Entity, RequestReplay
from sandbox.testing import auth_headers, issue_token, make_realm

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.gateway.urls")]


def test_repeated_requestid_replays_the_first_response_without_writing(post_customer):
    first = post_customer("Acme", "?requestid=abc-1")
    second = post_customer("Something Else", "?requestid=abc-1")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert Entity.objects.count() == 1


def test_different_requestids_both_write(post_customer):
    post_customer("One", "?requestid=id-1")
    post_customer("Two", "?requestid=id-2")
    assert Entity.objects.count() == 2


def test_requestid_is_scoped_to_the_realm(client, post_customer):
    other = make_realm("9341453000000002", "Other Co")
    post_customer("Ours", "?requestid=shared")
    post_customer(
        "Theirs", "?requestid=shared", realm_id=other.realm_id, extra_headers=auth_headers(issue_token(other))
    )
    assert sorted(Entity.objects.values_list("name", flat=True)) == ["Ours", "Theirs"]


def test_requestid_longer_than_50_characters_is_refused(post_customer):
    response = post_customer("Acme", "?requestid=" + "x" * 51)
    assert response.status_code == 400
    assert response.json()["Fault"]["Error"][0]["element"] == "requestid"
    assert Entity.objects.count() == 0
    assert post_customer("Acme", "?requestid=" + "x" * 50).status_code == 200


def test_batch_requestid_limit_is_36(client, realm, headers):
    url = f"/v3/company/{realm.realm_id}/batch?requestid=" + "b" * 37
    assert client.post(url, {}, content_type="application/json", **headers).status_code == 400


def test_get_requests_are_not_replayed(client, realm, headers):
    client.get(f"/v3/company/{realm.realm_id}/customer?requestid=g1", **headers)
    assert not RequestReplay.objects.exists()


def test_a_replay_survives_a_dropped_reply(client, post_customer):
    client.post("/_sandbox/faults", {"kind": "drop"}, content_type="application/json")
    lost = post_customer("Acme", "?requestid=retry-me")
    retried = post_customer("Acme", "?requestid=retry-me")
    assert retried.content == lost.content
    assert Entity.objects.count() == 1
