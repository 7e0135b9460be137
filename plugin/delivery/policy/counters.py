"""Counters reserved atomically at send time: the plan's monthly marketing quota (with its
80 % / 100 % warnings); their row lock also queues the messaging window's admissions
(plugin/delivery/window.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin.delivery.models import DeliveryCounter
from plugin.delivery.policy.codes import QUOTA_COUNTER
from plugin.delivery.policy.quiet import zone
from plugin.stores.models import StoreSettings

log = structlog.get_logger(__name__)


def quota_period(now: datetime, store_tz: str) -> str:
    """The plan month in the store's time zone, e.g. "2026-05"."""
    local = now.astimezone(zone(None, store_tz))
    return f"{local.year:04d}-{local.month:02d}"


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def counter_row(session: Session, *, store_id: int, name: str, period: str) -> Any:
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
    value, _ = counter_row(session, store_id=store_id, name=name, period=period)
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
    value, warned = counter_row(session, store_id=store_id, name=QUOTA_COUNTER, period=period)
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
