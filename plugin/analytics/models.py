"""What measurement keeps: tracked links and their clicks, attributed orders, daily rollups.

Raw clicks are purged after the store's retention period; rollups (counts, money, no personal
data) are kept, so a dashboard over 30 days reads at most ~30 rows per source plus today.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.consent.models import ConsentEvent
from plugin.db import JSONType, utc_column
from plugin.delivery.models import InboundMessage, OutboundMessage

# Range scans the dashboard and the rollup builder make on other domains' tables.
_outbound: sa.Table = OutboundMessage.__table__  # type: ignore[attr-defined]  # stubs lack it
_inbound: sa.Table = InboundMessage.__table__  # type: ignore[attr-defined]  # stubs lack it
_consent: sa.Table = ConsentEvent.__table__  # type: ignore[attr-defined]  # stubs lack it
sa.Index("ix_outbound_store_created", _outbound.c.store_id, _outbound.c.created_at)
sa.Index("ix_inbound_store_received", _inbound.c.store_id, _inbound.c.received_at)
sa.Index("ix_consent_store_occurred", _consent.c.store_id, _consent.c.occurred_at)


class LinkKind(StrEnum):
    RECOVERY = "recovery"  # the cart recovery link
    PRODUCT = "product"
    ORDER = "order"  # order status / tracking page
    STOREFRONT = "storefront"
    OTHER = "other"


class AgentClass(StrEnum):
    MOBILE = "mobile"
    DESKTOP = "desktop"
    PREVIEW = "preview"  # link preview fetchers (WhatsApp, Facebook, Slack, Telegram...)
    BOT = "bot"  # crawlers and scripts
    UNKNOWN = "unknown"  # no user agent


class TrackedLink(SQLModel, table=True):
    """A short code that redirects to one URL the store configured."""

    __tablename__ = "tracked_link"
    __table_args__ = (sa.Index("ix_tracked_link_store_created", "store_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    code: str = Field(max_length=64, unique=True)
    url: str = Field(sa_type=sa.Text)
    kind: LinkKind = Field(default=LinkKind.OTHER, sa_type=sa.String(20))
    message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    )
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class LinkClick(SQLModel, table=True):
    """One request to /r/<code>; filtered ones (bots, previews) are kept but never counted."""

    __tablename__ = "link_click"
    __table_args__ = (
        sa.Index("ix_link_click_store_clicked", "store_id", "clicked_at"),
        sa.Index("ix_link_click_contact_clicked", "contact_id", "clicked_at"),
        sa.Index("ix_link_click_message", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    link_id: int = Field(foreign_key="tracked_link.id")
    message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    )
    contact_id: int | None = None
    agent_class: AgentClass = Field(sa_type=sa.String(20))
    filtered: bool = False
    filter_reason: str | None = Field(default=None, max_length=30)
    clicked_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class AttributionRule(StrEnum):
    RECOVERY = "recovery"  # the order came from a checkout a recovery message was about
    CLICK = "click"  # the last message the contact clicked within the window
    DELIVERED = "delivered"  # the last marketing message delivered within 24 h
    NONE = "none"  # kept anyway: holdout lift and conversion need every order


class OrderAttribution(SQLModel, table=True):
    """One Saleor order of a known contact, with the message it is credited to (if any)."""

    __tablename__ = "order_attribution"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "order_id", name="uq_order_attribution"),
        sa.Index("ix_order_attribution_store_ordered", "store_id", "ordered_at"),
        sa.Index("ix_order_attribution_contact", "contact_id", "ordered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    order_id: str = Field(max_length=100)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    rule: AttributionRule = Field(sa_type=sa.String(20))
    message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    )
    flow_key: str | None = Field(default=None, max_length=60)
    flow_step: int | None = None
    campaign_id: int | None = None
    variant: str | None = Field(default=None, max_length=10)
    template_name: str | None = Field(default=None, max_length=512)
    currency: str = Field(max_length=3)
    total_amount: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    refunded_amount: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    net_amount: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    cancelled: bool = False
    ordered_at: datetime = Field(sa_column=utc_column(nullable=False))
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class DailyRollup(SQLModel, table=True):
    """Counts, money and cost of one store's day for one source (flow step x campaign variant x
    template). Messages count on the day they entered the outbox, orders on the day they were
    placed. A day's rows are rebuilt as a whole, never edited."""

    __tablename__ = "analytics_daily"
    __table_args__ = (sa.Index("ix_analytics_daily_store_day", "store_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    day: date
    flow_key: str | None = Field(default=None, max_length=60)
    flow_step: int | None = None
    campaign_id: int | None = None
    variant: str | None = Field(default=None, max_length=10)
    template_name: str | None = Field(default=None, max_length=512)
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    clicked: int = 0
    replied: int = 0
    opted_out: int = 0
    failed: int = 0
    skipped: int = 0
    billable: int = 0
    cost: Decimal = Field(default=Decimal("0"), max_digits=16, decimal_places=6)
    orders: int = 0
    revenue: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)  # currency -> "12.50"
    failed_reasons: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    skipped_reasons: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    built_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class RollupState(SQLModel, table=True):
    """How far a store's rollups are built: whole days through `built_through`, and today's
    rows up to `partial_until` (refreshed every few minutes); anything later is read raw."""

    __tablename__ = "analytics_rollup_state"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    built_through: date | None = None
    partial_until: datetime | None = Field(default=None, sa_column=utc_column())
    settled_at: datetime | None = Field(default=None, sa_column=utc_column())
    dirty_rebuilt_at: datetime | None = Field(default=None, sa_column=utc_column())


class DirtyDay(SQLModel, table=True):
    """A built day that changed (late click, refund, status): rebuilt by the next tick, or
    within DIRTY_EVERY of the store's last such rebuild (plugin/analytics/rollups.py)."""

    __tablename__ = "analytics_dirty_day"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    day: date = Field(primary_key=True)
