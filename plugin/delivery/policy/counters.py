"""Meta's daily unique-recipient tier, reserved atomically at send time in `delivery_counter`
(the plan's monthly quota is the stores domain's counter: plugin.stores.usage)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from plugin.db import insert_ignoring_conflicts, locked_row
from plugin.delivery.models import DeliveryCounter, DeliveryRecipientDay
from plugin.delivery.policy.codes import TIER_COUNTER
from plugin.stores.service import get_settings as get_store_settings

_COUNTER = DeliveryCounter.__table__  # type: ignore[attr-defined]


def reserve(
    session: Session, *, store_id: int, name: str, period: str, want: int, limit: int
) -> int:
    """Take up to `want` units of a counter capped at `limit`; returns how many were granted.
    The row lock makes concurrent workers queue here, so the cap is never overshot."""
    if want <= 0:
        return 0
    row = locked_row(
        session,
        _COUNTER,
        key={"store_id": store_id, "name": name, "period": period},
        defaults={"value": 0, "warned_at_percent": 0},
    )
    granted = max(0, min(want, limit - int(row.value)))
    if granted:
        _add(session, store_id=store_id, name=name, period=period, amount=granted)
    return granted


def release(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    """Give back units reserved for messages that were not sent after all."""
    _add(session, store_id=store_id, name=name, period=period, amount=-amount)


def _add(session: Session, *, store_id: int, name: str, period: str, amount: int) -> None:
    table = _COUNTER
    session.execute(
        sa.update(table)
        .where(table.c.store_id == store_id, table.c.name == name, table.c.period == period)
        .values(value=table.c.value + amount)
    )


def counter_value(session: Session, *, store_id: int, name: str, period: str) -> int:
    table = _COUNTER
    value = session.execute(
        sa.select(table.c.value).where(
            table.c.store_id == store_id, table.c.name == name, table.c.period == period
        )
    ).scalar()
    return int(value or 0)


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
            insert_ignoring_conflicts(session, table)
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
