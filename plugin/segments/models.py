"""Segments' own tables: tags, the orders each contact placed (what they bought), saved
segments and the RFM scores refreshed daily."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.contacts.models import ContactOrder
from plugin.db import JSONType, utc_column

__all__ = ["ContactOrder", "ContactPurchase", "ContactRfm", "ContactTag", "Segment"]


class ContactTag(SQLModel, table=True):
    """A label on a contact: set by hand, a CSV, Saleor metadata or a quick-reply answer."""

    __tablename__ = "contact_tag"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "tag", name="uq_contact_tag"),
        sa.Index("ix_contact_tag_store_tag", "store_id", "tag", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    contact_id: int = Field(foreign_key="contact.id")
    tag: str = Field(max_length=100)
    source: str = Field(default="manual", max_length=20)  # manual / csv / saleor / button
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class ContactPurchase(SQLModel, table=True):
    """What an order contained, one row per product id, SKU or category slug: the indexed
    side of "bought product / bought category"."""

    __tablename__ = "contact_purchase"
    __table_args__ = (
        sa.UniqueConstraint("order_ref", "kind", "value", name="uq_contact_purchase"),
        sa.Index("ix_contact_purchase_lookup", "store_id", "kind", "value", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    contact_id: int = Field(foreign_key="contact.id", index=True)
    order_ref: int = Field(foreign_key="contact_order.id")
    kind: str = Field(max_length=10)  # product (ids and SKUs) / category
    value: str = Field(max_length=255)


class Segment(SQLModel, table=True):
    """A merchant's own segment: a name and a rule in the rule language (docs/segment-rules.md)."""

    __table_args__ = (sa.UniqueConstraint("store_id", "name", name="uq_segment_name"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    name: str = Field(max_length=120)
    rule: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class ContactRfm(SQLModel, table=True):
    """Recency, frequency and monetary quintiles (1 = lowest, 5 = best) of contacts who ordered,
    and the spend over the VIP window with its rank (1 = biggest), refreshed daily."""

    __tablename__ = "contact_rfm"
    __table_args__ = (sa.Index("ix_contact_rfm_spend_rank", "store_id", "spend_rank"),)

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    recency: int
    frequency: int
    monetary: int
    spend_window: Decimal = Field(default=Decimal("0"), max_digits=14, decimal_places=2)
    spend_rank: int | None = None  # among contacts with a positive spend in the window
    computed_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
