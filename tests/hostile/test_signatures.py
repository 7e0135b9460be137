"""Forged and replayed signatures: every one is a 401 and nothing is recorded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization

from plugin.settings import DEV_WHATSAPP_APP_SECRET
from plugin.whatsapp.signature import sign_body
from tests.hostile.support import row_counts
from tests.support import WHATSAPP_SAMPLES, SigningKey, new_key, saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite

SALEOR_ROUTE = "/api/webhooks/saleor/order-created"
META_ROUTE = "/api/webhooks/whatsapp"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _detached(header: dict[str, object], signature: bytes) -> str:
    return f"{_b64(json.dumps(header).encode())}..{_b64(signature)}"


def _hs256_with_public_key(saleor_key, body: bytes) -> str:
    """The classic algorithm confusion: HMAC keyed with the RSA public key (which is public)."""
    pem = saleor_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "b64": False, "crit": ["b64"], "kid": saleor_key.kid}
    signing_input = _b64(json.dumps(header).encode()).encode() + b"." + body
    return _detached(header, hmac.new(pem, signing_input, hashlib.sha256).digest())


@cache
def _stranger_key(kid: str) -> SigningKey:
    return new_key(kid)


def _forgeries(saleor_key, body: bytes) -> dict[str, str]:
    other_saleor = _stranger_key(saleor_key.kid)  # another Saleor's key, same kid
    valid = saleor_key.sign_body(body)
    return {
        "alg none": _detached({"alg": "none", "b64": False, "crit": ["b64"]}, b""),
        "alg none with kid": _detached(
            {"alg": "none", "b64": False, "crit": ["b64"], "kid": saleor_key.kid}, b""
        ),
        "HS256 keyed with the public key": _hs256_with_public_key(saleor_key, body),
        "valid signature over another body": saleor_key.sign_body(body + b" "),
        "another Saleor's key": other_saleor.sign_body(body),
        "a key nobody publishes": _stranger_key("unknown-kid").sign_body(body),
        "truncated": valid[:-12],
        "header only": valid.split(".")[0] + "..",
        "not a JWS": "garbage",
        "attached payload": valid.replace("..", "." + _b64(body) + "."),
    }


FORGERY_NAMES = [
    "alg none",
    "alg none with kid",
    "HS256 keyed with the public key",
    "valid signature over another body",
    "another Saleor's key",
    "a key nobody publishes",
    "truncated",
    "header only",
    "not a JWS",
    "attached payload",
]


@pytest.mark.parametrize("name", FORGERY_NAMES)
def test_a_forged_saleor_signature_is_a_401_and_nothing_is_recorded(
    client, installed_store, saleor_key, name
):
    # given a real delivery body and a forged signature over it
    body = saleor_body("ORDER_CREATED")
    headers = dict(saleor_headers("ORDER_CREATED"))
    headers["saleor-signature"] = _forgeries(saleor_key, body)[name]
    headers["saleor-api-url"] = installed_store["api_url"]
    before = row_counts()
    # when it is posted
    response = client.post(SALEOR_ROUTE, content=body, headers=headers)
    # then it is refused as unauthenticated and nothing was recorded
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] in ("BAD_SIGNATURE", "UNKNOWN_KEY")
    assert row_counts() == before


def test_the_genuine_signature_is_accepted(client, installed_store, saleor_key):
    # the control: the same body signed by the installed Saleor's key is recorded
    body = saleor_body("ORDER_CREATED")
    headers = dict(
        saleor_headers("ORDER_CREATED"), **{"saleor-api-url": installed_store["api_url"]}
    )
    headers["saleor-signature"] = saleor_key.sign_body(body)
    assert client.post(SALEOR_ROUTE, content=body, headers=headers).status_code == 200


def _meta_body() -> bytes:
    return (WHATSAPP_SAMPLES / "inbound_text.json").read_bytes()


def _meta_forgeries(body: bytes) -> dict[str, str | None]:
    secret = DEV_WHATSAPP_APP_SECRET.encode()
    genuine = sign_body(secret, body)
    changed = bytearray(body)
    changed[len(changed) // 2] ^= 0x01
    return {
        "sha1 header": "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest(),
        "missing prefix": genuine.removeprefix("sha256="),
        "wrong secret": sign_body(b"not-the-app-secret", body),
        "replay over one changed byte": sign_body(secret, bytes(changed)),
        "truncated": genuine[:-2],
        "empty": "",
        "missing": None,
    }


@pytest.mark.parametrize("name", list(_meta_forgeries(b"{}")))
def test_a_forged_meta_signature_is_a_401_and_nothing_is_recorded(client, installed_store, name):
    body = _meta_body()
    signature = _meta_forgeries(body)[name]
    if name == "replay over one changed byte":  # the captured signature, a changed body
        changed = bytearray(body)
        changed[len(changed) // 2] ^= 0x01
        body, signature = bytes(changed), sign_body(DEV_WHATSAPP_APP_SECRET, _meta_body())
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    before = row_counts()
    response = client.post(META_ROUTE, content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert row_counts() == before
