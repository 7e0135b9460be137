"""Meta's messaging limit as Meta counts it: the unique recipients of business-initiated
messages in a moving 24 h window, counted from what the outbox actually sent. The one owner
of that count (the send-time policy, the campaign estimate and the admin read it here).

What counts (developers.facebook.com/documentation/business-messaging/whatsapp/messaging-
limits, "Messaging limits"; 360dialog "Messaging Limits"; YCloud "Messaging limits and
throughput"): the number of unique WhatsApp users a business delivers messages to *outside a
customer service window* within a *moving* 24 h period, shared by the business portfolio's
numbers. So:
- a template sent while the customer's service window is open (they wrote in the last 24 h)
  does not count, and neither do free-form messages (they can only be sent inside it);
- a second message to someone already counted in the last 24 h does not count again;
- a recipient leaves the window 24 h after the last business-initiated message to them.
The policy decides this once, at send time, and marks the row (`business_initiated`); rows that
may have reached the person (MessageStatus.counted) are what the window counts.

Headroom: campaigns and cart recovery may use at most `tier - reserve` of the window, where the
reserve (store setting `tier_reserve_percent`, default 10 %, at least RESERVE_MIN recipients,
at most half the tier) is kept for order updates; transactional messages may use the whole
tier. An unlimited tier has no window to check.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.delivery.policy.counters import counter_row
from plugin.rows import OneOf
from plugin.stores.service import get_settings as get_store_settings

WINDOW = timedelta(hours=24)
RESERVE_MIN = 50
LOCK = "recipients_window"  # delivery_counter row the window's admissions queue on
RETRY_WHEN_UNKNOWN = timedelta(hours=1)  # nothing in the window will free a slot (tier 0)
MAX_TIMES = 1000  # expiry instants read per batch; later deferrals share the last one
_T = OutboundMessage.__table__  # type: ignore[attr-defined]


def counts(
    *, template_name: str | None, kind: str, last_inbound_at: datetime | None, now: datetime
) -> bool:
    """Whether Meta counts this send against the limit: a template outside the customer's
    service window (a service reply and any free text are inside it by definition)."""
    if not template_name or kind == MessageKind.SERVICE_REPLY:
        return False
    return last_inbound_at is None or now - last_inbound_at >= WINDOW


def reserve_for(tier: int, percent: int) -> int:
    """Recipients of the tier kept for order updates: `percent` of it, at least RESERVE_MIN,
    never more than half of it; 0 when the store turns the reserve off."""
    if percent <= 0:
        return 0
    return min(tier // 2, max(RESERVE_MIN, math.ceil(tier * percent / 100)))


def marketing_share(tier: int | None, reserve_percent: int) -> int | None:
    """Recipients per 24 h campaigns and cart recovery may reach (None: unlimited)."""
    return None if tier is None else tier - reserve_for(tier, reserve_percent)


@dataclass(frozen=True, slots=True)
class WindowUse:
    """A store's window now: the tier (None: unlimited), recipients counted, the reserve, and
    when the earliest counted recipient leaves the window."""

    tier: int | None
    used: int
    reserve: int
    next_free_at: datetime | None

    @property
    def marketing_limit(self) -> int | None:
        return None if self.tier is None else self.tier - self.reserve

    @property
    def available(self) -> int | None:
        return None if self.tier is None else max(0, self.tier - self.used)

    @property
    def marketing_available(self) -> int | None:
        limit = self.marketing_limit
        return None if limit is None else max(0, limit - self.used)


def _counted(store_id: int, since: datetime) -> sa.ColumnElement[bool]:
    """Rows in the window: business-initiated, possibly delivered, sent since `since` (a row
    still in flight or of unknown outcome by its last update). Reads ix_outbound_store_sent."""
    return sa.and_(
        _T.c.store_id == store_id,
        _T.c.business_initiated == sa.true(),
        _T.c.status.in_(MessageStatus.sql(MessageStatus.counted())),
        sa.or_(
            _T.c.sent_at >= since,
            sa.and_(_T.c.sent_at.is_(None), _T.c.updated_at >= since),
        ),
    )


def _last_per_recipient(store_id: int, now: datetime) -> tuple[sa.Subquery, Any]:
    """Each counted recipient's last moment, and the store criterion the outer query repeats
    (the admin's store guard reads the outermost WHERE)."""
    moment = sa.func.coalesce(_T.c.sent_at, _T.c.updated_at)
    last = (
        sa.select(_T.c.store_id, _T.c.contact_id, sa.func.max(moment).label("last"))
        .where(_counted(store_id, now - WINDOW))
        .group_by(_T.c.store_id, _T.c.contact_id)
        .subquery()
    )
    return last, last.c.store_id == store_id


def window_use(
    session: Session, *, store_id: int, now: datetime, tier: int | None, reserve_percent: int
) -> WindowUse:
    """The store's window now (one query over the window's rows)."""
    reserve = 0 if tier is None else reserve_for(tier, reserve_percent)
    last, own = _last_per_recipient(store_id, now)
    used, oldest = session.execute(
        sa.select(sa.func.count(), sa.func.min(last.c.last)).where(own)
    ).one()
    return WindowUse(
        tier=tier,
        used=int(used or 0),
        reserve=reserve,
        next_free_at=oldest + WINDOW if oldest is not None else None,
    )


def _expiries(session: Session, *, store_id: int, now: datetime, n: int) -> list[datetime]:
    """When the next `n` counted recipients leave the window, earliest first."""
    if n <= 0:
        return []
    last, own = _last_per_recipient(store_id, now)
    rows = session.execute(
        sa.select(last.c.last).where(own).order_by(last.c.last).limit(n)
    ).scalars()
    return [moment + WINDOW for moment in rows]


def _known(session: Session, *, store_id: int, contact_ids: set[int], now: datetime) -> set[int]:
    """Those of `contact_ids` already counted in the window: another message is free."""
    if not contact_ids:
        return set()
    stmt = (
        sa.select(_T.c.contact_id)
        .distinct()
        .where(OneOf(_T.c.contact_id, "window_contacts"), _counted(store_id, now - WINDOW))
    )
    params = {"window_contacts": sorted(contact_ids)}
    return {int(cid) for cid in session.execute(stmt, params).scalars()}


@dataclass
class Admission:
    """Who may be messaged now, and when each refused recipient may go (their slot frees)."""

    admitted: set[int] = field(default_factory=set)
    due: dict[int, datetime] = field(default_factory=dict)
    window_full: set[int] = field(default_factory=set)  # refused by the tier itself


def admit(
    session: Session,
    *,
    store_id: int,
    now: datetime,
    tier: int,
    reserve_percent: int,
    wants: Sequence[tuple[int, bool]],
) -> Admission:
    """Admit (contact_id, marketing) sends into the window: recipients already counted go; new
    ones while the window has room — transactional first, up to the whole tier, marketing up to
    `tier - reserve`. Workers queue on the store's lock row, so the tier is never overshot
    (a batch's rows are visible to the next as `sending` once its transaction commits)."""
    counter_row(session, store_id=store_id, name=LOCK, period="-")
    use = window_use(
        session, store_id=store_id, now=now, tier=tier, reserve_percent=reserve_percent
    )
    contacts = {cid for cid, _ in wants}
    result = Admission(admitted=_known(session, store_id=store_id, contact_ids=contacts, now=now))
    marketing_only = contacts - {cid for cid, marketing in wants if not marketing}
    used = use.used
    waiting: list[tuple[int, int]] = []  # (contact, how many slots must free first)
    ordered = sorted(contacts - result.admitted, key=lambda c: (c in marketing_only, c))
    for cid in ordered:
        limit = (use.marketing_limit or 0) if cid in marketing_only else tier
        if used < limit:
            result.admitted.add(cid)
            used += 1
        else:
            waiting.append((cid, used - limit + len(waiting)))
            if used >= tier:
                result.window_full.add(cid)
    if waiting:
        need = min(MAX_TIMES, max(position for _, position in waiting) + 1)
        times = _expiries(session, store_id=store_id, now=now, n=need)
        times += [now + WINDOW] * (used - use.used)  # admitted by this batch: in 24 h
        for cid, position in waiting:
            at = times[min(position, len(times) - 1)] if times else now + RETRY_WHEN_UNKNOWN
            result.due[cid] = max(at, now + timedelta(seconds=1))
    return result


def store_window(session: Session, *, store_id: int, now: datetime) -> WindowUse:
    """The store's window under its current tier and reserve (for the admin and campaigns)."""
    settings = get_store_settings(session, store_id)
    return window_use(
        session,
        store_id=store_id,
        now=now,
        tier=settings.daily_recipient_tier,
        reserve_percent=settings.tier_reserve_percent,
    )
