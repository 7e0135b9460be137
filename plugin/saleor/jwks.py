"""Saleor's signing keys: cached per store, refetched once on an unknown `kid` (key rotation).

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


@dataclass
class _KeyCache:
    keys: dict[str, PyJWK] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = 0.0


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
        _cache[api_url] = _KeyCache(_to_keys(raw), raw, fetched_at or time.monotonic())


def forget(api_url: str) -> None:
    with _lock:
        _cache.pop(api_url, None)


def cached_raw(api_url: str) -> dict[str, Any] | None:
    entry = _cache.get(api_url)
    return entry.raw if entry else None


class KeyResolver:
    """Finds the key for a `kid`, refetching the JWKS at most once per interval."""

    def __init__(self, api_url: SaleorApiUrl, stored: dict[str, Any], *, min_interval: float):
        self.api_url = api_url
        self.min_interval = min_interval
        self.refetched: dict[str, Any] | None = None  # new JWKS to persist, if refetched
        if api_url not in _cache:
            prime(api_url, stored, fetched_at=0.0)

    def key_for(self, kid: str | None) -> PyJWK:
        if kid == DEV_KID and not get_settings().is_dev:
            raise AuthenticationError("dev-only signing key", code="UNKNOWN_KEY")
        entry = _cache[self.api_url]
        if kid and kid in entry.keys:
            return entry.keys[kid]
        if time.monotonic() - entry.fetched_at < self.min_interval:
            raise AuthenticationError("unknown signing key", code="UNKNOWN_KEY")
        raw = fetch_jwks(self.api_url)
        prime(self.api_url, raw)
        self.refetched = raw
        entry = _cache[self.api_url]
        if kid and kid in entry.keys:
            return entry.keys[kid]
        raise AuthenticationError("unknown signing key", code="UNKNOWN_KEY")


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
