"""Encryption at rest for tokens and credentials, keyed by SECRET_KEY.

SECRET_KEY may list several keys separated by commas: the first encrypts, all decrypt, so
keys rotate without downtime (re-encrypt with `ulak rotate-keys`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from plugin.settings import get_settings


class DecryptionError(Exception):
    """A stored secret does not open with any configured key."""


def _derive(secret: str) -> Fernet:
    digest = hashlib.sha256(b"ulak-fernet-v1:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@lru_cache(maxsize=4)
def _fernet(secret_keys: str) -> MultiFernet:
    keys = [k.strip() for k in secret_keys.split(",") if k.strip()]
    if not keys:
        raise DecryptionError("SECRET_KEY is empty")
    return MultiFernet([_derive(k) for k in keys])


def _keys() -> str:
    key = get_settings().secret_key
    if key is None:
        raise DecryptionError("SECRET_KEY is not set")
    return key.get_secret_value()


def encrypt(plaintext: str) -> str:
    return _fernet(_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with SECRET_KEY") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the first (current) key."""
    try:
        return _fernet(_keys()).rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with SECRET_KEY") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable keyed hash (e.g. of an erased phone number) that reveals nothing without the key."""
    first = _keys().split(",")[0].strip()
    key = hashlib.sha256(f"ulak-hash-v1:{purpose}:{first}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
