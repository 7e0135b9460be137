"""İYS (Turkey's consent registry) export: consent records for Turkish numbers in İYS's
format, and the grants not yet registered that near İYS's 3-business-day limit.

An export is a batch (`IysBatch`): the facts it contains are recorded with it, so it can be
downloaded again by id (a lost response loses nothing). Its facts are marked registered
(`iys_exported_at`) only when the merchant confirms the upload. While a batch is open its facts
are offered to no other export (two batches holding one fact would register it twice); a
discarded batch gives them back to the next export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock
from plugin.consent.models import (
    ConsentAction,
    ConsentEvent,
    ConsentSource,
    IysBatch,
    IysBatchItem,
    IysBatchStatus,
    Purpose,
)
from plugin.consent.state import took_effect
from plugin.contacts.models import Contact
from plugin.saleor.models import Store

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


class IysBatchError(ValueError):
    """A batch that cannot take the asked step (already confirmed, or discarded)."""


def _in_open_batch() -> Any:
    """The fact is held by a batch whose upload is not confirmed yet."""
    return sa.exists(
        sa.select(col(IysBatchItem.event_id))
        .join(IysBatch, col(IysBatch.id) == col(IysBatchItem.batch_id))
        .where(
            col(IysBatchItem.event_id) == col(ConsentEvent.id),
            col(IysBatch.status) == IysBatchStatus.OPEN,
        )
    )


def _pending(
    session: Session, store_id: int, *, batched: bool = False
) -> list[tuple[ConsentEvent, str]]:
    """Unregistered grants and revocations that took effect by the one read model (a backdated
    import under a later STOP, or a grant demoted after the customer's own opt-out, is
    evidence in the ledger, not a consent to report). Facts in an open batch only if
    `batched` (they are not registered yet, but already on their way)."""
    fact: Any = ConsentEvent.__table__  # type: ignore[attr-defined]
    query = (
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
    )
    if not batched:
        query = query.where(~_in_open_batch())
    rows = session.exec(query).all()
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


def _lock_store(session: Session, store_id: int) -> None:
    """Two exports of one store at once queue here, so no fact lands in two open batches."""
    query = sa.select(col(Store.id)).where(col(Store.id) == store_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    session.execute(query)


def create_batch(session: Session, *, store_id: int, staff: str | None = None) -> IysBatch | None:
    """A new batch of the marketing grants and revocations of Turkish numbers neither
    registered nor in an open batch; None when there is nothing to export."""
    _lock_store(session, store_id)
    pending = _pending(session, store_id)
    if not pending:
        return None
    batch = IysBatch(store_id=store_id, record_count=len(pending), created_by=staff)
    session.add(batch)
    session.flush()
    assert batch.id is not None
    session.add_all(
        IysBatchItem(batch_id=batch.id, event_id=event.id)
        for event, _ in pending
        if event.id is not None
    )
    session.flush()
    return batch


def batch_records(session: Session, batch: IysBatch) -> list[dict[str, Any]]:
    """The batch's records in İYS's format, the same on every download (a contact erased
    since has no number left to report and is left out)."""
    rows = session.exec(
        select(ConsentEvent, Contact.phone_e164)
        .join(IysBatchItem, col(IysBatchItem.event_id) == col(ConsentEvent.id))
        .join(Contact, col(Contact.id) == col(ConsentEvent.contact_id))
        .where(col(IysBatchItem.batch_id) == batch.id, ConsentEvent.store_id == batch.store_id)
        .order_by(col(ConsentEvent.occurred_at), col(ConsentEvent.id))
    ).all()
    return [record_of(event, phone) for event, phone in rows if phone]


CSV_COLUMNS = ("recipient", "type", "source", "status", "consentDate", "recipientType")


def batch_csv(records: list[dict[str, Any]]) -> str:
    """The records as CSV, one column per İYS field (the JSON keys, in İYS's order)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([record[name] for name in CSV_COLUMNS] for record in records)
    return buffer.getvalue()


def list_batches(session: Session, *, store_id: int, limit: int = 50) -> list[IysBatch]:
    """The store's batches, newest first."""
    return list(
        session.exec(
            select(IysBatch)
            .where(IysBatch.store_id == store_id)
            .order_by(col(IysBatch.id).desc())
            .limit(limit)
        ).all()
    )


def confirm_batch(session: Session, batch: IysBatch, *, staff: str | None = None) -> IysBatch:
    """The merchant uploaded the batch to İYS: its facts are registered now (confirming twice
    changes nothing; a discarded batch cannot be confirmed, its facts may be elsewhere)."""
    if batch.status == IysBatchStatus.CONFIRMED:
        return batch
    if batch.status != IysBatchStatus.OPEN:
        raise IysBatchError("discarded")
    now = clock.now()
    session.execute(
        sa.update(ConsentEvent)
        .where(
            col(ConsentEvent.store_id) == batch.store_id,
            col(ConsentEvent.id).in_(
                sa.select(col(IysBatchItem.event_id)).where(col(IysBatchItem.batch_id) == batch.id)
            ),
            col(ConsentEvent.iys_exported_at).is_(None),
        )
        .values(iys_exported_at=now)
        .execution_options(synchronize_session=False)
    )
    batch.status = IysBatchStatus.CONFIRMED
    batch.closed_at, batch.closed_by = now, staff
    session.add(batch)
    session.flush()
    return batch


def discard_batch(session: Session, batch: IysBatch, *, staff: str | None = None) -> IysBatch:
    """The batch will not be uploaded: its facts go back to the next export."""
    if batch.status == IysBatchStatus.DISCARDED:
        return batch
    if batch.status != IysBatchStatus.OPEN:
        raise IysBatchError("confirmed")
    batch.status = IysBatchStatus.DISCARDED
    batch.closed_at, batch.closed_by = clock.now(), staff
    session.add(batch)
    session.flush()
    return batch


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
    """Records not registered yet (exported in a batch whose upload is unconfirmed counts as
    not registered) whose İYS deadline is within `within` (or already past)."""
    now = clock.now()
    out = []
    for event, phone in _pending(session, store_id, batched=True):
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
