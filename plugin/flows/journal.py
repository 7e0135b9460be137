"""The flows' journal, and what a merchant reads from it: one checkout's journey.

The journal holds the decisions (entered, scheduled, reset, stopped, cancelled, skipped); what
happened to a written step afterwards (sent, delivered, suppressed by policy...) is the outbox
row's status, read when the journey is asked for, so the two never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.flows.models import FlowEvent, JournalAction


def record(
    session: Session,
    *,
    store_id: int,
    flow_key: str,
    action: JournalAction,
    checkout_id: str | None = None,
    order_id: str | None = None,
    contact_id: int | None = None,
    sequence: int | None = None,
    step: int | None = None,
    reason: str | None = None,
    message_id: int | None = None,
    once: bool = False,
) -> FlowEvent | None:
    """Add one journal line; with `once`, not when the same line is already there (a skip
    decided again on a redelivered webhook is the same decision)."""
    if once:
        found = session.exec(
            select(FlowEvent.id).where(
                FlowEvent.store_id == store_id,
                FlowEvent.flow_key == flow_key,
                FlowEvent.action == action,
                FlowEvent.checkout_id == checkout_id,
                FlowEvent.order_id == order_id,
                FlowEvent.sequence == sequence,
                FlowEvent.step == step,
                FlowEvent.reason == reason,
            )
        ).first()
        if found is not None:
            return None
    event = FlowEvent(
        store_id=store_id,
        flow_key=flow_key,
        action=action,
        checkout_id=checkout_id,
        order_id=order_id,
        contact_id=contact_id,
        sequence=sequence,
        step=step,
        reason=reason,
        message_id=message_id,
    )
    session.add(event)
    return event


def cancelled(
    session: Session, rows: list[OutboundMessage], *, reason: str, sequence: int | None = None
) -> None:
    """One CANCELLED line per outbox row a flow just cancelled."""
    for row in rows:
        record(
            session,
            store_id=row.store_id,
            flow_key=row.flow_key or "",
            action=JournalAction.CANCELLED,
            checkout_id=row.checkout_id,
            order_id=row.order_id,
            contact_id=row.contact_id,
            sequence=sequence,
            step=row.flow_step,
            reason=reason,
            message_id=row.id,
        )


@dataclass(frozen=True, slots=True)
class JourneyEntry:
    """One line of a checkout's story, oldest first."""

    at: datetime
    flow_key: str
    action: str  # a JournalAction, or the outbox outcome: sent / delivered / read / suppressed...
    sequence: int | None
    step: int | None
    reason: str | None
    message_id: int | None = None
    template_name: str | None = None
    due_at: datetime | None = None


def _outcome(row: OutboundMessage) -> JourneyEntry | None:
    """What became of a written step, when it is past waiting (cancellations are journaled)."""
    status = MessageStatus(row.status)
    if status in MessageStatus.waiting() or status is MessageStatus.CANCELLED:
        return None
    if status in MessageStatus.sent():
        action, at = status.value, row.sent_at or row.updated_at
    elif status in MessageStatus.not_sent():
        action, at = JournalAction.SKIPPED.value, row.updated_at
    else:  # sending
        action, at = status.value, row.updated_at
    reason = row.status_reason or (status.value if action == JournalAction.SKIPPED else None)
    return JourneyEntry(
        at=at,
        flow_key=row.flow_key or "",
        action=action,
        sequence=None,
        step=row.flow_step,
        reason=reason,
        message_id=row.id,
        template_name=row.template_name,
        due_at=row.due_at,
    )


def checkout_journey(session: Session, *, store_id: int, checkout_id: str) -> list[JourneyEntry]:
    """Why each step for one checkout was sent, skipped or stopped: the journal merged with the
    outcome of every outbox row, in time order."""
    events = session.exec(
        select(FlowEvent)
        .where(FlowEvent.store_id == store_id, FlowEvent.checkout_id == checkout_id)
        .order_by(col(FlowEvent.id))
    ).all()
    rows = {
        r.id: r
        for r in session.exec(
            select(OutboundMessage).where(
                OutboundMessage.store_id == store_id, OutboundMessage.checkout_id == checkout_id
            )
        ).all()
    }
    entries = [
        JourneyEntry(
            at=e.occurred_at,
            flow_key=e.flow_key,
            action=str(e.action),
            sequence=e.sequence,
            step=e.step,
            reason=e.reason,
            message_id=e.message_id,
            template_name=rows[e.message_id].template_name if e.message_id in rows else None,
            due_at=rows[e.message_id].due_at if e.message_id in rows else None,
        )
        for e in events
    ]
    entries.extend(o for r in rows.values() if (o := _outcome(r)) is not None)
    return sorted(entries, key=lambda e: e.at)
