"""What a batch of order events reads to credit its orders, and what it writes, in sets.

Crediting one order asks the database up to four times (the checkout's recovery steps, the
clicks among them, the contact's last click, its last delivery) and writes its row at once.
A batch (plugin.db.batch_scope) reads the first four for all its orders in one statement
(`prefetch`): the messages, and the clicks with the message each is on (UNION ALL); the
rules in plugin.analytics.attribution then choose from these lists exactly as the queries
would. The batch's new rows are inserted in one statement when it ends, and the changes to
its stored rows (amounts refreshed, refunds, cancellations) in one more. Outside a batch
nothing is kept and the rules ask the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from plugin import clock, db_compose, db_fold
from plugin.analytics.models import LinkClick, OrderAttribution
from plugin.db import at_batch_end, batch_memo
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.rows import OneOf
from plugin.saleor.payloads import Order

DELIVERED_WINDOW = timedelta(hours=24)
RECOVERY_KINDS = (MessageKind.CART_RECOVERY.value,)
NOT_ATTRIBUTABLE_KINDS = (MessageKind.TEST.value, MessageKind.OPTIN_REQUEST.value)
# the stored row's columns an event may change (attribute_order, apply_refund_or_cancel)
CHANGING = ("total_amount", "refunded_amount", "net_amount", "cancelled", "updated_at")


@dataclass(frozen=True, slots=True)
class Click:
    """A counted (unfiltered) click, with the message it was on."""

    id: int
    store_id: int
    contact_id: int | None
    clicked_at: datetime
    message: OutboundMessage


@dataclass(slots=True)
class _Sources:
    """The messages and clicks read for the batch's orders: complete for the checkouts and
    the contacts listed, clicks from `since` on, deliveries from `delivered_since` on."""

    since: datetime
    delivered_since: datetime
    checkouts: set[tuple[int, str]] = field(default_factory=set)
    contacts: set[tuple[int, int]] = field(default_factory=set)
    recovery: dict[tuple[int, str], list[OutboundMessage]] = field(
        default_factory=lambda: defaultdict(list)
    )
    delivered: dict[tuple[int, int], list[OutboundMessage]] = field(
        default_factory=lambda: defaultdict(list)
    )
    clicks_by_contact: dict[tuple[int, int], list[Click]] = field(
        default_factory=lambda: defaultdict(list)
    )
    clicks_by_message: dict[int, list[Click]] = field(default_factory=lambda: defaultdict(list))


@dataclass(slots=True)
class _Writes:
    """The batch's attribution rows not written yet: new ones, and stored ones changed."""

    new: list[OrderAttribution] = field(default_factory=list)
    changed: dict[int, OrderAttribution] = field(default_factory=dict)


_SOURCES = "analytics.attribution.sources"
_CLICK_COLUMNS = ("click_id", "click_store", "click_contact", "clicked_at")
_WRITES = "analytics.attribution.writes"


def prefetch_sources(
    session: Session,
    *,
    store_id: int,
    orders: Iterable[Order],
    contact_ids: Iterable[int],
    window: timedelta,
) -> None:
    """In a batch: the recovery steps sent for the orders' checkouts, the contacts' marketing
    deliveries, and the clicks either rule reads, in one statement."""
    reader = sources_reads(
        session, store_id=store_id, orders=orders, contact_ids=contact_ids, window=window
    )
    db_fold.alone(session, reader)


def sources_reads(
    session: Session,
    *,
    store_id: int,
    orders: Iterable[Order],
    contact_ids: Iterable[int],
    window: timedelta,
) -> db_fold.Reader:
    """`prefetch_sources` as a reader (plugin.db_fold: a batch folds it with its other reads)."""
    memo = batch_memo(session)
    if memo is None:
        return
    orders = list(orders)
    checkouts = sorted({o.checkout_id for o in orders if o.checkout_id})
    contacts = sorted(set(contact_ids))
    if not orders or (not checkouts and not contacts):
        return
    now = clock.now()
    # the earliest instant a rule looks back from (an order without `created` is placed at
    # the time of its event: later than now)
    first = min(o.created or now for o in orders)
    since, delivered_since = first - window, first - DELIVERED_WINDOW
    sources = _Sources(since=since, delivered_since=delivered_since)
    params = {
        "store_id": store_id,
        "checkouts": checkouts,
        "contacts": contacts,
        "since": since,
        "delivered_since": delivered_since,
    }
    rows = yield db_fold.Read(_sources_statement(), params)
    checkout_set, contact_set = set(checkouts), set(contacts)
    for click_id, click_store, contact_id, clicked_at, msg in rows:
        if click_id is None:
            if msg.checkout_id in checkout_set and msg.kind in RECOVERY_KINDS and msg.sent_at:
                sources.recovery[(store_id, msg.checkout_id)].append(msg)
            if msg.contact_id in contact_set and msg.delivered_at is not None:
                sources.delivered[(store_id, msg.contact_id)].append(msg)
            continue
        click = Click(int(click_id), int(click_store), contact_id, clicked_at, msg)
        sources.clicks_by_message[int(msg.id)].append(click)
        if contact_id in contact_set and click_store == store_id:
            sources.clicks_by_contact[(click_store, int(contact_id))].append(click)
    sources.checkouts.update((store_id, c) for c in checkouts)
    sources.contacts.update((store_id, c) for c in contacts)
    memo[_SOURCES] = sources


@cache
def _sources_statement() -> Any:
    """`prefetch_sources`' SELECT, built once (only its parameters change): the clicks, with
    the message each is on, then the messages (a UNION's columns take the first SELECT's
    types); a row without a click is a message the rules read by checkout or contact."""
    m = OutboundMessage
    table: Any = m.__table__  # type: ignore[attr-defined]
    store_id: Any = sa.bindparam("store_id")
    recovery = sa.and_(
        OneOf(table.c.checkout_id, "checkouts"),
        table.c.kind.in_(RECOVERY_KINDS),
        table.c.sent_at.is_not(None),
    )
    delivered = sa.and_(
        OneOf(table.c.contact_id, "contacts"),
        table.c.purpose == MessagePurpose.MARKETING.value,
        table.c.delivered_at >= sa.bindparam("delivered_since"),
    )
    by_contact = sa.and_(
        OneOf(col(LinkClick.contact_id), "contacts"),
        col(LinkClick.store_id) == store_id,
        col(LinkClick.clicked_at) >= sa.bindparam("since"),
        table.c.kind.not_in(NOT_ATTRIBUTABLE_KINDS),
    )
    on_recovery = sa.and_(table.c.store_id == store_id, recovery)
    clicks = (
        sa.select(
            col(LinkClick.id).label("click_id"),
            col(LinkClick.store_id).label("click_store"),
            col(LinkClick.contact_id).label("click_contact"),
            col(LinkClick.clicked_at).label("clicked_at"),
            *table.c,
        )
        .join_from(LinkClick, table, table.c.id == col(LinkClick.message_id))
        .where(col(LinkClick.filtered).is_(False), sa.or_(by_contact, on_recovery))
    )
    messages = sa.select(*(sa.null().label(name) for name in _CLICK_COLUMNS), *table.c).where(
        table.c.store_id == store_id, sa.or_(recovery, delivered)
    )
    both = sa.union_all(clicks, messages).subquery()
    return sa.select(*(both.c[n] for n in _CLICK_COLUMNS), aliased(m, both))


def _sources(session: Session) -> _Sources | None:
    sources: _Sources | None = (batch_memo(session) or {}).get(_SOURCES)
    return sources


def recovery_steps(
    session: Session, *, store_id: int, checkout_id: str, since: datetime
) -> list[OutboundMessage] | None:
    """The checkout's recovery steps sent (any time), when the batch read them for `since`."""
    sources = _sources(session)
    if sources is None or since < sources.since or (store_id, checkout_id) not in sources.checkouts:
        return None
    return sources.recovery.get((store_id, checkout_id), [])


def clicks_on(session: Session, message_ids: list[int]) -> list[Click] | None:
    """The counted clicks on these recovery steps (all read with them), None outside."""
    sources = _sources(session)
    if sources is None:
        return None
    return [c for i in message_ids for c in sources.clicks_by_message.get(i, [])]


def contact_sources(
    session: Session, *, store_id: int, contact_id: int, ordered_at: datetime, window: timedelta
) -> tuple[list[Click], list[OutboundMessage]] | None:
    """The contact's counted clicks within `window` before `ordered_at` and its marketing
    deliveries within DELIVERED_WINDOW (and maybe some earlier), when the batch read them."""
    sources = _sources(session)
    if (
        sources is None
        or ordered_at - window < sources.since
        or ordered_at - DELIVERED_WINDOW < sources.delivered_since
        or (store_id, contact_id) not in sources.contacts
    ):
        return None
    key = (store_id, contact_id)
    return sources.clicks_by_contact.get(key, []), sources.delivered.get(key, [])


def _writes(session: Session) -> _Writes | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    if _WRITES not in memo:
        memo[_WRITES] = _Writes()
        at_batch_end(session, _WRITES, lambda: write(session))
    writes: _Writes = memo[_WRITES]
    return writes


def add(session: Session, row: OrderAttribution) -> bool:
    """In a batch: keep the new row, inserted with the batch's others when it ends (True);
    outside: False, the caller adds and flushes it."""
    writes = _writes(session)
    if writes is None:
        return False
    writes.new.append(row)
    return True


def change(session: Session, row: OrderAttribution, **values: Any) -> None:
    """Set `values` on the row; in a batch a stored row is not flushed for it, but written
    with the batch's other changed rows when it ends."""
    writes = _writes(session)
    if writes is None or row.id is None or not sa.inspect(row).persistent:
        for name, value in values.items():
            setattr(row, name, value)
        return
    for name, value in values.items():
        set_committed_value(row, name, value)
    writes.changed[row.id] = row


def new_count(session: Session) -> int:
    """How many new rows the running batch holds (the ids `write` will take)."""
    writes = _writes(session)
    return len(writes.new) if writes is not None else 0


def write(session: Session) -> None:
    """The batch's new rows in one INSERT (their ids given back), its changed rows in one
    UPDATE executemany. A row of the same order stored meanwhile by another worker fails the
    batch (uq_order_attribution), which is then acted on one event at a time."""
    writes = _writes(session)
    if writes is None:
        return
    table: Any = OrderAttribution.__table__  # type: ignore[attr-defined]
    new, writes.new = writes.new, []
    reserved = db_compose.take_ids(session, table, len(new)) if new else None
    if reserved is not None:
        for row, row_id in zip(new, reserved, strict=True):
            row.id = row_id
        db_compose.insert_rows(
            session, table, [{c.name: getattr(row, c.name) for c in table.columns} for row in new]
        )
    elif new:
        names = [c.name for c in table.columns if c.name != "id"]
        rows = [{name: getattr(row, name) for name in names} for row in new]
        stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for row, (row_id,) in zip(new, session.execute(stmt, rows).all(), strict=True):
            row.id = int(row_id)
    # in id order: two batches changing the same rows take their locks in one order
    changed = [row for _, row in sorted(writes.changed.items())]
    writes.changed = {}
    values = [{"id": r.id, **{k: getattr(r, k) for k in CHANGING}} for r in changed]
    if changed and not db_compose.update_rows(session, table, values):
        update = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("_id", type_=table.c.id.type))
            .values({k: sa.bindparam(f"_{k}", type_=table.c[k].type) for k in CHANGING})
        )
        session.execute(update, [{f"_{k}": v for k, v in row.items()} for row in values])
