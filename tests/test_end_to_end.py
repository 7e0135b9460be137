"""The product as a store, a shopper and Meta meet it: the real app under uvicorn, the sandbox
WhatsApp, a fake Saleor on loopback.

install → a checkout with web consent → the double opt-in request on the phone → EVET →
the clock moves past +1 h → cart recovery step 1 on the phone (after quiet hours) → DUR →
step 2 never sent; an order from another checkout gets its confirmation at once.

The journeys that assert *exactly* what reached the phone (`driven_store`) serve the app without
its own worker threads and scheduler: the test runs the queue and the tick itself, so the answer
never depends on which thread wins a race. (An order test that waited on wall time flaked: the
shopper's double opt-in request, deferred by the 6-second pair spacing, went out whenever the
1-second tick beat the next webhook to it — correct behaviour, racing the test's expectations.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, col, select

from plugin.consent.models import ConsentEvent
from plugin.db import get_engine
from plugin.delivery.models import OutboundMessage
from plugin.delivery.pace import PAIR_SPACING_SECONDS
from plugin.events.tick import run_tick
from plugin.templates.models import MessageTemplate, TemplateStatus
from tests.admin_api_support import ok, token_for
from tests.support import FakeSaleor, SigningKey, drain_queue, saleor_body, wait_for
from tests.whatsapp.test_sandbox_wiring import db, live_app, served_app  # noqa: F401 - fixtures

PHONE = "+905551234567"
MOBILE_AGENT = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"

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


def _messages(app: str, phone: str) -> list[dict]:
    """What the sandbox accepted for `phone`, oldest first."""
    return httpx.get(f"{app}/sandbox/api/messages", params={"to": phone}).json()


def _phone(app: str) -> list[dict]:
    return _messages(app, PHONE)


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
    # (her latest marketing fact, in recorded order: a scan without ORDER BY returns the rows
    # in whatever order their pages hold them, and a long-lived test database reuses pages)
    wait_for(lambda: _latest_marketing_fact(db) == "granted", timeout=25)
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


def _latest_marketing_fact(db: Session) -> str | None:  # noqa: F811 - the fixture
    latest = select(ConsentEvent.action).where(ConsentEvent.purpose == "marketing")
    return db.exec(latest.order_by(col(ConsentEvent.id).desc()).limit(1)).first()


def _deliver(app: str, fake: FakeSaleor, key: SigningKey, event: str, payload: dict) -> None:
    assert _post(app, fake, key, event.lower().replace("_", "-"), payload) == 200


def _settled(app: str, phone: str, templates: list[str]) -> None:
    """Exactly these templates on the phone, and a moment later still nothing more."""
    import time

    wait_for(lambda: _templates_for(app, phone) == templates, timeout=25)
    time.sleep(1.5)
    assert _templates_for(app, phone) == templates


def _templates_for(app: str, phone: str) -> list[str]:
    return [m["template_name"] or m["type"] for m in _messages(app, phone)]


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


# --- journeys driven step by step: the test runs the app's queue and scheduler tick ---------


@pytest.fixture()
def driven_store(db_url: str, fake_saleor: FakeSaleor) -> Iterator[str]:
    """A store installed in the real app (uvicorn, signed routes, sandbox) whose queued work
    runs only when the test says so (`_work_off`). The sandbox keeps its delivery statuses to
    itself: their webhooks would land on their own time, as work nobody runs (and a message
    enqueued while `drain_queue` stops its worker is lost to the in-memory broker)."""
    with served_app(db_url, embedded_worker=False) as app:
        fake_saleor.app_url = app  # Saleor installed Ulak from this app's manifest
        quiet = httpx.post(f"{app}/sandbox/api/config", json={"status_webhooks": False})
        assert quiet.status_code == 200
        response = httpx.post(
            f"{app}/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert response.status_code == 200
        _work_off()
        # the dev store is connected to a sandbox number with its starter templates approved
        with Session(get_engine()) as session:
            statuses = session.exec(select(MessageTemplate.status)).all()
        assert statuses and set(statuses) == {TemplateStatus.APPROVED}
        yield app


def _work_off() -> None:
    """What the app's worker and scheduler would do by now on the app's clock: the queue until
    it is empty, one tick (what fell due), the queue again."""
    drain_queue(timeout_ms=60_000)
    run_tick(wait=True)
    drain_queue(timeout_ms=60_000)


def _settle(app: str) -> None:
    """Everything the app would have done by now, and again past Meta's 6-second spacing per
    recipient: a message that spacing held back (a duplicate, say) has reached the phone too."""
    _work_off()
    _clock(app, PAIR_SPACING_SECONDS + 1)
    _work_off()


def _admin(app: str, token: str, query: str, variables: dict | None = None) -> dict:
    """The merchant's admin page: GraphQL with the dashboard token Saleor issued."""
    with httpx.Client(base_url=app) as client:
        return ok(client, token, query, variables)


def test_an_order_paid_shipped_and_cancelled_gets_each_update_once_however_often_saleor_redelivers(
    driven_store: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    from tests.flows.support import CONSENT, order_event
    from tests.flows.support import PHONE as SHOPPER

    app = driven_store
    # given the store's carrier tracking page, set on the admin page
    merchant = token_for(saleor_key, fake_saleor.api_url)
    tracking_page = "https://kargo.example/takip/{tracking_number}"
    saved = _admin(
        app,
        merchant,
        'mutation($options: JSON) { updateFlow(id: "order_fulfilled", input: {options: $options})'
        " { errors { code } } }",
        {"options": {"tracking_url_template": tracking_page}},
    )
    assert saved["updateFlow"]["errors"] == []
    # and Ayşe's order from two hours ago, with consent to order updates only (no marketing)
    placed = _clock(app, 0) - timedelta(hours=2)
    updates_only = json.dumps({**CONSENT, "marketing": False})

    def event(name: str) -> dict:
        """Saleor's body for `name` as it happens now (built once: redeliveries are equal)."""
        return order_event(
            name,
            created=placed,
            issued_at=_clock(app, 0),
            metafields={"ulak.consent": updates_only},
            tracking_number="TR1234567890",
        )

    def deliver(name: str, body: dict, times: int = 1) -> None:
        for _ in range(times):
            _deliver(app, fake_saleor, saleor_key, name, body)

    def phone() -> list[tuple[str, str]]:
        return [(m["template_name"], m["text"]) for m in _messages(app, SHOPPER)]

    paid_text = (
        "Merhaba Ayşe, 21 numaralı siparişinizin ödemesini aldık (₺1.249,90). "
        "Siparişinizi hazırlamaya başladık."
    )
    shipped_text = (
        "Siparişiniz yolda\nMerhaba Ayşe, 21 numaralı siparişiniz kargoya verildi. "
        "Takip numaranız: TR1234567890. Kargonuzu aşağıdaki butondan takip edebilirsiniz."
    )
    cancelled_text = (
        "Merhaba Ayşe, 21 numaralı siparişiniz iptal edildi. Ödeme yaptıysanız tutar, ödemeyi "
        "yaptığınız yönteme iade edilecektir. Sorularınız için bu mesajı yanıtlayabilirsiniz."
    )
    # when Saleor reports the payment three times
    paid = event("ORDER_FULLY_PAID")
    deliver("ORDER_FULLY_PAID", paid, times=3)
    _settle(app)
    # then the payment message is on her phone once, the total in Turkish lira as Turks write it
    assert phone() == [("ulak_order_paid", paid_text)]
    # when it ships the next day (well past the 6-second spacing): Saleor sends
    # FULFILLMENT_CREATED and ORDER_FULFILLED for the fulfillment, three times each, and
    # redelivers the payment once more after them
    _clock(app, 24 * 3600)
    shipped = event("ORDER_FULFILLED")
    deliver("FULFILLMENT_CREATED", event("FULFILLMENT_CREATED"), times=3)
    deliver("ORDER_FULFILLED", shipped, times=3)
    deliver("ORDER_FULLY_PAID", paid)
    _settle(app)
    # then one shipping message, with the tracking number and a tracked link to the carrier
    assert phone() == [("ulak_order_paid", paid_text), ("ulak_order_fulfilled", shipped_text)]
    (button,) = _messages(app, SHOPPER)[1]["buttons"]
    assert button["url"].startswith(f"{app}/r/")
    carrier = httpx.get(button["url"], follow_redirects=False)
    assert carrier.headers["location"] == "https://kargo.example/takip/TR1234567890"
    # and her tap on it (a phone, not a script) counts as the shipping message's click
    tap = httpx.get(button["url"], headers={"user-agent": MOBILE_AGENT}, follow_redirects=False)
    assert tap.status_code == 302
    _work_off()  # the next scheduler tick refreshes today's figures
    funnel = _admin(app, merchant, "{ analyticsFunnel(by: FLOW) { source clicked } }")
    clicked = {r["source"]: r["clicked"] for r in funnel["analyticsFunnel"] if r["clicked"]}
    assert list(clicked.values()) == [1] and "order" in next(iter(clicked))
    # when the order is cancelled an hour later, reported three times, and the shipment is
    # redelivered after it
    _clock(app, 3600)
    cancelled = event("ORDER_CANCELLED")
    deliver("ORDER_CANCELLED", cancelled, times=3)
    deliver("ORDER_FULFILLED", shipped)
    _settle(app)
    # then one cancellation message
    assert phone() == [
        ("ulak_order_paid", paid_text),
        ("ulak_order_fulfilled", shipped_text),
        ("ulak_order_cancelled", cancelled_text),
    ]
    # and a day later, with the cancellation redelivered once more, nothing else arrives and
    # nothing else waits in the outbox
    _clock(app, 24 * 3600)
    deliver("ORDER_CANCELLED", cancelled)
    _settle(app)
    assert [m["template_name"] for m in _messages(app, SHOPPER)] == [
        "ulak_order_paid",
        "ulak_order_fulfilled",
        "ulak_order_cancelled",
    ]
    with Session(get_engine()) as session:
        outbox = session.exec(
            select(OutboundMessage.template_name, OutboundMessage.status).order_by(
                OutboundMessage.id  # type: ignore[arg-type]
            )
        ).all()
    assert [name for name, _ in outbox] == [
        "ulak_order_paid",
        "ulak_order_fulfilled",
        "ulak_order_cancelled",
    ]
    assert {status for _, status in outbox} <= {"sent", "delivered", "read"}


def _until(app: str, moment: datetime) -> None:
    """Move the app's clock forward to `moment`."""
    _clock(app, max(0.0, (moment - _clock(app, 0)).total_seconds()))


def test_a_merchant_reads_why_each_recovery_step_of_a_checkout_was_sent_skipped_or_stopped(
    driven_store: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    from tests.flows.support import CHECKOUT_ID, checkout_event, order_event
    from tests.flows.support import PHONE as SHOPPER

    app = driven_store
    # given Ayşe's checkout at 10:00 Istanbul, with web consent she has not confirmed yet
    start = _morning_in_istanbul(app)
    _deliver(app, fake_saleor, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    _settle(app)
    # when step 1 falls due at +1 h, before she confirms
    _until(app, start + timedelta(hours=1))
    _settle(app)
    # and she taps Evet an hour later; step 2 falls due at +24 h
    _until(app, start + timedelta(hours=2))
    reply = {"from": SHOPPER, "button_payload": "ULAK_OPTIN_YES"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=reply).status_code == 200
    _settle(app)
    _until(app, start + timedelta(hours=24))
    _settle(app)
    # and she orders from the checkout two hours later
    _until(app, start + timedelta(hours=26))
    order = order_event("ORDER_CREATED", created=_clock(app, 0), checkout_id=CHECKOUT_ID)
    _deliver(app, fake_saleor, saleor_key, "ORDER_CREATED", order)
    _settle(app)
    # then step 1 never reached her phone, step 2 did
    assert [m["template_name"] for m in _messages(app, SHOPPER)] == [
        "ulak_optin_request",
        "ulak_cart_recovery_2",
        "ulak_order_created",
    ]
    # and the merchant's admin page tells the checkout's story, step by step, with the reasons
    merchant = token_for(saleor_key, fake_saleor.api_url)
    journey = _admin(
        app,
        merchant,
        "query($id: String!) { checkoutJourney(checkoutId: $id) {"
        " action step reason templateName dueAt } }",
        {"id": CHECKOUT_ID},
    )["checkoutJourney"]
    assert [(e["action"], e["step"], e["reason"], e["templateName"]) for e in journey] == [
        ("entered", None, None, None),
        ("scheduled", 1, None, "ulak_cart_recovery_1"),
        ("scheduled", 2, None, "ulak_cart_recovery_2"),
        ("skipped", 1, "no_consent", "ulak_cart_recovery_1"),
        ("sent", 2, None, "ulak_cart_recovery_2"),
        ("stopped", None, "ordered", None),
    ]
    due = [datetime.fromisoformat(e["dueAt"]) for e in journey if e["action"] == "scheduled"]
    assert due == [start + timedelta(hours=1), start + timedelta(hours=24)]
