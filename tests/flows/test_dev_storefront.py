"""Dev mode: a store starts with the sandbox storefront as its checkout URL (issue 19, point 9;
DESIGN.md "The sandbox"), so the cart reminder's button leads somewhere real — before, it led
to `http://<Saleor API host>/checkout/...`, a page no shop serves."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from plugin.stores.models import StoreSettings
from tests.support import FakeSaleor, SigningKey, wait_for
from tests.test_end_to_end import (  # noqa: F401 - fixtures
    _clock,
    _opted_in_checkout,
    _templates_for,
    installed,
)
from tests.whatsapp.test_sandbox_wiring import db, live_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.sqlite

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


def test_a_dev_stores_cart_reminder_button_opens_the_sandbox_storefront_checkout(
    installed: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
    db: Session,  # noqa: F811 - the fixture
) -> None:
    from tests.flows.support import PHONE as SHOPPER

    app = installed
    # given a store installed in dev mode: its storefront is the sandbox's
    settings = db.exec(select(StoreSettings)).one()
    assert settings.storefront_url == f"{app}/sandbox/storefront"
    # when an opted-in shopper leaves her checkout for an hour
    _opted_in_checkout(app, fake_saleor, saleor_key, SHOPPER)
    _clock(app, 3600 + 60)
    wait_for(lambda: "ulak_cart_recovery_1" in _templates_for(app, SHOPPER), timeout=25)
    reminder = next(
        m
        for m in httpx.get(f"{app}/sandbox/api/messages", params={"to": SHOPPER}).json()
        if m["template_name"] == "ulak_cart_recovery_1"
    )
    link = next(b["url"] for b in reminder["buttons"] if b["type"] == "url")
    # then its button is a tracked link of this app that opens her checkout on the storefront
    assert link.startswith(f"{app}/r/")
    page = httpx.get(link, headers={"user-agent": BROWSER}, follow_redirects=True)
    assert page.status_code == 200
    landed = urlsplit(str(page.url))
    where = f"{landed.scheme}://{landed.netloc}{landed.path}"
    assert where == f"{app}/sandbox/storefront/checkout/"
    token = parse_qs(landed.query)["checkout"][0]
    assert token and token in page.text
    assert "Sepetinize dönüyorsunuz" in page.text and "Back to your cart" in page.text


def test_in_production_cart_recovery_stays_off_until_the_checkout_url_is_set(
    db_url: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from tests.admin_api_support import gql, token_for
    from tests.conftest import make_settings

    settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="s",
        allowed_saleor_urls=fake_saleor.api_url,
    )
    switch = 'mutation { setFlowEnabled(id: "cart_recovery", enabled: true) {'
    switch += " flow { enabled } errors { field code message messageTr } } }"
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        # given a store installed in production, its storefront not set yet
        register = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert register.status_code == 200, register.text
        token = token_for(saleor_key, fake_saleor.api_url)
        # when the merchant switches cart recovery on
        refused = gql(client, token, switch).json()["data"]["setFlowEnabled"]
        # then it stays off and says what is missing, in English and Turkish
        assert refused["flow"] is None
        [why] = refused["errors"]
        assert (why["field"], why["code"]) == ("storefrontUrl", "REQUIRED")
        assert "storefront's address" in why["message"]
        assert "mağazanızın adresi" in why["messageTr"]
        # when the storefront URL is set (as onboarding asks), it switches on
        saved = gql(
            client,
            token,
            "mutation($u: String) { updateStoreSettings(input: {storefrontUrl: $u})"
            " { errors { code } } }",
            {"u": "https://shop.example"},
        ).json()["data"]["updateStoreSettings"]
        assert saved["errors"] == []
        switched = gql(client, token, switch).json()["data"]["setFlowEnabled"]
        assert switched == {"flow": {"enabled": True}, "errors": []}
