"""Counters reserved atomically at send time: the plan's monthly marketing quota (with its
80 % / 100 % warnings) and Meta's daily unique-recipient tier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin.delivery.models import DeliveryCounter, DeliveryRecipientDay
from plugin.delivery.policy.codes import QUOTA_COUNTER, TIER_COUNTER
from plugin.delivery.policy.quiet import zone
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings as get_store_settings

log = structlog.get_logger(__name__)


def quota_period(now: datetime, store_tz: str) -> str:
    """The plan month in the store's time zone, e.g. "2026-05"."""
    local = now.astimezone(zone(None, store_tz))
    return f"{local.year:04d}-{local.month:02d}"


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _counter_row(session: Session, *, store_id: int, name: str, period: str) -> Any:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    session.execute(
        _insert(session)(table)
        .values(store_id=store_id, name=name, period=period, value=0, warned_at_percent=0)
        .on_conflict_do_nothing()
    )
    query = sa.select(table.c.value, table.c.warned_at_percent).where(
        table.c.store_id == store_id, table.c.name == name, table.c.period == period
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.execute(query).one()


def reserve(
    session: Session, *, store_id: int, name: str, period: str, want: int, limit: int
) -> int:
    """Take up to `want` units of a counter capped at `limit`; returns how many were granted.
    The row lock makes concurrent workers queue here, so the cap is never overshot."""
    if want <= 0:
        return 0
    value, _ = _counter_row(session, store_id=store_id, name=name, period=period)
    granted = max(0, min(want, limit - int(value)))
    if granted:
        _add(session, store_id=store_id, name=name, period=period, amount=granted)
    return granted


def release(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    """Give back units reserved for messages that were not sent after all."""
    _add(session, store_id=store_id, name=name, period=period, amount=-amount)


def _add(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.update(table)
        .where(table.c.store_id == store_id, table.c.name == name, table.c.period == period)
        .values(value=table.c.value + amount)
    )


def counter_value(session: Session, *, store_id: int, name: str, period: str) -> int:
    table = DeliveryCounter.__table__  # type: ignore[attr-defined]
    value = session.execute(
        sa.select(table.c.value).where(
            table.c.store_id == store_id, table.c.name == name, table.c.period == period
        )
    ).scalar()
    return int(value or 0)


def warn_quota(
    session: Session, *, store_id: int, now: datetime, settings: StoreSettings, limit: int
) -> None:
    """Raise the 80 % and 100 % warnings once per month (a log alert the admin also reads)."""
    period = quota_period(now, settings.timezone)
    value, warned = _counter_row(session, store_id=store_id, name=QUOTA_COUNTER, period=period)
    if limit <= 0:
        return
    percent = int(value) * 100 // limit
    for threshold in (100, 80):
        if percent >= threshold and int(warned) < threshold:
            table = DeliveryCounter.__table__  # type: ignore[attr-defined]
            session.execute(
                sa.update(table)
                .where(
                    table.c.store_id == store_id,
                    table.c.name == QUOTA_COUNTER,
                    table.c.period == period,
                )
                .values(warned_at_percent=threshold)
            )
            log.warning(
                "marketing_quota_warning",
                store_id=store_id,
                percent=threshold,
                used=int(value),
                quota=limit,
                alert=True,
            )
            break


def tier_day(now: datetime) -> str:
    return now.astimezone(UTC).date().isoformat()


def reserve_recipients_today(
    session: Session, *, store_id: int, contact_ids: list[int], now: datetime, tier: int
) -> set[int]:
    """The contacts that may receive a business-initiated message today under the tier:
    those already messaged today, plus new ones while the tier lasts (recorded here)."""
    day = tier_day(now)
    table = DeliveryRecipientDay.__table__  # type: ignore[attr-defined]
    unique = list(dict.fromkeys(contact_ids))
    known = {
        int(cid)
        for (cid,) in session.execute(
            sa.select(table.c.contact_id).where(
                table.c.store_id == store_id, table.c.day == day, table.c.contact_id.in_(unique)
            )
        ).all()
    }
    new = [cid for cid in unique if cid not in known]
    granted = reserve(
        session, store_id=store_id, name=TIER_COUNTER, period=day, want=len(new), limit=tier
    )
    admitted = new[:granted]
    if admitted:
        session.execute(
            _insert(session)(table)
            .values([{"store_id": store_id, "day": day, "contact_id": cid} for cid in admitted])
            .on_conflict_do_nothing()
        )
    return known | set(admitted)


def tier_remaining(session: Session, *, store_id: int, now: datetime) -> int | None:
    """How many new recipients the store may still reach today (None: unlimited). Campaigns
    check this before they start."""
    tier = get_store_settings(session, store_id).daily_recipient_tier
    if tier is None:
        return None
    used = counter_value(session, store_id=store_id, name=TIER_COUNTER, period=tier_day(now))
    return max(0, tier - used)
