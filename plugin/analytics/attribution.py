"""Orders credited to messages, and what a campaign's holdout says about real lift.

Rules, in order (issue 9):
1. an order from a checkout that a recovery message was about goes to that recovery step
   (the step the contact clicked, else the last step sent before the order);
2. else the last message the contact clicked within the attribution window (default 72 h);
3. else the last marketing message delivered to the contact within 24 h;
4. else nothing: the order is still kept (conversion and holdout lift count every order).
Refunds and cancellations reduce the kept amount; the order id makes every call idempotent.
In a batch of events the rules choose from what attribution_memo read for all its orders.
(A campaign's holdout lift: plugin.analytics.lift, re-exported here.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock, db_fold
from plugin.analytics import attribution_memo
from plugin.analytics.attribution_memo import (
    DELIVERED_WINDOW,
    NOT_ATTRIBUTABLE_KINDS,
    RECOVERY_KINDS,
)
from plugin.analytics.lift import LIFT_CONFIDENCE as LIFT_CONFIDENCE
from plugin.analytics.lift import MIN_LIFT_GROUP as MIN_LIFT_GROUP
from plugin.analytics.lift import NOT_ENOUGH_DATA_TEXTS as NOT_ENOUGH_DATA_TEXTS
from plugin.analytics.lift import HoldoutLift as HoldoutLift
from plugin.analytics.lift import holdout_lift as holdout_lift
from plugin.analytics.models import AttributionRule, LinkClick, OrderAttribution
from plugin.analytics.rollups import mark_dirty
from plugin.db import batch_memo
from plugin.delivery.models import MessagePurpose, OutboundMessage
from plugin.rows import OneOf
from plugin.saleor.models import Store
from plugin.saleor.payloads import Order
from plugin.stores.service import get_settings


def _candidate(
    session: Session, *, store_id: int, ordered_at: datetime, window: timedelta, order: Order
) -> tuple[AttributionRule, OutboundMessage] | None:
    m = OutboundMessage
    if not order.checkout_id:
        return None
    since = ordered_at - window
    known = attribution_memo.recovery_steps(
        session, store_id=store_id, checkout_id=order.checkout_id, since=since
    )
    if known is not None:
        steps = sorted(
            (s for s in known if s.sent_at is not None and since <= s.sent_at <= ordered_at),
            key=lambda s: (s.sent_at, s.id or 0),
            reverse=True,
        )
    else:
        recovery = (
            select(m)
            .where(
                m.store_id == store_id,
                m.checkout_id == order.checkout_id,
                col(m.kind).in_(RECOVERY_KINDS),
                col(m.sent_at).is_not(None),
                col(m.sent_at) <= ordered_at,
                col(m.sent_at) >= since,
            )
            .order_by(col(m.sent_at).desc(), col(m.id).desc())
        )
        steps = list(session.exec(recovery))
    if steps:
        clicked = _last_clicked_among(session, [s.id for s in steps if s.id], ordered_at)
        chosen = next((s for s in steps if s.id == clicked), steps[0])
        return AttributionRule.RECOVERY, chosen
    return None


def _last_clicked_among(session: Session, ids: list[int], before: datetime) -> int | None:
    if not ids:
        return None
    known = attribution_memo.clicks_on(session, ids)
    if known is not None:
        counted = [c for c in known if c.clicked_at <= before]
        last = max(counted, key=lambda c: (c.clicked_at, c.id), default=None)
        return last.message.id if last is not None else None
    row = session.execute(
        sa.select(col(LinkClick.message_id))
        .where(
            col(LinkClick.message_id).in_(ids),
            col(LinkClick.filtered).is_(False),
            col(LinkClick.clicked_at) <= before,
        )
        .order_by(col(LinkClick.clicked_at).desc())
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def _by_click(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    ordered_at: datetime,
    window: timedelta,
    known: list[attribution_memo.Click] | None = None,
) -> OutboundMessage | None:
    if known is not None:
        since = ordered_at - window
        last = max(
            (
                c
                for c in known
                if since <= c.clicked_at <= ordered_at
                and c.message.kind not in NOT_ATTRIBUTABLE_KINDS
            ),
            key=lambda c: (c.clicked_at, c.id),
            default=None,
        )
        return last.message if last is not None else None
    row = session.execute(
        sa.select(col(LinkClick.message_id))
        .join(OutboundMessage, col(OutboundMessage.id) == col(LinkClick.message_id))
        .where(
            col(LinkClick.contact_id) == contact_id,
            col(LinkClick.store_id) == store_id,
            col(LinkClick.filtered).is_(False),
            col(LinkClick.clicked_at) <= ordered_at,
            col(LinkClick.clicked_at) >= ordered_at - window,
            col(OutboundMessage.kind).not_in(NOT_ATTRIBUTABLE_KINDS),
        )
        .order_by(col(LinkClick.clicked_at).desc(), col(LinkClick.id).desc())
        .limit(1)
    ).first()
    return session.get(OutboundMessage, row[0]) if row else None


def _by_delivery(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    ordered_at: datetime,
    known: list[OutboundMessage] | None = None,
) -> OutboundMessage | None:
    m = OutboundMessage
    since = ordered_at - DELIVERED_WINDOW
    if known is not None:
        return max(
            (
                d
                for d in known
                if d.purpose == MessagePurpose.MARKETING.value
                and d.delivered_at is not None
                and since <= d.delivered_at <= ordered_at
            ),
            key=lambda d: (d.delivered_at, d.id or 0),
            default=None,
        )
    query = (
        select(m)
        .where(
            m.store_id == store_id,
            m.contact_id == contact_id,
            m.purpose == MessagePurpose.MARKETING.value,
            col(m.delivered_at).is_not(None),
            col(m.delivered_at) <= ordered_at,
            col(m.delivered_at) >= since,
        )
        .order_by(col(m.delivered_at).desc(), col(m.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def _amounts(order: Order) -> tuple[Decimal, Decimal, str | None]:
    total = order.total.gross.amount if order.total else Decimal("0")
    currency = order.total.gross.currency if order.total else None
    refunded = order.total_refunded.amount if order.total_refunded else Decimal("0")
    return total, refunded, currency


_MEMO = "analytics.attributions"


def prefetch(
    session: Session, *, store_id: int, orders: Iterable[Order], contact_ids: Iterable[int] = ()
) -> None:
    """In a batch of events: its orders' attribution rows (or their absence) in one query, and
    what the rules read for these orders and contacts in one more (attribution_memo)."""
    db_fold.alone(
        session, *prefetch_reads(session, store_id=store_id, orders=orders, contact_ids=contact_ids)
    )


def prefetch_reads(
    session: Session, *, store_id: int, orders: Iterable[Order], contact_ids: Iterable[int] = ()
) -> list[db_fold.Reader]:
    """`prefetch` as readers (plugin.db_fold: a batch folds them with its other reads)."""
    if batch_memo(session) is None:
        return []
    orders = list(orders)
    window = timedelta(hours=get_settings(session, store_id).attribution_window_hours)
    sources = attribution_memo.sources_reads(
        session, store_id=store_id, orders=orders, contact_ids=contact_ids, window=window
    )
    return [sources, _rows_reads(session, store_id, [o.id for o in orders])]


def _rows_reads(session: Session, store_id: int, order_ids: list[str]) -> db_fold.Reader:
    memo = batch_memo(session)
    assert memo is not None
    known: dict[tuple[int, str], OrderAttribution | None] = memo.setdefault(_MEMO, {})
    wanted = sorted({o for o in order_ids if (store_id, o) not in known})
    if not wanted:
        return
    rows = yield db_fold.Read(
        select(OrderAttribution).where(
            OrderAttribution.store_id == store_id,
            OneOf(col(OrderAttribution.order_id), "attribution_orders"),
        ),
        {"attribution_orders": wanted},
    )
    found = {row.order_id: row for (row,) in rows}
    known.update(((store_id, o), found.get(o)) for o in wanted)


def _recorded(session: Session, store_id: int, order_id: str) -> OrderAttribution | None:
    """The order's attribution row, if any (from the batch's memo when it read the order)."""
    known: dict[tuple[int, str], OrderAttribution | None] = (batch_memo(session) or {}).get(
        _MEMO, {}
    )
    if (store_id, order_id) in known:
        return known[(store_id, order_id)]
    return session.exec(
        select(OrderAttribution).where(
            OrderAttribution.store_id == store_id, OrderAttribution.order_id == order_id
        )
    ).first()


def attribute_order(
    session: Session, *, store: Store, order: Order, contact_id: int | None
) -> OrderAttribution:
    """Credit `order` to a message by the rules above (once per order id: a second call returns
    the first result, with the amounts refreshed from the payload)."""
    assert store.id is not None
    existing = _recorded(session, store.id, order.id)
    total, refunded, currency = _amounts(order)
    settings = get_settings(session, store.id)
    if existing is not None:
        if total > 0 and not existing.cancelled:
            kept = max(existing.refunded_amount, refunded)
            attribution_memo.change(
                session,
                existing,
                total_amount=total,
                refunded_amount=kept,
                net_amount=max(total - kept, Decimal("0")),
                updated_at=clock.now(),
            )
            mark_dirty(session, store_id=store.id, day=existing.ordered_at.date())
        return existing
    ordered_at = order.created or clock.now()
    window = timedelta(hours=settings.attribution_window_hours)
    rule = AttributionRule.NONE
    message: OutboundMessage | None = None
    found = _candidate(
        session, store_id=store.id, ordered_at=ordered_at, window=window, order=order
    )
    if found is not None:
        rule, message = found
    elif contact_id is not None:
        known = attribution_memo.contact_sources(
            session,
            store_id=store.id,
            contact_id=contact_id,
            ordered_at=ordered_at,
            window=window,
        )
        clicks, deliveries = known if known is not None else (None, None)
        message = _by_click(
            session,
            store_id=store.id,
            contact_id=contact_id,
            ordered_at=ordered_at,
            window=window,
            known=clicks,
        )
        if message is not None:
            rule = AttributionRule.CLICK
        else:
            message = _by_delivery(
                session,
                store_id=store.id,
                contact_id=contact_id,
                ordered_at=ordered_at,
                known=deliveries,
            )
            if message is not None:
                rule = AttributionRule.DELIVERED
    row = OrderAttribution(
        store_id=store.id,
        order_id=order.id,
        contact_id=contact_id,
        rule=rule,
        message_id=message.id if message else None,
        flow_key=message.flow_key if message else None,
        flow_step=message.flow_step if message else None,
        campaign_id=message.campaign_id if message else None,
        variant=message.variant if message else None,
        template_name=message.template_name if message else None,
        currency=(currency or settings.default_currency)[:3],
        total_amount=total,
        refunded_amount=refunded,
        net_amount=max(total - refunded, Decimal("0")),
        ordered_at=ordered_at,
    )
    mark_dirty(session, store_id=store.id, day=ordered_at.date())
    if not attribution_memo.add(session, row):  # in a batch: inserted when it ends
        session.add(row)
        session.flush()
    recorded = (batch_memo(session) or {}).get(_MEMO)
    if recorded is not None:
        recorded[(store.id, order.id)] = row
    return row


def apply_refund_or_cancel(
    session: Session,
    *,
    store: Store,
    order: Order,
    event: Literal["refunded", "cancelled"],
) -> OrderAttribution | None:
    """ORDER_REFUNDED (with totalRefunded, cumulative, so redeliveries change nothing) lowers the
    kept amount; ORDER_CANCELLED sets it to 0. None when the order was never recorded."""
    assert store.id is not None
    row = _recorded(session, store.id, order.id)
    if row is None:
        return None
    if event == "cancelled":
        values: dict[str, object] = {"cancelled": True, "net_amount": Decimal("0")}
    else:
        _total, refunded, _currency = _amounts(order)
        kept = max(row.refunded_amount, refunded)
        net = Decimal("0") if row.cancelled else max(row.total_amount - kept, Decimal("0"))
        values = {"refunded_amount": kept, "net_amount": net}
    attribution_memo.change(session, row, **values, updated_at=clock.now())
    mark_dirty(session, store_id=store.id, day=row.ordered_at.date())
    if batch_memo(session) is None:
        session.flush()
    return row
