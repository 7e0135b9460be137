"""Building `analytics_daily` from the aggregate in `plugin.analytics.aggregate`: days marked
dirty, settling days rebuilt hourly, today's rows every few minutes (a TICK task), and the purge
of rows past retention."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from plugin import clock, db_compose
from plugin.analytics.aggregate import COUNTS, aggregate, as_date, day_start, utc_day
from plugin.analytics.models import DailyRollup, DirtyDay, LinkClick, RollupState, TrackedLink
from plugin.db import at_batch_end, batch_memo
from plugin.saleor.models import Store, StoreStatus
from plugin.stores.service import get_settings

log = structlog.get_logger(__name__)
SETTLE_DAYS = 3  # late statuses: the last built days are rebuilt once an hour
SETTLE_EVERY = timedelta(hours=1)
TODAY_SHARE = 0.05  # of the time, at most, rebuilding today's rows for its marks
DIRTY_EVERY = timedelta(
    minutes=1
)  # a store's dirty days (today too) are rebuilt at most this often
TODAY_EVERY = timedelta(minutes=5)  # today's rows so far are rolled up this often
MAX_DAYS_PER_TICK = 31
PURGE_EVERY_SECONDS = 600.0
PURGE_BATCH = 5000


_DIRTY = "analytics.dirty_days"


def _insert_dirty(session: Session) -> Any:
    """An INSERT into the dirty days that does nothing on a day already marked (concurrent
    callers are fine)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(DirtyDay)


def mark_dirty(session: Session, *, store_id: int, day: date) -> None:
    """Ask the next tick to rebuild `day` (a late click, an order, a refund). In a batch of
    events the days are written together when it ends (only the tick reads them)."""
    memo = batch_memo(session)
    if memo is not None:
        if _DIRTY not in memo:
            memo[_DIRTY] = set()
            at_batch_end(session, _DIRTY, lambda: _write_dirty(session, memo.pop(_DIRTY)))
        memo[_DIRTY].add((store_id, day))
        return
    _write_dirty(session, {(store_id, day)})


def _write_dirty(session: Session, days: set[tuple[int, date]]) -> None:
    if not days:
        return
    rows = [{"store_id": store_id, "day": day} for store_id, day in sorted(days)]
    if db_compose.insert_rows(session, DirtyDay.__table__, rows, conflict=()):  # type: ignore[attr-defined]
        return
    session.execute(_insert_dirty(session).values(rows).on_conflict_do_nothing())


def mark_built_dirty(session: Session, *, days: Iterable[tuple[int, date]]) -> None:
    """Ask the next tick to rebuild those of `days` (store id, UTC day) that are built already
    (a late status on an earlier day's message), in one statement; a day not built yet is left
    to the build that will cover it."""
    wanted = sorted(set(days))
    if not wanted:
        return
    given = sa.union_all(
        *(
            sa.select(
                sa.literal(store_id, sa.Integer).label("store_id"),
                sa.literal(day, sa.Date).label("day"),
            )
            for store_id, day in wanted
        )
    ).subquery("given")
    state: Any = RollupState
    built = sa.select(given.c.store_id, given.c.day).where(  # a WHERE: SQLite's upsert needs it
        state.store_id == given.c.store_id, state.built_through >= given.c.day
    )
    session.execute(
        _insert_dirty(session).from_select(["store_id", "day"], built).on_conflict_do_nothing()
    )


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
            col(DailyRollup.store_id) == store_id,
            col(DailyRollup.day) >= first,
            col(DailyRollup.day) <= last,
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
    return as_date(first)


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
            sa.select(col(DirtyDay.day)).where(col(DirtyDay.store_id) == store_id)
        )
    ]
    # today's marks (a click on one of today's messages, a late order) refresh today's rows
    fresh = [d for d in dirty if as_date(d) > built]
    dirty = [d for d in dirty if as_date(d) <= built]
    past = [as_date(d) for d in dirty]
    if past and state.dirty_rebuilt_at is not None and now - state.dirty_rebuilt_at < DIRTY_EVERY:
        # read receipts stream in on yesterday's campaign all morning: each marks its day, and
        # a whole day rebuilt on every tick cost a core; its marks wait for the next minute
        dirty = []
        past = []
    if past:
        state.dirty_rebuilt_at = now
    days += past
    settle = state.settled_at is None or now - state.settled_at >= SETTLE_EVERY
    if settle:
        days += [built - timedelta(days=n) for n in range(SETTLE_DAYS)]
        state.settled_at = now
    for first_day, last_day in _ranges(days):
        rebuild_days(session, store_id=store_id, first=first_day, last=last_day)
    _forget_marks(session, store_id, dirty)
    state.built_through = max(built, missing_end)
    today = utc_day(now)
    refresh = bool(fresh) and _today_may_refresh(store_id, state.partial_until, now)
    if state.built_through == yesterday and (
        refresh
        or state.partial_until is None
        or utc_day(state.partial_until) != today
        or now - state.partial_until >= TODAY_EVERY
    ):
        started = time.monotonic()
        rebuild_days(session, store_id=store_id, first=today, last=today, until=now)
        _today_cost[store_id] = time.monotonic() - started
        state.partial_until = now
        days.append(today)
        _forget_marks(session, store_id, fresh)
    session.flush()
    return sorted(set(days))


# What rebuilding a store's today cost last time in this process (seconds), for the wait below.
_today_cost: dict[int, float] = {}


def _today_may_refresh(store_id: int, last: datetime | None, now: datetime) -> bool:
    """Whether today's marks (a click on one of today's messages, a late order) may rebuild
    today's rows on this tick. A small store's rebuild takes milliseconds, so a tapped link
    counts at the next tick; a busy day's takes longer (400 ms over 100,000 messages), and
    every batch of orders marks today, so rebuilding on each tick took a fifth of PostgreSQL's
    time in the soak. So the rebuilds for marks take at most TODAY_SHARE of the time, and a
    mark never waits longer than DIRTY_EVERY."""
    if last is None:
        return True
    wait = min(DIRTY_EVERY.total_seconds(), _today_cost.get(store_id, 0.0) / TODAY_SHARE)
    return (now - last).total_seconds() >= wait


def _forget_marks(session: Session, store_id: int, days: list[Any]) -> None:
    """Delete the dirty marks of `days` once they were rebuilt."""
    if days:
        session.execute(
            sa.delete(DirtyDay).where(
                col(DirtyDay.store_id) == store_id, col(DirtyDay.day).in_(days)
            )
        )


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
        old_links = sa.select(col(TrackedLink.id)).where(
            col(TrackedLink.store_id) == store_id,
            col(TrackedLink.created_at) < cutoff,
        )
        old_clicks = (
            sa.select(col(LinkClick.id))
            .where(
                col(LinkClick.store_id) == store_id,
                sa.or_(col(LinkClick.clicked_at) < cutoff, col(LinkClick.link_id).in_(old_links)),
            )
            .limit(PURGE_BATCH)
        )
        ids = [i for (i,) in session.execute(old_clicks)]
        if ids:
            gone = session.execute(sa.delete(LinkClick).where(col(LinkClick.id).in_(ids)))
            deleted += cast(CursorResult[Any], gone).rowcount
        link_ids = [i for (i,) in session.execute(old_links.limit(PURGE_BATCH))]
        if link_ids and len(ids) < PURGE_BATCH:
            gone = session.execute(sa.delete(TrackedLink).where(col(TrackedLink.id).in_(link_ids)))
            deleted += cast(CursorResult[Any], gone).rowcount
    return deleted
