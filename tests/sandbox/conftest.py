"""The sandbox's in-process tests: a clean rate limiter for each test. `live_sandbox` is in tests/live_sandbox.py."""

import pytest

from sandbox.gateway import limiter
from tests.live_sandbox import LiveSandbox, WebhookReceiver, free_port, intuit_signature  # noqa: F401 - re-exported


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit windows live in process memory: each test starts with Intuit's defaults and empty windows."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def unthrottled():
    """For tests that send many requests a second: the gateway's limits are tested where they are built."""
    limiter.configure({"per_second": None, "per_minute": None, "batch_per_minute": None})
    yield
    limiter.reset()
