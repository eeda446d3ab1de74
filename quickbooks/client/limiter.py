"""Keep every worker together under Intuit's limits for a company, so we throttle ourselves before 429s.

Intuit allows 500 requests a minute and 10 a second per company, and 10 in flight at once per app and
company. Each request takes a slot: a time stamp in a one-minute and a one-second window, and a lease
among the requests in flight (released when the reply arrives; a lease a crashed worker never released
expires). With Redis the decision is one Lua script, so workers on many machines share it; without
Redis a file under var/, locked with flock, serves the processes of one machine.
"""

import fcntl
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

LEASE_SECONDS = 120  # Intuit times a request out at 120 s


@dataclass(frozen=True)
class Limits:
    per_minute: int
    per_second: int
    concurrent: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(settings.QBO_RATE_PER_MINUTE, settings.QBO_RATE_PER_SECOND, settings.QBO_MAX_CONCURRENT)

    @classmethod
    def for_batches(cls) -> "Limits":
        """Intuit's 40 batch requests a minute per company and app, less a margin; each batch request also takes
        an ordinary slot."""
        return cls(settings.QBO_BATCH_PER_MINUTE, settings.QBO_RATE_PER_SECOND, settings.QBO_MAX_CONCURRENT)


class RateLimiter:
    """`with limiter.slot(realm_id): send()` waits until a request may go."""

    def __init__(self, limits: Limits | None = None, *, max_wait: float = 600.0):
        self.limits = limits or Limits.from_settings()
        self.max_wait = max_wait
        self.waited = 0.0  # seconds this limiter made callers wait, for sync records and benchmarks

    @contextmanager
    def slot(self, key: str, limits: Limits | None = None) -> Iterator[None]:
        """Wait for a slot under `limits` (the limiter's own by default) for `key`, and hold it while in use."""
        member = uuid.uuid4().hex
        deadline = time.monotonic() + self.max_wait
        while (wait := self._try_acquire(key, member, limits or self.limits)) > 0:
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"Waited over {self.max_wait:.0f}s for a QuickBooks request slot for {key}")
            self.waited += wait
            time.sleep(wait)
        try:
            yield
        finally:
            self._release(key, member)

    def _try_acquire(self, key: str, member: str, limits: Limits) -> float:
        """0 when a slot was taken, else seconds to wait before trying again."""
        raise NotImplementedError

    def _release(self, key: str, member: str) -> None:
        raise NotImplementedError


_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local wait = 0
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + 60000 - now)
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + 1000 - now)
end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[3]) then
  wait = math.max(wait, 25)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[1], 61000)
redis.call('PEXPIRE', KEYS[2], 2000)
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[4]))
return 0
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, redis_url: str, limits: Limits | None = None, **kwargs: Any) -> None:
        import redis

        super().__init__(limits, **kwargs)
        self.redis = redis.Redis.from_url(redis_url)
        self._acquire = self.redis.register_script(_ACQUIRE)

    def _keys(self, key: str) -> list[str]:
        base = f"costline:qbo-rate:{key}"
        return [f"{base}:minute", f"{base}:second", f"{base}:inflight"]

    def _try_acquire(self, key: str, member: str, limits: Limits) -> float:
        args: list[int | str] = [limits.per_minute, limits.per_second, limits.concurrent, LEASE_SECONDS * 1000, member]
        return int(self._acquire(keys=self._keys(key), args=args)) / 1000

    def _release(self, key: str, member: str) -> None:
        self.redis.zrem(self._keys(key)[2], member)


class FileRateLimiter(RateLimiter):
    """The same rules as the Lua script, on a JSON file guarded by an exclusive flock."""

    def __init__(self, folder: Path, limits: Limits | None = None, **kwargs: Any) -> None:
        super().__init__(limits, **kwargs)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _state(self, key: str) -> Iterator[dict[str, Any]]:
        path = self.folder / f"{key}.json"
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            state = json.loads(handle.read() or '{"sent": [], "inflight": {}}')
            yield state
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(state))

    def _try_acquire(self, key: str, member: str, limits: Limits) -> float:
        now = time.time()
        with self._state(key) as state:
            sent = [stamp for stamp in state["sent"] if stamp > now - 60]
            inflight = {m: until for m, until in state["inflight"].items() if until > now}
            last_second = [stamp for stamp in sent if stamp > now - 1]
            wait = 0.0
            if len(sent) >= limits.per_minute:
                wait = max(wait, sent[0] + 60 - now)
            if len(last_second) >= limits.per_second:
                wait = max(wait, last_second[0] + 1 - now)
            if len(inflight) >= limits.concurrent:
                wait = max(wait, 0.025)
            if wait == 0:
                sent.append(now)
                inflight[member] = now + LEASE_SECONDS
            state["sent"], state["inflight"] = sent, inflight
            return wait

    def _release(self, key: str, member: str) -> None:
        with self._state(key) as state:
            state["inflight"].pop(member, None)


def default_limiter() -> RateLimiter:
    if settings.REDIS_URL:
        return RedisRateLimiter(settings.REDIS_URL)
    return FileRateLimiter(settings.VAR_DIR / "qbo-rate-limits")
