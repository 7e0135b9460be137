"""The waiting outbox rows a batch of events may cancel, and the cancellations it decided.

Acting on one event cancels a flow's waiting rows with one `UPDATE … RETURNING` per stop: a
checkout's recovery steps when it changes, is ordered or emptied, every recovery step of a
contact who just ordered, an order's reminder and cash-on-delivery nudges when it is
cancelled. A batch (plugin.db.batch_scope) reads those rows for all its checkouts, contacts
and orders in one statement (`prefetch`); each cancel then takes its rows from that memo,
marks them cancelled in memory (later events of the batch see them so), and the batch writes
them when it ends in one UPDATE (each row's reason by its id) that still checks it waits. A
row the batch cancelled that another writer took meanwhile (the sender's claim, another
worker's cancel) fails that final UPDATE's count: the batch is then rolled back and acted on
one event at a time, so a journal line never says "cancelled" for a row that was sent. Rows
the batch writes are noted here; any other change of the outbox in the batch writes the
cancellations first and forgets the memo (its reads then go to the database).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from plugin import clock, db_compose, db_fold
from plugin.db import at_batch_end, batch_memo
from plugin.delivery import locks
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.rows import OneOf

T = OutboundMessage.__table__  # type: ignore[attr-defined]
WAITING = MessageStatus.sql(MessageStatus.waiting())
_WAITING = frozenset(WAITING)
_SCOPES = ("checkout_id", "contact_id", "order_id")
_MEMO = "outbox.waiting"


@dataclass(slots=True)
class _Waiting:
    """`rows`: every stored waiting row of the scopes read, (store, column, value, flow key);
    `cancelled`: the rows cancelled in memory, by (status, reason), not written yet; `by_scope`:
    the rows by (store, column, value) of each scope column, so a cancel looks at its
    checkout's rows only (an entry counts while its row is still in `rows`)."""

    scopes: set[tuple[int, str, object, str]] = field(default_factory=set)
    rows: dict[int, OutboundMessage] = field(default_factory=dict)
    cancelled: dict[tuple[str, str], dict[int, OutboundMessage]] = field(default_factory=dict)
    by_scope: dict[tuple[int, str, object], dict[int, OutboundMessage]] = field(
        default_factory=dict
    )

    def keep(self, row_id: int, row: OutboundMessage) -> None:
        self.rows[row_id] = row
        for column in _SCOPES:
            value = getattr(row, column)
            if value is not None:
                self.by_scope.setdefault((row.store_id, column, value), {})[row_id] = row


def _memo(session: Session, *, create: bool = False) -> _Waiting | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    if create and _MEMO not in memo:
        memo[_MEMO] = _Waiting()
        at_batch_end(session, _MEMO, lambda: write(session))
    waiting: _Waiting | None = memo.get(_MEMO)
    return waiting


def prefetch_reads(
    session: Session,
    *,
    store_id: int,
    checkout_ids: Sequence[str] = (),
    contact_ids: Sequence[int] = (),
    order_ids: Sequence[str] = (),
    checkout_flows: Sequence[str],
    order_flows: Sequence[str],
) -> db_fold.Reader:
    """In a batch: the waiting rows of `checkout_flows` (cart recovery) of these checkouts and
    contacts, and of the other checkouts those contacts have such rows for, and the waiting
    rows of `order_flows` (reminders, nudges) of these orders, in one query (a reader:
    plugin.db_fold folds it with a batch's other reads)."""
    waiting = _memo(session, create=True)
    if waiting is None:
        return

    def unread(values: Iterable[Any], column: str, flows: Sequence[str]) -> list[Any]:
        scopes = waiting.scopes if waiting is not None else set()
        return sorted(
            {v for v in values if any((store_id, column, v, f) not in scopes for f in flows)}
        )

    checkouts = unread(checkout_ids, "checkout_id", checkout_flows)
    contacts = unread(contact_ids, "contact_id", checkout_flows)
    orders = unread(order_ids, "order_id", order_flows)
    if not checkouts and not contacts and not orders:
        return
    m = OutboundMessage
    mine = sa.and_(col(m.store_id) == store_id, col(m.status).in_(WAITING))
    steps = sa.and_(mine, col(m.flow_key).in_(checkout_flows))
    # the batch's ids as one array parameter each (plugin.rows.OneOf), not one per id
    of_contacts = sa.select(col(m.checkout_id)).where(
        steps, OneOf(col(m.contact_id), "waiting_contacts")
    )
    where = sa.or_(
        sa.and_(
            steps,
            sa.or_(
                OneOf(col(m.checkout_id), "waiting_checkouts"),
                OneOf(col(m.contact_id), "waiting_contacts"),
                col(m.checkout_id).in_(of_contacts.scalar_subquery()),
            ),
        ),
        sa.and_(mine, col(m.flow_key).in_(order_flows), OneOf(col(m.order_id), "waiting_orders")),
    )
    params = {
        "waiting_checkouts": checkouts,
        "waiting_contacts": contacts,
        "waiting_orders": orders,
    }
    read = db_fold.Read(select(m).where(where).order_by(col(m.id)), params)
    rows = [r for (r,) in (yield read)]
    for r in rows:
        waiting.keep(int(r.id or 0), r)
    checkouts_read = {*checkouts, *(r.checkout_id for r in rows if r.contact_id in contacts)}
    for flow in checkout_flows:
        waiting.scopes.update((store_id, "checkout_id", c, flow) for c in checkouts_read if c)
        waiting.scopes.update((store_id, "contact_id", c, flow) for c in contacts)
    for flow in order_flows:
        waiting.scopes.update((store_id, "order_id", o, flow) for o in orders)


def _covers(waiting: _Waiting, store_id: int, filters: dict[str, Any]) -> bool:
    flow = filters.get("flow_key")
    return flow is not None and any(
        filters.get(column) is not None
        and (store_id, column, filters[column], flow) in waiting.scopes
        for column in _SCOPES
    )


def cancel(
    session: Session, *, store_id: int, reason: str, filters: dict[str, Any]
) -> list[OutboundMessage] | None:
    """In a batch whose memo holds every waiting row these filters can match: those rows,
    oldest first, now cancelled with `reason` in memory and written when the batch ends;
    None when the database must be asked."""
    waiting = _memo(session)
    if waiting is None or not _covers(waiting, store_id, filters):
        return None
    wanted = {k: str(v) if k in ("kind", "purpose") else v for k, v in filters.items()}
    scope = next(c for c in _SCOPES if wanted.get(c) is not None)  # `_covers` found one
    found = [
        r
        for row_id, r in waiting.by_scope.get((store_id, scope, wanted[scope]), {}).items()
        if waiting.rows.get(row_id) is r
        and all(v is None or getattr(r, k) == v for k, v in wanted.items())
    ]
    found.sort(key=lambda r: r.id or 0)
    now = clock.now()
    status = MessageStatus.CANCELLED.value
    written = waiting.cancelled.setdefault((status, reason), {})
    for row in found:
        assert row.id is not None
        del waiting.rows[row.id]
        values = {"status": status, "status_reason": reason, "updated_at": now}
        for name, value in values.items():
            if sa.inspect(row).persistent:  # as loaded: no flush writes it one row at a time
                set_committed_value(row, name, value)
            else:
                setattr(row, name, value)
        written[row.id] = row
    return found


def contacts_checkouts(session: Session, *, store_id: int, contact_ids: Iterable[int]) -> set[str]:
    """In a batch: the checkouts of the waiting rows it read for these contacts (an order
    stops each of them)."""
    waiting = _memo(session)
    if waiting is None:
        return set()
    return {
        row.checkout_id
        for contact_id in contact_ids
        for row_id, row in waiting.by_scope.get((store_id, "contact_id", contact_id), {}).items()
        if row.checkout_id and waiting.rows.get(row_id) is row  # still waiting (see `_Waiting`)
    }


def note_written(session: Session, rows: Iterable[OutboundMessage]) -> None:
    """Rows the batch just stored: the waiting ones of a scope it read join the memo."""
    waiting = _memo(session)
    if waiting is None:
        return
    for row in rows:
        if row.id is None or str(row.status) not in _WAITING or row.flow_key is None:
            continue
        if any(
            (row.store_id, column, getattr(row, column), row.flow_key) in waiting.scopes
            for column in _SCOPES
        ):
            waiting.keep(row.id, row)


def drop(session: Session, ids: Iterable[int]) -> None:
    """Rows the database just cancelled for the batch: no longer waiting."""
    waiting = _memo(session)
    if waiting is not None:
        for row_id in ids:
            waiting.rows.pop(row_id, None)


def forget(session: Session) -> None:
    """Another change of the outbox is about to run (it may make rows wait again, or stop
    others): the cancellations decided are written first, and the memo is forgotten."""
    write(session)
    waiting = _memo(session)
    if waiting is not None:
        waiting.rows.clear()
        waiting.scopes.clear()
        waiting.by_scope.clear()


def write(session: Session) -> None:
    """The cancellations decided so far in one UPDATE per status (each row's reason by its
    id), each row only while it still waits; a row another writer took meanwhile fails the
    batch (see the module)."""
    waiting = _memo(session)
    if waiting is None or not waiting.cancelled:
        return
    decided, waiting.cancelled = waiting.cancelled, {}
    by_status: dict[str, dict[int, str]] = {}
    for (status, why), rows in decided.items():
        by_status.setdefault(status, {}).update((row_id, why) for row_id in rows)
    now = clock.now()
    taken = "an outbox row this batch cancelled was taken by another writer"
    changes: list[dict[str, Any]] = sorted(  # id order, as every outbox writer locks
        (
            {"id": row_id, "status": status, "status_reason": why, "updated_at": now}
            for status, reasons in by_status.items()
            for row_id, why in reasons.items()
        ),
        key=lambda row: row["id"],
    )
    if len({row["id"] for row in changes}) == len(changes) and db_compose.update_rows(
        session, T, changes, where=(T.c.status.in_(WAITING),), expect=taken
    ):
        return
    for status, reasons in by_status.items():
        if not reasons:
            continue
        ids = sorted(reasons)
        distinct = set(reasons.values())
        reason: Any = distinct.pop() if len(distinct) == 1 else sa.case(reasons, value=T.c.id)
        done = session.execute(
            sa.update(T)
            .where(*locks.locked(session, T.c.id.in_(ids), T.c.status.in_(WAITING)))
            .values(status=status, status_reason=reason, updated_at=now)
            .returning(T.c.id)
        ).all()
        if len(done) != len(ids):
            raise RuntimeError(taken)
