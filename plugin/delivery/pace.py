"""Meta's pace: a token bucket per business phone number, and spacing per recipient.

With REDIS_URL the state lives in Redis (Lua scripts, atomic), shared by every worker process,
so N workers together stay under the number's rate. Without Redis (embedded mode) one process
sends, and an in-process bucket does the same job.

Rates use real time (they are about Meta's servers); recipient spacing uses the app clock, so
the dev clock can move a deferred message past its 6 seconds without waiting.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from redis.exceptions import RedisError

from plugin.settings import Settings, get_settings

DEFAULT_RATE = 80.0  # Meta's default messages per second per number
MAX_RATE = 1000.0  # Meta's highest throughput level
PAIR_SPACING_SECONDS = 6.0  # Meta's pair rate: one message to a user every 6 s per number

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local granted = 0
if tokens >= 1 then granted = math.min(want, math.floor(tokens)) end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
local wait = 0
if granted < want then
  wait = (math.min(want - granted, math.max(1, burst / 2)) - tokens) / rate
end
return {granted, tostring(wait)}
"""

_PENALIZE = """
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
if state[1] then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tonumber(state[1]) - tonumber(ARGV[1])))
end
return 1
"""

_RESERVE = """
local now = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local ttl = tonumber(ARGV[3])
local out = {}
for i, key in ipairs(KEYS) do
  local until_ts = tonumber(redis.call('GET', key))
  if until_ts and until_ts > now then
    out[i] = 0
  else
    redis.call('SET', key, tostring(now + spacing), 'PX', ttl)
    out[i] = 1
  end
end
return out
"""


class PacerUnavailable(RuntimeError):
    """The shared pacer could not be asked (Redis away): nothing was sent on its word."""


def clamp_rate(rate: float | None) -> float:
    """The number's rate, within what Meta offers (80/s by default, 1,000/s at most)."""
    if not rate or rate <= 0:
        return DEFAULT_RATE
    return min(float(rate), MAX_RATE)


def burst_for(rate: float) -> float:
    """A fifth of a second of sends may go at once; the rest is spread evenly."""
    return max(1.0, rate / 5)


class Pacer(Protocol):
    def take(self, number: str, want: int, rate: float) -> tuple[int, float]:
        """Take up to `want` send tokens for `number`: (granted, seconds to wait for more)."""
        ...

    def penalize(self, number: str, seconds: float, rate: float) -> None:
        """Meta said "too fast" (130429): give up `seconds` worth of tokens."""
        ...

    def reserve_recipients(
        self, number: str, recipients: list[str], *, now: float, spacing: float
    ) -> list[bool]:
        """For each recipient (in order): may a message go to them now? True reserves the slot
        for `spacing` seconds, so a second message in the same batch is refused."""
        ...


class LocalPacer:
    """The in-process pacer for embedded mode (one process sends)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._recipients: dict[tuple[str, str], float] = {}

    def take(self, number: str, want: int, rate: float) -> tuple[int, float]:
        burst = burst_for(rate)
        with self._lock:
            now = time.monotonic()
            tokens, ts = self._buckets.get(number, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - ts) * rate)
            granted = min(want, int(tokens)) if tokens >= 1 else 0
            tokens -= granted
            self._buckets[number] = (tokens, now)
        wait = 0.0
        if granted < want:
            wait = (min(want - granted, max(1.0, burst / 2)) - tokens) / rate
        return granted, max(0.0, wait)

    def penalize(self, number: str, seconds: float, rate: float) -> None:
        with self._lock:
            tokens, ts = self._buckets.get(number, (burst_for(rate), time.monotonic()))
            self._buckets[number] = (tokens - seconds * rate, ts)

    def reserve_recipients(
        self, number: str, recipients: list[str], *, now: float, spacing: float
    ) -> list[bool]:
        out: list[bool] = []
        with self._lock:
            if len(self._recipients) > 100_000:
                self._recipients = {k: v for k, v in self._recipients.items() if v > now}
            for recipient in recipients:
                key = (number, recipient)
                if self._recipients.get(key, 0.0) > now:
                    out.append(False)
                else:
                    self._recipients[key] = now + spacing
                    out.append(True)
        return out


class RedisPacer:
    """The shared pacer: every worker process takes its tokens from the same Redis keys."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = f"{namespace}:pace"
        self._take = self.client.register_script(_TAKE)
        self._penalize = self.client.register_script(_PENALIZE)
        self._reserve = self.client.register_script(_RESERVE)

    def take(self, number: str, want: int, rate: float) -> tuple[int, float]:
        try:
            granted, wait = self._take(
                keys=[f"{self.prefix}:bucket:{number}"], args=[rate, burst_for(rate), want]
            )
        except RedisError as exc:
            raise PacerUnavailable(str(exc)) from exc
        return int(granted), max(0.0, float(wait))

    def penalize(self, number: str, seconds: float, rate: float) -> None:
        try:
            self._penalize(keys=[f"{self.prefix}:bucket:{number}"], args=[seconds * rate])
        except RedisError as exc:
            raise PacerUnavailable(str(exc)) from exc

    def reserve_recipients(
        self, number: str, recipients: list[str], *, now: float, spacing: float
    ) -> list[bool]:
        if not recipients:
            return []
        keys = [f"{self.prefix}:pair:{number}:{r}" for r in recipients]
        ttl_ms = int(spacing * 2000) + 1000
        try:
            answer = self._reserve(keys=keys, args=[now, spacing, ttl_ms])
        except RedisError as exc:
            raise PacerUnavailable(str(exc)) from exc
        return [bool(int(v)) for v in answer]


_pacers: dict[tuple[str | None, str], Pacer] = {}
_pacers_lock = threading.Lock()


def get_pacer(settings: Settings | None = None) -> Pacer:
    """The process's pacer: Redis when REDIS_URL is set, otherwise in-process."""
    settings = settings or get_settings()
    key = (settings.redis_url, settings.redis_namespace)
    with _pacers_lock:
        pacer = _pacers.get(key)
        if pacer is None:
            pacer = (
                RedisPacer(settings.redis_url, settings.redis_namespace)
                if settings.redis_url
                else LocalPacer()
            )
            _pacers[key] = pacer
        return pacer


def reset_pacers() -> None:
    """Forget every in-process pacer (tests: each starts with full buckets)."""
    with _pacers_lock:
        _pacers.clear()
