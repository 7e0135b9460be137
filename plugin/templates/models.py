"""A store's WhatsApp template, mirrored from (and submitted to) its WABA."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class TemplateCategory(StrEnum):
    MARKETING = "MARKETING"
    UTILITY = "UTILITY"
    AUTHENTICATION = "AUTHENTICATION"


class TemplateStatus(StrEnum):
    DRAFT = "DRAFT"  # local only, not submitted
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"
    IN_APPEAL = "IN_APPEAL"
    DELETED = "DELETED"


class MessageTemplate(SQLModel, table=True):
    __tablename__ = "message_template"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "name", "language", name="uq_template_name_lang"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    name: str = Field(max_length=512)
    language: str = Field(max_length=15)
    category: TemplateCategory = Field(sa_type=sa.String(20))
    components: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    status: TemplateStatus = Field(default=TemplateStatus.DRAFT, sa_type=sa.String(20))
    quality: str | None = Field(default=None, max_length=20)  # GREEN / YELLOW / RED / UNKNOWN
    meta_id: str | None = Field(default=None, max_length=64, index=True)
    rejected_reason: str | None = Field(default=None, max_length=500)
    # payload field -> template parameter, e.g. {"body": ["first_name", "order_number"]}
    variable_mapping: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    starter_key: str | None = Field(default=None, max_length=60)  # e.g. "order_created"
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
