"""What a customer's own actions mean for consent: a WhatsApp reply or button (STOP, EVET,
Hayır, BAŞLA), Meta's marketing preference and error 131050, and a storefront's consent value.
Each becomes ledger facts (service.record) and, where the customer is to be told, a Notice
that the journey (plugin/events) asks flows to send; nothing here sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, select

from plugin.consent import captures, facts
from plugin.consent import state as consent_state
from plugin.consent.keywords import (
    DECLINE_KEYWORDS,
    OPTIN_YES_PAYLOAD,
    RESUME_PAYLOAD,
    STOP_PAYLOAD,
    matches,
)
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.consent.service import (
    answering_instant,
    current_state,
    grant_marketing,
    record,
    request_marketing,
    revoke_marketing,
)
from plugin.contacts.models import Contact
from plugin.saleor.models import Store
from plugin.stores.service import get_settings
from plugin.templates.variables import OPTIN_NO as OPTIN_NO_PAYLOAD


class InboundOutcome(StrEnum):
    OPTIN_CONFIRMED = "optin_confirmed"
    OPTED_OUT = "opted_out"
    DECLINED = "declined"
    RESUMED = "resumed"
    NONE = "none"


class Reply(StrEnum):
    """What a customer is to be told about a fact just recorded; consent sends nothing, the
    journey (plugin/events) asks flows to send it. The value is the message's key."""

    OPTIN_REQUEST = "optin_request"
    OPTOUT = "optout"
    DECLINE = "decline"
    RESUME = "resume"


@dataclass(frozen=True, slots=True)
class Notice:
    """One reply due for one ledger fact (its id makes the message idempotent)."""

    reply: Reply
    event_id: int


@dataclass(frozen=True, slots=True)
class InboundAnswer:
    """What a customer's message meant for consent, and the reply it calls for, if any."""

    outcome: InboundOutcome
    notice: Notice | None = None


def handle_inbound(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    text: str | None,
    button_payload: str | None,
    wamid: str,
    received_at: datetime,
) -> InboundAnswer:
    """What a customer's WhatsApp message means for consent (called by the inbound journey),
    and the reply it calls for.

    Stop (button or whole-message keyword) wins over everything; a YES/EVET confirms and a
    No/Hayır (button or HAYIR/NO) declines only a pending request, answered once;
    START/BAŞLA grants again with its own evidence.
    """
    from plugin.contacts.service import note_inbound

    assert contact.id is not None and store.id is not None
    note_inbound(session=session, contact=contact, at=received_at)
    settings = get_settings(session, store.id)
    by_button = button_payload is not None
    source = ConsentSource.BUTTON_REPLY if by_button else ConsentSource.WHATSAPP_KEYWORD
    evidence: dict[str, Any] = {"wamid": wamid}
    if by_button:
        evidence["button_payload"] = button_payload
    else:
        evidence["keyword"] = (text or "").strip()[:60]

    if button_payload == STOP_PAYLOAD or (
        not by_button and matches(text, settings.optout_keywords)
    ):
        revoked = revoke_marketing(
            session, contact=contact, source=source, evidence=evidence, occurred_at=received_at
        )
        return InboundAnswer(InboundOutcome.OPTED_OUT, _notice(Reply.OPTOUT, revoked))

    state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
    if button_payload == OPTIN_YES_PAYLOAD or (
        not by_button and matches(text, settings.optin_keywords)
    ):
        if state.action != ConsentAction.REQUESTED:
            return InboundAnswer(InboundOutcome.NONE)
        evidence["request_event_id"] = state.event_id
        grant_marketing(
            session,
            contact=contact,
            source=source,
            evidence=evidence,
            occurred_at=answering_instant(state, received_at, evidence),
        )
        return InboundAnswer(InboundOutcome.OPTIN_CONFIRMED)

    if button_payload == OPTIN_NO_PAYLOAD or (not by_button and matches(text, DECLINE_KEYWORDS)):
        if state.action != ConsentAction.REQUESTED:
            # nothing pending: a second "No" gets no second answer
            return InboundAnswer(InboundOutcome.NONE)
        evidence["request_event_id"] = state.event_id
        declined = grant_marketing(
            session,
            contact=contact,
            source=source,
            evidence=evidence,
            occurred_at=answering_instant(state, received_at, evidence),
            action=ConsentAction.DECLINED,
        )
        return InboundAnswer(InboundOutcome.DECLINED, _notice(Reply.DECLINE, declined))

    if button_payload == RESUME_PAYLOAD or (
        not by_button and matches(text, settings.resume_keywords)
    ):
        if state.granted:
            return InboundAnswer(InboundOutcome.NONE)
        event = grant_marketing(
            session, contact=contact, source=source, evidence=evidence, occurred_at=received_at
        )
        return InboundAnswer(InboundOutcome.RESUMED, _notice(Reply.RESUME, event))
    return InboundAnswer(InboundOutcome.NONE)


def _notice(reply: Reply, event: ConsentEvent | None) -> Notice | None:
    return Notice(reply, event.id) if event is not None and event.id is not None else None


def capture_notices(events: list[ConsentEvent]) -> list[Notice]:
    """The replies a web capture's new facts call for: a marketing request is asked on WhatsApp
    at once (double opt-in), an account's "no" to marketing is confirmed."""
    notices: list[Notice | None] = []
    for event in events:
        if event.purpose != Purpose.MARKETING:
            continue
        if event.action == ConsentAction.REQUESTED:
            notices.append(_notice(Reply.OPTIN_REQUEST, event))
        elif event.action == ConsentAction.REVOKED:
            notices.append(_notice(Reply.OPTOUT, event))
    return [n for n in notices if n is not None]


def handle_marketing_preference(
    *,
    session: Session,
    store: Store,
    contact: Contact,
    value: str,
    wamid: str | None,
    at: datetime,
) -> InboundOutcome:
    """Meta's user_preferences webhook: the customer stopped or resumed marketing in WhatsApp.

    Meta confirms to the customer itself, so no reply is queued. A resume restores only a
    consent the customer had before (it is not a new opt-in).
    """
    assert contact.id is not None
    evidence = {"wamid": wamid, "value": value}
    if value == "stop":
        revoke_marketing(
            session,
            contact=contact,
            source=ConsentSource.META_PREFERENCES,
            evidence=evidence,
            occurred_at=at,
        )
        return InboundOutcome.OPTED_OUT
    if value == "resume":
        state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
        facts.write(session, contact_ids=[contact.id])
        had_granted = session.exec(
            select(ConsentEvent.id).where(
                ConsentEvent.contact_id == contact.id,
                ConsentEvent.purpose == Purpose.MARKETING,
                ConsentEvent.action == ConsentAction.GRANTED,
            )
        ).first()
        if state.action == ConsentAction.REVOKED and had_granted is not None:
            grant_marketing(
                session,
                contact=contact,
                source=ConsentSource.META_PREFERENCES,
                evidence=evidence,
                occurred_at=at,
            )
            return InboundOutcome.RESUMED
    return InboundOutcome.NONE


def handle_opt_out_error(
    *, session: Session, store: Store, contact: Contact, wamid: str
) -> ConsentEvent | None:
    """Error 131050: Meta says the customer stopped marketing messages from this business."""
    return revoke_marketing(
        session,
        contact=contact,
        source=ConsentSource.META_ERROR,
        evidence={"wamid": wamid, "error_code": 131050},
    )


def capture_web_consent(
    *,
    session: Session,
    contact: Contact,
    consent: dict[str, Any] | None,
    source: ConsentSource,
    capture_key: str,
    evidence: dict[str, Any] | None = None,
) -> list[ConsentEvent]:
    """The storefront convention (`ulak.consent` metadata, or the opt-in endpoint).

    `true` grants transactional consent and *requests* marketing consent (double opt-in).
    Each carrier (a checkout, a customer's consent value, one endpoint call) is recorded
    once, so webhook redeliveries and later updates of the same checkout add nothing. A
    `false` on the customer (an account preference) revokes marketing; on a checkout or
    order it only means "not given here".

    In a batch a carrier already recorded is known from its memo (captures.captured) before
    anything else is asked: most events of a checkout repeat a value recorded by its first.
    """
    if not consent:
        return []
    contact_id = contact.id
    assert contact_id is not None
    events: list[ConsentEvent] = []
    if consent.get("transactional") is True:
        key = capture_key + ":transactional"
        if (
            captures.captured(session, contact_id=contact_id, capture_key=key) is not True
            and not current_state(session, contact=contact, purpose=Purpose.TRANSACTIONAL).granted
            and not _captured(session, contact, key)
        ):
            events.append(
                record(
                    session,
                    contact=contact,
                    purpose=Purpose.TRANSACTIONAL,
                    action=ConsentAction.GRANTED,
                    source=source,
                    evidence=_evidence(evidence, capture_key),
                    capture_key=key,
                    text=_text(consent),
                    text_version=_version(consent),
                )
            )
    marketing = consent.get("marketing")
    if marketing is True:
        key = capture_key + ":marketing"
        if captures.captured(session, contact_id=contact_id, capture_key=key) is not True:
            state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
            pending_or_granted = state.action in _PENDING_OR_GRANTED
            if not pending_or_granted and not _captured(session, contact, key):
                events.append(
                    request_marketing(
                        session,
                        contact=contact,
                        source=source,
                        evidence=_evidence(evidence, capture_key),
                        capture_key=key,
                        text=_text(consent),
                        text_version=_version(consent),
                    )
                )
    elif marketing is False and source == ConsentSource.CUSTOMER:
        state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
        if state.action in _PENDING_OR_GRANTED:
            revoked = revoke_marketing(
                session,
                contact=contact,
                source=source,
                evidence=_evidence(evidence, capture_key),
            )
            if revoked is not None:
                events.append(revoked)
    return events


_PENDING_OR_GRANTED = (ConsentAction.REQUESTED, ConsentAction.GRANTED)


def _evidence(evidence: dict[str, Any] | None, capture_key: str) -> dict[str, Any]:
    """A web capture's evidence: what the caller gave, and the carrier."""
    return {**(evidence or {}), "capture_key": capture_key}


def _text(consent: dict[str, Any]) -> str | None:
    """The consent text the storefront showed (only a string counts)."""
    text = consent.get("text")
    return text if isinstance(text, str) else None


def _version(consent: dict[str, Any]) -> str | None:
    version = consent.get("text_version")
    return str(version) if version is not None else None


def _captured(session: Session, contact: Contact, capture_key: str) -> bool:
    """Whether a fact with this capture key is recorded for the contact; in a batch without
    asking when its memo knows (a contact with no fact at all has no key)."""
    contact_id = contact.id
    assert contact_id is not None
    known = captures.captured(session, contact_id=contact_id, capture_key=capture_key)
    if known is not None:
        return known
    held = [
        consent_state.known(session, store_id=contact.store_id, contact_id=contact_id, purpose=p)
        for p in Purpose
    ]
    if all(state is not None and state.event_id is None for state in held):
        return False
    # not the batch's own facts (held by plugin/consent/facts.py until the batch ends): their
    # keys were all noted in the batch's memo, so `captured` said True for these
    return (
        session.exec(
            select(ConsentEvent.id).where(
                ConsentEvent.contact_id == contact_id, ConsentEvent.capture_key == capture_key
            )
        ).first()
        is not None
    )
