"""Meta's pace: a schedule of send slots per business phone number, and spacing per recipient.

A send is admitted to a slot of its number's schedule before it is sent: slots are 1/rate
apart, so the number never goes faster than its throughput (Meta: 80 messages per second by
default, up to 1,000), and a send is told when its slot starts instead of waiting for tokens
in a loop. Admission with a horizon books only the next moment: what does not fit waits in
the outbox (plugin/delivery/policy/pacing.py), never in a worker thread.

With REDIS_URL the state lives in Redis (Lua scripts, atomic), shared by every worker process,
so N workers together stay under the number's rate. Without Redis (embedded mode) one process
sends, and an in-process schedule does the same job.

Rates use real time (they are about Meta's servers); recipient spacing uses the app clock, so
the dev clock can move a deferred message past its 6 seconds without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import RedisError

from plugin.settings import Settings, get_settings

# A paced row falls due this long before its slot starts, so that by then the tick (once a
# second) has queued it and a worker has claimed it: the number's schedule stays booked from one
# tick to the next instead of idling while the next rows are queued (the soak at 80/s sent 70/s
# with rows due at their slot). A claim books up to LEAD plus a tick ahead (policy/pacing.py).
LEAD_SECONDS = 1.0
DEFAULT_RATE = 80.0  # Meta's default messages per second per number
MAX_RATE = 1000.0  # Meta's highest throughput level
PAIR_SPACING_SECONDS = 6.0  # Meta's pair rate: one message to a user every 6 s per number

# The number's schedule (GCRA, "virtual scheduling"): `next` is when its next send may start.
# Admitting n sends reserves n slots, 1/rate apart, from max(next, now - slack); the slack lets
# a fifth of a second of sends go at once after a quiet spell, as a bucket's burst would. With
# a horizon, only the slots starting within `horizon` seconds are reserved: the rest are not
# taken, so a campaign never books the number for minutes ahead of an order update.
_ADMIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = 1 / tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local horizon = tonumber(ARGV[4])
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now - slack)
local granted = want
if horizon >= 0 then
  granted = math.max(0, math.min(want, math.floor((now + horizon - start) / interval) + 1))
end
local after = start + granted * interval
if granted > 0 then
  redis.call('SET', KEYS[1], tostring(after), 'PX', math.ceil((after - now) * 1000) + 60000)
end
return {granted, tostring(start - now), tostring(math.max(0, after - now))}
"""

_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local after = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(after), 'PX', math.ceil((after - now) * 1000) + 60000)
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


def slack_for(rate: float) -> float:
    """After a quiet spell a fifth of a second of sends may go at once (at least one); the
    rest are spread evenly."""
    return max(1.0, rate / 5) / rate


@dataclass(frozen=True, slots=True)
class Admission:
    """Slots of a number's schedule: `granted` sends, the first `first_in` seconds from now
    (0 or less: at once), `interval` apart; the schedule is free again `free_in` seconds from
    now."""

    granted: int
    first_in: float
    interval: float
    free_in: float

    def starts_in(self, index: int) -> float:
        """Seconds from now until the `index`-th granted send may start (0: at once)."""
        return max(0.0, self.first_in + index * self.interval)


class Pacer(Protocol):
    def admit(self, number: str, want: int, rate: float, *, horizon: float | None) -> Admission:
        """Reserve slots for up to `want` sends on `number`: all of them (`horizon` None), or
        those whose slot starts within `horizon` seconds."""
        ...

    def penalize(self, number: str, seconds: float) -> None:
        """Meta said "too fast" (130429): the number's next slot moves `seconds` later."""
        ...

    def reserve_recipients(
        self, number: str, recipients: list[str], *, now: float, spacing: float
    ) -> list[bool]:
        """For each recipient (in order): may a message go to them now? True reserves the slot
        for `spacing` seconds, so a second message in the same batch is refused."""
        ...


class LocalPacer:
    """The in-process pacer for embedded mode (one process sends)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # the send loop starts sends by time.monotonic(); tests step it
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}  # number -> when its next slot starts (monotonic)
        self._recipients: dict[tuple[str, str], float] = {}

    def admit(self, number: str, want: int, rate: float, *, horizon: float | None) -> Admission:
        interval = 1.0 / rate
        with self._lock:
            now = self._clock()
            start = max(self._next.get(number, 0.0), now - slack_for(rate))
            granted = want
            if horizon is not None:
                granted = max(0, min(want, int((now + horizon - start) // interval) + 1))
            after = start + granted * interval
            if granted:
                self._next[number] = after
        return Admission(granted, start - now, interval, max(0.0, after - now))

    def penalize(self, number: str, seconds: float) -> None:
        with self._lock:
            now = self._clock()
            self._next[number] = max(self._next.get(number, 0.0), now) + seconds

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
    """The shared pacer: every worker process books its slots in the same Redis keys."""

    def __init__(self, url: str, namespace: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = f"{namespace}:pace"
        self._admit = self.client.register_script(_ADMIT)
        self._penalize = self.client.register_script(_PENALIZE)
        self._reserve = self.client.register_script(_RESERVE)

    def admit(self, number: str, want: int, rate: float, *, horizon: float | None) -> Admission:
        try:
            granted, first_in, free_in = self._admit(
                keys=[f"{self.prefix}:next:{number}"],
                args=[rate, slack_for(rate), want, -1 if horizon is None else horizon],
            )
        except RedisError as exc:
            raise PacerUnavailable(str(exc)) from exc
        return Admission(int(granted), float(first_in), 1.0 / rate, float(free_in))

    def penalize(self, number: str, seconds: float) -> None:
        try:
            self._penalize(keys=[f"{self.prefix}:next:{number}"], args=[seconds])
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
    """Forget every in-process pacer (tests: each starts with quiet numbers)."""
    with _pacers_lock:
        _pacers.clear()
