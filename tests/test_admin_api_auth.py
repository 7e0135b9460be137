"""Authentication of the admin API: Saleor's dashboard token, verified with its JWKS."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from tests.admin_api_support import dashboard_claims, gql, ok, token_for
from tests.support import new_key

pytestmark = pytest.mark.sqlite

QUERY = "{ store { name saleorApiUrl } }"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _refused(response, code: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": code}


def test_a_valid_dashboard_token_opens_its_store(client, installed_store, saleor_key):
    # given a token Saleor issued for our app on the store's Saleor
    token = token_for(saleor_key, installed_store["api_url"])
    # when the admin asks for its store
    data = ok(client, token, QUERY)
    # then it gets that store
    assert data == {"store": {"name": "Demo Store", "saleorApiUrl": installed_store["api_url"]}}


def test_the_issuer_is_normalised_like_the_saleor_api_url(client, installed_store, saleor_key):
    api_url = installed_store["api_url"].rstrip("/")  # Saleor-Api-Url without the slash
    data = ok(client, token_for(saleor_key, api_url), QUERY)
    assert data["store"]["saleorApiUrl"] == installed_store["api_url"]


def test_no_token_is_refused(client, installed_store):
    _refused(gql(client, None, QUERY), "MISSING_TOKEN")


def test_an_expired_token_is_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"], expires_in=-60)
    _refused(gql(client, token, QUERY), "TOKEN_EXPIRED")


def test_a_token_without_expiry_is_refused(client, installed_store, saleor_key):
    claims = dashboard_claims(installed_store["api_url"])
    del claims["exp"]
    _refused(gql(client, saleor_key.token(claims), QUERY), "BAD_TOKEN")


def test_a_token_from_an_unknown_saleor_is_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, "http://127.0.0.1:1/graphql/")
    _refused(gql(client, token, QUERY), "UNKNOWN_SALEOR")


def test_a_token_issued_to_another_app_is_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"], app="QXBwOjI=")
    _refused(gql(client, token, QUERY), "WRONG_APP")


def test_alg_none_is_refused(client, installed_store):
    header = {"alg": "none", "typ": "JWT", "kid": "ulak-test-key-1"}
    token = f"{_b64(header)}.{_b64(dashboard_claims(installed_store['api_url']))}."
    _refused(gql(client, token, QUERY), "BAD_TOKEN")


def test_an_unsigned_rs256_token_is_refused(client, installed_store):
    header = {"alg": "RS256", "typ": "JWT", "kid": "ulak-test-key-1"}
    token = f"{_b64(header)}.{_b64(dashboard_claims(installed_store['api_url']))}."
    _refused(gql(client, token, QUERY), "BAD_TOKEN")


def test_hs256_signed_with_the_public_key_is_refused(client, installed_store, saleor_key):
    # given the classic key-confusion attack: HMAC keyed with the RSA public key
    public_pem = saleor_key.private.public_key().public_bytes(
        encoding=__import__("cryptography").hazmat.primitives.serialization.Encoding.PEM,
        format=__import__(
            "cryptography"
        ).hazmat.primitives.serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "ulak-test-key-1"}
    signing_input = f"{_b64(header)}.{_b64(dashboard_claims(installed_store['api_url']))}"
    import hashlib
    import hmac

    signature = (
        base64.urlsafe_b64encode(
            hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        )
        .decode()
        .rstrip("=")
    )
    _refused(gql(client, f"{signing_input}.{signature}", QUERY), "BAD_TOKEN")


def test_a_token_signed_by_a_key_the_saleor_does_not_serve_is_refused(
    client, installed_store, fake_saleor
):
    # given a key that is not in that Saleor's JWKS (even after a refetch)
    stranger = new_key("stranger")
    token = token_for(stranger, installed_store["api_url"])
    _refused(gql(client, token, QUERY), "UNKNOWN_KEY")
    assert fake_saleor.jwks_requests >= 1


def test_a_tampered_token_is_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"], permissions=[])
    header, _payload, signature = token.split(".")
    payload = _b64(dashboard_claims(installed_store["api_url"]))
    _refused(gql(client, f"{header}.{payload}.{signature}", QUERY), "BAD_TOKEN")


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Basic x"])
def test_malformed_tokens_are_refused(client, installed_store, token):
    _refused(gql(client, token, QUERY), "BAD_TOKEN")


def test_a_rotated_key_is_fetched_once_and_kept(client, installed_store, fake_saleor, session):
    # given Saleor rotated to a new key after the install
    rotated = new_key("rotated")
    fake_saleor.jwks = {"keys": [rotated.public_jwk()]}
    # when a token signed with it arrives
    data = ok(client, token_for(rotated, installed_store["api_url"]), QUERY)
    # then it is accepted and the new JWKS is stored for the next process
    assert data["store"]["name"] == "Demo Store"
    from plugin.saleor.models import Store

    store = session.exec(__import__("sqlmodel").select(Store)).one()
    assert [k["kid"] for k in store.jwks["keys"]] == ["rotated"]


def test_a_disabled_store_is_refused(client, installed_store, saleor_key, session):
    from sqlmodel import select

    from plugin.saleor.models import Store, StoreStatus

    store = session.exec(select(Store)).one()
    store.status = StoreStatus.DISABLED
    session.add(store)
    session.commit()
    _refused(
        gql(client, token_for(saleor_key, installed_store["api_url"]), QUERY), "UNKNOWN_SALEOR"
    )


def test_graphiql_is_served_on_get_in_dev(client):
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_operations_over_get_are_not_executed(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"])
    response = client.get(
        "/graphql", params={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (400, 405)
    assert "Demo Store" not in response.text


def test_production_serves_no_graphiql(db_url):
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from tests.conftest import make_settings

    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="s",
        allowed_saleor_urls="https://shop.saleor.cloud/graphql/",
    )
    with TestClient(create_app(settings, embedded_worker=False)) as prod:
        response = prod.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert jwt  # keep import for key-confusion helpers
