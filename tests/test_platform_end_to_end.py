"""Issue 18 end to end, through the real app and its sandbox WhatsApp (DESIGN.md's contract):

- a username-only customer outside Turkey writes to the store, gets the opt-in request by
  `recipient` (their business-scoped user id), confirms, and receives an order update and a
  campaign message addressed by `recipient`;
- a store whose number has marketing turned off on the Cloud API (Meta answers 131063 on
  /messages) delivers each campaign message once, through the Marketing Messages API.
"""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from plugin.consent.answers import Notice, Reply
from plugin.consent.models import ConsentAction, ConsentSource, Purpose
from plugin.consent.service import record, request_marketing
from plugin.consent.state import allowed_contact_ids as granted_contact_ids
from plugin.contacts.models import Contact, PhoneStatus
from plugin.db import get_engine
from plugin.delivery import service as delivery
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.flows import consent_notices
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.test_end_to_end import _clock, _morning_in_istanbul, _settle, _work_off, driven_store  # noqa: F401

pytestmark = pytest.mark.sqlite

HANNA = "DE.48291038475610293847"  # a German username user: no phone number shared


def _by_user(app: str, user_id: str) -> list[dict]:
    return httpx.get(f"{app}/sandbox/api/messages", params={"user_id": user_id}).json()


def consented_shoppers(session: Session, store_id: int, numbers: list[str]) -> list[Contact]:
    """Shoppers with marketing consent given at checkout (committed)."""
    contacts = []
    for number in numbers:
        contact = Contact(
            store_id=store_id, phone_e164=number, phone_status=PhoneStatus.VALID, locale="en"
        )
        session.add(contact)
        session.flush()
        record(
            session,
            contact=contact,
            purpose=Purpose.MARKETING,
            action=ConsentAction.GRANTED,
            source=ConsentSource.CHECKOUT,
            evidence={},
        )
        contacts.append(contact)
    session.commit()
    return contacts


def enqueue(session: Session, contact: Contact, key: str, *, marketing: bool) -> None:
    """What the order flow and a campaign put in the outbox (their own tests cover them)."""
    assert contact.id is not None
    if marketing:
        template, purpose, kind = "ulak_cart_recovery_1", MessagePurpose.MARKETING, "campaign"
        components = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Hanna"}, {"type": "text", "text": "Mug"}],
            },
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "c1"}],
            },
        ]
    else:
        template, purpose, kind = "ulak_order_paid", MessagePurpose.TRANSACTIONAL, "order_update"
        components = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Hanna"},
                    {"type": "text", "text": "21"},
                    {"type": "text", "text": "€49.90"},
                ],
            }
        ]
    delivery.enqueue_message(
        session,
        store_id=contact.store_id,
        contact_id=contact.id,
        purpose=purpose,
        kind=MessageKind(kind),
        idempotency_key=key,
        template_name=template,
        template_language="en",
        parameters={"components": components},
        source_type="test",
    )
    session.commit()


def _writes_and_is_asked_to_opt_in(app: str, bsuid: str, username: str, locale: str) -> None:
    """A username user writes to the store (no number in the webhook), then the store asks
    them to opt in, as a web consent would (the request goes out at once)."""
    said = {"from_user_id": bsuid, "username": username, "text": "Hallo!"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=said).status_code == 200
    _work_off()
    with Session(get_engine()) as session:
        contact = session.exec(select(Contact).where(Contact.bsuid == bsuid)).one()
        assert contact.phone_e164 is None
        contact.locale = locale
        session.add(contact)
        event = request_marketing(
            session, contact=contact, source=ConsentSource.STOREFRONT, evidence={"test": True}
        )
        # consent records the request; the journey asks flows to send it (consent sends nothing)
        notice = Notice(Reply.OPTIN_REQUEST, event.id)
        consent_notices.send(session, contact=contact, notice=notice)
        session.commit()
    _work_off()


def test_a_username_customer_outside_turkey_opts_in_and_gets_an_order_update_and_a_campaign(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    app = driven_store
    _morning_in_istanbul(app)
    # given a customer who hides her number behind a username, writes to the store and is
    # asked to opt in
    _writes_and_is_asked_to_opt_in(app, HANNA, "@hanna", "en")
    # then the opt-in request reaches her by `recipient`, and she taps Yes
    assert [m["template_name"] for m in _by_user(app, HANNA)] == ["ulak_optin_request"]
    tap = {"from_user_id": HANNA, "button_payload": "ULAK_OPTIN_YES"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=tap).status_code == 200
    _work_off()
    with Session(get_engine()) as session:
        hanna = session.exec(select(Contact).where(Contact.bsuid == HANNA)).one()
        assert granted_contact_ids(
            session, store_id=hanna.store_id, contact_ids=[hanna.id], purpose=Purpose.MARKETING
        ) == {hanna.id}
        # when she buys (the order flow's update) and the store runs a campaign
        enqueue(session, hanna, "order-21-paid", marketing=False)
    _settle(app)
    with Session(get_engine()) as session:
        hanna = session.exec(select(Contact).where(Contact.bsuid == HANNA)).one()
        enqueue(session, hanna, "campaign-1", marketing=True)
    _settle(app)
    # then both reached her, addressed by her business-scoped user id, never by a number
    received = [m for m in _by_user(app, HANNA) if m["template_name"] != "ulak_optin_request"]
    templates = [m["template_name"] for m in received]
    assert "ulak_order_paid" in templates and "ulak_cart_recovery_1" in templates
    assert {(m["to"], m["user_id"]) for m in received} == {(None, HANNA)}
    with Session(get_engine()) as session:
        statuses = session.exec(select(OutboundMessage.template_name, OutboundMessage.status)).all()
    assert {s for name, s in statuses if name != "ulak_optin_confirmed"} <= {
        "sent",
        "delivered",
        "read",
    }


def test_a_store_with_marketing_off_on_the_cloud_api_delivers_each_campaign_message_once(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    app = driven_store
    _morning_in_istanbul(app)
    with Session(get_engine()) as session:
        account = session.exec(select(WhatsAppAccount)).one()
        pnid = account.phone_number_id
    # given the business set as Meta sets it: marketing off on the Cloud API, onboarded to
    # the Marketing Messages API (DESIGN.md: POST /sandbox/api/numbers)
    changed = httpx.post(
        f"{app}/sandbox/api/numbers",
        json={"phone_number_id": pnid, "marketing_on_cloud_api": False, "mm_api_onboarded": True},
    )
    assert changed.status_code == 201, changed.text
    # and two shoppers with marketing consent
    shoppers = ["+905321110001", "+905321110002"]
    with Session(get_engine()) as session:
        contacts = consented_shoppers(session, account.store_id, shoppers)
        # when the campaign's messages go out
        for index, contact in enumerate(contacts):
            enqueue(session, contact, f"campaign-{index}", marketing=True)
    _settle(app)
    # then each shopper got the campaign message exactly once, through the MM API
    for number in shoppers:
        got = httpx.get(f"{app}/sandbox/api/messages", params={"to": number}).json()
        assert [(m["template_name"], m["endpoint"]) for m in got] == [
            ("ulak_cart_recovery_1", "marketing_messages")
        ]
    with Session(get_engine()) as session:
        rows = session.exec(
            select(OutboundMessage.status, OutboundMessage.attempts).where(
                OutboundMessage.template_name == "ulak_cart_recovery_1"
            )
        ).all()
        assert sorted(rows) == [("sent", 1), ("sent", 1)]
        # and the number now sends marketing through the Marketing Messages API
        assert session.exec(select(WhatsAppAccount.use_marketing_endpoint)).one() is True


ALI = "TR.11815799212886844830"  # a Turkish username user
ALI_PHONE = "+905321119988"


def test_a_turkish_username_customer_gets_updates_and_support_and_marketing_after_sharing_a_number(
    driven_store: str,  # noqa: F811 - the fixture
) -> None:
    from plugin.flows.consent_messages import schedule_support_reply

    app = driven_store
    _morning_in_istanbul(app)
    # given a Turkish customer known only by username, who writes and opts in on WhatsApp
    _writes_and_is_asked_to_opt_in(app, ALI, "@ali", "tr")
    tap = {"from_user_id": ALI, "button_payload": "ULAK_OPTIN_YES"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=tap).status_code == 200
    _settle(app)
    # then, having confirmed, he is asked for his number with Meta's share button
    asked = [m for m in _by_user(app, ALI) if m["type"] == "interactive"]
    assert [b["type"] for m in asked for b in m["buttons"]] == ["request_contact_info"]
    # when an order update, a support reply and a campaign message go out
    with Session(get_engine()) as session:
        ali = session.exec(select(Contact).where(Contact.bsuid == ALI)).one()
        enqueue(session, ali, "order-7-paid", marketing=False)
        schedule_support_reply(session, contact=ali, text="Kargonuz yarın çıkıyor.")
        session.commit()
    _settle(app)
    with Session(get_engine()) as session:
        ali = session.exec(select(Contact).where(Contact.bsuid == ALI)).one()
        enqueue(session, ali, "campaign-tr-1", marketing=True)
    _settle(app)
    # then the update and the reply reach him by his BSUID, the campaign waits for a number
    texts = [(m["template_name"], m["text"]) for m in _by_user(app, ALI)]
    assert ("ulak_order_paid", texts[-2][1]) == texts[-2]
    assert texts[-1] == (None, "Kargonuz yarın çıkıyor.")
    assert "ulak_cart_recovery_1" not in [name for name, _ in texts]
    with Session(get_engine()) as session:
        held = session.exec(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == "campaign-tr-1")
        ).one()
        assert (held.status, held.status_reason) == ("suppressed", "phone_required")
    # when he taps the button and shares his number
    share = {"from_user_id": ALI, "shared_phone": ALI_PHONE}
    assert httpx.post(f"{app}/sandbox/api/reply", json=share).status_code == 200
    _settle(app)
    with Session(get_engine()) as session:
        ali = session.exec(select(Contact).where(Contact.bsuid == ALI)).one()
        assert ali.phone_e164 == ALI_PHONE
        enqueue(session, ali, "campaign-tr-2", marketing=True)
    _settle(app)
    # then the next campaign message reaches his number
    on_phone = httpx.get(f"{app}/sandbox/api/messages", params={"to": ALI_PHONE}).json()
    assert [m["template_name"] for m in on_phone] == ["ulak_cart_recovery_1"]
