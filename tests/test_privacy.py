"""Forget, export and retention, end to end: an erased number is refused everywhere."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock, ratelimit
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentAction, ConsentEvent, Purpose, Suppression
from plugin.contacts import service as contacts_service
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import (
    InboundMessage,
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.events import privacy, replies
from plugin.inbox.models import InboxEvent
from plugin.saleor.models import Store
from plugin.stores.service import get_settings
from tests.factories import make_contact, make_store
from tests.support import drain_queue, saleor_body

pytestmark = pytest.mark.sqlite

PHONE = "+12125550199"  # the billing number in Saleor's captured checkout


def _deliver_checkout(client, installed_store, saleor_key):
    payload = json.loads(saleor_body("CHECKOUT_UPDATED"))
    payload["checkout"]["metafields"] = {
        "ulak.consent": json.dumps({"marketing": True, "transactional": True, "text": "ok"})
    }
    body = json.dumps(payload).encode()
    response = client.post(
        "/api/webhooks/saleor/checkout-updated",
        content=body,
        headers={
            "content-type": "application/json",
            "saleor-event": "checkout_updated",
            "saleor-signature": saleor_key.sign_body(body),
            "saleor-api-url": installed_store["api_url"],
        },
    )
    assert response.status_code == 200
    drain_queue()


def test_export_then_erase_end_to_end_and_the_number_is_refused_after(
    client, installed_store, session, saleor_key
):
    # given a shopper who came through checkout, confirmed and wrote to the store
    _deliver_checkout(client, installed_store, saleor_key)
    session.expire_all()
    store = session.exec(select(Store)).one()
    contact = session.exec(select(Contact)).one()
    replies.consent_answer(
        session=session,
        store=store,
        contact=contact,
        text="EVET",
        button_payload=None,
        wamid="wamid.in1",
        received_at=clock.now(),
    )
    session.add(
        InboundMessage(
            store_id=store.id, contact_id=contact.id, wamid="wamid.in1", type="text", text="EVET"
        )
    )
    session.add(
        OutboundMessage(
            store_id=store.id,
            contact_id=contact.id,
            purpose=MessagePurpose.MARKETING,
            kind=MessageKind.CAMPAIGN,
            idempotency_key="campaign:9",
            parameters={"1": "John"},
            status=MessageStatus.SCHEDULED,
        )
    )
    session.commit()

    # when the shopper asks what is held about them
    export = privacy.export_contact(session, store_id=store.id, phone_e164=PHONE)
    # then everything is there, as JSON
    json.dumps(export)
    assert export["suppressed"] is False
    assert export["contact"]["email"] == "john.smith+updated@example.com"
    assert [(e["purpose"], e["action"]) for e in export["consent"]] == [
        ("transactional", "granted"),
        ("marketing", "requested"),
        ("marketing", "granted"),
    ]
    # (dev-mode cart recovery may have scheduled its steps for the checkout too)
    kinds = {m["kind"] for m in export["outbound_messages"]} - {"cart_recovery"}
    assert kinds == {"optin_request", "campaign"}
    assert export["inbound_messages"][0]["text"] == "EVET"

    # when they ask to be forgotten
    assert privacy.erase_number(session, store_id=store.id, phone_e164=PHONE) is True
    session.commit()
    session.expire_all()
    # then no personal data is left
    erased = session.get(Contact, contact.id)
    assert erased.phone_status == PhoneStatus.ERASED
    assert erased.erased_at is not None
    for field in ("phone_e164", "phone_raw", "email", "first_name", "last_name", "saleor_user_id"):
        assert getattr(erased, field) is None, field
    for message in session.exec(select(OutboundMessage)).all():
        assert (message.text, message.parameters) == (None, {})
    campaign = session.exec(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == "campaign:9")
    ).one()
    assert campaign.status == MessageStatus.SUPPRESSED
    assert session.exec(select(InboundMessage)).one().text is None
    assert all(
        "ip" not in e.evidence and "wamid" not in e.evidence
        for e in session.exec(select(ConsentEvent)).all()
    )
    assert all(PHONE not in (row.payload or "") for row in session.exec(select(InboxEvent)).all())
    # and only a keyed hash of the number remains
    [suppression] = session.exec(select(Suppression)).all()
    assert PHONE not in suppression.phone_hash and "2125550199" not in suppression.phone_hash
    assert privacy.is_suppressed(session, store_id=store.id, phone_e164=PHONE)
    assert (
        consent_service.current_state(session, contact=contact, purpose=Purpose.MARKETING).action
        == ConsentAction.REVOKED
    )

    # and every later path refuses the number: lookups, webhooks, the storefront, exports
    assert contacts_service.contact_for_phone(session, store_id=store.id, phone_e164=PHONE) is None
    _deliver_checkout(client, installed_store, saleor_key)
    session.expire_all()
    assert session.exec(select(Contact).where(Contact.email.is_not(None))).all() == []
    assert len(session.exec(select(Contact)).all()) == 1
    ratelimit.reset()
    key = consent_service.storefront_key(session, store_id=store.id)
    session.commit()
    refused = client.post(
        f"/api/storefront/opt-in?key={key}", json={"phone": PHONE, "marketing": True}
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "NUMBER_SUPPRESSED"
    assert privacy.export_contact(session, store_id=store.id, phone_e164=PHONE)["contact"] is None


def test_erasing_an_unknown_number_still_suppresses_it(session):
    store = make_store(session)
    assert privacy.erase_number(session, store_id=store.id, phone_e164="+905321234567") is False
    assert privacy.is_suppressed(session, store_id=store.id, phone_e164="+905321234567")
    other = make_store(session)
    assert not privacy.is_suppressed(session, store_id=other.id, phone_e164="+905321234567")


def test_retention_purges_bodies_and_payloads_after_their_periods(session):
    # given messages and an inbox row from 100 and 10 days ago
    store = make_store(session)
    get_settings(session, store.id)
    contact = make_contact(session, store)
    now = clock.now()
    for key, age in (("old", 100), ("new", 10)):
        session.add(
            OutboundMessage(
                store_id=store.id,
                contact_id=contact.id,
                purpose=MessagePurpose.TRANSACTIONAL,
                kind=MessageKind.ORDER_UPDATE,
                idempotency_key=key,
                text=f"body {key}",
                parameters={"1": key},
                created_at=now - timedelta(days=age),
            )
        )
        session.add(
            InboundMessage(
                store_id=store.id,
                contact_id=contact.id,
                wamid=f"wamid.{key}",
                type="text",
                text=f"hi {key}",
                received_at=now - timedelta(days=age),
            )
        )
    for key, age in (("a", 31), ("b", 29)):
        session.add(
            InboxEvent(
                store_id=store.id,
                source="saleor",
                event="order_created",
                dedupe_key=key,
                payload="{}",
                status="processed",
                received_at=now - timedelta(days=age),
            )
        )
    session.flush()
    # when the tick runs (defaults: 90 days for bodies, 30 for payloads)
    counts = privacy.purge_expired(session=session)
    # then only the old ones lose their content, once
    assert counts == {"outbound": 1, "inbound": 1, "inbox": 1}
    session.expire_all()
    bodies = {
        m.idempotency_key: (m.text, m.parameters) for m in session.exec(select(OutboundMessage))
    }
    assert bodies == {"old": (None, {}), "new": ("body new", {"1": "new"})}
    assert {m.wamid: m.text for m in session.exec(select(InboundMessage))} == {
        "wamid.old": None,
        "wamid.new": "hi new",
    }
    assert {e.dedupe_key: e.payload for e in session.exec(select(InboxEvent))} == {
        "a": None,
        "b": "{}",
    }
    assert privacy.purge_expired(session=session) == {"outbound": 0, "inbound": 0, "inbox": 0}
