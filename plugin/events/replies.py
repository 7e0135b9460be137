"""From what a customer does on WhatsApp to the domains that act on it.

Consent decides what a reply or a marketing preference means, first; then the listeners
(flows: stop cart recovery on a reply, COD answers; segments: tags from button answers), held
by reference so the import graph shows every call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlmodel import Session

from plugin.consent import answers as consent_answers
from plugin.consent.answers import InboundOutcome
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.delivery.policy import PHONE_REQUIRED, address_problem
from plugin.events import consent as consent_journey
from plugin.flows import consent_notices
from plugin.flows import service as flows_service
from plugin.flows.consent_messages import schedule_contact_info_request
from plugin.saleor.models import Store
from plugin.segments import tags

log = structlog.get_logger(__name__)

Listener = Callable[..., object]

# Called with (session=, store=, contact=, inbound=<InboundMessage>) after consent has seen
# each new inbound message.
INBOUND_LISTENERS: list[Listener] = [
    flows_service.on_inbound,  # a conversational reply stops cart recovery; COD answers
    tags.on_inbound,  # answers to quick-reply questions become tags
]
# Called with (session=, store=, contact=, value=, occurred_at=, detail=) after consent has
# seen a marketing preference (stop / resume / signup).
PREFERENCE_LISTENERS: list[Listener] = []


def _listeners(listeners: list[Listener], **kwargs: Any) -> None:
    for listener in listeners:
        listener(**kwargs)


def consent_answer(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    text: str | None,
    button_payload: str | None,
    wamid: str,
    received_at: datetime,
) -> InboundOutcome:
    """What the message means for consent (consent decides), and its reply (flows sends)."""
    answer = consent_answers.handle_inbound(
        session=session,
        store=store,
        contact=contact,
        text=text,
        button_payload=button_payload,
        wamid=wamid,
        received_at=received_at,
    )
    if answer.outcome is InboundOutcome.OPTED_OUT:
        consent_journey.opted_out(session, contact=contact)
    if answer.notice is not None:
        consent_notices.send(session, contact=contact, notice=answer.notice)
    return answer.outcome


def on_inbound_message(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    inbound: InboundMessage,
) -> None:
    """A new message from a customer: consent first (STOP, EVET...), then the listeners.

    A Turkish username-only customer who just confirmed marketing is asked for their number
    (request-contact-info): marketing reaches them only once it is known (İYS)."""
    outcome = consent_answer(
        session=session,
        store=store,
        contact=contact,
        text=inbound.text,
        button_payload=inbound.button_payload,
        wamid=inbound.wamid,
        received_at=inbound.received_at,
    )
    confirmed = outcome in (InboundOutcome.OPTIN_CONFIRMED, InboundOutcome.RESUMED)
    if confirmed and address_problem(contact, marketing=True) == PHONE_REQUIRED:
        schedule_contact_info_request(session, contact=contact, event_id=inbound.wamid[-40:])
    _listeners(INBOUND_LISTENERS, session=session, store=store, contact=contact, inbound=inbound)


def on_marketing_preference(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    value: str,
    occurred_at: datetime,
    detail: str | None = None,
) -> None:
    """The customer stopped or resumed marketing inside WhatsApp (`user_preferences`)."""
    kwargs: dict[str, Any] = {
        "session": session,
        "store": store,
        "contact": contact,
        "value": value,
        "occurred_at": occurred_at,
        "detail": detail,
    }
    outcome = consent_answers.handle_marketing_preference(
        session=session, store=store, contact=contact, value=value, wamid=None, at=occurred_at
    )
    if outcome is InboundOutcome.OPTED_OUT:
        consent_journey.opted_out(session, contact=contact)
    _listeners(PREFERENCE_LISTENERS, **kwargs)
