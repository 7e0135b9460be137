"""The flows' journal, and what a merchant reads from it: one checkout's journey.

The journal holds the decisions (entered, scheduled, reset, stopped, cancelled, skipped); what
happened to a written step afterwards (sent, delivered, suppressed by policy...) is the outbox
row's status, read when the journey is asked for, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from plugin import clock, db_compose, db_fold
from plugin.db import at_batch_end, batch_memo, dialect_name
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.flows.models import FlowEvent, JournalAction


@dataclass(slots=True)
class _Known:
    """In a batch of events: the journal lines of the checkouts read up front (`prefetch`),
    and every line added since, as the `once` check compares them."""

    checkouts: set[tuple[int, str | None]] = field(default_factory=set)
    orders: set[tuple[int, str | None]] = field(default_factory=set)
    lines: set[tuple[object, ...]] = field(default_factory=set)
    pending: list[dict[str, Any]] = field(default_factory=list)  # written when the batch ends


def _known(session: Session) -> _Known | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    if "flows.journal" not in memo:
        memo["flows.journal"] = _Known()
        at_batch_end(session, "flows.journal", lambda: _write_pending(session))
    known: _Known = memo["flows.journal"]
    return known


def _write_pending(session: Session) -> None:
    """The batch's journal lines, in the order they were decided, in one statement."""
    known = _known(session)
    if known is None or not known.pending:
        return
    rows, known.pending = known.pending, []
    for row in rows:  # a step's message written with its run's rows has its id by now
        if isinstance(row["message_id"], OutboundMessage):
            row["message_id"] = _written(row["message_id"])
    db_compose.insert(session, FlowEvent.__table__, rows)  # type: ignore[attr-defined]


def _written(message: OutboundMessage) -> int:
    if message.id is None:
        raise RuntimeError("a journal line names an outbox row not written yet")
    return message.id


def prefetch(
    session: Session,
    *,
    store_id: int,
    checkout_ids: Iterable[str],
    order_ids: Iterable[str] = (),
) -> None:
    """Batch form of `record(once=True)`'s check: the lines of the batch's checkouts and
    orders in one query (the checkouts' rows are locked by the batch, so no other worker
    journals them meanwhile; an order's lines are written by the worker acting on its events)."""
    db_fold.alone(
        session,
        prefetch_reads(session, store_id=store_id, checkout_ids=checkout_ids, order_ids=order_ids),
    )


def prefetch_reads(
    session: Session,
    *,
    store_id: int,
    checkout_ids: Iterable[str],
    order_ids: Iterable[str] = (),
) -> db_fold.Reader:
    """`prefetch` as a reader (plugin.db_fold: a batch folds it with its other reads)."""
    known = _known(session)
    if known is None:
        return
    wanted = sorted({c for c in checkout_ids if (store_id, c) not in known.checkouts})
    orders = sorted({o for o in order_ids if (store_id, o) not in known.orders})
    if not wanted and not orders:
        return
    f: Any = FlowEvent
    rows = yield db_fold.Read(
        sa.select(
            f.store_id,
            f.flow_key,
            f.action,
            f.checkout_id,
            f.order_id,
            f.sequence,
            f.step,
            f.reason,
        ).where(
            f.store_id == store_id,
            sa.or_(_among(session, f.checkout_id, wanted), _among(session, f.order_id, orders)),
        )
    )
    known.lines.update((r[0], r[1], str(r[2]), *r[3:]) for r in rows)
    known.checkouts.update((store_id, c) for c in wanted)
    known.orders.update((store_id, o) for o in orders)


def _among(session: Session, column: Any, values: list[str]) -> Any:
    """`column IN values`; on PostgreSQL `= ANY` of one array parameter (a batch's hundred ids
    as one parameter: the statement's text, and its compiled form, stay the same)."""
    if dialect_name(session) == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=postgresql.ARRAY(sa.String())))
    return column.in_(values)


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
    message: OutboundMessage | None = None,
    once: bool = False,
) -> FlowEvent | None:
    """Add one journal line; with `once`, not when the same line is already there (a skip
    decided again on a redelivered webhook is the same decision). In a batch the line is kept
    and written when the batch ends (None is returned), `message` then read for its id."""
    key = (store_id, flow_key, str(action), checkout_id, order_id, sequence, step, reason)
    known = _known(session)
    if once and known is not None and key in known.lines:
        return None
    if once and not (known is not None and _all_read(known, store_id, checkout_id, order_id)):
        _write_pending(session)  # the lines decided so far are what the check reads
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
    line: dict[str, Any] = {
        "store_id": store_id,
        "flow_key": flow_key,
        "action": action,
        "checkout_id": checkout_id,
        "order_id": order_id,
        "contact_id": contact_id,
        "sequence": sequence,
        "step": step,
        "reason": reason,
        "message_id": message,
    }
    if known is None:
        line["message_id"] = message.id if message is not None else None
        event = FlowEvent(**line)
        session.add(event)
        return event
    # in a batch: a plain row, written with the others when the batch ends (building the model
    # costs more CPU than the rest of the line)
    known.lines.add(key)
    known.pending.append({**line, "occurred_at": clock.now()})
    return None


def _all_read(known: _Known, store_id: int, checkout_id: str | None, order_id: str | None) -> bool:
    """Whether every stored line of this checkout or order is among the batch's `lines`."""
    return (store_id, checkout_id) in known.checkouts or (
        order_id is not None and (store_id, order_id) in known.orders
    )


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
            message=row,
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
