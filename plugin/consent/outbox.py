"""The messages consent itself sends, written to the outbox as scheduled rows.

Consent does not send: it writes a row (due now, idempotency key per ledger event) and the
delivery worker sends scheduled rows. These are transactional (they answer the customer's
own action), so quiet hours and marketing caps never hold them back.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from plugin import clock
from plugin.consent.keywords import OPTIN_YES_PAYLOAD, STOP_PAYLOAD
from plugin.consent.privacy import is_suppressed
from plugin.contacts.models import Contact
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.stores.service import get_settings

OPTIN_TEMPLATE = "ulak_optin_request"

OPTOUT_TEXT = {
    "tr": (
        "Pazarlama mesajlarımızdan çıkarıldınız; artık kampanya mesajı almayacaksınız. "
        "Sipariş bildirimleriniz sürer. Yeniden katılmak için BAŞLA yazmanız yeterli."
    ),
    "en": (
        "You have been unsubscribed from our marketing messages. Order updates continue. "
        "To rejoin at any time, reply START."
    ),
}
RESUME_TEXT = {
    "tr": (
        "Tekrar hoş geldiniz! Pazarlama mesajlarımıza yeniden abone oldunuz. "
        "Ayrılmak için DUR yazabilirsiniz."
    ),
    "en": "Welcome back! You are subscribed to our marketing messages again. Reply STOP to leave.",
}


def language_of(session: Session, contact: Contact) -> str:
    """Turkish or English: the contact's locale, else the store's default."""
    locale = contact.locale or get_settings(session, contact.store_id).default_locale
    return "tr" if (locale or "").lower().startswith("tr") else "en"


def _schedule(
    session: Session, message: OutboundMessage, contact: Contact
) -> OutboundMessage | None:
    """Insert once per idempotency key; nothing for a number that cannot be messaged."""
    if contact.phone_e164 is None or is_suppressed(
        session, store_id=contact.store_id, phone_e164=contact.phone_e164
    ):
        return None
    existing = session.exec(
        select(OutboundMessage).where(
            OutboundMessage.store_id == message.store_id,
            OutboundMessage.idempotency_key == message.idempotency_key,
        )
    ).first()
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:
        return None
    return message


def schedule_optin_request(
    session: Session, *, contact: Contact, request_event_id: int
) -> OutboundMessage | None:
    """The double opt-in request: a template with YES/EVET and STOP quick replies."""
    assert contact.id is not None
    now = clock.now()
    return _schedule(
        session,
        OutboundMessage(
            store_id=contact.store_id,
            contact_id=contact.id,
            purpose=MessagePurpose.TRANSACTIONAL,
            kind=MessageKind.OPTIN_REQUEST,
            idempotency_key=f"optin:{contact.id}:{request_event_id}",
            template_name=OPTIN_TEMPLATE,
            template_language=language_of(session, contact),
            parameters={
                "buttons": [
                    {"type": "quick_reply", "index": 0, "payload": OPTIN_YES_PAYLOAD},
                    {"type": "quick_reply", "index": 1, "payload": STOP_PAYLOAD},
                ]
            },
            source_type="consent",
            source_id=str(request_event_id),
            due_at=now,
            status=MessageStatus.SCHEDULED,
            created_at=now,
            updated_at=now,
        ),
        contact,
    )


def schedule_service_reply(
    session: Session, *, contact: Contact, event_id: int, key: str, texts: dict[str, str]
) -> OutboundMessage | None:
    """A free-text reply inside the service window, in the customer's language."""
    assert contact.id is not None
    now = clock.now()
    return _schedule(
        session,
        OutboundMessage(
            store_id=contact.store_id,
            contact_id=contact.id,
            purpose=MessagePurpose.TRANSACTIONAL,
            kind=MessageKind.SERVICE_REPLY,
            idempotency_key=f"{key}:{contact.id}:{event_id}",
            text=texts[language_of(session, contact)],
            source_type="consent",
            source_id=str(event_id),
            due_at=now,
            status=MessageStatus.SCHEDULED,
            created_at=now,
            updated_at=now,
        ),
        contact,
    )
