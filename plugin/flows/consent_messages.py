"""The consent messages (opt-in request, confirmations, contact-info request, support replies),
written to the outbox as scheduled rows. Consent decides what the customer is told (a Notice);
flows sends it, at the journey's request (plugin/events).

Nothing here sends at once: it writes a row (due now, idempotency key per ledger event) and the
delivery worker sends scheduled rows. These are transactional (they answer the customer's
own action), so quiet hours and marketing caps never hold them back.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from plugin.consent.keywords import OPTIN_YES_PAYLOAD, STOP_PAYLOAD
from plugin.contacts.models import Contact
from plugin.contacts.suppression import is_suppressed
from plugin.delivery import outbox as delivery_outbox
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.errors import FieldError, InvalidInput
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
DECLINE_TEXT = {
    "tr": (
        "Anlaşıldı, size pazarlama mesajı göndermeyeceğiz. Sipariş bildirimleriniz sürer. "
        "Fikrinizi değiştirirseniz BAŞLA yazmanız yeterli."
    ),
    "en": (
        "Understood: we will not send you marketing messages. Order updates continue. "
        "If you change your mind, reply START."
    ),
}
RESUME_TEXT = {
    "tr": (
        "Tekrar hoş geldiniz! Pazarlama mesajlarımıza yeniden abone oldunuz. "
        "Ayrılmak için DUR yazabilirsiniz."
    ),
    "en": "Welcome back! You are subscribed to our marketing messages again. Reply STOP to leave.",
}


CONTACT_INFO_TEXT = {
    "tr": (
        "Kampanya ve fırsat mesajlarımızı alabilmeniz için telefon numaranızı paylaşmanız "
        "gerekiyor (İYS kaydı için). Aşağıdaki butona dokunarak paylaşabilirsiniz."
    ),
    "en": (
        "To receive our offers, please share your phone number (Turkey's commercial message "
        "registry, İYS, needs it). Tap the button below to share it."
    ),
}


def language_of(session: Session, contact: Contact) -> str:
    """Turkish or English: the contact's locale, else the store's default."""
    locale = contact.locale or get_settings(session, contact.store_id).default_locale
    return "tr" if (locale or "").lower().startswith("tr") else "en"


def _schedule(
    session: Session,
    contact: Contact,
    *,
    kind: MessageKind,
    key: str,
    event_id: int | str,
    source_type: str = "consent",
    **content: Any,
) -> OutboundMessage | None:
    """A transactional row due now, tied to what caused it (a ledger event, a support reply),
    written once per idempotency key through delivery's outbox; nothing for a person who
    cannot be messaged (no number and no business-scoped user id, or a suppressed number)."""
    address = contact.phone_e164 or contact.bsuid
    if address is None or contact.erased_at is not None or contact.id is None:
        return None
    if is_suppressed(session, store_id=contact.store_id, phone_e164=address):
        return None
    key = delivery_outbox.idempotency_key(key, contact.id, event_id)
    content.setdefault("source_id", str(event_id))
    row = delivery_outbox.enqueue_message(
        session,
        store_id=contact.store_id,
        contact_id=contact.id,
        purpose=MessagePurpose.TRANSACTIONAL,
        kind=kind,
        idempotency_key=key,
        source_type=source_type,
        **content,
    )
    return row or delivery_outbox.find(session, store_id=contact.store_id, idempotency_key=key)


GREETING_FALLBACK = {"tr": "değerli müşterimiz", "en": "there"}


def schedule_optin_request(
    session: Session, *, contact: Contact, request_event_id: int
) -> OutboundMessage | None:
    """The double opt-in request: the store's approved `ulak_optin_request` with its YES/EVET
    and STOP quick replies, filled the way every template send is (templates' renderer)."""
    from plugin.saleor.models import Store
    from plugin.templates import builder
    from plugin.templates.render import MissingValue
    from plugin.templates.service import approved_template
    from plugin.templates.variables import MissingVariables

    language = language_of(session, contact)
    template = approved_template(
        session, store_id=contact.store_id, name=OPTIN_TEMPLATE, language=language
    )
    parameters: dict[str, Any] = {
        "buttons": [
            {"type": "quick_reply", "index": 0, "payload": OPTIN_YES_PAYLOAD},
            {"type": "quick_reply", "index": 1, "payload": STOP_PAYLOAD},
        ]
    }
    if template is not None:
        store = session.get(Store, contact.store_id)
        base = language.split("_")[0].split("-")[0]
        context = {
            "locale": language,
            "first_name": contact.first_name or GREETING_FALLBACK.get(base, "there"),
            "store_name": (store.name or store.domain) if store else "",
        }
        try:
            parameters = {"components": builder.build(template, context)}
        except (MissingVariables, MissingValue):
            pass  # the send-time check refuses it with a clear reason; nothing is lost
        language = template.language
    return _schedule(
        session,
        contact,
        kind=MessageKind.OPTIN_REQUEST,
        key="optin",
        event_id=request_event_id,
        template_name=OPTIN_TEMPLATE,
        template_language=language,
        parameters=parameters,
    )


def schedule_service_reply(
    session: Session, *, contact: Contact, event_id: int, key: str, texts: dict[str, str]
) -> OutboundMessage | None:
    """A free-text reply inside the service window, in the customer's language."""
    return _schedule(
        session,
        contact,
        kind=MessageKind.SERVICE_REPLY,
        key=key,
        event_id=event_id,
        text=texts[language_of(session, contact)],
    )


def schedule_contact_info_request(
    session: Session, *, contact: Contact, event_id: int | str
) -> OutboundMessage | None:
    """Ask a username-only customer for their number with Meta's request-contact-info button
    (inside the service window): Turkish commercial messages need a known number for İYS."""
    text = CONTACT_INFO_TEXT[language_of(session, contact)]
    return _schedule(
        session,
        contact,
        kind=MessageKind.SERVICE_REPLY,
        key="contact_info",
        event_id=event_id,
        text=text,
        parameters={"interactive": {"type": "request_contact_info", "body": {"text": text}}},
    )


SUPPORT_TEXT_LIMIT = 4096  # WhatsApp's limit for a text message body


def schedule_support_reply(
    session: Session, *, contact: Contact, text: str, staff_user_id: str | None = None
) -> OutboundMessage:
    """A staff member's free-text answer to a customer (customer support).

    Free text is only allowed while the customer's 24-hour service window is open (their last
    message less than 24 hours ago); otherwise `InvalidInput` with WINDOW_CLOSED and nothing
    is written. Each reply is its own row (`support:<contact id>:<uuid>`)."""
    from plugin.contacts.service import service_window_open

    body = text.strip()
    if not body:
        raise InvalidInput([FieldError("text", "REQUIRED", "Write a message.", "Bir mesaj yazın.")])
    if len(body) > SUPPORT_TEXT_LIMIT:
        raise InvalidInput(
            [
                FieldError(
                    "text",
                    "OUT_OF_RANGE",
                    f"A message has at most {SUPPORT_TEXT_LIMIT} characters.",
                    f"Bir mesaj en fazla {SUPPORT_TEXT_LIMIT} karakter olabilir.",
                )
            ]
        )
    if not service_window_open(contact):
        raise InvalidInput(
            [
                FieldError(
                    "contactId",
                    "WINDOW_CLOSED",
                    "The customer has not written in the last 24 hours, so WhatsApp allows "
                    "only approved templates now.",
                    "Müşteri son 24 saatte yazmadığı için WhatsApp şu an yalnızca onaylı "
                    "şablonlara izin veriyor.",
                )
            ]
        )
    scheduled = _schedule(
        session,
        contact,
        kind=MessageKind.SERVICE_REPLY,
        key="support",
        event_id=uuid.uuid4().hex,
        source_type="support",
        source_id=staff_user_id[:100] if staff_user_id else None,
        text=body,
    )
    if scheduled is None:
        raise InvalidInput(
            [
                FieldError(
                    "contactId",
                    "NOT_ALLOWED",
                    "This customer cannot be messaged (no number, or erased).",
                    "Bu müşteriye mesaj gönderilemez (numara yok ya da silinmiş).",
                )
            ]
        )
    return scheduled
