"""Orders credited to messages, and what a campaign's holdout says about real lift.

Rules, in order (issue 9):
1. an order from a checkout that a recovery message was about goes to that recovery step
   (the step the contact clicked, else the last step sent before the order);
2. else the last message the contact clicked within the attribution window (default 72 h);
3. else the last marketing message delivered to the contact within 24 h;
4. else nothing: the order is still kept (conversion and holdout lift count every order).
Refunds and cancellations reduce the kept amount; the order id makes every call idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock
from plugin.analytics.models import AttributionRule, LinkClick, OrderAttribution
from plugin.analytics.rollups import mark_dirty
from plugin.analytics.stats import newcombe_interval
from plugin.db import batch_memo
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.saleor.models import Store
from plugin.saleor.payloads import Order
from plugin.stores.service import get_settings

DELIVERED_WINDOW = timedelta(hours=24)
RECOVERY_KINDS = (MessageKind.CART_RECOVERY.value,)
NOT_ATTRIBUTABLE_KINDS = (MessageKind.TEST.value, MessageKind.OPTIN_REQUEST.value)
# Below this many contacts in either group the lift is shown without an interval: a handful
# of contacts says nothing a merchant should act on.
MIN_LIFT_GROUP = 30
LIFT_CONFIDENCE = 0.95
# Why a campaign's lift has no interval (HoldoutLift.not_enough_data): English, Turkish.
NOT_ENOUGH_DATA_TEXTS: dict[str, tuple[str, str]] = {
    "no_recipients": (
        "Not enough data: no message of the campaign has been sent yet.",
        "Yeterli veri yok: kampanyanın henüz hiçbir mesajı gönderilmedi.",
    ),
    "no_holdout": (
        "Not enough data: the campaign has no holdout group to compare with.",
        "Yeterli veri yok: kampanyanın karşılaştırılacak kontrol grubu yok.",
    ),
    "group_too_small": (
        f"Not enough data: each group needs at least {MIN_LIFT_GROUP} contacts.",
        f"Yeterli veri yok: her grupta en az {MIN_LIFT_GROUP} kişi olmalı.",
    ),
}


def _candidate(
    session: Session, *, store_id: int, ordered_at: datetime, window: timedelta, order: Order
) -> tuple[AttributionRule, OutboundMessage] | None:
    m = OutboundMessage
    if order.checkout_id:
        recovery = (
            select(m)
            .where(
                m.store_id == store_id,
                m.checkout_id == order.checkout_id,
                col(m.kind).in_(RECOVERY_KINDS),
                col(m.sent_at).is_not(None),
                col(m.sent_at) <= ordered_at,
                col(m.sent_at) >= ordered_at - window,
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
    session: Session, *, store_id: int, contact_id: int, ordered_at: datetime, window: timedelta
) -> OutboundMessage | None:
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
    session: Session, *, store_id: int, contact_id: int, ordered_at: datetime
) -> OutboundMessage | None:
    m = OutboundMessage
    query = (
        select(m)
        .where(
            m.store_id == store_id,
            m.contact_id == contact_id,
            m.purpose == MessagePurpose.MARKETING.value,
            col(m.delivered_at).is_not(None),
            col(m.delivered_at) <= ordered_at,
            col(m.delivered_at) >= ordered_at - DELIVERED_WINDOW,
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


def prefetch(session: Session, *, store_id: int, order_ids: Iterable[str]) -> None:
    """In a batch of events: its orders' attribution rows (or their absence) in one query."""
    memo = batch_memo(session)
    if memo is None:
        return
    known: dict[tuple[int, str], OrderAttribution | None] = memo.setdefault(_MEMO, {})
    wanted = sorted({o for o in order_ids if (store_id, o) not in known})
    if not wanted:
        return
    rows = session.exec(
        select(OrderAttribution).where(
            OrderAttribution.store_id == store_id, col(OrderAttribution.order_id).in_(wanted)
        )
    ).all()
    found = {row.order_id: row for row in rows}
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
            existing.total_amount = total
            existing.refunded_amount = max(existing.refunded_amount, refunded)
            existing.net_amount = max(total - existing.refunded_amount, Decimal("0"))
            existing.updated_at = clock.now()
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
        message = _by_click(
            session, store_id=store.id, contact_id=contact_id, ordered_at=ordered_at, window=window
        )
        if message is not None:
            rule = AttributionRule.CLICK
        else:
            message = _by_delivery(
                session, store_id=store.id, contact_id=contact_id, ordered_at=ordered_at
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
    session.add(row)
    mark_dirty(session, store_id=store.id, day=ordered_at.date())
    session.flush()
    known = (batch_memo(session) or {}).get(_MEMO)
    if known is not None:
        known[(store.id, order.id)] = row
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
        row.cancelled = True
        row.net_amount = Decimal("0")
    else:
        _total, refunded, _currency = _amounts(order)
        row.refunded_amount = max(row.refunded_amount, refunded)
        row.net_amount = (
            Decimal("0")
            if row.cancelled
            else max(row.total_amount - row.refunded_amount, Decimal("0"))
        )
    row.updated_at = clock.now()
    mark_dirty(session, store_id=store.id, day=row.ordered_at.date())
    session.flush()
    return row


@dataclass(frozen=True)
class HoldoutLift:
    """Conversion of a campaign's recipients against its holdout over the same window.

    A contact converts with at least one order that is not cancelled in the window, whatever
    the order was credited to (the holdout gets no message, so nothing can be credited there).
    """

    campaign_id: int
    started_at: datetime | None
    window_hours: int
    recipients: int
    recipients_converted: int
    holdout: int
    holdout_converted: int

    @property
    def recipient_rate(self) -> float:
        return self.recipients_converted / self.recipients if self.recipients else 0.0

    @property
    def holdout_rate(self) -> float:
        return self.holdout_converted / self.holdout if self.holdout else 0.0

    @property
    def absolute_lift(self) -> float:
        """Percentage points the messages added."""
        return self.recipient_rate - self.holdout_rate

    @property
    def relative_lift(self) -> float | None:
        """(recipient rate / holdout rate) - 1; None while the holdout has no conversion."""
        return self.recipient_rate / self.holdout_rate - 1 if self.holdout_rate else None

    @property
    def incremental_orders(self) -> float:
        return self.absolute_lift * self.recipients

    @property
    def not_enough_data(self) -> Literal["no_recipients", "no_holdout", "group_too_small"] | None:
        """Why no interval is given: a group is empty, or under MIN_LIFT_GROUP contacts."""
        if not self.recipients:
            return "no_recipients"
        if not self.holdout:
            return "no_holdout"
        if min(self.recipients, self.holdout) < MIN_LIFT_GROUP:
            return "group_too_small"
        return None

    @property
    def interval(self) -> tuple[float, float] | None:
        """95 % confidence interval of `absolute_lift` (recipient rate - holdout rate) by
        Newcombe's hybrid score method (stats.newcombe_interval); None without enough data."""
        if self.not_enough_data:
            return None
        return newcombe_interval(
            self.recipients_converted, self.recipients, self.holdout_converted, self.holdout
        )


def holdout_lift(
    session: Session,
    *,
    store_id: int,
    campaign_id: int,
    holdout_contact_ids: list[int],
    window_hours: int | None = None,
) -> HoldoutLift:
    """Share of recipients (sent a message of the campaign) and of holdout contacts (the group
    campaigns fixed at launch, which campaigns passes in) who ordered within the window after
    the campaign started."""
    if window_hours is None:
        window_hours = get_settings(session, store_id).attribution_window_hours
    m = OutboundMessage
    (started_at,) = session.execute(
        sa.select(sa.func.min(col(m.sent_at))).where(
            col(m.store_id) == store_id, col(m.campaign_id) == campaign_id
        )
    ).one()
    recipients = {
        int(r[0])
        for r in session.execute(
            sa.select(col(m.contact_id))
            .where(
                col(m.store_id) == store_id,
                col(m.campaign_id) == campaign_id,
                col(m.sent_at).is_not(None),
            )
            .distinct()
        )
    }
    holdout = set(holdout_contact_ids) - recipients
    converted: set[int] = set()
    if started_at is not None and (recipients or holdout):
        end = started_at + timedelta(hours=window_hours)
        everyone = sorted(recipients | holdout)
        for start in range(0, len(everyone), 5000):
            chunk = everyone[start : start + 5000]
            converted |= {
                int(r[0])
                for r in session.execute(
                    sa.select(col(OrderAttribution.contact_id))
                    .where(
                        col(OrderAttribution.store_id) == store_id,
                        col(OrderAttribution.contact_id).in_(chunk),
                        col(OrderAttribution.ordered_at) >= started_at,
                        col(OrderAttribution.ordered_at) <= end,
                        col(OrderAttribution.cancelled).is_(False),
                    )
                    .distinct()
                )
            }
    return HoldoutLift(
        campaign_id=campaign_id,
        started_at=started_at,
        window_hours=window_hours,
        recipients=len(recipients),
        recipients_converted=len(recipients & converted),
        holdout=len(holdout),
        holdout_converted=len(holdout & converted),
    )
