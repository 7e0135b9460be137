"""Dev mode's stand-in for a Saleor dashboard: a local demo store whose dashboard tokens are
signed by a dev-only key (DESIGN.md, `GET /dev`).

Saleor issues the admin page's token (RS256, 5-minute life, `iss` = its API URL, `app` = our
app id, `user_permissions`). Without a Saleor, `/dev` signs the same claims with a key made on
this machine (`ulak.devkey.pem` next to `ulak.db`) for a store whose API URL is under the
reserved `.invalid` domain, so nothing is ever fetched from it; the store row carries the
key's public half as its JWKS, exactly as a real store carries its Saleor's. Production
refuses this key whatever store claims it (`jwks.DEV_KID`) and serves no `/dev` at all.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import make_url

from plugin.errors import ConfigurationError
from plugin.saleor.jwks import DEV_KID
from plugin.saleor.models import Store
from plugin.settings import Settings, get_settings

DEMO_DOMAIN = "demo.ulak.invalid"  # RFC 2606: never resolves
DEMO_API_URL = f"http://{DEMO_DOMAIN}/graphql/"
DEMO_APP_ID = "QXBwOmRlbW8="  # base64("App:demo"), shaped like Saleor's app ids
DEMO_USER_PERMISSIONS = ["MANAGE_APPS", "MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_CHECKOUTS"]
TOKEN_SECONDS = 300  # Saleor's dashboard tokens live five minutes


def require_dev(settings: Settings | None = None) -> Settings:
    settings = settings or get_settings()
    if not settings.is_dev:
        raise ConfigurationError("the dev dashboard and the demo store exist in dev mode only")
    return settings


def dev_path(settings: Settings, suffix: str) -> Path:
    """A dev-mode file kept next to the SQLite database (`ulak.db` -> `ulak<suffix>`), else
    `<database name><suffix>` in the working directory."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.stem + suffix)
    return Path(f"{url.database or 'ulak'}{suffix}")


_test_key: list[rsa.RSAPrivateKey] = []


def signing_key(settings: Settings | None = None) -> rsa.RSAPrivateKey:
    """The dev-only key, made on first use and kept readable by this user only (tests keep
    one in memory: ULAK_ENV=test writes no files)."""
    settings = require_dev(settings)
    if settings.ulak_env == "test":
        if not _test_key:
            _test_key.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _test_key[0]
    path = dev_path(settings, ".devkey.pem")
    if path.is_file():
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(loaded, rsa.RSAPrivateKey):
            return loaded
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def public_jwks(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The JWKS a demo store carries, as a real store carries its Saleor's."""
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": DEV_KID, "use": "sig", "alg": "RS256"})
    return {"keys": [jwk]}


def mint_token(store: Store, key: rsa.RSAPrivateKey, *, locale: str = "tr") -> str:
    """A dashboard token for the demo store's staff user, with Saleor's claims."""
    now = int(time.time())
    claims = {
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "owner": "saleor",
        "iss": store.saleor_api_url,
        "app": store.saleor_app_id,
        "type": "thirdparty",
        "token": "dev-dashboard",
        "email": "demo@demo.ulak.invalid",
        "user_id": "VXNlcjpkZW1v",
        "is_staff": True,
        "locale": locale,
        "permissions": DEMO_USER_PERMISSIONS,
        "user_permissions": DEMO_USER_PERMISSIONS,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": DEV_KID})
