"""Fixed-window rate limits: Redis when REDIS_URL is set (shared by every process), else an
in-process table (the embedded single-process mode)."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from plugin.settings import get_settings

_lock = threading.Lock()
_windows: dict[str, tuple[int, int]] = {}
_redis: dict[str, Any] = {}


def _client(url: str) -> Any:
    if url not in _redis:
        import redis

        _redis[url] = redis.Redis.from_url(url, socket_timeout=1.0)
    return _redis[url]


def hit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window.

    The subject (an IP, a phone number) is hashed: the limiter never stores it in clear.
    """
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    key = f"ulak:rl:{scope}:{digest}:{window}"
    url = get_settings().redis_url
    if url:
        client = _client(url)
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count = int(pipe.execute()[0])
        return count <= limit
    with _lock:
        start, count = _windows.get(key, (window, 0))
        _windows[key] = (start, count + 1)
        if len(_windows) > 50_000:
            for stale in [k for k, (w, _) in _windows.items() if w < window]:
                _windows.pop(stale, None)
        return count + 1 <= limit


def reset() -> None:
    """Forget the in-process counters (tests)."""
    with _lock:
        _windows.clear()
