"""A signed Meta status reaches only the messages of the store whose number received it.

Store B's number gets a genuine, signed status webhook naming the wamid of store A's message
(wamids are not secret: the customer's phone and both stores' logs see them). Store A's
message keeps its status, and a failure does not act on store A's contact or template.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.inbox.models import InboxEvent
from plugin.saleor.models import Store
from plugin.settings import DEV_WHATSAPP_APP_SECRET
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.signature import sign_body
from tests.factories import make_store
from tests.support import WHATSAPP_SAMPLES, drain_queue

pytestmark = pytest.mark.sqlite

WAMID = "wamid.xyzxyz"  # the message the samples report on
B_PNID, B_WABA = "1122334455667", "5467539754836534"  # the number the samples were sent to
A_PNID, A_WABA = "106540352242922", "102290129340398"
SAMPLES = ["status_read_cbp_legacy", "status_failed_130472"]


def _post(client, name: str) -> None:
    body = (WHATSAPP_SAMPLES / f"{name}.json").read_bytes()
    response = client.post(
        "/api/webhooks/whatsapp",
        content=body,
        headers={
            "content-type": "application/json",
            "x-hub-signature-256": sign_body(DEV_WHATSAPP_APP_SECRET.encode(), body),
        },
    )
    assert response.status_code == 200, response.text
    drain_queue()


def _account(store_id: int, pnid: str, waba: str) -> WhatsAppAccount:
    return WhatsAppAccount(
        store_id=store_id, phone_number_id=pnid, waba_id=waba, access_token_encrypted="x"
    )


@pytest.fixture()
def stores(client, installed_store, session: Session) -> dict[str, Any]:
    """Store A (installed) with a sent message; store B owning the samples' number."""
    drain_queue()  # the install's follow-up work (dev sandbox number...) settles first
    a = session.exec(select(Store)).one()
    b = make_store(session)
    session.add(_account(a.id, A_PNID, A_WABA))
    session.add(_account(b.id, B_PNID, B_WABA))
    contacts = {
        name: Contact(store_id=store.id, phone_e164="+972987654321", wa_id="972987654321")
        for name, store in (("a", a), ("b", b))
    }
    session.add_all(contacts.values())
    session.commit()
    return {"a": a.id, "b": b.id, "contact": contacts["a"].id, "contact_b": contacts["b"].id}


def _message(store_id: int, contact_id: int, status: MessageStatus) -> OutboundMessage:
    return OutboundMessage(
        store_id=store_id,
        contact_id=contact_id,
        purpose=MessagePurpose.TRANSACTIONAL,
        kind=MessageKind.ORDER_UPDATE,
        idempotency_key="a-order-1",
        template_name="order_update",
        template_language="tr",
        status=status,
        wamid=WAMID,
    )


def _state(session: Session, contact_id: int) -> tuple[Any, ...]:
    session.expire_all()
    row = session.exec(select(OutboundMessage).where(OutboundMessage.wamid == WAMID)).one()
    contact = session.get(Contact, contact_id)
    assert contact is not None
    return (
        row.status,
        row.read_at,
        row.delivered_at,
        row.failed_at,
        row.error_code,
        row.pricing_category,
        contact.phone_status,
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_a_status_on_another_stores_number_leaves_the_message_alone(client, stores, session, name):
    # given store A's message, sent
    session.add(_message(stores["a"], stores["contact"], MessageStatus.SENT))
    session.commit()
    before = _state(session, stores["contact"])
    assert before[-1] != PhoneStatus.INVALID
    # when Meta reports on its wamid to store B's number (a genuine, signed webhook)
    _post(client, name)
    # then store B's share was handled, and store A's message and contact are unchanged
    events = session.exec(select(InboxEvent).where(InboxEvent.store_id == stores["b"])).all()
    assert len(events) == 1
    assert _state(session, stores["contact"]) == before


@pytest.mark.parametrize("name", SAMPLES)
def test_the_same_status_applies_to_the_receiving_stores_own_message(client, stores, session, name):
    # the control: when the wamid is store B's own message, B's webhook moves it on
    session.add(_message(stores["b"], stores["contact_b"], MessageStatus.SENT))
    session.commit()
    before = _state(session, stores["contact_b"])
    _post(client, name)
    after = _state(session, stores["contact_b"])
    assert after[0] != before[0] and after[0] in (MessageStatus.READ, MessageStatus.FAILED)


@pytest.mark.parametrize("name", SAMPLES)
def test_an_early_status_on_another_stores_number_is_not_applied_later(
    client, stores, session, name
):
    from plugin.events.tick import run_tick

    # given store B's number told about a wamid before store A's send result was written
    _post(client, name)
    # when store A's message gets that wamid and the tick applies early statuses
    session.add(_message(stores["a"], stores["contact"], MessageStatus.SENT))
    session.commit()
    before = _state(session, stores["contact"])
    run_tick()
    # then store A's message is unchanged
    assert _state(session, stores["contact"]) == before
