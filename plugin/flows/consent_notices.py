"""Sending what consent decided a customer is told (plugin.consent.answers.Notice): the opt-in
request and the confirmations. Consent sends nothing (DESIGN.md, layer 5); the journeys in
plugin/events hand its notices here."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from plugin.consent.answers import Notice, Reply
from plugin.contacts.models import Contact
from plugin.delivery.models import OutboundMessage
from plugin.flows import consent_messages

_TEXTS = {
    Reply.OPTOUT: consent_messages.OPTOUT_TEXT,
    Reply.DECLINE: consent_messages.DECLINE_TEXT,
    Reply.RESUME: consent_messages.RESUME_TEXT,
}


def send(session: Session, *, contact: Contact, notice: Notice) -> OutboundMessage | None:
    """One reply, once per ledger fact (the fact's id is in the message's idempotency key)."""
    if notice.reply == Reply.OPTIN_REQUEST:
        return consent_messages.schedule_optin_request(
            session, contact=contact, request_event_id=notice.event_id
        )
    return consent_messages.schedule_service_reply(
        session,
        contact=contact,
        event_id=notice.event_id,
        key=notice.reply.value,
        texts=_TEXTS[notice.reply],
    )


def send_all(session: Session, *, contact: Contact, notices: Iterable[Notice]) -> None:
    for notice in notices:
        send(session, contact=contact, notice=notice)
