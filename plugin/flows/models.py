"""What flows remember between webhooks: the checkouts they watch."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import utc_column


class CheckoutState(StrEnum):
    OPEN = "open"  # has lines, not ordered
    EMPTY = "empty"  # no lines any more
    ORDERED = "ordered"  # an order was created from it (Order.checkoutId)
    PAID = "paid"  # CHECKOUT_FULLY_PAID
    DELETED = "deleted"


class TrackedCheckout(SQLModel, table=True):
    """A Saleor checkout as last reported (by lastChange), linked to its contact."""

    __tablename__ = "tracked_checkout"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "checkout_id", name="uq_tracked_checkout"),
        sa.Index("ix_tracked_checkout_state", "store_id", "state", "last_change"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    checkout_id: str = Field(max_length=100)
    token: str | None = Field(default=None, max_length=100)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    channel_slug: str | None = Field(default=None, max_length=100)
    lines_count: int = 0
    total_amount: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    currency: str | None = Field(default=None, max_length=3)
    state: CheckoutState = Field(default=CheckoutState.OPEN, sa_type=sa.String(20))
    last_change: datetime | None = Field(default=None, sa_column=utc_column())
    order_id: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
