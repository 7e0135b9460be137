"""Fixed-window rate limits: Redis when REDIS_URL is set (shared by every process), else an
in-process table (the embedded single-process mode)."""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from typing import Any

from plugin.settings import get_settings

_lock = threading.Lock()
_now = time.time  # the windows' clock (real time: the dev clock does not lift limits)
_windows: dict[str, tuple[int, int]] = {}
_redis: dict[str, Any] = {}


def _client(url: str) -> Any:
    if url not in _redis:
        import redis

        _redis[url] = redis.Redis.from_url(url, socket_timeout=1.0)
    return _redis[url]


def consume(scope: str, subject: str, *, limit: int, window_seconds: int) -> int:
    """Count one attempt; 0 while within `limit` for the current window, else the seconds
    until the window ends (a client's Retry-After).

    The subject (an IP, a phone number) is hashed: the limiter never stores it in clear.
    """
    now = _now()
    window = int(now // window_seconds)
    retry_after = max(1, int((window + 1) * window_seconds - now + 0.999))
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    key = f"ulak:rl:{scope}:{digest}:{window}"
    url = get_settings().redis_url
    if url:
        client = _client(url)
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count = int(pipe.execute()[0])
        return 0 if count <= limit else retry_after
    with _lock:
        start, count = _windows.get(key, (window, 0))
        _windows[key] = (start, count + 1)
        if len(_windows) > 50_000:
            for stale in [k for k, (w, _) in _windows.items() if w < window]:
                _windows.pop(stale, None)
        return 0 if count + 1 <= limit else retry_after


def hit(scope: str, subject: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once `limit` attempts were made in the current window."""
    return consume(scope, subject, limit=limit, window_seconds=window_seconds) == 0


def network_of(ip: str) -> str:
    """The network a client address stands for: its /64 for IPv6 (one subscriber's
    allocation, which it can rotate through freely), its /24 for IPv4. Anything that is not
    an address (a test client's name) stands for itself."""
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 64 if address.version == 6 else 24
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def reset() -> None:
    """Forget the in-process counters (tests)."""
    with _lock:
        _windows.clear()
