"""A batch's order rows (contact_order) and the contacts whose figures they move, read and
locked once, then changed in memory until the run of events ends.

Acting on an order event alone inserts the order's row, marks it counted or cancelled and
re-reads its contact under a row lock, a few statements per event. In a batch the rows of all
its orders are read in one locking statement and their contacts locked in one (id order, so two
batches that share contacts wait for each other instead of deadlocking), before anything else
reads them; then counting and recording an order change the objects in memory. While a run is
`deferring`, the rows it creates are inserted together (one INSERT) when it ends or when a
reader needs them stored (`write`); changes to stored rows go through plugin.db's
deferred_updates like every other model of the run. A row another transaction inserted in the
meantime makes that INSERT fail: the batch is rolled back and its events acted on one at a
time, as any error of a batch is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from plugin import db_compose, db_fold
from plugin.contacts import batch as contacts_batch
from plugin.contacts.models import Contact, ContactOrder
from plugin.db import batch_memo, dialect_name, write_deferred
from plugin.rows import OneOf

ROWS = "contacts.order_rows"  # batch memo: (store id, order id) -> its row, or None
LOCKED = "contacts.figures_locked"  # batch memo: contact ids whose figures this batch holds
_PENDING = "ulak.contacts.order_rows.pending"  # session.info, while deferring: new rows


def _rows(session: Session) -> dict[tuple[int, str], ContactOrder | None] | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    rows: dict[tuple[int, str], ContactOrder | None] = memo.setdefault(ROWS, {})
    return rows


def locked_contacts(session: Session) -> set[int] | None:
    """In a batch: the contacts whose figures it locked (their values in memory are current
    and stay so until it commits)."""
    memo = batch_memo(session)
    if memo is None:
        return None
    locked: set[int] = memo.setdefault(LOCKED, set())
    return locked


def prepare(
    session: Session, *, store_id: int, contact_ids: Iterable[int], order_ids: Iterable[str]
) -> None:
    """Lock the batch's orders and the contacts whose figures they move (one statement), then
    read and lock the orders' rows (one); a third when a row belongs to a contact not among
    them (locked after, out of id order but rare)."""
    reader = prepare_reads(session, store_id=store_id, contact_ids=contact_ids, order_ids=order_ids)
    db_fold.alone(session, reader)


def prepare_reads(
    session: Session, *, store_id: int, contact_ids: Iterable[int], order_ids: Iterable[str]
) -> db_fold.Reader:
    """`prepare` as a reader (plugin.db_fold): the locks are taken as it starts, its read of
    the order rows is folded with the batch's other reads (no other batch changes these rows
    while this one holds the orders' locks, so that statement never waits for them)."""
    rows = _rows(session)
    if rows is None:
        return
    wanted = sorted({o for o in order_ids if (store_id, o) not in rows})
    lock_contacts(session, contact_ids, orders=(store_id, wanted))
    if not wanted:
        return
    query = (
        select(ContactOrder)
        .where(
            ContactOrder.store_id == store_id, OneOf(col(ContactOrder.order_id), "order_rows_ids")
        )
        .order_by(col(ContactOrder.id))
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        query = query.with_for_update()
    found = {
        row.order_id: row for (row,) in (yield db_fold.Read(query, {"order_rows_ids": wanted}))
    }
    rows.update(((store_id, o), found.get(o)) for o in wanted)
    lock_contacts(session, (row.contact_id for row in found.values()))


def _orders_locked(store_id: int, order_ids: list[str]) -> Any:
    """A condition that holds once the orders are locked (PostgreSQL): one transaction-scoped
    advisory lock per order (keys: the store id and the order id's hash), taken in key order
    before the statement reads any row (an uncorrelated condition is evaluated first). Why:
    batches with events of one order then act on it one after the other even when its row
    does not exist yet, or its contact is new to one of them (a contact another batch was
    inserting is not among those it locks), so the second reads what the first committed
    instead of inserting the row again. Rows are read by the next statement, whose snapshot
    is taken after the wait."""
    return sa.text(
        "(SELECT count(pg_advisory_xact_lock(:lock_store, k)) FROM"
        " (SELECT DISTINCT hashtext(o) AS k FROM unnest(:lock_orders) AS o ORDER BY k) AS keys)"
        " >= 0"
    ).bindparams(
        sa.bindparam("lock_store", store_id),
        sa.bindparam("lock_orders", order_ids, type_=postgresql.ARRAY(sa.String)),
    )


def lock_contacts(
    session: Session, contact_ids: Iterable[int], *, orders: tuple[int, list[str]] | None = None
) -> None:
    """Lock the contacts (not yet locked by the batch) and load their current values, in id
    order: PostgreSQL `SELECT … FOR UPDATE`, after the `orders` (store id, order ids) are
    locked in the same statement; SQLite (one writer at a time) takes its writer's lock with
    a no-op UPDATE … RETURNING, so what it returns is what the batch writes over."""
    locked = locked_contacts(session)
    if locked is None:
        return
    wanted = sorted({c for c in contact_ids if c not in locked})
    postgres = dialect_name(session) == "postgresql"
    gate = _orders_locked(*orders) if postgres and orders and orders[1] else None
    if not wanted:
        if gate is not None:
            session.execute(sa.select(sa.literal(1)).where(gate))
        return
    write_deferred(session)  # the locking read reloads the rows it returns
    if postgres:
        query: Any = (
            select(Contact)
            .where(col(Contact.id).in_(wanted))
            .order_by(col(Contact.id))
            .with_for_update()
        )
        if gate is not None:
            query = query.where(gate)
    else:
        query = (
            sa.update(Contact)
            .where(col(Contact.id).in_(wanted))
            .values(orders_count=col(Contact.orders_count))
            .returning(Contact)
        )
    options = {"populate_existing": True, "synchronize_session": False}
    contacts = session.execute(query, execution_options=options).scalars().all()
    contacts_batch.remember(session, *contacts)
    locked.update(wanted)


def get(session: Session, *, store_id: int, order_id: str) -> ContactOrder | None:
    """The order's row as the batch knows it (read and locked when it was not prefetched)."""
    rows = _rows(session)
    assert rows is not None
    key = (store_id, order_id)
    if key not in rows:
        query = (
            select(ContactOrder)
            .where(ContactOrder.store_id == store_id, ContactOrder.order_id == order_id)
            .execution_options(populate_existing=True)
        )
        if dialect_name(session) == "postgresql":
            query = query.with_for_update()
        rows[key] = session.exec(query).first()
    return rows[key]


def forget(session: Session, *, store_id: int, order_id: str) -> None:
    """An order's row changed by statements (acting alone): read it again when needed."""
    rows = _rows(session)
    if rows is not None:
        rows.pop((store_id, order_id), None)


def add(session: Session, row: ContactOrder) -> None:
    """A new order row of the run: kept in memory, inserted with the others (`write`)."""
    pending: list[ContactOrder] = session.info[_PENDING]
    pending.append(row)
    rows = _rows(session)
    assert rows is not None
    rows[(row.store_id, row.order_id)] = row


def deferring_now(session: Session) -> bool:
    """Whether order rows are changed in memory (a batch's run of events) or by statements."""
    return _PENDING in session.info and batch_memo(session) is not None


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """A run of events: the order rows it creates are inserted when it ends (or `write`)."""
    session.info[_PENDING] = []
    try:
        yield
        write(session)
    finally:
        session.info.pop(_PENDING, None)


def write(session: Session) -> None:
    """Store what the run changed in order rows: the new rows in one INSERT (the ORM's
    multi-row insert returns their ids), the stored rows' changes with the run's other
    deferred updates. A reader that selects order rows calls this first. With ids reserved
    (`pending_count`, plugin.db_compose) the INSERT is kept with the batch's other writes and
    the rows join the session as stored."""
    pending: list[ContactOrder] | None = session.info.get(_PENDING)
    if pending:
        rows = list(pending)
        pending.clear()
        ids = db_compose.take_ids(session, _TABLE, len(rows))
        if ids is None:
            session.add_all(rows)
            session.flush()
        else:
            for row, row_id in zip(rows, ids, strict=True):
                row.id = row_id
            values = [{c: getattr(row, c) for c in _COLUMNS} for row in rows]
            db_compose.insert_rows(session, _TABLE, values)
            for row in rows:
                make_transient_to_detached(row)
                session.add(row)
    write_deferred(session)


def pending_count(session: Session) -> int:
    """How many new order rows the running run holds (the ids `write` will take)."""
    return len(session.info.get(_PENDING) or ())


_TABLE: Any = ContactOrder.__table__  # type: ignore[attr-defined]
_COLUMNS = [c.key for c in _TABLE.columns]
