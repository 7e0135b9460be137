"""Meta's webhook signature: `X-Hub-Signature-256: sha256=<HMAC-SHA256 hex of the raw body>`.

Verified over the raw bytes (never re-serialised JSON) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="
HEADER = "X-Hub-Signature-256"


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign_body(secret: str | bytes, body: bytes) -> str:
    """The header value Meta would send for `body`."""
    return PREFIX + hmac.new(_key(secret), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `body`; a missing or malformed header is False."""
    if not header or not header.startswith(PREFIX):
        return False
    expected = sign_body(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())
