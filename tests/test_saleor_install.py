"""Installing Ulak from the Saleor dashboard: POST /api/register."""

from __future__ import annotations

import pytest
from sqlmodel import select

from plugin import crypto
from plugin.saleor.models import Store, StoreStatus
from tests.conftest import make_settings

pytestmark = pytest.mark.sqlite


def _register(client, fake, token="good-app-token", api_url=None):
    return client.post(
        "/api/register",
        headers={"saleor-api-url": api_url or fake.api_url, "saleor-domain": fake.domain},
        json={"auth_token": token},
    )


def test_register_stores_the_installation_with_the_token_encrypted(client, fake_saleor, session):
    # when Saleor calls the token target with a valid app token
    response = _register(client, fake_saleor)
    # then the install succeeds and the store is recorded
    assert response.status_code == 200
    assert response.json() == {"success": True}
    store = session.exec(select(Store)).one()
    assert store.saleor_api_url == fake_saleor.api_url
    assert store.saleor_app_id == fake_saleor.app_id
    assert store.status == StoreStatus.ACTIVE
    assert store.name == "Demo Store"
    assert "good-app-token" not in store.app_token_encrypted
    assert crypto.decrypt(store.app_token_encrypted) == "good-app-token"
    assert {k["kid"] for k in store.jwks["keys"]} >= {"ulak-test-key-1"}
    # and the token was checked against that Saleor
    assert fake_saleor.graphql_calls[0]["token"] == "good-app-token"


def test_register_refuses_a_token_that_saleor_rejects(client, fake_saleor, session):
    response = _register(client, fake_saleor, token="stolen-or-expired")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_APP_TOKEN"
    assert session.exec(select(Store)).all() == []


def test_register_refuses_a_saleor_that_allowed_saleor_urls_does_not_allow(db_url, fake_saleor):
    # given an app that only admits one Saleor Cloud instance
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from plugin.db import get_engine

    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="s",
        allowed_saleor_urls="https://shop.saleor.cloud/graphql/",
    )
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        # when another Saleor tries to install
        response = _register(client, fake_saleor)
    # then it is refused with a clear code and nothing is stored or fetched
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "SALEOR_URL_NOT_ALLOWED"
    assert fake_saleor.graphql_calls == []
    from sqlmodel import Session

    with Session(get_engine()) as s:
        assert s.exec(select(Store)).all() == []


def test_a_wildcard_never_admits_a_loopback_saleor_in_production(db_url, fake_saleor):
    from fastapi.testclient import TestClient

    from plugin.app import create_app

    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="s",
        allowed_saleor_urls="*",
    )
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        response = _register(client, fake_saleor)
    assert response.status_code == 403
    # naming the host explicitly admits it
    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="s",
        allowed_saleor_urls=f"http://127.0.0.1:{fake_saleor.port}/graphql/",
    )
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        assert _register(client, fake_saleor).status_code == 200


def test_reinstall_replaces_the_token_and_reactivates_the_store(client, fake_saleor, session):
    # given an installed store that was later uninstalled
    assert _register(client, fake_saleor).status_code == 200
    store = session.exec(select(Store)).one()
    store.status = StoreStatus.DISABLED
    session.add(store)
    session.commit()
    fake_saleor.valid_tokens.add("second-token")
    # when it is installed again with a new token
    assert _register(client, fake_saleor, token="second-token").status_code == 200
    # then the same store row holds the new token and is active
    session.expire_all()
    stores = session.exec(select(Store)).all()
    assert len(stores) == 1
    assert crypto.decrypt(stores[0].app_token_encrypted) == "second-token"
    assert stores[0].status == StoreStatus.ACTIVE


@pytest.mark.parametrize(
    ("headers", "body", "code"),
    [
        ({}, {"auth_token": "good-app-token"}, "MISSING_SALEOR_API_URL"),
        ({"saleor-api-url": "ftp://x/graphql/"}, {"auth_token": "t"}, "INVALID_SALEOR_API_URL"),
        ({"saleor-api-url": "http://127.0.0.1:9/graphql/"}, {"token": "t"}, "MISSING_AUTH_TOKEN"),
    ],
)
def test_register_gives_a_clear_4xx_for_bad_requests(client, headers, body, code):
    response = client.post("/api/register", headers=headers, json=body)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code


def test_register_reports_an_unreachable_saleor(client):
    response = client.post(
        "/api/register",
        headers={"saleor-api-url": "http://127.0.0.1:9/graphql/"},
        json={"auth_token": "t"},
    )
    assert response.status_code == 424
    assert response.json()["error"]["code"] == "SALEOR_UNREACHABLE"


def test_production_refuses_to_start_without_its_secrets(db_url):
    from plugin.app import create_app
    from plugin.settings import ConfigError

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(
            make_settings(db_url, ulak_env="production", secret_key=None), embedded_worker=False
        )
