"""A contact's order figures (count, total spent, first and last order): each order counts
once, and a cancellation takes it out once, whichever Saleor events (or the initial sync) bring
it; concurrent orders of one customer each add (row lock)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin import clock, db_fold
from plugin.contacts import batch as contacts_batch
from plugin.contacts import order_rows
from plugin.contacts.models import Contact, ContactOrder
from plugin.db import batch_memo
from plugin.rows import OneOf
from plugin.saleor.payloads import Order

CANCELLED_STATUSES = frozenset({"CANCELED", "CANCELLED"})


def _money(total: dict[str, object], currency: str, delta: Decimal) -> dict[str, object]:
    current = Decimal(str(total.get(currency, "0")))
    return {**total, currency: str((current + delta).quantize(Decimal("0.01")))}


LATEST_MEMO = "contacts.latest_order"
ORDERS = "orders"  # what `contacts_batch.touch` records when a contact's orders change


def _latest_memo(session: Session) -> dict[int, datetime | None] | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    latest: dict[int, datetime | None] = memo.setdefault(LATEST_MEMO, {})
    return latest


def prefetch_latest(session: Session, *, contact_ids: Iterable[int]) -> None:
    """Batch form of `ordered_since`: each contact's latest order that is not cancelled, for
    the batch's contacts in one query; a contact's entry is dropped when its orders change."""
    db_fold.alone(session, latest_reads(session, contact_ids=contact_ids))


def latest_reads(session: Session, *, contact_ids: Iterable[int]) -> db_fold.Reader:
    """`prefetch_latest` as a reader (plugin.db_fold: a batch folds it with its other reads)."""
    latest = _latest_memo(session)
    if latest is None:
        return
    wanted = sorted({c for c in contact_ids if c not in latest})
    if not wanted:
        return
    table = ContactOrder.__table__  # type: ignore[attr-defined]
    rows = yield db_fold.Read(
        sa.select(table.c.contact_id, sa.func.max(table.c.created_at))
        .where(OneOf(table.c.contact_id, "latest_contacts"), table.c.cancelled.is_(False))
        .group_by(table.c.contact_id),
        {"latest_contacts": wanted},
    )
    found = {int(contact_id): at for contact_id, at in rows}
    latest.update((c, found.get(c)) for c in wanted)


def forget_orders(session: Session, *contact_ids: int | None) -> None:
    """A contact's orders changed: `ordered_since` reads them again."""
    latest = _latest_memo(session)
    if latest is not None:
        for contact_id in contact_ids:
            latest.pop(contact_id, None)  # type: ignore[arg-type]
            contacts_batch.touch(session, contact_id, ORDERS)


def order_added(session: Session, contact_id: int, at: datetime | None) -> None:
    """In a batch's run: the contact got a new order row (`at`: its instant, None when it is
    cancelled already); its latest order moves in memory instead of being read again."""
    latest = _latest_memo(session)
    if latest is None:
        return
    if contact_id in latest or contacts_batch.untouched(session, contact_id, ORDERS):
        known = latest.get(contact_id)
        latest[contact_id] = known if at is None or (known is not None and known >= at) else at
    contacts_batch.touch(session, contact_id, ORDERS)


def ordered_since(session: Session, *, contact_id: int, since: datetime) -> bool:
    """Whether the contact placed an order (not cancelled) at or after `since`."""
    latest = _latest_memo(session)
    if latest is None:
        table = ContactOrder.__table__  # type: ignore[attr-defined]
        found = session.execute(
            sa.select(table.c.id).where(
                table.c.contact_id == contact_id,
                table.c.created_at >= since,
                table.c.cancelled.is_(False),
            )
        ).first()
        return found is not None
    if contact_id not in latest:
        if contacts_batch.untouched(session, contact_id, ORDERS):
            latest[contact_id] = None  # created by this batch, no order since
        else:
            order_rows.write(session)  # the run's order rows, stored before they are read
            prefetch_latest(session, contact_ids=[contact_id])
    at = latest[contact_id]
    return at is not None and at >= since


def count_order(*, session: Session, contact: Contact, order: Order) -> bool:
    """Add an order to the contact's figures once; a cancellation takes it out once.

    The order row is shared with segments (which add its lines); the two flags make each
    step happen once whatever order Saleor's events arrive in. Returns True when the
    figures changed. In a batch's run of events the row and the figures change in memory
    (order_rows); alone, each step is one conditional statement.
    """
    assert contact.id is not None
    gross = order.total.gross if order.total else None
    try:
        amount = Decimal(str(gross.amount)).quantize(Decimal("0.01")) if gross else Decimal("0")
    except InvalidOperation:
        amount = Decimal("0")
    status = (order.status or "").upper()
    new = {
        "store_id": contact.store_id,
        "contact_id": contact.id,
        "order_id": order.id,
        "created_at": order.created or clock.now(),
        "total": amount,
        "currency": gross.currency if gross else "",
        "status": status,
        "counts": status not in CANCELLED_STATUSES,
        "product_ids": [],
        "skus": [],
        "category_slugs": [],
        "cancelled": False,
        "recorded_at": clock.now(),
    }
    if order_rows.deferring_now(session):
        return _count_in_memory(session, contact, new)
    order_rows.forget(session, store_id=contact.store_id, order_id=order.id)
    return _count_with_statements(session, contact, new)


def _count_in_memory(session: Session, contact: Contact, new: dict[str, Any]) -> bool:
    """`count_order` on the batch's rows: the same steps, decided on the objects."""
    assert contact.id is not None
    row = order_rows.get(session, store_id=contact.store_id, order_id=new["order_id"])
    cancelled = not new["counts"]
    if row is None:
        row = ContactOrder(**new)
        order_rows.add(session, row)
        order_added(session, contact.id, None if cancelled else row.created_at)
    if not cancelled:
        if row.counted_at is not None or row.cancelled:
            return False
        row.counted_at = clock.now()
        return _move_figures(session, contact, row.total, row.currency, row.created_at, +1)
    if row.cancelled:
        return False
    row.cancelled, row.counts, row.status = True, False, new["status"]
    forget_orders(session, row.contact_id)
    if row.counted_at is None:
        return False
    owner = session.get(Contact, row.contact_id) or contact
    return _move_figures(session, owner, row.total, row.currency, None, -1)


def _count_with_statements(session: Session, contact: Contact, new: dict[str, Any]) -> bool:
    """`count_order` alone: insert the row once, then flip its flags with conditional
    updates (concurrent events of one order each see the other's committed flag)."""
    cancelled = not new["counts"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ContactOrder.__table__  # type: ignore[attr-defined]
    forget_orders(session, contact.id)
    session.execute(
        insert(table).values(**new).on_conflict_do_nothing(index_elements=["store_id", "order_id"])
    )
    mine = (table.c.store_id == contact.store_id) & (table.c.order_id == new["order_id"])
    if not cancelled:
        counted = session.execute(
            sa.update(table)
            .where(mine, table.c.counted_at.is_(None), table.c.cancelled.is_(False))
            .values(counted_at=clock.now())
            .returning(table.c.total, table.c.currency, table.c.created_at)
        ).first()
        if counted is None:
            return False
        return _move_figures(
            session, contact, counted.total, counted.currency, counted.created_at, +1
        )
    reversed_ = session.execute(
        sa.update(table)
        .where(mine, table.c.cancelled.is_(False))
        .values(cancelled=True, counts=False, status=new["status"])
        .returning(table.c.contact_id, table.c.total, table.c.currency, table.c.counted_at)
    ).first()
    if reversed_ is not None:
        forget_orders(session, reversed_.contact_id)
    if reversed_ is None or reversed_.counted_at is None:
        return False
    owner = session.get(Contact, reversed_.contact_id) or contact
    return _move_figures(session, owner, reversed_.total, reversed_.currency, None, -1)


def _move_figures(
    session: Session,
    contact: Contact,
    total: Decimal,
    currency: str | None,
    at: datetime | None,
    sign: int,
) -> bool:
    """Add (+1) or take out (-1) one order in the contact's figures, under its row lock."""
    _lock_figures(session, contact)
    _add_to_figures(contact, Decimal(total), currency or None, at, sign)
    session.add(contact)
    return True


def _lock_figures(session: Session, contact: Contact) -> None:
    """Re-read the contact's figures under a row lock, so orders of one customer processed at
    the same time each add to the count and the total (no lost update; SQLite writes one at a
    time anyway). A batch locked its contacts up front (order_rows.prepare): those, and the
    ones it created, are current in memory already."""
    assert contact.id is not None
    locked = order_rows.locked_contacts(session)
    if locked is None:
        session.flush()
        session.refresh(contact, with_for_update=True)
    elif contact.id not in locked and not contacts_batch.created_here(session, contact.id):
        session.flush()
        order_rows.lock_contacts(session, [contact.id])


def _add_to_figures(
    contact: Contact, amount: Decimal, currency: str | None, at: datetime | None, sign: int
) -> None:
    contact.orders_count = max(0, contact.orders_count + sign)
    if currency:
        contact.total_spent = _money(dict(contact.total_spent or {}), currency, sign * amount)
    if at is not None and sign > 0:
        if contact.first_order_at is None or at < contact.first_order_at:
            contact.first_order_at = at
        if contact.last_order_at is None or at > contact.last_order_at:
            contact.last_order_at = at
    contact.updated_at = clock.now()
