"""The shared rate limiter: both backends keep the per-minute, per-second and in-flight limits."""

import uuid

import pytest

from quickbooks.client import QuickBooksClient
from quickbooks.client.limiter import FileRateLimiter, Limits, RedisRateLimiter


@pytest.fixture(params=["file", "redis"])
def make_limiter(request, tmp_path):
    """Each backend in turn; the Redis one on the suite's Redis (tests/conftest.py `redis_url`)."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None

    def make(limits):
        if redis_url is None:
            return FileRateLimiter(tmp_path, limits)
        return RedisRateLimiter(redis_url, limits)

    return make


def test_the_per_minute_limit_holds_the_next_request(make_limiter):
    limiter, key = make_limiter(Limits(per_minute=5, per_second=100, concurrent=100)), uuid.uuid4().hex
    waits = [limiter._try_acquire(key, uuid.uuid4().hex, limiter.limits) for _ in range(6)]

    assert waits[:5] == [0] * 5
    assert 55 < waits[5] <= 60  # until the oldest of the five leaves the minute window


def test_the_per_second_limit_holds_the_next_request(make_limiter):
    limiter, key = make_limiter(Limits(per_minute=100, per_second=3, concurrent=100)), uuid.uuid4().hex
    waits = [limiter._try_acquire(key, uuid.uuid4().hex, limiter.limits) for _ in range(4)]

    assert waits[:3] == [0] * 3
    assert 0 < waits[3] <= 1


def test_requests_in_flight_are_capped_and_released(make_limiter):
    limiter, key = make_limiter(Limits(per_minute=100, per_second=100, concurrent=2)), uuid.uuid4().hex
    first, second, third = (uuid.uuid4().hex for _ in range(3))

    limits = limiter.limits
    assert limiter._try_acquire(key, first, limits) == 0 and limiter._try_acquire(key, second, limits) == 0
    assert limiter._try_acquire(key, third, limiter.limits) > 0
    limiter._release(key, first)
    assert limiter._try_acquire(key, third, limiter.limits) == 0


def test_companies_are_limited_separately(make_limiter):
    limiter = make_limiter(Limits(per_minute=1, per_second=1, concurrent=1))

    assert limiter._try_acquire(uuid.uuid4().hex, "a", limiter.limits) == 0
    assert limiter._try_acquire(uuid.uuid4().hex, "b", limiter.limits) == 0


@pytest.mark.django_db
def test_bulk_reads_are_throttled_by_us_not_by_429s(connected_company, qbo, settings, tmp_path):
    # Ours a little under the sandbox's, as in production (8/s against Intuit's 10/s): we count sends,
    # QuickBooks counts arrivals, and the network can bunch them up.
    qbo.control("post", "limits", json={"per_second": 4})
    limiter = FileRateLimiter(tmp_path, Limits(per_minute=480, per_second=3, concurrent=4))
    qb = QuickBooksClient.for_company(connected_company, limiter=limiter)

    for _ in range(10):
        qb.company_info()

    assert qb.calls == 10  # not one retry: the sandbox never had to answer 429
    assert limiter.waited > 0
