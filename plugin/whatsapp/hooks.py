"""From the WhatsApp channel to the domains that act on what customers do.

Consent decides what a reply, a marketing preference or error 131050 means, first; other
domains (flows: stop cart recovery on a reply; segments: tags from button answers) add
listeners, called by name so this module needs no import of theirs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlmodel import Session

from plugin.consent import service as consent_service
from plugin.consent.outbox import schedule_contact_info_request
from plugin.consent.service import InboundOutcome
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.delivery.policy import PHONE_REQUIRED, address_problem
from plugin.saleor.models import Store

log = structlog.get_logger(__name__)

# "module:function" called with (session=, store=, contact=, inbound=<InboundMessage>) after
# consent has seen each new inbound message.
INBOUND_LISTENERS: list[str] = [
    "plugin.flows.service:on_inbound",  # a conversational reply stops cart recovery; COD answers
    "plugin.segments.tags:on_inbound",  # answers to quick-reply questions become tags
]
# "module:function" called with (session=, store=, contact=, value=, occurred_at=, detail=)
# after consent has seen a marketing preference (stop / resume / signup).
PREFERENCE_LISTENERS: list[str] = []


def resolve(target: str) -> Callable[..., Any] | None:
    """The function named "module:function", or None when that module or name is not there."""
    module_name, _, name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name + ".").startswith(exc.name + "."):
            return None
        raise
    fn = getattr(module, name, None)
    return fn if callable(fn) else None


def _listeners(targets: list[str], **kwargs: Any) -> None:
    for target in targets:
        fn = resolve(target)
        if fn is None:
            log.warning("listener_missing", target=target)
            continue
        fn(**kwargs)


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
    outcome = consent_service.handle_inbound(
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
    consent_service.handle_marketing_preference(
        session=session, store=store, contact=contact, value=value, wamid=None, at=occurred_at
    )
    _listeners(PREFERENCE_LISTENERS, **kwargs)


def on_opt_out_error(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    wamid: str,
    occurred_at: datetime,
) -> None:
    """Meta refused a marketing message with 131050: the customer opted out of marketing."""
    consent_service.handle_opt_out_error(session=session, store=store, contact=contact, wamid=wamid)
