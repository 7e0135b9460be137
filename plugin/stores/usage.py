"""The plan's monthly marketing quota: one counter per store and month, owned here.

The send-time policy (plugin.delivery) reserves units from it, atomically across workers, for
the marketing messages it lets go, and gives a unit back when the message was not sent after
all or Meta does not bill it; the admin shows the same counter, so the usage a merchant reads
is the usage that is enforced. Months are calendar months in the store's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin import clock
from plugin.db import locked_row
from plugin.stores.models import PLAN_MONTHLY_QUOTA, Plan, PlanUsage
from plugin.stores.service import get_settings

log = structlog.get_logger(__name__)

T = PlanUsage.__table__  # type: ignore[attr-defined]
WARNING_LEVELS = (100, 80)  # percent of the quota used: the admin warns at each


def period_of(now: datetime, timezone: str) -> str:
    """The plan month containing `now` in the store's time zone, e.g. "2026-05"."""
    local = now.astimezone(ZoneInfo(timezone))
    return f"{local.year:04d}-{local.month:02d}"


def period_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """(first instant of the store's month, first instant of the next one), both in UTC."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return start.astimezone(UTC), datetime(year, month, 1, tzinfo=zone).astimezone(UTC)


def warning_level(used: int, quota: int) -> int:
    """100 when the quota is used up, 80 from 80 % on, else 0."""
    if quota <= 0:
        return 100
    percent = used * 100 // quota
    return next((level for level in WARNING_LEVELS if percent >= level), 0)


@dataclass(frozen=True)
class Usage:
    """The month's counter as the admin shows it and the policy enforces it."""

    plan: Plan
    monthly_quota: int
    used: int
    period: str
    period_start: datetime
    resets_at: datetime  # the next month's first instant: held marketing may go then

    @property
    def remaining(self) -> int:
        return max(self.monthly_quota - self.used, 0)

    @property
    def warning(self) -> int:
        return warning_level(self.used, self.monthly_quota)

    @property
    def resets_on(self) -> date:
        """The next plan month's first day, as the store's calendar shows it."""
        year, month = (int(part) for part in self.period.split("-"))
        return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def usage(*, session: Session, store_id: int, now: datetime | None = None) -> Usage:
    """The store's plan usage this month (no lock: a read for the admin and the tick)."""
    settings = get_settings(session, store_id)
    now = now or clock.now()
    period = period_of(now, settings.timezone)
    start, resets_at = period_bounds(now, settings.timezone)
    used = session.execute(
        sa.select(T.c.used).where(T.c.store_id == store_id, T.c.period == period)
    ).scalar()
    plan = Plan(settings.plan)
    return Usage(
        plan=plan,
        monthly_quota=PLAN_MONTHLY_QUOTA[plan],
        used=int(used or 0),
        period=period,
        period_start=start,
        resets_at=resets_at,
    )


@dataclass(frozen=True)
class Reservation:
    granted: int
    period: str  # the month the units were taken from (a give-back returns them there)
    resets_at: datetime  # when a refused message may go (unless the plan is upgraded first)


def reserve(*, session: Session, store_id: int, want: int, now: datetime) -> Reservation:
    """Take up to `want` units of this month's quota; returns how many were granted. The
    counter row stays locked until the caller's transaction ends, so concurrent workers
    queue here and the quota is never overshot. Logs the 80 % and 100 % warnings once per
    month and level (an alert; the admin reads the level from `usage`)."""
    settings = get_settings(session, store_id)
    period = period_of(now, settings.timezone)
    _, resets_at = period_bounds(now, settings.timezone)
    if want <= 0:
        return Reservation(0, period, resets_at)
    quota = PLAN_MONTHLY_QUOTA[Plan(settings.plan)]
    row = locked_row(
        session,
        T,
        key={"store_id": store_id, "period": period},
        defaults={"used": 0, "warned_at_percent": 0},
    )
    granted = max(0, min(want, quota - int(row.used)))
    level = warning_level(int(row.used) + granted, quota)
    values: dict[str, object] = {}
    if granted:
        values["used"] = T.c.used + granted
    if level != row.warned_at_percent:  # a give-back or an upgrade lowers it: warn again later
        values["warned_at_percent"] = level
        if level > row.warned_at_percent:
            log.warning(
                "marketing_quota_warning",
                store_id=store_id,
                percent=level,
                used=int(row.used) + granted,
                quota=quota,
                alert=True,
            )
    if values:
        session.execute(
            sa.update(T).where(T.c.store_id == store_id, T.c.period == period).values(**values)
        )
    return Reservation(granted, period, resets_at)


def give_back(*, session: Session, store_id: int, period: str, amount: int) -> None:
    """Return units reserved in `period` for messages that did not go out after all or that
    Meta does not bill (each row's mark makes sure it happens once: plugin.delivery.quota)."""
    if amount <= 0:
        return
    session.execute(
        sa.update(T)
        .where(T.c.store_id == store_id, T.c.period == period)
        .values(used=T.c.used - amount)
    )
