"""Campaigns and their recipients: the audience snapshot with variant and holdout, and the
checkpoints of the resumable sending loop (listmonk's model)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SendMode(StrEnum):
    NOW = "now"
    AT = "at"  # one instant for everyone (send_at, UTC)
    LOCAL_TIME = "local_time"  # local_date + local_time in each contact's time zone


class AbMetric(StrEnum):
    REPLY = "reply"
    CLICK = "click"


class Campaign(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_campaign_store_status", "store_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    name: str = Field(max_length=200)
    status: CampaignStatus = Field(default=CampaignStatus.DRAFT, sa_type=sa.String(20))
    # the audience: exactly one of these
    builtin_segment: str | None = Field(default=None, max_length=30)
    segment_id: int | None = Field(default=None, foreign_key="segment.id")
    rule: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    # [{"key": "A", "template_name", "template_language", "template_id", "share": 50,
    #   "body_fields": ["first_name"], "fallbacks": {"first_name": "there"}}]
    variants: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    holdout_percent: int = 0
    ab_metric: AbMetric = Field(default=AbMetric.REPLY, sa_type=sa.String(10))
    ab_decide_after_hours: int = 4
    send_mode: SendMode = Field(default=SendMode.NOW, sa_type=sa.String(20))
    send_at: datetime | None = Field(default=None, sa_column=utc_column())
    local_date: str | None = Field(default=None, max_length=10)  # YYYY-MM-DD
    local_time: str | None = Field(default=None, max_length=5)  # HH:MM
    account_id: int | None = Field(default=None, foreign_key="whatsapp_account.id")
    # before launch
    test_sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    estimated_cost: Decimal | None = Field(default=None, max_digits=14, decimal_places=4)
    estimated_messages: int | None = None
    estimated_at: datetime | None = Field(default=None, sa_column=utc_column())
    cost_currency: str | None = Field(default=None, max_length=3)
    # the loop
    audience_rule: dict[str, Any] | None = Field(default=None, sa_type=JSONType)  # as launched
    audience_as_of: datetime | None = Field(default=None, sa_column=utc_column())
    snapshot_checkpoint: int = 0  # last store contact id the snapshot has looked at
    snapshot_done: bool = False
    send_checkpoint: int = 0  # last contact id whose outbox row was written
    winner_checkpoint: int = 0  # same, for the group that waits for the A/B winner
    recipients_total: int = 0
    holdout_total: int = 0
    queued_total: int = 0  # outbox rows written
    batches: int = 0
    winner_variant: str | None = Field(default=None, max_length=10)
    winner_metric_used: str | None = Field(default=None, max_length=10)
    winner_picked_at: datetime | None = Field(default=None, sa_column=utc_column())
    ab_decide_at: datetime | None = Field(default=None, sa_column=utc_column())
    fanout_done_at: datetime | None = Field(default=None, sa_column=utc_column())
    launched_at: datetime | None = Field(default=None, sa_column=utc_column())
    started_at: datetime | None = Field(default=None, sa_column=utc_column())
    paused_at: datetime | None = Field(default=None, sa_column=utc_column())
    completed_at: datetime | None = Field(default=None, sa_column=utc_column())
    cancelled_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class CampaignRecipient(SQLModel, table=True):
    """One contact in a launched campaign: the audience fixed at launch."""

    __tablename__ = "campaign_recipient"

    # no foreign keys: a snapshot written a million rows a minute, in the same statement as
    # the outbox rows, by the loop that holds its campaign's row lock (campaigns are never
    # deleted; contacts neither)
    campaign_id: int = Field(primary_key=True)
    contact_id: int = Field(primary_key=True)
    # variant key; NULL while waiting for the A/B winner; "" for the holdout group
    variant: str | None = Field(default=None, max_length=10)
    holdout: bool = False
    due_at: datetime = Field(sa_column=utc_column(nullable=False))
