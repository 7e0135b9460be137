"""The product as a store, a shopper and Meta meet it: the real app under uvicorn with its
embedded worker and scheduler, the sandbox WhatsApp, a fake Saleor on loopback.

install → a checkout with web consent → the double opt-in request on the phone → EVET →
the clock moves past +1 h → cart recovery step 1 on the phone (after quiet hours) → DUR →
step 2 never sent; an order from another checkout gets its confirmation at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from sqlmodel import Session, select

from plugin.consent.models import ConsentEvent
from plugin.delivery.models import OutboundMessage
from plugin.templates.models import MessageTemplate
from tests.support import FakeSaleor, SigningKey, saleor_body, wait_for
from tests.whatsapp.test_sandbox_wiring import db, live_app  # noqa: F401 - fixtures

PHONE = "+905551234567"

pytestmark = pytest.mark.sqlite


def _post(app: str, fake: FakeSaleor, key: SigningKey, route: str, payload: dict) -> int:
    body = json.dumps(payload).encode()
    response = httpx.post(
        f"{app}/api/webhooks/saleor/{route}",
        content=body,
        headers={
            "saleor-signature": key.sign_body(body),
            "saleor-api-url": fake.api_url,
            "content-type": "application/json",
        },
    )
    return response.status_code


def _phone(app: str) -> list[dict]:
    return httpx.get(f"{app}/sandbox/api/messages", params={"to": PHONE}).json()


def _templates(app: str) -> list[str]:
    return _templates_for(app, PHONE)


def _clock(app: str, seconds: float) -> datetime:
    response = httpx.post(f"{app}/sandbox/api/clock", json={"advance_seconds": seconds})
    return datetime.fromisoformat(response.json()["now"])


@pytest.fixture()
def installed(live_app: str, fake_saleor: FakeSaleor, db: Session) -> Iterator[str]:  # noqa: F811
    response = httpx.post(
        f"{live_app}/api/register",
        headers={"saleor-api-url": fake_saleor.api_url},
        json={"auth_token": "good-app-token"},
    )
    assert response.status_code == 200
    # the dev store is connected to a sandbox number with its starter templates approved
    wait_for(
        lambda: db.exec(
            select(MessageTemplate).where(MessageTemplate.name == "ulak_optin_request")
        ).first(),
        timeout=15,
    )
    yield live_app


def test_a_shopper_opts_in_abandons_a_cart_gets_one_reminder_and_stops(
    installed: str,
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
    db: Session,  # noqa: F811 - the fixture
) -> None:
    app = installed
    # given the clock at 10:00 in Istanbul (no quiet hours in the way)
    now = _morning_in_istanbul(app)
    # when a checkout with a phone and web consent for marketing arrives
    checkout = json.loads(saleor_body("CHECKOUT_CREATED"))
    checkout["checkout"].update(
        lastChange=now.isoformat(),
        updatedAt=now.isoformat(),
        languageCode="TR",
        billingAddress={"firstName": "Ayşe", "phone": PHONE, "country": {"code": "TR"}},
        metafields={
            "ulak.consent": json.dumps(
                {"marketing": True, "transactional": True, "text_version": "v1", "text": "Evet"}
            )
        },
    )
    assert _post(app, fake_saleor, saleor_key, "checkout-created", checkout) == 200
    # then the double opt-in request reaches the phone within seconds, addressed to her
    wait_for(lambda: _templates(app) == ["ulak_optin_request"], timeout=25)
    request = _phone(app)[0]
    assert "Ayşe" in request["text"]
    assert [b["payload"] for b in request["buttons"]] == ["ULAK_OPTIN_YES", "ULAK_OPTIN_NO"]
    # when she taps Evet and the clock passes +1 h
    reply = httpx.post(
        f"{app}/sandbox/api/reply", json={"from": PHONE, "button_payload": "ULAK_OPTIN_YES"}
    )
    assert reply.status_code == 200
    wait_for(
        lambda: (
            db.exec(select(ConsentEvent.action).where(ConsentEvent.purpose == "marketing")).all()[
                -1:
            ]
            == ["granted"]
        ),
        timeout=25,
    )
    _clock(app, 3600 + 30)
    # then cart recovery step 1 is on the phone within 5 seconds, once
    wait_for(lambda: "ulak_cart_recovery_1" in _templates(app), timeout=15)
    assert _templates(app).count("ulak_cart_recovery_1") == 1
    # when she answers DUR
    httpx.post(f"{app}/sandbox/api/reply", json={"from": PHONE, "text": "dur"})
    wait_for(lambda: len([m for m in _phone(app) if m["type"] == "text"]) == 1, timeout=25)
    # then step 2 never goes out, and the outbox says why
    _clock(app, 24 * 3600)
    db.expire_all()
    step2 = wait_for(
        lambda: db.exec(
            select(OutboundMessage).where(OutboundMessage.template_name == "ulak_cart_recovery_2")
        ).first(),
        timeout=5,
    )
    wait_for(lambda: (db.refresh(step2), step2.status)[1] == "suppressed", timeout=15)
    assert step2.status_reason == "consent_revoked"
    assert "ulak_cart_recovery_2" not in _templates(app)


def _deliver(app: str, fake: FakeSaleor, key: SigningKey, event: str, payload: dict) -> None:
    assert _post(app, fake, key, event.lower().replace("_", "-"), payload) == 200


def _settled(app: str, phone: str, templates: list[str]) -> None:
    """Exactly these templates on the phone, and a moment later still nothing more."""
    import time

    wait_for(lambda: _templates_for(app, phone) == templates, timeout=25)
    time.sleep(1.5)
    assert _templates_for(app, phone) == templates


def _templates_for(app: str, phone: str) -> list[str]:
    messages = httpx.get(f"{app}/sandbox/api/messages", params={"to": phone}).json()
    return [m["template_name"] or m["type"] for m in messages]


def _morning_in_istanbul(app: str) -> datetime:
    """Move the app's clock to about 10:00 Istanbul (07:00 UTC): no quiet hours in the way."""
    now = _clock(app, 0)
    _clock(app, ((7 - now.hour) % 24) * 3600 + 60)
    return _clock(app, 0)


def _opted_in_checkout(
    app: str, fake: FakeSaleor, key: SigningKey, shopper: str, *, deliveries: int = 1
) -> datetime:
    """A checkout with web consent (delivered `deliveries` times) and the shopper's Evet to the
    opt-in request; returns its lastChange."""
    from tests.flows.support import checkout_event

    start = _morning_in_istanbul(app)
    for _ in range(deliveries):
        _deliver(app, fake, key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    wait_for(lambda: "ulak_optin_request" in _templates_for(app, shopper), timeout=25)
    reply = {"from": shopper, "button_payload": "ULAK_OPTIN_YES"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=reply).status_code == 200
    return start


def test_a_checkout_completed_within_the_hour_gets_no_recovery_message(
    installed: str,
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
    db: Session,  # noqa: F811 - the fixture
) -> None:
    import time

    from tests.flows.support import PHONE as SHOPPER
    from tests.flows.support import order_event

    app = installed
    # given a shopper who opted in for marketing on her checkout at 10:00 Istanbul
    _opted_in_checkout(app, fake_saleor, saleor_key, SHOPPER)
    # when she completes the checkout 30 minutes later
    _clock(app, 30 * 60)
    order = order_event("ORDER_CREATED", created=_clock(app, 0))
    _deliver(app, fake_saleor, saleor_key, "ORDER_CREATED", order)
    wait_for(lambda: "ulak_order_created" in _templates_for(app, SHOPPER), timeout=25)
    # then neither +1 h nor +24 h brings a recovery message
    _clock(app, 3600)
    time.sleep(2)
    _clock(app, 24 * 3600)
    time.sleep(2)
    assert _templates_for(app, SHOPPER) == ["ulak_optin_request", "ulak_order_created"]
    # and the outbox says why: both steps were cancelled by the order
    db.expire_all()
    steps = db.exec(
        select(OutboundMessage.status, OutboundMessage.status_reason).where(
            OutboundMessage.kind == "cart_recovery"
        )
    ).all()
    assert sorted(steps) == [("cancelled", "ordered"), ("cancelled", "ordered")]


def test_an_abandoned_checkout_gets_step_1_at_one_hour_and_step_2_at_a_day_once_each(
    installed: str,
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
    db: Session,  # noqa: F811 - the fixture
) -> None:
    import time

    from tests.flows.support import PHONE as SHOPPER

    app = installed
    # given an opted-in shopper whose checkout last changed at 10:00 Istanbul (redelivered)
    start = _opted_in_checkout(app, fake_saleor, saleor_key, SHOPPER, deliveries=3)
    time.sleep(1)
    # when 59 minutes pass nothing comes; at +1 h step 1 does
    _clock(app, 59 * 60 - (_clock(app, 0) - start).total_seconds())
    time.sleep(2)
    assert _templates_for(app, SHOPPER) == ["ulak_optin_request"]
    _clock(app, 90)
    _settled(app, SHOPPER, ["ulak_optin_request", "ulak_cart_recovery_1"])
    step1 = next(
        m
        for m in httpx.get(f"{app}/sandbox/api/messages", params={"to": SHOPPER}).json()
        if m["template_name"] == "ulak_cart_recovery_1"
    )
    assert "Ayşe" in step1["text"]
    # and at +24 h step 2, once; two days later nothing more
    _clock(app, 23 * 3600)
    _settled(app, SHOPPER, ["ulak_optin_request", "ulak_cart_recovery_1", "ulak_cart_recovery_2"])
    _clock(app, 48 * 3600)
    time.sleep(2)
    assert _templates_for(app, SHOPPER) == [
        "ulak_optin_request",
        "ulak_cart_recovery_1",
        "ulak_cart_recovery_2",
    ]
