"""Quiet hours in the contact's time zone (the store's as fallback)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plugin.delivery.policy.codes import EXEMPT_KINDS, Row
from plugin.stores.models import StoreSettings


def zone(contact_tz: str | None, store_tz: str) -> ZoneInfo:
    for name in (contact_tz, store_tz, "UTC"):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def quiet_applies(row: Row, settings: StoreSettings) -> bool:
    if row.kind in EXEMPT_KINDS:
        return False
    return row.marketing or settings.quiet_hours_transactional


def _hhmm(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_until(now: datetime, *, tz: ZoneInfo, start: str, end: str) -> datetime | None:
    """The first allowed minute (UTC) if `now` is inside quiet hours in `tz`, else None.

    Quiet hours may wrap midnight (21:00-09:00). The end is computed on the local calendar, so
    a DST change inside the night still lands on 09:00 local time.
    """
    start_t, end_t = _hhmm(start), _hhmm(end)
    if start_t == end_t:
        return None
    local = now.astimezone(tz)
    moment = local.time()
    if start_t < end_t:
        inside = start_t <= moment < end_t
        end_day = local.date()
    else:
        inside = moment >= start_t or moment < end_t
        end_day = local.date() + timedelta(days=1) if moment >= start_t else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end_t, tzinfo=tz).astimezone(UTC)
