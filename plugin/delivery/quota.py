"""The plan's quota as the send path sees it: units given back, held marketing released.

The counter is the stores domain's (plugin.stores.usage): the send-time policy reserves a unit
for each marketing send and the row keeps the plan month it came from (`quota_period`) until
the unit is given back. A unit is given back when its message did not go out after all (the
API refused it, or it waits for a retry and will reserve again) or when Meta reports it failed
or not billable (`pricing.billable` false: a free entry point, a free customer-service
message). A lost outcome (`unknown`) keeps its unit: Meta may have billed it. Source: Meta's
"Pricing on the WhatsApp Business Platform" (per-message pricing: a message is charged when
delivered, by category; templates in a 72-hour free entry point window after a click-to-
WhatsApp ad and utility messages in an open service window are free) and its "Status messages
webhook reference" (`pricing.billable`, `pricing.type`; read once in plugin/whatsapp/pricing.py).

Marketing refused for the quota is held (`quota_exceeded`, due at the next plan month's first
instant); the tick releases it sooner, as many rows as there are free units, once the plan is
upgraded or units are given back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.delivery.models import QUOTA_HELD, MessageStatus
from plugin.delivery.outbox import T
from plugin.stores import usage


def mark_units(session: Session, *, ids: Sequence[int], period: str) -> None:
    """These rows' sends took a unit of the plan month `period` (written with the decision)."""
    if ids:
        session.execute(sa.update(T).where(T.c.id.in_(list(ids))).values(quota_period=period))


def _take_units(session: Session, *, ids: Sequence[int]) -> list[tuple[int, str]]:
    """Clear the unit marks of these rows: (store id, plan month) for each row that held one.
    The clearing update matches the month it read, so a unit is given back once however
    often a status webhook repeats or two workers race (RETURNING sees only new values)."""
    marks: dict[str, list[int]] = {}
    for row_id, period in session.execute(
        sa.select(T.c.id, T.c.quota_period).where(
            T.c.id.in_(sorted(set(ids))), T.c.quota_period.is_not(None)
        )
    ).all():
        marks.setdefault(str(period), []).append(int(row_id))
    taken: list[tuple[int, str]] = []
    for period, row_ids in marks.items():
        cleared = session.execute(
            sa.update(T)
            .where(T.c.id.in_(row_ids), T.c.quota_period == period)
            .values(quota_period=None)
            .returning(T.c.store_id)
        ).all()
        taken += [(int(store_id), period) for (store_id,) in cleared]
    return taken


def give_back(session: Session, *, message_ids: Sequence[int]) -> int:
    """Return the quota units these rows hold (none twice); returns how many."""
    taken = _take_units(session, ids=message_ids)
    for (store_id, period), amount in Counter(taken).items():
        usage.give_back(session=session, store_id=store_id, period=period, amount=amount)
    return len(taken)


def held_messages(session: Session, *, store_id: int) -> int:
    """Marketing messages of the store waiting for the quota (shown with the usage)."""
    count = session.execute(
        sa.select(sa.func.count())
        .select_from(T)
        .where(T.c.store_id == store_id, *quota_held(clock.now()))
    ).scalar_one()
    return int(count)


def release_holds(session: Session) -> int:
    """Tick: for each store with held marketing and free units this month (an upgrade, a unit
    given back), that many held rows become due now; dispatch then queues them."""
    now = clock.now()
    stores = session.execute(
        sa.select(T.c.store_id).where(*quota_held(now)).group_by(T.c.store_id)
    ).all()
    released = 0
    for (store_id,) in stores:
        free = usage.usage(session=session, store_id=int(store_id), now=now).remaining
        released += release_quota_held(session, store_id=int(store_id), limit=free, now=now)
    return released


def quota_held(now: datetime) -> list[Any]:
    """Rows held for the plan's quota and not yet due (the partial index's own condition)."""
    return [
        sa.text(QUOTA_HELD),
        T.c.status == MessageStatus.SCHEDULED.value,
        T.c.due_at > now,
    ]


def release_quota_held(session: Session, *, store_id: int, limit: int, now: datetime) -> int:
    """Marketing held for the plan's quota becomes due now, at most `limit` rows (the units
    free again after an upgrade or a give-back); the policy reserves for them at send time."""
    if limit <= 0:
        return 0
    held = (
        sa.select(T.c.id)
        .where(T.c.store_id == store_id, *quota_held(now))
        .order_by(T.c.due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        held = held.with_for_update(skip_locked=True)
    ids = [int(i) for (i,) in session.execute(held).all()]
    if ids:
        session.execute(sa.update(T).where(T.c.id.in_(ids)).values(due_at=now, updated_at=now))
    return len(ids)
