"""The app's clock: real time, moved forward only in dev mode (`POST /sandbox/api/clock`).

Everything that decides "is it due yet?" reads `now()` so that a merchant or a test can see
what a flow does in 24 hours without waiting.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

_lock = threading.Lock()
_offset = timedelta(0)


def now() -> datetime:
    """Aware UTC now, plus the dev offset."""
    return datetime.now(UTC) + _offset


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
