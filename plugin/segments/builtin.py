"""Built-in segments: fixed definitions (docs/segments.md) with store-tunable thresholds.

Each is a boolean SQL expression over `contact`, like a compiled rule, so counts, previews
and campaign snapshots treat both the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from plugin.contacts.models import Contact
from plugin.errors import InvalidPayload
from plugin.segments.compiler import RuleContext, open_checkout_exists
from plugin.segments.models import ContactOrder, ContactRfm
from plugin.stores.models import StoreSettings


class BuiltinSegment(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    ABANDONED_CART = "abandoned_cart"
    VIP = "vip"
    CHURN_RISK = "churn_risk"


BUILTIN_LABELS: dict[BuiltinSegment, tuple[str, str]] = {
    BuiltinSegment.NEW: ("New customers", "Yeni müşteriler"),
    BuiltinSegment.ACTIVE: ("Active customers", "Aktif müşteriler"),
    BuiltinSegment.ABANDONED_CART: ("Abandoned cart", "Sepeti terk edenler"),
    BuiltinSegment.VIP: ("VIP", "VIP"),
    BuiltinSegment.CHURN_RISK: ("Churn risk", "Kaybedilme riski"),
}


@dataclass(frozen=True)
class Thresholds:
    """The knobs of the built-in segments; stored in StoreSettings.extra["segments"]."""

    new_days: int = 30
    active_days: int = 90
    abandoned_idle_minutes: int = 60
    vip_top_percent: int = 10
    vip_spend_days: int = 365
    vip_min_orders: int = 5
    churn_after_days: int = 90
    churn_within_days: int = 365

    def validate(self) -> None:
        for f in fields(self):
            if int(getattr(self, f.name)) < 1:
                raise InvalidPayload(f"{f.name} must be 1 or more", code="INVALID_THRESHOLD")
        if self.vip_top_percent > 100:
            raise InvalidPayload("vip_top_percent must be at most 100", code="INVALID_THRESHOLD")
        if self.churn_after_days >= self.churn_within_days:
            raise InvalidPayload(
                "churn_after_days must be less than churn_within_days", code="INVALID_THRESHOLD"
            )


def thresholds_for(settings: StoreSettings) -> Thresholds:
    stored = (settings.extra or {}).get("segments") or {}
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: int(v) for k, v in stored.items() if k in known})


def set_thresholds(settings: StoreSettings, values: dict[str, Any]) -> Thresholds:
    """Merge `values` into the store's thresholds (validated); the caller commits."""
    current = asdict(thresholds_for(settings))
    unknown = set(values) - set(current)
    if unknown:
        raise InvalidPayload(f"unknown thresholds: {sorted(unknown)}", code="INVALID_THRESHOLD")
    current.update({k: int(v) for k, v in values.items()})
    result = Thresholds(**current)
    result.validate()
    settings.extra = {**(settings.extra or {}), "segments": asdict(result)}
    return result


def spend_in_window(ctx: RuleContext, days: int) -> Any:
    """Per contact, the sum of counted orders in the store currency over the last `days`."""
    co: Any = ContactOrder
    return (
        sa.select(co.contact_id.label("contact_id"), sa.func.sum(co.total).label("spend"))
        .where(
            co.store_id == ctx.store_id,
            co.counts.is_(True),
            co.currency == ctx.currency,
            co.created_at >= ctx.now - timedelta(days=days),
        )
        .group_by(co.contact_id)
        .subquery("spend")
    )


def _new(ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    cutoff = ctx.now - timedelta(days=t.new_days)
    first: Any = Contact.first_order_at
    created: Any = Contact.created_at
    return sa.or_(
        sa.and_(first.is_not(None), first >= cutoff),
        sa.and_(first.is_(None), created >= cutoff),
    )


def _active(ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    last: Any = Contact.last_order_at
    return sa.and_(last.is_not(None), last >= ctx.now - timedelta(days=t.active_days))


def _abandoned(ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    return open_checkout_exists(ctx, abandoned=True)


def _vip(ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    """Ranks come from contact_rfm (daily refresh): ranking a year of orders on every count
    would cost seconds at a million contacts."""
    rfm: Any = ContactRfm
    ranked = sa.and_(rfm.store_id == ctx.store_id, rfm.spend_rank.is_not(None))
    n = sa.select(sa.func.count()).where(ranked).scalar_subquery()
    # rank <= ceil(n * p / 100), in integers; ties at the boundary are all in.
    top = sa.select(rfm.contact_id).where(
        ranked, (rfm.spend_rank - 1) * 100 < n * t.vip_top_percent
    )
    contact_id: Any = Contact.id
    return sa.or_(col(Contact.orders_count) >= t.vip_min_orders, contact_id.in_(top))


def _churn_risk(ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    last: Any = Contact.last_order_at
    return sa.and_(
        col(Contact.orders_count) > 0,
        last.is_not(None),
        last < ctx.now - timedelta(days=t.churn_after_days),
        last >= ctx.now - timedelta(days=t.churn_within_days),
    )


BUILTINS: dict[BuiltinSegment, Callable[[RuleContext, Thresholds], ColumnElement[bool]]] = {
    BuiltinSegment.NEW: _new,
    BuiltinSegment.ACTIVE: _active,
    BuiltinSegment.ABANDONED_CART: _abandoned,
    BuiltinSegment.VIP: _vip,
    BuiltinSegment.CHURN_RISK: _churn_risk,
}


def builtin_condition(key: str, ctx: RuleContext, t: Thresholds) -> ColumnElement[bool]:
    try:
        segment = BuiltinSegment(key)
    except ValueError:
        raise InvalidPayload(f"unknown built-in segment {key!r}", code="UNKNOWN_SEGMENT") from None
    return BUILTINS[segment](ctx, t)
