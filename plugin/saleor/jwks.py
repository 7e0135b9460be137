"""Saleor's signing keys: cached per store, refetched on an unknown `kid` (key rotation), one
fetch at a time and at most one per interval (failures back off), so unknown kids cannot make
Ulak hammer a Saleor or tie up its threads.

Verifies both things Saleor signs with those keys: webhook bodies (`Saleor-Signature`, a JWS
with a detached unencoded payload, RFC 7797) and the dashboard token the admin page sends.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from jwt import PyJWK, PyJWKSet

from plugin.errors import AuthenticationError, RetryableError
from plugin.saleor.urls import SaleorApiUrl, jwks_url
from plugin.settings import get_settings

# The key id of the dev dashboard's local key (plugin/saleor/dev_dashboard.py): outside dev
# mode a signature or token carrying it is refused, whichever store lists the key.
DEV_KID = "ulak-dev-only"

# While Saleor's JWKS fails, refetches back off exponentially from the refetch interval (at
# least FAILURE_BACKOFF_MIN seconds) up to FAILURE_BACKOFF_MAX; a request that finds a fetch in
# flight waits for it at most INFLIGHT_WAIT seconds instead of starting its own.
FAILURE_BACKOFF_MIN = 1.0
FAILURE_BACKOFF_MAX = 300.0
INFLIGHT_WAIT = 1.0


@dataclass
class _KeyCache:
    keys: dict[str, PyJWK] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = 0.0  # last successful fetch (0: keys of unknown age, from the row)
    failures: int = 0  # consecutive failed fetches since the last success
    failed_at: float = 0.0
    inflight: threading.Event | None = None  # set when the fetch in progress ends


_cache: dict[str, _KeyCache] = {}
_lock = threading.Lock()


def _to_keys(raw: dict[str, Any]) -> dict[str, PyJWK]:
    keys: dict[str, PyJWK] = {}
    try:
        key_set = PyJWKSet.from_dict(raw)
    except jwt.PyJWKSetError:
        return keys
    for key in key_set.keys:
        if key.key_id:
            keys[key.key_id] = key
    return keys


def fetch_jwks(api_url: SaleorApiUrl, *, timeout: float = 10.0) -> dict[str, Any]:
    """GET <saleor origin>/.well-known/jwks.json."""
    try:
        response = httpx.get(jwks_url(api_url), timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise RetryableError(f"Saleor JWKS unreachable: {exc.__class__.__name__}") from exc
    if response.status_code != 200:
        raise RetryableError(f"Saleor JWKS answered {response.status_code}")
    try:
        data = response.json()
    except ValueError as exc:
        raise RetryableError("Saleor JWKS is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise RetryableError("Saleor JWKS has no keys")
    return data


def prime(api_url: str, raw: dict[str, Any], *, fetched_at: float | None = None) -> None:
    """Load keys the store row holds (after install, or at first use in this process)."""
    with _lock:
        when = time.monotonic() if fetched_at is None else fetched_at  # 0.0: of unknown age
        _cache[api_url] = _KeyCache(_to_keys(raw), raw, when)


def forget(api_url: str) -> None:
    with _lock:
        _cache.pop(api_url, None)


def cached_raw(api_url: str) -> dict[str, Any] | None:
    entry = _cache.get(api_url)
    return entry.raw if entry else None


def _unavailable() -> RetryableError:
    return RetryableError("Saleor's signing keys are unavailable", code="JWKS_UNAVAILABLE")


class KeyResolver:
    """Finds the key for a `kid`; an unknown one refetches the JWKS, within bounds.

    Per Saleor and process: one fetch at a time (others wait briefly for it), at most one per
    `min_interval` after a success, and after failures one per exponentially growing backoff.
    An unknown kid is then a 401 once the keys are fresh, and a 503 while Saleor's JWKS is
    failing or still being fetched (Saleor retries a 503: a rotated key is not lost).
    """

    def __init__(
        self,
        api_url: SaleorApiUrl,
        stored: dict[str, Any],
        *,
        min_interval: float,
        timeout: float = 10.0,
    ):
        self.api_url = api_url
        self.min_interval = min_interval
        self.timeout = timeout
        self.refetched: dict[str, Any] | None = None  # new JWKS to persist, if refetched
        if api_url not in _cache:
            prime(api_url, stored, fetched_at=0.0)

    def _next_fetch_at(self, entry: _KeyCache) -> float:
        if entry.failures:
            base = max(self.min_interval, FAILURE_BACKOFF_MIN)
            backoff: float = min(base * 2 ** (entry.failures - 1), max(FAILURE_BACKOFF_MAX, base))
            return entry.failed_at + backoff
        return entry.fetched_at + self.min_interval if entry.fetched_at else 0.0

    def key_for(self, kid: str | None) -> PyJWK:
        if kid == DEV_KID and not get_settings().is_dev:
            raise AuthenticationError("dev-only signing key", code="UNKNOWN_KEY")
        entry = _cache.get(self.api_url) or _KeyCache()
        if kid and kid in entry.keys:
            return entry.keys[kid]
        with _lock:
            entry = _cache.setdefault(self.api_url, entry)
            waiting = entry.inflight
            if waiting is None:
                if time.monotonic() < self._next_fetch_at(entry):
                    raise _unavailable() if entry.failures else self._unknown()
                entry.inflight = threading.Event()
        if waiting is not None:
            waiting.wait(INFLIGHT_WAIT)
            if kid and kid in entry.keys:
                return entry.keys[kid]
            raise _unavailable() if entry.failures or entry.inflight else self._unknown()
        return self._fetch(entry, kid)

    def _fetch(self, entry: _KeyCache, kid: str | None) -> PyJWK:
        """The one fetch in flight for this Saleor; its outcome is cached either way."""
        assert entry.inflight is not None
        try:
            raw = fetch_jwks(self.api_url, timeout=self.timeout)
        except BaseException:  # a failure is cached too: the next try waits its backoff
            with _lock:
                entry.failures += 1
                entry.failed_at = time.monotonic()
                done, entry.inflight = entry.inflight, None
            done.set()
            raise
        keys = _to_keys(raw)
        with _lock:
            entry.keys, entry.raw = keys, raw
            entry.fetched_at, entry.failures = time.monotonic(), 0
            done, entry.inflight = entry.inflight, None
        done.set()
        self.refetched = raw
        if kid and kid in keys:
            return keys[kid]
        raise self._unknown()

    @staticmethod
    def _unknown() -> AuthenticationError:
        return AuthenticationError("unknown signing key", code="UNKNOWN_KEY")


def _header(token: str) -> dict[str, Any]:
    try:
        return jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("malformed signature", code="BAD_SIGNATURE") from exc


def verify_webhook_signature(resolver: KeyResolver, signature: str | None, body: bytes) -> None:
    """Check `Saleor-Signature` (RS256, detached, b64=false) over the raw body bytes."""
    if not signature:
        raise AuthenticationError("missing Saleor-Signature", code="MISSING_SIGNATURE")
    header = _header(signature)
    if header.get("alg") != "RS256" or header.get("b64") is not False:
        raise AuthenticationError("unexpected signature header", code="BAD_SIGNATURE")
    key = resolver.key_for(header.get("kid"))
    try:
        jwt.api_jws.decode_complete(signature, key=key, algorithms=["RS256"], detached_payload=body)
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("signature does not verify", code="BAD_SIGNATURE") from exc


def verify_dashboard_token(
    resolver: KeyResolver, token: str, *, leeway: float = 5.0
) -> dict[str, Any]:
    """Verify a dashboard JWT (RS256, signature and expiry); the caller checks iss and app."""
    header = _header(token)
    if header.get("alg") != "RS256":
        raise AuthenticationError("unexpected token algorithm", code="BAD_TOKEN")
    key = resolver.key_for(header.get("kid"))
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=["RS256"],
            options={"require": ["exp", "iss"], "verify_aud": False},
            leeway=leeway,
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationError("token expired", code="TOKEN_EXPIRED") from exc
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError("token does not verify", code="BAD_TOKEN") from exc
    return claims


def dumps(raw: dict[str, Any]) -> str:
    return json.dumps(raw, sort_keys=True)
