"""Flow figures (what the admin shows per flow): entered, sent per step, stopped and skipped by
reason, and for cart recovery the orders it converted and the revenue it recovered.

Converted: a recovered checkout's order placed after a recovery message was sent and within the
store's attribution window (`attribution_window_hours`) of the last one sent before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.flows.models import FlowEvent, FlowKey, JournalAction, TrackedCheckout
from plugin.stores.service import get_settings


@dataclass
class FlowFigures:
    flow_key: str
    entered: int = 0
    sent_by_step: dict[int, int] = field(default_factory=dict)
    stopped_by_reason: dict[str, int] = field(default_factory=dict)
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    converted: int = 0
    recovered_revenue: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount


def _in_range(
    column: Mapped[datetime] | Mapped[datetime | None], since: datetime, until: datetime
) -> list[sa.ColumnElement[bool]]:
    return [column >= since, column < until]


def flow_figures(
    session: Session, *, store_id: int, since: datetime, until: datetime
) -> dict[str, FlowFigures]:
    """Every flow's figures for [since, until), keyed by flow key (flows with no activity too)."""
    figures = {k.value: FlowFigures(k.value) for k in FlowKey}
    subject = sa.func.coalesce(FlowEvent.checkout_id, FlowEvent.order_id)
    for flow_key, count in session.execute(
        sa.select(col(FlowEvent.flow_key), sa.func.count(sa.distinct(subject)))
        .where(
            col(FlowEvent.store_id) == store_id,
            col(FlowEvent.action).in_([JournalAction.ENTERED.value, JournalAction.SCHEDULED.value]),
            *_in_range(col(FlowEvent.occurred_at), since, until),
        )
        .group_by(col(FlowEvent.flow_key))
    ).all():
        figures.setdefault(flow_key, FlowFigures(flow_key)).entered = int(count)
    for flow_key, action, reason, count in session.execute(
        sa.select(
            col(FlowEvent.flow_key), col(FlowEvent.action), col(FlowEvent.reason), sa.func.count()
        )
        .where(
            col(FlowEvent.store_id) == store_id,
            col(FlowEvent.action).in_([JournalAction.STOPPED.value, JournalAction.SKIPPED.value]),
            *_in_range(col(FlowEvent.occurred_at), since, until),
        )
        .group_by(col(FlowEvent.flow_key), col(FlowEvent.action), col(FlowEvent.reason))
    ).all():
        target = figures.setdefault(flow_key, FlowFigures(flow_key))
        bucket = target.stopped_by_reason if action == "stopped" else target.skipped_by_reason
        bucket[reason or "unknown"] = bucket.get(reason or "unknown", 0) + int(count)
    for flow_key, step, status, reason, count in session.execute(
        sa.select(
            col(OutboundMessage.flow_key),
            col(OutboundMessage.flow_step),
            col(OutboundMessage.status),
            col(OutboundMessage.status_reason),
            sa.func.count(),
        )
        .where(
            col(OutboundMessage.store_id) == store_id,
            col(OutboundMessage.source_type) == "flow",
            col(OutboundMessage.status).in_(
                MessageStatus.sql(MessageStatus.sent() | MessageStatus.not_sent())
            ),
            *_in_range(col(OutboundMessage.due_at), since, until),
        )
        .group_by(
            col(OutboundMessage.flow_key),
            col(OutboundMessage.flow_step),
            col(OutboundMessage.status),
            col(OutboundMessage.status_reason),
        )
    ).all():
        target = figures.setdefault(flow_key or "", FlowFigures(flow_key or ""))
        if status in MessageStatus.not_sent():
            key = reason or status
            target.skipped_by_reason[key] = target.skipped_by_reason.get(key, 0) + int(count)
        else:
            target.sent_by_step[int(step or 1)] = target.sent_by_step.get(int(step or 1), 0) + int(
                count
            )
    _conversions(session, store_id=store_id, since=since, until=until, into=figures)
    return figures


def _conversions(
    session: Session,
    *,
    store_id: int,
    since: datetime,
    until: datetime,
    into: dict[str, FlowFigures],
) -> None:
    window = timedelta(hours=get_settings(session, store_id).attribution_window_hours)
    sent = defaultdict(list)
    ordered = session.exec(
        select(TrackedCheckout).where(
            TrackedCheckout.store_id == store_id,
            col(TrackedCheckout.ordered_at).is_not(None),
            *_in_range(col(TrackedCheckout.ordered_at), since, until),
        )
    ).all()
    if not ordered:
        return
    for checkout_id, sent_at in session.execute(
        sa.select(col(OutboundMessage.checkout_id), col(OutboundMessage.sent_at)).where(
            col(OutboundMessage.store_id) == store_id,
            col(OutboundMessage.flow_key) == FlowKey.CART_RECOVERY.value,
            col(OutboundMessage.checkout_id).in_([t.checkout_id for t in ordered]),
            col(OutboundMessage.sent_at).is_not(None),
        )
    ).all():
        sent[checkout_id].append(sent_at)
    figures = into[FlowKey.CART_RECOVERY.value]
    for tc in ordered:
        assert tc.ordered_at is not None
        before = [s for s in sent.get(tc.checkout_id, []) if s <= tc.ordered_at]
        if not before or tc.ordered_at - max(before) > window:
            continue
        figures.converted += 1
        if tc.order_total is not None and tc.order_currency:
            revenue = figures.recovered_revenue
            revenue[tc.order_currency] = revenue.get(tc.order_currency, Decimal("0")) + Decimal(
                tc.order_total
            )
