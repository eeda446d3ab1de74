"""Intuit's throttles: 500/min per realm, 10/s per realm+app, 40 batch/min per realm+app; XML 429 when over."""

import threading
from unittest import mock

import pytest

from sandbox.gateway import RateLimiter, limiter
from sandbox.testing import auth_headers, issue_token, make_realm

pytestmark = [pytest.mark.django_db(databases=["default", "sandbox"]), pytest.mark.urls("tests.sandbox.gateway.urls")]


def set_limits(client, **limits):
    response = client.post("/_sandbox/limits", limits, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["limits"]


def test_defaults_are_intuits_numbers(client):
    assert client.get("/_sandbox/limits").json()["limits"] == {
        "per_minute": 500,
        "per_second": 10,
        "batch_per_minute": 40,
    }


def test_environment_overrides_the_defaults(client, monkeypatch):
    monkeypatch.setenv("QBO_SANDBOX_RATE_PER_MINUTE", "7")
    monkeypatch.setenv("QBO_SANDBOX_RATE_BATCH_PER_MINUTE", "off")
    assert limiter.limits() == {"per_minute": 7, "per_second": 10, "batch_per_minute": None}


def test_eleventh_request_in_a_second_gets_the_xml_429(client, realm, headers):
    statuses = [client.get(f"/v3/company/{realm.realm_id}/customer", **headers).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_per_minute_limit_set_at_runtime_throttles_the_realm_only(client, realm, headers):
    set_limits(client, per_minute=2)
    other = make_realm("9341453000000002", "Other Co")
    other_headers = auth_headers(issue_token(other))
    url = "/v3/company/{}/customer"
    assert [client.get(url.format(realm.realm_id), **headers).status_code for _ in range(3)] == [200, 200, 429]
    throttled = client.get(url.format(realm.realm_id), **headers)
    assert b"ThrottleExceeded" in throttled.content
    assert client.get(url.format(other.realm_id), **other_headers).status_code == 200


def test_batch_limit_counts_batch_requests_only(client, realm, headers):
    set_limits(client, batch_per_minute=1)
    batch = f"/v3/company/{realm.realm_id}/batch"
    assert client.post(batch, {}, content_type="application/json", **headers).status_code == 200
    assert client.post(batch, {}, content_type="application/json", **headers).status_code == 429
    assert client.get(f"/v3/company/{realm.realm_id}/customer", **headers).status_code == 200


def test_limits_reset_to_defaults(client):
    set_limits(client, per_second=1)
    assert set_limits(client, reset=True)["per_second"] == 10


def test_bad_limit_values_are_a_400(client):
    response = client.post("/_sandbox/limits", {"per_second": -1}, content_type="application/json")
    assert response.status_code == 400
    response = client.post("/_sandbox/limits", {"per_hour": 5}, content_type="application/json")
    assert "unknown limits" in response.json()["error"]


def test_limiter_admits_exactly_the_limit_under_concurrent_threads():
    rates = RateLimiter()
    rates.configure({"per_second": 25, "per_minute": None})
    admitted, barrier = [], threading.Barrier(50)

    def hit():
        barrier.wait()
        admitted.append(rates.admit("realm", "app", batch=False))

    threads = [threading.Thread(target=hit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 25


def test_traffic_counts_each_realms_requests_peaks_and_throttles(client, realm, headers):
    set_limits(client, per_second=3)
    other = make_realm("9341453000000002", "Other Co")
    other_headers = auth_headers(issue_token(other))
    url = "/v3/company/{}/customer"
    statuses = [client.get(url.format(realm.realm_id), **headers).status_code for _ in range(5)]
    client.get(url.format(other.realm_id), **other_headers)
    traffic = client.get("/_sandbox/limits").json()["traffic"]
    assert statuses == [200, 200, 200, 429, 429]
    assert traffic[realm.realm_id] == {"requests": 3, "throttled": 2, "peak_second": 3, "peak_minute": 3}
    assert traffic[other.realm_id] == {"requests": 1, "throttled": 0, "peak_second": 1, "peak_minute": 1}


def test_setting_limits_starts_the_traffic_afresh(client, realm, headers):
    client.get(f"/v3/company/{realm.realm_id}/customer", **headers)
    assert client.get("/_sandbox/limits").json()["traffic"][realm.realm_id]["requests"] == 1
    set_limits(client)
    assert client.get("/_sandbox/limits").json()["traffic"] == {}


def test_peak_second_is_the_most_in_one_second_not_the_total():
    rates = RateLimiter()
    rates.configure({"per_second": None, "per_minute": None})
    ticks = iter([100.0, 100.2, 101.5, 101.6, 101.7, 105.0])
    with mock.patch("sandbox.gateway.time.monotonic", lambda: next(ticks)):
        for _ in range(6):
            rates.admit("realm", "app", batch=False)
    assert rates.traffic()["realm"] == {"requests": 6, "throttled": 0, "peak_second": 3, "peak_minute": 6}
