"""The consent ledger: append-only facts, the current state derived from them, and the
rules that turn what a customer does (a checkbox, a reply, a button, Meta's opt-out) into
facts. Nothing here edits a past event or commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, select

from plugin import clock
from plugin.consent import captures, facts
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.consent.state import ConsentState
from plugin.contacts.models import Contact
from plugin.rows import built
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings

log = structlog.get_logger(__name__)

WEB_SOURCES = frozenset(
    {ConsentSource.CHECKOUT, ConsentSource.CUSTOMER, ConsentSource.ORDER, ConsentSource.STOREFRONT}
)


def text_hash(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def current_state(session: Session, *, contact: Contact, purpose: Purpose) -> ConsentState:
    """The contact's effective consent for `purpose` (the one read model, plugin/consent/state)."""
    assert contact.id is not None
    return consent_state.state(
        session, store_id=contact.store_id, contact_id=contact.id, purpose=purpose
    )


def timeline(session: Session, *, store_id: int, contact_id: int) -> list[ConsentEvent]:
    """Every fact about a contact, oldest first: "why did this person get this message?"."""
    facts.write(session, contact_ids=[contact_id])
    return list(
        session.exec(
            select(ConsentEvent)
            .where(ConsentEvent.store_id == store_id, ConsentEvent.contact_id == contact_id)
            .order_by(col(ConsentEvent.occurred_at), col(ConsentEvent.id))
        ).all()
    )


def timelines(
    session: Session, *, store_id: int, contact_ids: list[int]
) -> dict[int, list[ConsentEvent]]:
    """`timeline` for many contacts in one query (list pages)."""
    found: dict[int, list[ConsentEvent]] = {contact_id: [] for contact_id in contact_ids}
    if not contact_ids:
        return found
    facts.write(session, contact_ids=contact_ids)
    for event in session.exec(
        select(ConsentEvent)
        .where(ConsentEvent.store_id == store_id, col(ConsentEvent.contact_id).in_(contact_ids))
        .order_by(col(ConsentEvent.occurred_at), col(ConsentEvent.id))
    ).all():
        found[event.contact_id].append(event)
    return found


def record(
    session: Session,
    *,
    contact: Contact,
    purpose: Purpose,
    action: ConsentAction,
    source: ConsentSource,
    evidence: dict[str, Any] | None = None,
    text: str | None = None,
    text_version: str | None = None,
    occurred_at: datetime | None = None,
    capture_key: str | None = None,
) -> ConsentEvent:
    """Append one fact to the ledger (the only way consent changes). A fact cannot have
    occurred in the future (a future-dated import would outrank every later STOP), and a
    grant identical to one already standing (same purpose, source, evidence and text, no fact
    of that purpose since) is not recorded twice: the standing one is returned."""
    assert contact.id is not None
    now = clock.now()
    occurred_at = min(occurred_at, now) if occurred_at is not None else now
    if action == ConsentAction.GRANTED:
        same = _standing_grant(session, contact, purpose, source, evidence or {}, text)
        if same is not None:
            return same
    # built, not constructed: SQLModel's constructor cost ~0.2 ms a fact (plugin/rows.py)
    event = built(
        ConsentEvent,
        {
            "store_id": contact.store_id,
            "contact_id": contact.id,
            "purpose": purpose,
            "action": action,
            "source": source,
            "text": text,
            "text_version": text_version[:100] if text_version else None,
            "text_hash": text_hash(text),
            "evidence": evidence or {},
            "occurred_at": occurred_at,
            "recorded_at": now,
            "capture_key": capture_key[:200] if capture_key else None,
        },
    )
    facts.add(session, event, contacts=consent_state.batch_contacts(session))
    consent_state.note(session, event)
    captures.note(session, contact_id=contact.id, capture_key=event.capture_key)
    return event


def _standing_grant(
    session: Session,
    contact: Contact,
    purpose: Purpose,
    source: ConsentSource,
    evidence: dict[str, Any],
    text: str | None,
) -> ConsentEvent | None:
    """The identical grant recorded last for this purpose, if no fact of it came after. In a
    batch the last is known without asking when the batch recorded it, or when the batch's
    state says the contact has no fact of this purpose."""
    assert contact.id is not None
    last = facts.last_recorded(session, contact_id=contact.id, purpose=purpose)
    if last is None:
        held = consent_state.known(
            session, store_id=contact.store_id, contact_id=contact.id, purpose=purpose
        )
        if held is not None and held.event_id is None:
            return None
        facts.write(session, contact_ids=[contact.id])
        last = session.exec(
            select(ConsentEvent)
            .where(
                ConsentEvent.store_id == contact.store_id,
                ConsentEvent.contact_id == contact.id,
                ConsentEvent.purpose == purpose,
            )
            .order_by(col(ConsentEvent.id).desc())
            .limit(1)
        ).first()
    if (
        last is not None
        and last.action == ConsentAction.GRANTED
        and last.source == source
        and (last.evidence or {}) == evidence
        and last.text_hash == text_hash(text)
    ):
        return last
    return None


def request_marketing(
    session: Session,
    *,
    contact: Contact,
    source: ConsentSource,
    evidence: dict[str, Any],
    text: str | None = None,
    text_version: str | None = None,
    capture_key: str | None = None,
) -> ConsentEvent:
    """Double opt-in, step one: a web grant is only `requested`; the journey sends the request
    at once (capture_notices)."""
    event = record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.REQUESTED,
        source=source,
        evidence=evidence,
        text=text,
        text_version=text_version,
        capture_key=capture_key,
    )
    return event


def revoke_marketing(
    session: Session,
    *,
    contact: Contact,
    source: ConsentSource,
    evidence: dict[str, Any],
    occurred_at: datetime | None = None,
) -> ConsentEvent | None:
    """Stop marketing now: one ledger fact. Returns the new fact, which the caller's journey
    confirms to the customer unless Meta already did (Meta's own opt-outs: its preference
    webhook, error 131050), and whose queued marketing it suppresses through delivery
    (`suppress_revoked_marketing`); consent itself sends and suppresses nothing.

    Already revoked: nothing new is recorded (a second STOP gets no second reply).
    """
    assert contact.id is not None
    state = current_state(session, contact=contact, purpose=Purpose.MARKETING)
    if state.action == ConsentAction.REVOKED:
        return None
    event = record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.REVOKED,
        source=source,
        evidence=evidence,
        occurred_at=_stopping(state, occurred_at, evidence),
    )
    return event


# Meta stamps in whole seconds and clocks drift: a fact this close after a customer's "no"
# cannot be shown to have come after it.
SIMULTANEOUS = timedelta(seconds=2)


def _stopping(
    state: ConsentState, occurred_at: datetime | None, evidence: dict[str, Any]
) -> datetime:
    """When a customer's "no" counts: a grant recorded within the STOP's own (whole) second, or
    an opt-in answer dated a second after its request, would otherwise look later than the STOP
    and win. Such a fact is simultaneous with the STOP, so the STOP takes its instant and wins
    the tie (docs/adr/0005: at equal instants a revocation outranks a grant); Meta's own stamp
    is kept as evidence."""
    at = occurred_at if occurred_at is not None else clock.now()
    if state.at is None or not at < state.at < at + SIMULTANEOUS:
        return at
    evidence["meta_timestamp"] = at.isoformat()
    return state.at


def answering_instant(
    state: ConsentState, received_at: datetime, evidence: dict[str, Any]
) -> datetime:
    """When the customer's answer to a pending opt-in request counts as given: Meta stamps it
    in whole seconds, so a tap within the request's own second would look simultaneous (and the
    tie goes to the request). An answer cannot precede what it answers: it counts from one
    second after the request at the earliest; Meta's own stamp is kept as evidence."""
    if state.at is None or received_at > state.at:
        return received_at
    evidence["meta_timestamp"] = received_at.isoformat()
    return state.at + timedelta(seconds=1)


def grant_marketing(
    session: Session,
    *,
    contact: Contact,
    source: ConsentSource,
    evidence: dict[str, Any],
    occurred_at: datetime | None,
    action: ConsentAction = ConsentAction.GRANTED,
) -> ConsentEvent:
    """A marketing fact the customer stated (a grant, or declining the opt-in request)."""
    return record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=action,
        source=source,
        evidence=evidence,
        occurred_at=occurred_at,
    )


def consent_hash(consent: dict[str, Any]) -> str:
    """A short stable fingerprint of a consent value (customer metadata has no other id)."""
    canonical = repr(sorted((k, str(v)) for k, v in consent.items()))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def lapse_requests(*, session: Session) -> int:
    """Tick: a marketing request not confirmed within the store's lapse period lapses (only
    while that request is still the deciding fact, by the read model's order)."""
    now = clock.now()
    facts.write(session)
    request: Any = ConsentEvent.__table__.alias("request")  # type: ignore[attr-defined]
    deciding = consent_state.deciding_id(
        Purpose.MARKETING, contact_id=request.c.contact_id, store_id=request.c.store_id
    )
    rows = session.execute(
        sa.select(request.c.id, request.c.store_id, request.c.contact_id, request.c.occurred_at)
        .where(
            request.c.purpose == Purpose.MARKETING.value,
            request.c.action == ConsentAction.REQUESTED.value,
            request.c.occurred_at < now - timedelta(days=1),
            request.c.id == deciding,
        )
        .limit(1000)
    ).all()
    lapse_days: dict[int, int] = {}
    lapsed = 0
    for event_id, store_id, contact_id, occurred_at in rows:
        if store_id not in lapse_days:
            settings = session.get(StoreSettings, store_id)
            lapse_days[store_id] = settings.optin_lapse_days if settings else 7
        if occurred_at > now - timedelta(days=lapse_days[store_id]):
            continue
        contact = session.get(Contact, contact_id)
        if contact is None:
            continue
        record(
            session,
            contact=contact,
            purpose=Purpose.MARKETING,
            action=ConsentAction.LAPSED,
            source=ConsentSource.SYSTEM,
            evidence={"request_event_id": event_id},
        )
        lapsed += 1
    return lapsed


def record_by_admin(
    *,
    session: Session,
    store_id: int,
    contact_id: int,
    purpose: Purpose,
    granted: bool,
    staff_user_id: str,
    staff_email: str | None = None,
    note: str | None = None,
    text: str | None = None,
    text_version: str | None = None,
    occurred_at: datetime | None = None,
) -> ConsentEvent:
    """A merchant records consent collected elsewhere (a signed form) or revokes it; the staff
    user is the evidence. A revocation of marketing holds at once for queued messages."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.store_id != store_id or contact.erased_at is not None:
        raise LookupError("no such contact in this store")
    evidence = {"staff_user_id": staff_user_id, "staff_email": staff_email, "note": note}
    return record(
        session,
        contact=contact,
        purpose=purpose,
        action=ConsentAction.GRANTED if granted else ConsentAction.REVOKED,
        source=ConsentSource.ADMIN,
        evidence={k: v for k, v in evidence.items() if v is not None},
        text=text,
        text_version=text_version,
        occurred_at=occurred_at,
    )


class OptedOutNumber(ValueError):
    """A test send to a number whose owner opted out: refused, never a way round a STOP."""


def refuse_opted_out_test(session: Session, *, contact: Contact, purpose: Purpose) -> None:
    """A staff test send records no consent (the policy lets it through only to the store's
    staff test numbers), so nothing a flow or campaign honours changes and an admin revocation
    stays. Still, a number whose owner revoked this purpose themselves (a STOP) is refused."""
    state = current_state(session, contact=contact, purpose=purpose)
    if state.action is ConsentAction.REVOKED and state.source is not ConsentSource.ADMIN:
        raise OptedOutNumber("the number's owner opted out")


def storefront_key(session: Session, *, store_id: int) -> str:
    """The store's public key for the storefront opt-in endpoint, created on first use."""
    settings = get_settings(session, store_id)
    if not settings.storefront_public_key:
        settings.storefront_public_key = "pk_" + secrets.token_urlsafe(24)
        settings.updated_at = clock.now()
        session.add(settings)
        session.flush()
    return settings.storefront_public_key


def store_for_public_key(session: Session, key: str) -> StoreSettings | None:
    if not key:
        return None
    return session.exec(
        select(StoreSettings).where(StoreSettings.storefront_public_key == key)
    ).first()
