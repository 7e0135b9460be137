"""Counters reserved atomically at send time in `delivery_counter`; a counter's row lock also
queues the messaging window's admissions (plugin/delivery/window.py). The plan's monthly
marketing quota is the stores domain's counter (plugin.stores.usage), reserved in checks.py
and given back through plugin.delivery.quota."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.db import locked_row
from plugin.delivery.models import DeliveryCounter

_COUNTER = DeliveryCounter.__table__  # type: ignore[attr-defined]


def counter_row(session: Session, *, store_id: int, name: str, period: str) -> Any:
    """The counter's row, created when missing and locked until the transaction ends."""
    return locked_row(
        session,
        _COUNTER,
        key={"store_id": store_id, "name": name, "period": period},
        defaults={"value": 0, "warned_at_percent": 0},
    )


def reserve(
    session: Session, *, store_id: int, name: str, period: str, want: int, limit: int
) -> int:
    """Take up to `want` units of a counter capped at `limit`; returns how many were granted.
    The row lock makes concurrent workers queue here, so the cap is never overshot."""
    if want <= 0:
        return 0
    row = counter_row(session, store_id=store_id, name=name, period=period)
    granted = max(0, min(want, limit - int(row.value)))
    if granted:
        _add(session, store_id=store_id, name=name, period=period, amount=granted)
    return granted


def release(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    """Give back units reserved for messages that were not sent after all."""
    _add(session, store_id=store_id, name=name, period=period, amount=-amount)


def _add(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    session.execute(
        sa.update(_COUNTER)
        .where(_COUNTER.c.store_id == store_id, _COUNTER.c.name == name)
        .where(_COUNTER.c.period == period)
        .values(value=_COUNTER.c.value + amount)
    )


def counter_value(session: Session, *, store_id: int, name: str, period: str) -> int:
    value = session.execute(
        sa.select(_COUNTER.c.value).where(
            _COUNTER.c.store_id == store_id, _COUNTER.c.name == name, _COUNTER.c.period == period
        )
    ).scalar()
    return int(value or 0)
