"""The contact: a person a store may message, with profile figures kept incrementally."""

from __future__ import annotations

from datetime import datetime
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
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    phone_e164: str | None = Field(default=None, max_length=20)
    phone_raw: str | None = Field(default=None, max_length=64)
    phone_status: PhoneStatus = Field(default=PhoneStatus.MISSING, sa_type=sa.String(20))
    phone_invalid_reason: str | None = Field(default=None, max_length=200)
    wa_id: str | None = Field(default=None, max_length=32, index=True)
    bsuid: str | None = Field(default=None, max_length=128)  # business-scoped user id
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
    erased_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
