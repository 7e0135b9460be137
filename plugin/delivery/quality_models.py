"""Sending-health alerts: what Meta said about a number's or a template's quality, open until
the cause is gone (`cleared_at`), one row per store, reason and subject."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class SendingAlert(SQLModel, table=True):
    __tablename__ = "sending_alert"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "reason", "subject", name="uq_sending_alert"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    reason: str = Field(max_length=60)  # a code of plugin.delivery.reasons
    subject: str = Field(max_length=120)  # "account:<id>" or "template:<id>"
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    opened_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    cleared_at: datetime | None = Field(default=None, sa_column=utc_column())
