"""Every way a person can stop marketing holds at once for what is queued for them: a STOP
keyword, any stop button, Meta's marketing opt-out, error 131050, the admin, a CSV import and a
storefront account's "no" all leave no marketing waiting, while order updates stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.consent import service
from plugin.consent.keywords import STOP_PAYLOAD
from plugin.consent.models import ConsentAction, ConsentSource, Purpose
from plugin.contacts.models import Contact
from plugin.delivery import effects
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.events import consent as consent_journey
from plugin.events import replies
from plugin.events import saleor as saleor_events
from plugin.saleor.models import Store
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite


def _reply(**kw: object) -> Callable[[Session, Store, Contact], object]:
    def act(session: Session, store: Store, contact: Contact) -> object:
        return replies.consent_answer(
            session=session,
            store=store,
            contact=contact,
            text=kw.get("text"),  # type: ignore[arg-type]
            button_payload=kw.get("button"),  # type: ignore[arg-type]
            wamid="wamid.STOP",
            received_at=clock.now(),
        )

    return act


def _meta_preference(session: Session, store: Store, contact: Contact) -> object:
    return replies.on_marketing_preference(
        session=session, store=store, contact=contact, value="stop", occurred_at=clock.now()
    )


def _error_131050(session: Session, store: Store, contact: Contact) -> object:
    assert store.id is not None and contact.id is not None
    return effects.revoke_marketing(
        session, store_id=store.id, contact_id=contact.id, source=ConsentSource.META_ERROR
    )


def _admin(session: Session, store: Store, contact: Contact) -> object:
    return consent_journey.record_by_admin(
        session=session,
        store_id=store.id,
        contact_id=contact.id,
        purpose=Purpose.MARKETING,
        granted=False,
        staff_user_id="VXNlcjox",
    )


def _csv(session: Session, store: Store, contact: Contact) -> object:
    return consent_journey.import_csv(
        session=session,
        store=store,
        csv_text=f"phone,marketing\n{contact.phone_e164},hayır\n",
        staff_user_id="VXNlcjox",
    )


def _account_says_no(session: Session, store: Store, contact: Contact) -> object:
    return saleor_events.capture_consent(
        session=session,
        contact=contact,
        consent={"marketing": False, "transactional": True},
        source=ConsentSource.CUSTOMER,
        capture_key="customer:VXNlcjo0Ng==:no",
    )


PATHS = {
    "STOP keyword": _reply(text="DUR"),
    "stop button": _reply(button=STOP_PAYLOAD),
    "Meta's marketing opt-out": _meta_preference,
    "error 131050": _error_131050,
    "admin revokes": _admin,
    "CSV import says no": _csv,
    "storefront account says no": _account_says_no,
}


@pytest.mark.parametrize("path", list(PATHS))
def test_a_revocation_suppresses_queued_marketing_at_once_whatever_its_path(
    session: Session, path: str
) -> None:
    # given a subscribed customer with a campaign message and a cart reminder waiting, and an
    # order update on its way
    store = make_store(session)
    contact = make_contact(session, store, locale="tr")
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.ADMIN,
        occurred_at=clock.now() - timedelta(days=3),
    )
    for key, purpose, status in (
        ("campaign:1", MessagePurpose.MARKETING, MessageStatus.QUEUED),
        ("recovery:1", MessagePurpose.MARKETING, MessageStatus.SCHEDULED),
        ("order:1", MessagePurpose.TRANSACTIONAL, MessageStatus.SCHEDULED),
    ):
        session.add(
            OutboundMessage(
                store_id=store.id,  # type: ignore[arg-type]
                contact_id=contact.id,  # type: ignore[arg-type]
                purpose=purpose,
                kind=MessageKind.CAMPAIGN,
                idempotency_key=key,
                status=status,
            )
        )
    session.flush()
    # when they stop marketing this way
    PATHS[path](session, store, contact)
    session.flush()
    # then marketing is revoked and nothing of it waits; the order update still goes
    state = service.current_state(session, contact=contact, purpose=Purpose.MARKETING)
    assert state.action == ConsentAction.REVOKED
    rows = {
        r.idempotency_key: (r.status, r.status_reason)
        for r in session.exec(
            select(OutboundMessage).where(OutboundMessage.contact_id == contact.id)
        )
    }
    assert rows["campaign:1"] == (MessageStatus.SUPPRESSED, "consent_revoked")
    assert rows["recovery:1"] == (MessageStatus.SUPPRESSED, "consent_revoked")
    assert rows["order:1"] == (MessageStatus.SCHEDULED, None)
