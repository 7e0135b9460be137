"""The daily-rollup aggregate: one query over the outbox, clicks, replies, opt-outs and
orders, used both to build `analytics_daily` (a TICK task) and to read the days not built yet
(today) raw.

Messages count on the UTC day they entered the outbox; a message is "clicked" when a counted
click on one of its links exists, "replied" / "opted out" when it was the contact's last message
sent at most 24 h before an inbound message / a consent revocation. Orders count on the UTC day
they were placed, under the source of the message they are credited to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.analytics.cost import rate_for, rate_table_or_default
from plugin.analytics.models import DailyRollup
from plugin.db import UTCDateTime, without_jit
from plugin.pricing.country import country_of, pricing_key_sql
from plugin.stores.service import get_settings

REPLY_WINDOW_HOURS = 24

SourceKey = tuple[str | None, int | None, int | None, str | None, str | None]
"""(flow_key, flow_step, campaign_id, variant, template_name)"""

COUNTS = (
    "queued",
    "sent",
    "delivered",
    "read",
    "clicked",
    "replied",
    "opted_out",
    "failed",
    "skipped",
    "billable",
)

ENGAGEMENT = ("sent", "delivered", "read", "clicked", "replied", "opted_out")
"""The message outcomes every report shows, in this order (a subset of COUNTS)."""


def engagement(source: object) -> dict[str, int]:
    """A bucket's or row's outcomes by name, so each report copies one list, not six fields."""
    return {name: getattr(source, name) for name in ENGAGEMENT}


@dataclass
class Bucket:
    """Figures of one source over some days; merged in Python (a few hundred per dashboard)."""

    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    clicked: int = 0
    replied: int = 0
    opted_out: int = 0
    failed: int = 0
    skipped: int = 0
    billable: int = 0
    cost: Decimal = Decimal("0")
    orders: int = 0
    revenue: Counter[str] = field(default_factory=Counter)  # currency -> Decimal
    failed_reasons: Counter[str] = field(default_factory=Counter)
    skipped_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: Bucket) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.cost += other.cost
        self.orders += other.orders
        self.revenue.update(other.revenue)
        self.failed_reasons.update(other.failed_reasons)
        self.skipped_reasons.update(other.skipped_reasons)

    @classmethod
    def from_row(cls, row: DailyRollup) -> Bucket:
        return cls(
            **{name: getattr(row, name) for name in COUNTS},
            cost=Decimal(row.cost),
            orders=row.orders,
            revenue=Counter({k: Decimal(str(v)) for k, v in (row.revenue or {}).items()}),
            failed_reasons=Counter({k: int(v) for k, v in (row.failed_reasons or {}).items()}),
            skipped_reasons=Counter({k: int(v) for k, v in (row.skipped_reasons or {}).items()}),
        )


def day_start(day: date) -> datetime:
    """The first instant of a UTC day."""
    return datetime.combine(day, dtime.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    """The UTC day a moment falls on (every rollup day is a UTC day)."""
    return moment.astimezone(UTC).date()


def _sql(dialect: str) -> dict[str, str]:
    if dialect == "postgresql":
        return {
            "day_m": "CAST((m.created_at AT TIME ZONE 'UTC') AS DATE)",
            "day_a": "CAST((a.ordered_at AT TIME ZONE 'UTC') AS DATE)",
            "recent_i": f"i.received_at - INTERVAL '{REPLY_WINDOW_HOURS} hours'",
            "recent_e": f"e.occurred_at - INTERVAL '{REPLY_WINDOW_HOURS} hours'",
            "true": "TRUE",
            "false": "FALSE",
            "code": "CAST(m.error_code AS VARCHAR)",
        }
    return {
        "day_m": "date(m.created_at)",
        "day_a": "date(a.ordered_at)",
        "recent_i": f"datetime(i.received_at, '-{REPLY_WINDOW_HOURS} hours')",
        "recent_e": f"datetime(e.occurred_at, '-{REPLY_WINDOW_HOURS} hours')",
        "true": "1",
        "false": "0",
        "code": "CAST(m.error_code AS TEXT)",
    }


KEYS = "m.flow_key, m.flow_step, m.campaign_id, m.variant, m.template_name"

# The contact's last message sent at most 24 h before an event (a reply, a revocation).
LAST_MESSAGE_BEFORE = """
    SELECT DISTINCT (
        SELECT o.id FROM outbound_message o
        WHERE o.contact_id = {a}.contact_id AND o.store_id = :store
          AND o.created_at <= {a}.{at} AND o.sent_at IS NOT NULL
          AND o.sent_at >= {recent}
        ORDER BY o.created_at DESC LIMIT 1
    ) AS message_id
    FROM {table} {a}
    WHERE {a}.store_id = :store AND {a}.{at} >= :start AND {a}.{at} < :reply_end
      AND {a}.contact_id IS NOT NULL {extra}
"""

MESSAGES_SQL = (
    """
WITH clicked AS (
    SELECT DISTINCT message_id FROM link_click
    WHERE store_id = :store AND filtered = {false} AND clicked_at >= :start
      AND message_id IS NOT NULL
),
replied AS ({replied}),
opted AS ({opted})
SELECT {day_m} AS day, {keys}, m.pricing_category,
       CASE WHEN m.billable = {true}
            THEN (SELECT """
    + pricing_key_sql("c")
    + """ FROM contact c WHERE c.id = m.contact_id)
       END AS country,
       COUNT(*) AS queued,
       SUM(CASE WHEN m.sent_at IS NOT NULL OR m.status IN ('sent', 'delivered', 'read')
           THEN 1 ELSE 0 END) AS sent,
       SUM(CASE WHEN m.delivered_at IS NOT NULL OR m.status IN ('delivered', 'read')
           THEN 1 ELSE 0 END) AS delivered,
       SUM(CASE WHEN m.read_at IS NOT NULL OR m.status = 'read' THEN 1 ELSE 0 END) AS read,
       SUM(CASE WHEN k.message_id IS NOT NULL THEN 1 ELSE 0 END) AS clicked,
       SUM(CASE WHEN r.message_id IS NOT NULL THEN 1 ELSE 0 END) AS replied,
       SUM(CASE WHEN x.message_id IS NOT NULL THEN 1 ELSE 0 END) AS opted_out,
       SUM(CASE WHEN m.status = 'failed' THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN m.status IN ('suppressed', 'cancelled') THEN 1 ELSE 0 END) AS skipped,
       SUM(CASE WHEN m.billable = {true} THEN 1 ELSE 0 END) AS billable
FROM outbound_message m
LEFT JOIN clicked k ON k.message_id = m.id
LEFT JOIN replied r ON r.message_id = m.id
LEFT JOIN opted x ON x.message_id = m.id
WHERE m.store_id = :store AND m.created_at >= :start AND m.created_at < :end
GROUP BY 1, {keys}, m.pricing_category, 8
"""
)

REASONS_SQL = """
SELECT {day_m} AS day, {keys}, m.status,
       CASE WHEN m.status = 'failed'
            THEN COALESCE({code}, m.status_reason, 'unknown')
            ELSE COALESCE(m.status_reason, m.status) END AS reason,
       COUNT(*) AS n
FROM outbound_message m
WHERE m.store_id = :store AND m.created_at >= :start AND m.created_at < :end
  AND m.status IN ('failed', 'suppressed', 'cancelled')
GROUP BY 1, {keys}, m.status, 8
"""

ORDERS_SQL = """
SELECT {day_a} AS day, a.flow_key, a.flow_step, a.campaign_id, a.variant, a.template_name,
       a.currency, COUNT(*) AS orders, SUM(a.net_amount) AS revenue
FROM order_attribution a
WHERE a.store_id = :store AND a.ordered_at >= :start AND a.ordered_at < :end
  AND a.rule != 'none' AND a.cancelled = {false}
GROUP BY 1, 2, 3, 4, 5, 6, 7
"""


def as_date(value: Any) -> date:
    """A day as the database returns it (a date, a datetime or ISO text, by dialect)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _params(query: str, dialect: str) -> sa.TextClause:
    parts = _sql(dialect)
    replied = LAST_MESSAGE_BEFORE.format(
        a="i", at="received_at", table="inbound_message", recent=parts["recent_i"], extra=""
    )
    opted = LAST_MESSAGE_BEFORE.format(
        a="e",
        at="occurred_at",
        table="consent_event",
        recent=parts["recent_e"],
        extra="AND e.action = 'revoked'",
    )
    text = sa.text(query.format(keys=KEYS, replied=replied, opted=opted, **parts))
    return text.bindparams(
        *[
            sa.bindparam(name, type_=UTCDateTime())
            for name in ("start", "end", "reply_end")
            if ":" + name in query
        ]
    )


def aggregate(
    session: Session, *, store_id: int, start: datetime, end: datetime
) -> dict[tuple[date, SourceKey], Bucket]:
    """Figures per (UTC day, source) for messages created and orders placed in [start, end)."""
    dialect = session.get_bind().dialect.name
    settings = get_settings(session, store_id)
    table = rate_table_or_default(settings.rate_table)
    out: dict[tuple[date, SourceKey], Bucket] = {}

    def bucket(row: Any) -> Bucket:
        key = (as_date(row[0]), (row[1], row[2], row[3], row[4], row[5]))
        if key not in out:
            out[key] = Bucket()
        return out[key]

    without_jit(session)  # index lookups over a day or two
    bounds = {"store": store_id, "start": start, "end": end}
    reply_end = end + timedelta(hours=REPLY_WINDOW_HOURS)
    for row in session.execute(_params(MESSAGES_SQL, dialect), {**bounds, "reply_end": reply_end}):
        b = bucket(row)
        counts = row[8:18]
        for name, value in zip(COUNTS, counts, strict=True):
            setattr(b, name, getattr(b, name) + int(value or 0))
        billable = int(row[17] or 0)
        if billable:
            country = country_of(row[7]) or settings.default_region
            b.cost += billable * rate_for(
                table, country=country, category=row[6], on=as_date(row[0])
            )
    for row in session.execute(_params(REASONS_SQL, dialect), bounds):
        b = bucket(row)
        reasons = b.failed_reasons if row[6] == "failed" else b.skipped_reasons
        reasons[str(row[7])] += int(row[8])
    for row in session.execute(_params(ORDERS_SQL, dialect), bounds):
        b = bucket(row)
        b.orders += int(row[7])
        b.revenue[str(row[6])] += Decimal(str(row[8] or 0))  # type: ignore[assignment]  # typeshed: Counter values are int; Decimals add alike
    return out
