"""The contact: a person a store may message, with profile figures kept incrementally."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class PhoneStatus(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # kept with its reason, never silently dropped
    MISSING = "missing"
    ERASED = "erased"


class Contact(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("store_id", "phone_e164", name="uq_contact_store_phone"),
        sa.Index("ix_contact_store_saleor_user", "store_id", "saleor_user_id"),
        sa.Index("ix_contact_store_email", "store_id", "email"),
        sa.Index("ix_contact_store_bsuid", "store_id", "bsuid"),
        # a store's contacts in id order: the campaign loop walks them in chunks by id
        sa.Index("ix_contact_store_id", "store_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    phone_e164: str | None = Field(default=None, max_length=20)
    phone_raw: str | None = Field(default=None, max_length=64)
    phone_status: PhoneStatus = Field(default=PhoneStatus.MISSING, sa_type=sa.String(20))
    phone_invalid_reason: str | None = Field(default=None, max_length=200)
    wa_id: str | None = Field(default=None, max_length=32, index=True)
    # business-scoped user id: ISO country, ".", up to 128 characters; a parent form
    # ("US.ENT.<id>") is longer, hence 160 (Meta's business-scoped user ids page)
    bsuid: str | None = Field(default=None, max_length=160)
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    locale: str | None = Field(default=None, max_length=10)
    country: str | None = Field(default=None, max_length=2)
    timezone: str | None = Field(default=None, max_length=64)
    saleor_user_id: str | None = Field(default=None, max_length=100)
    orders_count: int = 0
    total_spent: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSONType
    )  # currency -> "12.50"
    first_order_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_order_at: datetime | None = Field(default=None, sa_column=utc_column(index=True))
    last_checkout_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_inbound_at: datetime | None = Field(default=None, sa_column=utc_column())
    undeliverable_at: datetime | None = Field(default=None, sa_column=utc_column())
    # Meta's per-user marketing limit (131049) last hit: marketing skips the contact a while
    marketing_limited_at: datetime | None = Field(default=None, sa_column=utc_column())
    erased_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class ContactOrder(SQLModel, table=True):
    """One Saleor order of a contact, recorded once however often Saleor sends it.

    Contacts count it in the profile figures once (`counted_at`) and take it out once on
    cancellation (`cancelled`); segments read it for 12-month spend, RFM and purchases.
    """

    __tablename__ = "contact_order"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "order_id", name="uq_contact_order"),
        sa.Index("ix_contact_order_contact_created", "contact_id", "created_at"),
        sa.Index("ix_contact_order_store_created", "store_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    contact_id: int = Field(foreign_key="contact.id")
    order_id: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=utc_column(nullable=False))
    total: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    currency: str = Field(default="", max_length=3)
    status: str = Field(default="", max_length=30)
    counts: bool = True  # false for draft, cancelled and expired orders
    product_ids: list[str] = Field(default_factory=list, sa_type=JSONType)
    skus: list[str] = Field(default_factory=list, sa_type=JSONType)
    category_slugs: list[str] = Field(default_factory=list, sa_type=JSONType)
    counted_at: datetime | None = Field(default=None, sa_column=utc_column())
    cancelled: bool = False
    recorded_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class SyncStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SyncPhase(StrEnum):
    CUSTOMERS = "customers"
    ORDERS = "orders"
    DONE = "done"


class ContactSync(SQLModel, table=True):
    """The initial sync's checkpoint and progress, one row per store (listmonk-style)."""

    __tablename__ = "contact_sync"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    status: SyncStatus = Field(default=SyncStatus.PENDING, sa_type=sa.String(20))
    phase: SyncPhase = Field(default=SyncPhase.CUSTOMERS, sa_type=sa.String(20))
    cursor: str | None = Field(default=None, max_length=500)
    pages: int = 0
    customers_seen: int = 0
    orders_seen: int = 0
    contacts_total: int = 0
    error: str | None = Field(default=None, max_length=500)
    started_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column())
