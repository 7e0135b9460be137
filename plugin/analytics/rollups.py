"""Daily rollups: one aggregate over the outbox, clicks, replies, opt-outs and orders, used both
to build `analytics_daily` (a TICK task) and to read the days not built yet (today) raw.

Messages count on the UTC day they entered the outbox; a message is "clicked" when a counted
click on one of its links exists, "replied" / "opted out" when it was the contact's last message
sent at most 24 h before an inbound message / a consent revocation. Orders count on the UTC day
they were placed, under the source of the message they are credited to.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.cost import rate_for, rate_table_or_default
from plugin.analytics.models import DailyRollup, DirtyDay, LinkClick, RollupState, TrackedLink
from plugin.db import UTCDateTime
from plugin.pricing.country import country_of, pricing_key_sql
from plugin.saleor.models import Store, StoreStatus
from plugin.stores.service import get_settings

log = structlog.get_logger(__name__)

REPLY_WINDOW_HOURS = 24
SETTLE_DAYS = 3  # late statuses: the last built days are rebuilt once an hour
SETTLE_EVERY = timedelta(hours=1)
TODAY_EVERY = timedelta(minutes=5)  # today's rows so far are rolled up this often
MAX_DAYS_PER_TICK = 31
PURGE_EVERY_SECONDS = 600.0
PURGE_BATCH = 5000

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
    return datetime.combine(day, dtime.min, tzinfo=UTC)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def mark_dirty(session: Session, *, store_id: int, day: date) -> None:
    """Ask the next tick to rebuild `day` (a late click, an order, a refund); concurrent
    callers are fine (insert or nothing)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(DirtyDay).values(store_id=store_id, day=day).on_conflict_do_nothing()  # type: ignore[attr-defined]
    )


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


def _as_date(value: Any) -> date:
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
        key = (_as_date(row[0]), (row[1], row[2], row[3], row[4], row[5]))
        if key not in out:
            out[key] = Bucket()
        return out[key]

    if dialect == "postgresql":
        # Index lookups over a day or two: JIT compilation would cost more than the query.
        session.execute(sa.text("SET LOCAL jit = off"))
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
                table, country=country, category=row[6], on=_as_date(row[0])
            )
    for row in session.execute(_params(REASONS_SQL, dialect), bounds):
        b = bucket(row)
        reasons = b.failed_reasons if row[6] == "failed" else b.skipped_reasons
        reasons[str(row[7])] += int(row[8])
    for row in session.execute(_params(ORDERS_SQL, dialect), bounds):
        b = bucket(row)
        b.orders += int(row[7])
        b.revenue[str(row[6])] += Decimal(str(row[8] or 0))
    return out


def rebuild_days(
    session: Session, *, store_id: int, first: date, last: date, until: datetime | None = None
) -> int:
    """Replace the rollup rows of [first, last] with fresh aggregates (of what happened before
    `until` when given: today so far); returns rows written."""
    figures = aggregate(
        session,
        store_id=store_id,
        start=day_start(first),
        end=until or day_start(last + timedelta(days=1)),
    )
    session.execute(
        sa.delete(DailyRollup).where(
            DailyRollup.store_id == store_id,  # type: ignore[arg-type]
            DailyRollup.day >= first,  # type: ignore[arg-type]
            DailyRollup.day <= last,  # type: ignore[arg-type]
        )
    )
    now = clock.now()
    rows = []
    for (day, key), b in figures.items():
        rows.append(
            {
                "store_id": store_id,
                "day": day,
                "flow_key": key[0],
                "flow_step": key[1],
                "campaign_id": key[2],
                "variant": key[3],
                "template_name": key[4],
                **{name: getattr(b, name) for name in COUNTS},
                "cost": b.cost,
                "orders": b.orders,
                "revenue": {k: str(v) for k, v in b.revenue.items()},
                "failed_reasons": dict(b.failed_reasons),
                "skipped_reasons": dict(b.skipped_reasons),
                "built_at": now,
            }
        )
    if rows:
        session.execute(sa.insert(DailyRollup), rows)
    return len(rows)


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and out[-1][1] + timedelta(days=1) == day:
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _first_activity(session: Session, store_id: int) -> date | None:
    first = session.execute(
        sa.text("SELECT MIN(created_at) FROM outbound_message WHERE store_id = :s"),
        {"s": store_id},
    ).scalar()
    if first is None:
        return None
    if isinstance(first, str):
        first = datetime.fromisoformat(first)
    return _as_date(first)


def build_store(session: Session, *, store_id: int) -> list[date]:
    """One store's share of a tick: the days not built yet (oldest first, at most a month per
    tick), the dirty days, and once an hour the last few days again. Returns the days built."""
    state = session.get(RollupState, store_id)
    if state is None:
        state = RollupState(store_id=store_id)
        session.add(state)
    now = clock.now()
    yesterday = utc_day(now) - timedelta(days=1)
    days: list[date] = []
    if state.built_through is None:
        first = _first_activity(session, store_id)
        if first is None:
            state.built_through = yesterday
        else:
            state.built_through = first - timedelta(days=1)
    built = state.built_through
    missing_end = min(yesterday, built + timedelta(days=MAX_DAYS_PER_TICK))
    day = built + timedelta(days=1)
    while day <= missing_end:
        days.append(day)
        day += timedelta(days=1)
    dirty = [
        d
        for (d,) in session.execute(
            sa.select(DirtyDay.day).where(DirtyDay.store_id == store_id)  # type: ignore[arg-type]
        )
    ]
    days += [_as_date(d) for d in dirty if _as_date(d) <= built]
    settle = state.settled_at is None or now - state.settled_at >= SETTLE_EVERY
    if settle:
        days += [built - timedelta(days=n) for n in range(SETTLE_DAYS)]
        state.settled_at = now
    for first_day, last_day in _ranges(days):
        rebuild_days(session, store_id=store_id, first=first_day, last=last_day)
    if dirty:
        session.execute(
            sa.delete(DirtyDay).where(
                DirtyDay.store_id == store_id,  # type: ignore[arg-type]
                DirtyDay.day.in_(dirty),  # type: ignore[attr-defined]
            )
        )
    state.built_through = max(built, missing_end)
    today = utc_day(now)
    clicked_today = any(_as_date(d) > built for d in dirty)  # a click on one of today's messages
    if state.built_through == yesterday and (
        clicked_today
        or state.partial_until is None
        or utc_day(state.partial_until) != today
        or now - state.partial_until >= TODAY_EVERY
    ):
        rebuild_days(session, store_id=store_id, first=today, last=today, until=now)
        state.partial_until = now
        days.append(today)
    session.flush()
    return sorted(set(days))


def coverage(state: RollupState | None) -> tuple[date | None, datetime | None]:
    """(last day whose rollup rows may be read, moment from which rows must be read raw)."""
    if state is None or state.built_through is None:
        return None, None
    next_day = state.built_through + timedelta(days=1)
    if state.partial_until is not None and utc_day(state.partial_until) == next_day:
        return next_day, state.partial_until
    return state.built_through, day_start(next_day)


def build_rollups(*, session: Session) -> None:
    """TICK task: bring every active store's rollups up to yesterday (idempotent)."""
    store_ids = session.exec(select(Store.id).where(Store.status == StoreStatus.ACTIVE)).all()
    for store_id in store_ids:
        assert store_id is not None
        build_store(session, store_id=store_id)


_last_purge = 0.0


def purge_expired(*, session: Session, force: bool = False) -> int:
    """TICK task (every 10 minutes): delete clicks and links older than the store's message
    retention; rollups and attributed orders (no message content) stay. Returns rows deleted."""
    global _last_purge
    if not force and time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return 0
    _last_purge = time.monotonic()
    deleted = 0
    store_ids = session.exec(select(Store.id)).all()
    for store_id in store_ids:
        assert store_id is not None
        cutoff = clock.now() - timedelta(
            days=get_settings(session, store_id).message_retention_days
        )
        old_links = sa.select(TrackedLink.id).where(
            TrackedLink.store_id == store_id,  # type: ignore[arg-type]
            TrackedLink.created_at < cutoff,  # type: ignore[arg-type]
        )
        old_clicks = (
            sa.select(LinkClick.id)
            .where(
                LinkClick.store_id == store_id,  # type: ignore[arg-type]
                sa.or_(LinkClick.clicked_at < cutoff, LinkClick.link_id.in_(old_links)),  # type: ignore[arg-type,attr-defined]
            )
            .limit(PURGE_BATCH)
        )
        ids = [i for (i,) in session.execute(old_clicks)]
        if ids:
            deleted += session.execute(sa.delete(LinkClick).where(LinkClick.id.in_(ids))).rowcount  # type: ignore[union-attr]
        link_ids = [i for (i,) in session.execute(old_links.limit(PURGE_BATCH))]
        if link_ids and len(ids) < PURGE_BATCH:
            deleted += session.execute(
                sa.delete(TrackedLink).where(TrackedLink.id.in_(link_ids))  # type: ignore[union-attr]
            ).rowcount
    return deleted
