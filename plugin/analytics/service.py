"""What the dashboard shows: funnels, revenue and cost per source, a daily series, CSV.

Every report reads built rollups (whole days, and today up to the last refresh a few minutes
ago) and aggregates the rest from raw rows with the same query, so numbers do not jump when a
day is rolled up.
The admin API calls these (keyword-only, never commit); links and attribution live in
links.py and attribution.py and are re-exported here.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col

from plugin import clock
from plugin.analytics.aggregate import (
    Bucket,
    SourceKey,
    aggregate,
    day_start,
    engagement,
    utc_day,
)
from plugin.analytics.attribution import (
    HoldoutLift,
    apply_refund_or_cancel,
    attribute_order,
    holdout_lift,
)
from plugin.analytics.cost import pricing_from_status
from plugin.analytics.links import create_link, record_click
from plugin.analytics.models import DailyRollup, RollupState
from plugin.analytics.rollups import build_rollups, coverage, purge_expired
from plugin.pricing.ratecards import CARD_CURRENCY

__all__ = [
    "Dimension",
    "FunnelRow",
    "HoldoutLift",
    "PerformanceRow",
    "apply_refund_or_cancel",
    "attribute_order",
    "build_rollups",
    "campaign_totals",
    "cost_report",
    "create_link",
    "daily_series",
    "export_csv",
    "funnel",
    "holdout_lift",
    "performance",
    "pricing_from_status",
    "purge_expired",
    "record_click",
    "totals",
]


class Dimension(StrEnum):
    FLOW = "flow"
    FLOW_STEP = "flow_step"
    CAMPAIGN = "campaign"
    VARIANT = "variant"
    TEMPLATE = "template"
    MONTH = "month"  # cost report only


def _label(dimension: Dimension, day: date, key: SourceKey) -> str | None:
    flow_key, flow_step, campaign_id, variant, template_name = key
    if dimension is Dimension.FLOW:
        return flow_key
    if dimension is Dimension.FLOW_STEP:
        return f"{flow_key}:{flow_step}" if flow_key is not None else None
    if dimension is Dimension.CAMPAIGN:
        return str(campaign_id) if campaign_id is not None else None
    if dimension is Dimension.VARIANT:
        return f"{campaign_id}:{variant or '-'}" if campaign_id is not None else None
    if dimension is Dimension.TEMPLATE:
        return template_name
    return day.strftime("%Y-%m")


def load(
    session: Session, *, store_id: int, start: date, end: date
) -> list[tuple[date, SourceKey, Bucket]]:
    """Figures per (day, source) for the UTC days [start, end]: rollups, then raw for the rest."""
    last_rolled, raw_from = coverage(session.get(RollupState, store_id))
    out: list[tuple[date, SourceKey, Bucket]] = []
    if last_rolled is not None and start <= last_rolled:
        rows = session.execute(
            sa.select(DailyRollup).where(
                col(DailyRollup.store_id) == store_id,
                col(DailyRollup.day) >= start,
                col(DailyRollup.day) <= min(end, last_rolled),
            )
        ).scalars()
        for row in rows:
            key = (row.flow_key, row.flow_step, row.campaign_id, row.variant, row.template_name)
            out.append((row.day, key, Bucket.from_row(row)))
    raw_start = max(day_start(start), raw_from) if raw_from else day_start(start)
    raw_end = day_start(end + timedelta(days=1))
    if raw_start < raw_end:
        live = aggregate(session, store_id=store_id, start=raw_start, end=raw_end)
        out += [(day, key, bucket) for (day, key), bucket in live.items()]
    return out


def _grouped(
    session: Session, *, store_id: int, start: date, end: date, by: Dimension
) -> dict[str, Bucket]:
    groups: dict[str, Bucket] = {}
    for day, key, bucket in load(session, store_id=store_id, start=start, end=end):
        label = _label(by, day, key)
        if label is None:
            continue
        groups.setdefault(label, Bucket()).add(bucket)
    return dict(sorted(groups.items()))


def ratio(a: Decimal | int, b: Decimal | int) -> Decimal | None:
    """a / b to four places; None when b is zero (a rate of nothing is not 0 %)."""
    return (Decimal(a) / b).quantize(Decimal("0.0001")) if b else None


@dataclass(frozen=True)
class FunnelRow:
    source: str
    queued: int
    sent: int
    delivered: int
    read: int
    clicked: int
    replied: int
    opted_out: int
    failed: int
    skipped: int
    failed_reasons: dict[str, int] = field(default_factory=dict)
    skipped_reasons: dict[str, int] = field(default_factory=dict)


def funnel(
    session: Session, *, store_id: int, start: date, end: date, by: Dimension
) -> list[FunnelRow]:
    """Queued → sent → delivered → read → clicked / replied / opted out, with failures and
    skips by reason, per flow, flow step, campaign, A/B variant or template."""
    return [
        FunnelRow(
            source=label,
            queued=b.queued,
            **engagement(b),
            failed=b.failed,
            skipped=b.skipped,
            failed_reasons=dict(b.failed_reasons.most_common()),
            skipped_reasons=dict(b.skipped_reasons.most_common()),
        )
        for label, b in _grouped(session, store_id=store_id, start=start, end=end, by=by).items()
    ]


@dataclass(frozen=True)
class PerformanceRow:
    source: str
    sent: int
    delivered: int
    orders: int
    revenue: dict[str, Decimal]  # currency -> net amount (refunds and cancellations deducted)
    conversion_rate: Decimal | None  # orders / delivered
    revenue_per_message: dict[str, Decimal]  # per sent message
    cost: Decimal  # at the rate card's prices, in its currency (ratecards.CARD_CURRENCY)
    cost_currency: str
    cost_per_order: Decimal | None


def performance(
    session: Session, *, store_id: int, start: date, end: date, by: Dimension
) -> list[PerformanceRow]:
    """Revenue, conversion, revenue per message and cost per attributed order per source."""
    currency = CARD_CURRENCY
    rows = []
    for label, b in _grouped(session, store_id=store_id, start=start, end=end, by=by).items():
        revenue = cast(dict[str, Decimal], b.revenue)  # a Counter of Decimals (see Bucket)
        rows.append(
            PerformanceRow(
                source=label,
                sent=b.sent,
                delivered=b.delivered,
                orders=b.orders,
                revenue={k: v.quantize(Decimal("0.01")) for k, v in sorted(revenue.items())},
                conversion_rate=ratio(b.orders, b.delivered),
                revenue_per_message={
                    k: (v / b.sent).quantize(Decimal("0.0001"))
                    for k, v in sorted(revenue.items())
                    if b.sent
                },
                cost=b.cost.quantize(Decimal("0.0001")),
                cost_currency=currency,
                cost_per_order=ratio(b.cost, b.orders),
            )
        )
    return rows


@dataclass(frozen=True)
class CostRow:
    source: str
    sent: int
    billable: int
    cost: Decimal
    cost_currency: str
    orders: int
    cost_per_order: Decimal | None


def cost_report(
    session: Session, *, store_id: int, start: date, end: date, by: Dimension
) -> list[CostRow]:
    """Meta's charges (billable messages x rate table) per flow, campaign, month..."""
    currency = CARD_CURRENCY
    return [
        CostRow(
            source=label,
            sent=b.sent,
            billable=b.billable,
            cost=b.cost.quantize(Decimal("0.0001")),
            cost_currency=currency,
            orders=b.orders,
            cost_per_order=ratio(b.cost, b.orders),
        )
        for label, b in _grouped(session, store_id=store_id, start=start, end=end, by=by).items()
    ]


@dataclass(frozen=True)
class DayRow:
    day: date
    sent: int
    delivered: int
    read: int
    clicked: int
    orders: int
    revenue: dict[str, Decimal]
    cost: Decimal
    replied: int = 0
    opted_out: int = 0


def daily_series(session: Session, *, store_id: int, start: date, end: date) -> list[DayRow]:
    """One row per day (every day of the range, zeros included) for the dashboard's chart."""
    days: dict[date, Bucket] = {}
    for day, _key, bucket in load(session, store_id=store_id, start=start, end=end):
        days.setdefault(day, Bucket()).add(bucket)
    out = []
    day = start
    while day <= end:
        b = days.get(day, Bucket())
        revenue = cast(dict[str, Decimal], b.revenue)  # a Counter of Decimals (see Bucket)
        out.append(
            DayRow(
                day=day,
                **engagement(b),
                orders=b.orders,
                revenue={k: v.quantize(Decimal("0.01")) for k, v in sorted(revenue.items())},
                cost=b.cost.quantize(Decimal("0.0001")),
            )
        )
        day += timedelta(days=1)
    return out


def totals(session: Session, *, store_id: int, start: date, end: date) -> Bucket:
    """Every source of the range merged: the dashboard's totals and top failure/skip reasons."""
    total = Bucket()
    for _day, _key, bucket in load(session, store_id=store_id, start=start, end=end):
        total.add(bucket)
    return total


def campaign_totals(session: Session, *, store_id: int, campaign_id: int, since: date) -> Bucket:
    """One campaign's figures from the UTC day `since` (its start) to today: the dashboard's
    own buckets grouped by campaign as its reports group them, so a campaign's results and
    the dashboard's campaign row are one count."""
    end = utc_day(clock.now())
    start = min(since, end)
    grouped = _grouped(session, store_id=store_id, start=start, end=end, by=Dimension.CAMPAIGN)
    return grouped.get(str(campaign_id), Bucket())


def last_days(days: int = 30) -> tuple[date, date]:
    """The dashboard's default range: the last `days` UTC days, today included."""
    today = utc_day(clock.now())
    return today - timedelta(days=days - 1), today


def _cell(value: Any) -> str:
    """A CSV cell; text starting like a formula is quoted so spreadsheets do not run it."""
    if isinstance(value, dict | Counter):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


EXPORTS: dict[str, Callable[..., Iterable[Any]]] = {
    "funnel": funnel,
    "performance": performance,
    "cost": cost_report,
    "daily": daily_series,
}


def export_csv(
    kind: str,
    *,
    session: Session,
    store_id: int,
    start: date,
    end: date,
    by: Dimension = Dimension.FLOW,
) -> str:
    """The table the dashboard shows for `kind` (funnel, performance, cost, daily) as CSV text."""
    if kind not in EXPORTS:
        raise ValueError(f"unknown export {kind!r}; one of {', '.join(EXPORTS)}")
    report = EXPORTS[kind]
    kwargs: dict[str, Any] = {"session": session, "store_id": store_id, "start": start, "end": end}
    if kind != "daily":
        kwargs["by"] = by
    rows = list(report(**kwargs))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if rows:
        names = list(rows[0].__dataclass_fields__)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_cell(getattr(row, name)) for name in names])
    return buffer.getvalue()
