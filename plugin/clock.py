"""The app's clock: real time, moved forward only in dev mode (`POST /sandbox/api/clock`).

Everything that decides "is it due yet?" reads `now()` so that a merchant or a test can see
what a flow does in 24 hours without waiting. The dev demo also writes last week's campaign
through the real code by pinning its own thread's clock to the past (`pinned`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)
_pin = threading.local()  # this thread's pinned instant (the dev demo's history), if any


def now() -> datetime:
    """Aware UTC now, plus the dev offset (or this thread's pinned instant)."""
    at: datetime | None = getattr(_pin, "at", None)
    if at is not None:
        return at
    return datetime.now(UTC) + _offset


@contextmanager
def pinned(at: datetime) -> Iterator[datetime]:
    """Inside the block this thread's `now()` is `at` (other threads keep real time): the dev
    demo's past events are stamped by the same code that stamps real ones. Dev mode only (the
    caller checks); never used to move the app's clock backwards."""
    if at.tzinfo is None:
        raise ValueError("a pinned instant is timezone-aware")
    before = getattr(_pin, "at", None)
    _pin.at = at.astimezone(UTC)
    try:
        yield _pin.at
    finally:
        _pin.at = before


def advance(seconds: float) -> datetime:
    """Move the clock forward (dev mode only; callers check the mode)."""
    global _offset
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    with _lock:
        _offset += timedelta(seconds=seconds)
    return now()


def offset() -> timedelta:
    return _offset


def restore(seconds: float) -> datetime:
    """Set the offset a dev sandbox remembered from before a restart (never backwards: a
    restart must not undo time the merchant already moved on)."""
    global _offset
    with _lock:
        _offset = max(_offset, timedelta(seconds=seconds))
    return now()


def reset() -> None:
    """Back to real time (tests)."""
    global _offset
    with _lock:
        _offset = timedelta(0)
