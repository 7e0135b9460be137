"""Encryption at rest for tokens and credentials, keyed by SECRET_KEY.

SECRET_KEY may list several keys separated by commas: the first encrypts, all decrypt, so
keys rotate without downtime (re-encrypt with `ulak rotate-keys`). Encryption keys are
derived from each SECRET_KEY with HKDF-SHA256; what earlier versions wrote under the plain
SHA-256 derivation still opens, and rotate-keys rewrites it under HKDF.

Keyed hashes (an erased number on the suppression list) must keep matching after a rotation,
when the key they were made with has left SECRET_KEY: their key is kept in the database
(table app_secret, encrypted like any other secret and re-encrypted by rotate-keys), so it
never changes with SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import utc_column
from plugin.settings import get_settings


class DecryptionError(Exception):
    """A stored secret does not open with any configured key."""


class AppSecret(SQLModel, table=True):
    """An installation-wide key that must outlive SECRET_KEY rotations, stored encrypted."""

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=64)
    value_encrypted: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


def _hkdf(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ulak", info=info).derive(
        secret.encode()
    )


def _derive(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_hkdf(secret, b"ulak/fernet/v2")))


def _derive_v1(secret: str) -> Fernet:
    """The derivation before HKDF: kept only to open what earlier versions stored."""
    digest = hashlib.sha256(b"ulak-fernet-v1:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _split(secret_keys: str) -> list[str]:
    return [k.strip() for k in secret_keys.split(",") if k.strip()]


@lru_cache(maxsize=4)
def _fernet(secret_keys: str) -> MultiFernet:
    keys = _split(secret_keys)
    if not keys:
        raise DecryptionError("SECRET_KEY is empty")
    return MultiFernet([_derive(k) for k in keys] + [_derive_v1(k) for k in keys])


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


# --- keyed hashes under a key that survives rotation ---------------------------------------

_hash_keys: dict[tuple[Any, str, str], bytes] = {}
_hash_lock = threading.Lock()


def _first_key_hash_key(purpose: str) -> bytes:
    """The hash key every version before app_secret used: adopted as the stored key, so the
    hashes already on the suppression list keep matching."""
    first = _split(_keys())[0]
    return hashlib.sha256(f"ulak-hash-v1:{purpose}:{first}".encode()).digest()


def _secret_name(purpose: str) -> str:
    return f"hash:{purpose}"


def _hash_key(purpose: str) -> bytes:
    """The stored key if there is one, else the one it will be created with (the same bytes
    while SECRET_KEY's first key is unchanged, so caching either is safe)."""
    from plugin.db import get_engine

    engine = get_engine()
    # by the engine itself: rendering its URL each call cost more than the hash (one a phone)
    cache_key = (engine, _keys(), purpose)
    with _hash_lock:
        if cache_key in _hash_keys:
            return _hash_keys[cache_key]
    table = AppSecret.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(table.c.value_encrypted).where(table.c.name == _secret_name(purpose))
        ).scalar_one_or_none()
    key = base64.b64decode(decrypt(stored)) if stored else _first_key_hash_key(purpose)
    with _hash_lock:
        _hash_keys[cache_key] = key
    return key


def keep_hash_key(conn: Any, *, purpose: str) -> None:
    """Store the key of `purpose`'s hashes if it is not stored yet, in the caller's transaction
    (a Session or Connection): call it before writing a hash that must outlive rotations."""
    table = AppSecret.__table__  # type: ignore[attr-defined]
    name = _secret_name(purpose)
    if conn.execute(sa.select(table.c.name).where(table.c.name == name)).first() is not None:
        return
    value = encrypt(base64.b64encode(_first_key_hash_key(purpose)).decode())
    bind = conn.get_bind() if hasattr(conn, "get_bind") else conn
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    conn.execute(
        insert(table)
        .values(name=name, value_encrypted=value, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["name"])
    )


def forget_hash_keys() -> None:
    """Drop the cached hash keys (tests that empty the database)."""
    with _hash_lock:
        _hash_keys.clear()


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable keyed hash (e.g. of an erased phone number) that reveals nothing without the key.

    Its key does not follow SECRET_KEY rotations (see the module docstring)."""
    return hmac.new(_hash_key(purpose), value.encode(), hashlib.sha256).hexdigest()
