"""İYS (Turkey's consent registry) export: consent records for Turkish numbers in İYS's
format, and the grants not yet exported that near İYS's 3-business-day limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.consent.state import took_effect
from plugin.contacts.models import Contact

ISTANBUL = ZoneInfo("Europe/Istanbul")
LIMIT_BUSINESS_DAYS = 3
# Where the consent was given, in İYS's source vocabulary.
IYS_SOURCE = {
    ConsentSource.CHECKOUT: "HS_WEB",
    ConsentSource.CUSTOMER: "HS_WEB",
    ConsentSource.ORDER: "HS_WEB",
    ConsentSource.STOREFRONT: "HS_WEB",
    ConsentSource.WHATSAPP_KEYWORD: "HS_MESAJ",
    ConsentSource.BUTTON_REPLY: "HS_MESAJ",
    ConsentSource.META_PREFERENCES: "HS_MESAJ",
    ConsentSource.META_ERROR: "HS_MESAJ",
    ConsentSource.ADMIN: "HS_FIZIKSEL_ORTAM",
    ConsentSource.CSV_IMPORT: "HS_FIZIKSEL_ORTAM",
    ConsentSource.API: "HS_EORTAM",
    ConsentSource.SYSTEM: "HS_EORTAM",
}
_STATUS = {ConsentAction.GRANTED: "ONAY", ConsentAction.REVOKED: "RET"}


@dataclass(frozen=True)
class IysPending:
    event_id: int
    recipient: str
    status: str
    deadline: datetime
    overdue: bool


def _pending(session: Session, store_id: int) -> list[tuple[ConsentEvent, str]]:
    """Unexported grants and revocations that took effect by the one read model (a backdated
    import under a later STOP, or a grant demoted after the customer's own opt-out, is
    evidence in the ledger, not a consent to report)."""
    fact: Any = ConsentEvent.__table__  # type: ignore[attr-defined]
    rows = session.exec(
        select(ConsentEvent, Contact.phone_e164)
        .join(Contact, col(Contact.id) == col(ConsentEvent.contact_id))
        .where(
            ConsentEvent.store_id == store_id,
            ConsentEvent.purpose == Purpose.MARKETING,
            col(ConsentEvent.action).in_(list(_STATUS)),
            col(ConsentEvent.iys_exported_at).is_(None),
            col(Contact.phone_e164).startswith("+90"),
            took_effect(fact, Purpose.MARKETING),
        )
        .order_by(col(ConsentEvent.occurred_at), col(ConsentEvent.id))
    ).all()
    return [(event, phone) for event, phone in rows if phone]


def record_of(event: ConsentEvent, phone: str) -> dict[str, Any]:
    return {
        "recipient": phone,
        "type": "MESAJ",
        "source": IYS_SOURCE[ConsentSource(event.source)],
        "status": _STATUS[ConsentAction(event.action)],
        "consentDate": event.occurred_at.astimezone(ISTANBUL).strftime("%Y-%m-%d %H:%M:%S"),
        "recipientType": "BIREYSEL",
    }


def export_records(session: Session, *, store_id: int, mark: bool = True) -> list[dict[str, Any]]:
    """Marketing grants and revocations of Turkish numbers not yet exported (marked now)."""
    now = clock.now()
    records = []
    for event, phone in _pending(session, store_id):
        records.append(record_of(event, phone))
        if mark:
            event.iys_exported_at = now
            session.add(event)
    return records


def business_deadline(at: datetime, days: int = LIMIT_BUSINESS_DAYS) -> datetime:
    """`days` business days (Monday–Friday, Istanbul time) after `at`."""
    local = at.astimezone(ISTANBUL)
    while days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            days -= 1
    return local


def nearing_limit(
    session: Session, *, store_id: int, within: timedelta = timedelta(days=1)
) -> list[IysPending]:
    """Records still unexported whose İYS deadline is within `within` (or already past)."""
    now = clock.now()
    out = []
    for event, phone in _pending(session, store_id):
        deadline = business_deadline(event.occurred_at)
        if deadline - now <= within:
            assert event.id is not None
            out.append(
                IysPending(
                    event_id=event.id,
                    recipient=phone,
                    status=_STATUS[ConsentAction(event.action)],
                    deadline=deadline,
                    overdue=deadline <= now,
                )
            )
    return out
