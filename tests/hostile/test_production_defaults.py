"""Production defaults: operator pages need a token, the GraphQL schema is not mapped for
strangers, template buttons are https, SECRET_KEY must be strong, keys come from HKDF, and a
key rotation never reopens an erased number."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi.testclient import TestClient
from sqlmodel import select

from plugin import crypto
from plugin.cli import main
from plugin.delivery.models import MessageStatus
from plugin.events import privacy
from plugin.saleor.models import Store
from plugin.settings import ConfigError, get_settings, set_settings
from plugin.templates.validation import validate_template
from tests.admin_api_support import gql, token_for
from tests.conftest import make_settings
from tests.delivery import conftest as delivery
from tests.delivery.conftest import World, add_contacts, connect_store, phone
from tests.delivery.test_policy import send
from tests.hostile.support import PRODUCTION_SECRET_KEY, production_settings

pytestmark = pytest.mark.sqlite

METRICS_TOKEN = "scrape-token-3c1f7a9e"
# the delivery tests' sandbox WhatsApp, served on loopback (fixtures)
sandbox_server = delivery.sandbox_server
sandbox = delivery.sandbox


def prod_client(db_url: str, fake_saleor: Any, **overrides: Any) -> TestClient:
    from plugin.app import create_app

    settings = production_settings(db_url, allowed=fake_saleor.api_url, **overrides)
    return TestClient(create_app(settings, embedded_worker=False))


@pytest.fixture()
def restore_settings() -> Iterator[None]:
    before = get_settings()
    yield
    set_settings(before)


@pytest.mark.parametrize("path", ["/metrics", "/openapi.json"])
def test_operator_pages_are_not_public_in_production(db_url, fake_saleor, restore_settings, path):
    # without METRICS_TOKEN they are not served at all
    with prod_client(db_url, fake_saleor) as prod:
        assert prod.get(path).status_code == 404
    # with it, only a scraper that presents it reads them
    with prod_client(db_url, fake_saleor, metrics_token=METRICS_TOKEN) as prod:
        anonymous = prod.get(path)
        wrong = prod.get(path, headers={"authorization": "Bearer guess"})
        scraper = prod.get(path, headers={"authorization": f"Bearer {METRICS_TOKEN}"})
    assert (anonymous.status_code, wrong.status_code, scraper.status_code) == (401, 401, 200)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert scraper.content


def test_introspection_and_field_suggestions_are_off_in_production(
    db_url, fake_saleor, saleor_key, restore_settings
):
    with prod_client(db_url, fake_saleor) as prod:
        register = prod.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
            json={"auth_token": "good-app-token"},
        )
        assert register.status_code == 200, register.text
        token = token_for(saleor_key, fake_saleor.api_url)
        # a signed-in user's ordinary query works
        assert gql(prod, token, "{ viewer { email } }").json()["data"]["viewer"]["email"]
        # but the schema is not handed out, nor hinted at
        schema = gql(prod, token, "{ __schema { queryType { name } } }").json()
        typo = gql(prod, token, "{ viewer { emial } }").json()
    assert schema.get("data") is None and "introspection" in schema["errors"][0]["message"]
    assert typo["errors"] and "Did you mean" not in typo["errors"][0]["message"]
    # unless the operator enables it
    with prod_client(db_url, fake_saleor, graphql_introspection=True) as prod:
        allowed = gql(prod, token, "{ __schema { queryType { name } } }").json()
    assert allowed["data"]["__schema"]["queryType"]["name"] == "Query"


def test_template_url_buttons_must_be_https_in_production(db_url, restore_settings):
    set_settings(production_settings(db_url, allowed="https://shop.example/graphql/"))
    body = {"type": "BODY", "text": "Siparişiniz hazır."}

    def codes(url: str) -> list[str]:
        buttons = {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Aç", "url": url}]}
        return [
            e.code
            for e in validate_template(
                name="ready", language="tr", category="UTILITY", components=[body, buttons]
            )
        ]

    assert codes("https://magaza.example/siparis") == []
    assert codes("http://magaza.example/siparis") == ["url_not_https"]
    assert codes("javascript:alert(1)") == ["url_not_https"]
    assert codes("HTTPS://magaza.example/x") == []


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "a" * 48,
        "abababababababababababababababab12345",
        "ulak-dev-insecure-secret-key",
    ],
)
def test_a_weak_secret_key_stops_production_at_start_with_a_clear_error(
    db_url, key, restore_settings
):
    from plugin.app import create_app

    settings = production_settings(db_url, allowed="https://shop.example/graphql/", secret_key=key)
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        create_app(settings, embedded_worker=False)
    # and `ulak serve` says so instead of serving
    set_settings(settings)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1 and "SECRET_KEY is too weak" in result.output


def test_a_strong_key_and_rotation_leftovers_are_accepted(db_url, restore_settings):
    # the first key encrypts and must be strong; an old weak key after it may still decrypt
    production_settings(
        db_url, allowed="https://x.example/graphql/", secret_key=f"{PRODUCTION_SECRET_KEY},old"
    ).check_production()


def hkdf_fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ulak", info=b"ulak/fernet/v2")
    return Fernet(base64.urlsafe_b64encode(key.derive(secret.encode())))


def test_secrets_are_encrypted_under_an_hkdf_derived_key_and_old_ones_still_open(
    db_url, client, installed_store, session, restore_settings
):
    import hashlib

    set_settings(make_settings(db_url, secret_key=PRODUCTION_SECRET_KEY))
    # what this version writes opens with the HKDF-derived key
    assert hkdf_fernet(PRODUCTION_SECRET_KEY).decrypt(crypto.encrypt("tok").encode()) == b"tok"
    # what the previous version wrote (plain SHA-256 of the key) still opens...
    legacy = Fernet(
        base64.urlsafe_b64encode(
            hashlib.sha256(b"ulak-fernet-v1:" + PRODUCTION_SECRET_KEY.encode()).digest()
        )
    )
    store = session.exec(select(Store)).one()
    store.app_token_encrypted = legacy.encrypt(b"good-app-token").decode()
    session.commit()
    assert crypto.decrypt(store.app_token_encrypted) == "good-app-token"
    # ...and `ulak rotate-keys` moves it under the HKDF key
    result = CliRunner().invoke(main, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    rotated = session.exec(select(Store)).one().app_token_encrypted
    assert hkdf_fernet(PRODUCTION_SECRET_KEY).decrypt(rotated.encode()) == b"good-app-token"
    with pytest.raises(InvalidToken):
        legacy.decrypt(rotated.encode())


@pytest.fixture()
def settings(db_url: str, sandbox: Any) -> Any:
    return make_settings(db_url, whatsapp_graph_url=sandbox.graph_url)


def test_an_erased_number_stays_suppressed_after_a_key_rotation(
    db_url, app, session, sandbox, restore_settings
):
    store_id, account_id = connect_store(session)
    world = World(session=session, store_id=store_id, account_id=account_id)
    graph = sandbox.graph_url
    # given a number erased on the customer's request
    privacy.erase_number(session, store_id=store_id, phone_e164=phone(1))
    session.commit()
    # when the operator rotates SECRET_KEY and drops the old key
    old = get_settings().secret_key.get_secret_value()
    new = "rotated-secret-key-5d0c9b7e3a1f4e2d8c6b"
    set_settings(make_settings(db_url, whatsapp_graph_url=graph, secret_key=f"{new},{old}"))
    result = CliRunner().invoke(main, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    set_settings(make_settings(db_url, whatsapp_graph_url=graph, secret_key=new))
    # and the number comes back (a sync, an import) with consent, and a campaign goes out
    [cid] = add_contacts(session, store_id, 1, first=1, consents=("marketing",))
    row = send(world, cid, key="after-rotation")
    # then the erased number is still refused and nothing reaches the phone
    assert (row.status, row.status_reason) == (MessageStatus.SUPPRESSED, "suppressed")
    assert sandbox.messages(phone(1)) == []
    # while an ordinary number is sent to under the new key (the account token was rotated)
    [other] = add_contacts(session, store_id, 1, first=2, consents=("marketing",))
    assert send(world, other, key="control").status == MessageStatus.SENT
