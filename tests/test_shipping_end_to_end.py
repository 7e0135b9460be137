"""Shipping updates with the default settings, end to end: the real app under uvicorn, signed
Saleor webhooks (the captured ORDER_FULFILLED body, re-signed), the sandbox phone, the admin API.

A new store switches nothing but the order flows on; Saleor reports a shipment with a Turkish
carrier's tracking number; the customer's phone shows "your order has shipped" with a button
that lands on the carrier's tracking page. Without a known carrier the message still goes out,
without a button, with the number. A flow that cannot send says so in the admin, and stops
saying so once the merchant fixed it.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import (
    _admin,
    _clock,
    _deliver,
    _messages,
    _settle,
    driven_store,  # noqa: F401 - fixture
)
from tests.whatsapp.test_sandbox_wiring import db, live_app, served_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.sqlite

ALERTS = "{ flowAlerts { flowKey reason { code text textTr fix fixTr } firstSeenAt } }"


def _ship(
    store: tuple[str, FakeSaleor, SigningKey],
    name: str,
    *,
    order_id: str,
    number: str,
    method: str | None = None,
    carrier_metadata: str | None = None,
) -> None:
    """Saleor's captured ORDER_FULFILLED body (FULFILLMENT_CREATED carries the same
    fulfillment), with what our subscription asks for — the tracking number, the shipping
    method's name, the fulfillment's `ulak.carrier` metadata — signed and posted to its route;
    then the app does its work (queue and scheduler ticks)."""
    from datetime import timedelta

    from tests.flows.support import CONSENT, order_event

    app, fake, key = store
    now = _clock(app, 0)
    body = order_event(
        name,
        created=now - timedelta(days=1),
        issued_at=now,
        order_id=order_id,
        checkout_id=None,
        metafields={"ulak.consent": json.dumps({**CONSENT, "marketing": False})},
        tracking_number=number,
    )
    body["order"]["shippingMethodName"] = method
    for fulfillment in [*body["order"]["fulfillments"], body.get("fulfillment") or {}]:
        if fulfillment:  # Saleor's fulfillment ids are unique across orders
            fulfillment["id"] = base64.b64encode(f"Fulfillment:{order_id}".encode()).decode()
            fulfillment["metafields"] = {"ulak.carrier": carrier_metadata}
    _deliver(app, fake, key, name, body)
    _settle(app)


def _last(app: str, phone: str) -> dict:
    return _messages(app, phone)[-1]


def _lands_on(app: str, message: dict) -> str:
    (button,) = message["buttons"]
    assert button["url"].startswith(f"{app}/r/")
    return httpx.get(button["url"], follow_redirects=False).headers["location"]


def test_a_shipment_with_a_turkish_carrier_reaches_the_phone_with_its_tracking_page(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    from tests.flows.support import PHONE

    app = driven_store
    store = (app, fake_saleor, saleor_key)
    # given a store with the default settings (no tracking page configured anywhere)
    # when Saleor reports an order shipped by "Aras Kargo" (its shipping method's name)
    number = "3513773163316"
    _ship(
        store,
        "ORDER_FULFILLED",
        order_id="T3JkZXI6MQ==",
        number=number,
        method="Aras Kargo - Standart",
    )
    # then the phone shows the shipped message with the number, and its button opens Aras's
    # tracking page for that number
    message = _last(app, PHONE)
    assert (message["template_name"], number in message["text"]) == ("ulak_order_fulfilled", True)
    assert (
        _lands_on(app, message)
        == f"https://kargotakip.araskargo.com.tr/mainpage.aspx?code={number}"
    )
    # when another order ships with Yurtiçi, named only in the fulfillment's metadata
    number = "100200300400"
    _ship(
        store,
        "FULFILLMENT_CREATED",
        order_id="T3JkZXI6Mg==",
        number=number,
        method="Ücretsiz kargo",
        carrier_metadata="yurtici",
    )
    # then its button opens Yurtiçi's tracking page
    assert _lands_on(app, _last(app, PHONE)) == (
        f"https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={number}"
    )
    # when a third ships with a carrier nobody names
    _ship(
        store,
        "ORDER_FULFILLED",
        order_id="T3JkZXI6Mw==",
        number="XK-99812",
        method="Standart teslimat",
    )
    # then the shipped message still goes out: no button, the tracking number in the text
    message = _last(app, PHONE)
    assert (message["template_name"], message["buttons"]) == ("ulak_order_fulfilled_no_link", [])
    assert "Takip numaranız: XK-99812" in message["text"]
    assert [m["template_name"] for m in _messages(app, PHONE)] == [
        "ulak_order_fulfilled",
        "ulak_order_fulfilled",
        "ulak_order_fulfilled_no_link",
    ]
    # and nothing alerts the merchant: every shipment was sent
    merchant = token_for(saleor_key, fake_saleor.api_url)
    assert _admin(app, merchant, ALERTS)["flowAlerts"] == []


def test_a_flow_that_cannot_send_raises_an_alert_with_its_fix_and_clears_when_fixed(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    from tests.flows.support import PHONE

    app = driven_store
    merchant = token_for(saleor_key, fake_saleor.api_url)

    def alerts() -> list[tuple[str, str]]:
        found = _admin(app, merchant, ALERTS)["flowAlerts"]
        return [(a["flowKey"], a["reason"]["code"]) for a in found]

    # given a merchant who points the number-only shipped message at a template Meta never
    # approved
    broken = _admin(
        app,
        merchant,
        'mutation($t: JSON) { updateFlow(id: "order_fulfilled", input: {templates: $t})'
        " { errors { code } } }",
        {"t": {"order_fulfilled_no_link": "my_shipping_text"}},
    )
    assert broken["updateFlow"]["errors"] == []
    # when an order ships with a carrier nobody names
    store = (app, fake_saleor, saleor_key)
    _ship(store, "ORDER_FULFILLED", order_id="T3JkZXI6NA==", number="XK-1")  # the scheduler ticks
    # then nothing reaches the phone, and the admin says why and how to fix it, in both
    # languages
    assert _messages(app, PHONE) == []
    (alert,) = _admin(app, merchant, ALERTS)["flowAlerts"]
    assert (alert["flowKey"], alert["reason"]["code"]) == (
        "order_fulfilled",
        "template_not_approved",
    )
    assert alert["reason"]["text"] and alert["reason"]["textTr"]
    assert "Templates" in alert["reason"]["fix"] and "Şablonlar" in alert["reason"]["fixTr"]
    assert alert["firstSeenAt"]
    # when the merchant goes back to the starter template
    fixed = _admin(
        app,
        merchant,
        'mutation($t: JSON) { updateFlow(id: "order_fulfilled", input: {templates: $t})'
        " { errors { code } } }",
        {"t": {"order_fulfilled_no_link": "ulak_order_fulfilled_no_link"}},
    )
    assert fixed["updateFlow"]["errors"] == []
    _settle(app)
    # then the alert is gone
    assert alerts() == []
    # when WhatsApp refuses the next shipped message (132012: a value's format does not match)
    faults = f"{app}/sandbox/api/faults"
    assert httpx.post(faults, json={"recipient_errors": {PHONE: 132012}}).status_code == 200
    _ship(store, "ORDER_FULFILLED", order_id="T3JkZXI6NQ==", number="1", method="PTT")
    # then the admin says so: a parameter format problem, not an unapproved template
    assert alerts() == [("order_fulfilled", "template_param_format")]
    # when WhatsApp accepts the flow's messages again and the next order ships
    assert httpx.post(faults, json={"recipient_errors": {}}).status_code == 200
    _ship(store, "ORDER_FULFILLED", order_id="T3JkZXI6Ng==", number="2", method="PTT")
    # then it reaches the phone and the alert clears
    assert [m["template_name"] for m in _messages(app, PHONE)] == ["ulak_order_fulfilled"]
    assert alerts() == []
    # when the storefront's address and checkout URL are cleared while cart recovery is on
    settings = (
        "mutation($i: StoreSettingsInput!) { updateStoreSettings(input: $i) { errors { code } } }"
    )
    cleared = _admin(
        app, merchant, settings, {"i": {"checkoutUrlTemplate": "", "storefrontUrl": ""}}
    )
    assert cleared["updateStoreSettings"]["errors"] == []
    # then the admin says cart recovery cannot run and what to set, also to the one who
    # switches it on
    assert alerts() == [("cart_recovery", "checkout_url_missing")]
    switched = _admin(
        app,
        merchant,
        'mutation { setFlowEnabled(id: "cart_recovery", enabled: true)'
        " { flow { alerts { reason { code fix fixTr } } } } }",
    )
    (why,) = switched["setFlowEnabled"]["flow"]["alerts"]
    assert why["reason"]["code"] == "checkout_url_missing" and why["reason"]["fixTr"]
    # when the merchant sets it
    shop = "https://magaza.example/checkout?token={checkout_token}"
    saved = _admin(app, merchant, settings, {"i": {"checkoutUrlTemplate": shop}})
    assert saved["updateStoreSettings"]["errors"] == []
    # then nothing alerts any more
    assert alerts() == []
