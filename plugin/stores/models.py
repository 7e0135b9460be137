"""Store settings: one row per store, created with defaults at install."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column

DEFAULT_OPTOUT_KEYWORDS = [
    "STOP",
    "DUR",
    "İPTAL",
    "IPTAL",
    "RET",
    "ABONELİKTEN ÇIK",
    "UNSUBSCRIBE",
    "CANCEL",
]
DEFAULT_OPTIN_KEYWORDS = ["EVET", "YES"]
DEFAULT_RESUME_KEYWORDS = ["START", "BAŞLA"]


class Plan(StrEnum):
    FREE = "free"  # 0 ₺
    SILVER = "silver"  # 500 ₺ / month
    GOLD = "gold"  # 1250 ₺ / month


class StoreSettings(SQLModel, table=True):
    """What a merchant tunes; defaults are the product's defaults (DESIGN.md)."""

    __tablename__ = "store_settings"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    timezone: str = Field(default="Europe/Istanbul", max_length=64)
    default_region: str = Field(default="TR", max_length=2)
    default_locale: str = Field(default="tr", max_length=10)
    default_currency: str = Field(default="TRY", max_length=3)
    quiet_hours_start: str = Field(default="21:00", max_length=5)
    quiet_hours_end: str = Field(default="09:00", max_length=5)
    quiet_hours_transactional: bool = False
    marketing_cap_24h: int = 1
    marketing_cap_7d: int = 3
    recovery_pause_after_order_hours: int = 24
    optout_keywords: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OPTOUT_KEYWORDS), sa_type=JSONType
    )
    optin_keywords: list[str] = Field(
        default_factory=lambda: list(DEFAULT_OPTIN_KEYWORDS), sa_type=JSONType
    )
    resume_keywords: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RESUME_KEYWORDS), sa_type=JSONType
    )
    optin_lapse_days: int = 7
    message_retention_days: int = 90
    inbox_retention_days: int = 30
    attribution_window_hours: int = 72
    plan: Plan = Field(default=Plan.FREE, sa_type=sa.String(20))
    plan_started_at: datetime = Field(
        default_factory=clock.now, sa_column=utc_column(nullable=False)
    )
    daily_recipient_tier: int | None = 250  # Meta's messaging limit; None = unlimited
    # Share of that limit campaigns and cart recovery leave for order updates (at least 50
    # recipients; plugin/delivery/window.py); 0 turns the reserve off
    tier_reserve_percent: int = Field(
        default=10, sa_column_kwargs={"server_default": "10", "nullable": False}
    )
    storefront_url: str | None = Field(default=None, max_length=500)
    checkout_url_template: str | None = Field(default=None, max_length=1000)
    storefront_public_key: str | None = Field(default=None, max_length=64, index=True)
    storefront_origins: list[str] = Field(default_factory=list, sa_type=JSONType)
    # Storefront opt-in requests accepted per UTC day: each may send a message billed to the store.
    optin_daily_limit: int = Field(
        default=500, sa_column_kwargs={"server_default": "500", "nullable": False}
    )
    cod_gateways: list[str] = Field(default_factory=list, sa_type=JSONType)
    rate_table: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # Meta's billing currency assumed until the WABA's own is read (plugin/pricing/billing.py)
    cost_currency: str = Field(default="USD", max_length=3)
    # The merchant's dated rate: 1 `exchange_rate_base` (the rate cards' currency, USD) =
    # `exchange_rate` `exchange_rate_quote` (the store's currency); the admin converts a
    # cost only with it (plugin/pricing/exchange.py), never with a rate of its own
    exchange_rate: Decimal | None = Field(default=None, max_digits=18, decimal_places=6)
    exchange_rate_date: date | None = None
    exchange_rate_base: str | None = Field(default=None, max_length=3)
    exchange_rate_quote: str | None = Field(default=None, max_length=3)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class PlanUsage(SQLModel, table=True):
    """The plan's monthly marketing quota as used: one row per store and month (the store's
    time zone). The one counter: the send-time policy reserves from it and gives units back
    (plugin.stores.usage), the admin shows it."""

    __tablename__ = "plan_usage"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    period: str = Field(max_length=7, primary_key=True)  # "2026-05"
    used: int = 0
    warned_at_percent: int = 0  # the highest warning logged for the month so far (80, 100)


# Marketing messages a month (transactional messages are never counted nor held).
PLAN_MONTHLY_QUOTA: dict[Plan, int] = {Plan.FREE: 500, Plan.SILVER: 10_000, Plan.GOLD: 50_000}
PLAN_PRICE_TRY: dict[Plan, Decimal] = {
    Plan.FREE: Decimal("0"),
    Plan.SILVER: Decimal("500"),
    Plan.GOLD: Decimal("1250"),
}
