"""Inbox rows: the durable record of each accepted webhook delivery (deduplicated)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import utc_column


class InboxSource(StrEnum):
    SALEOR = "saleor"
    WHATSAPP = "whatsapp"


class InboxStatus(StrEnum):
    PENDING = "pending"  # recorded, waiting for a worker
    PROCESSED = "processed"
    IGNORED = "ignored"  # nothing to do by design (e.g. disabled store)
    UNHANDLED = "unhandled"  # no service for this event yet: kept, visible, never dropped
    FAILED = "failed"  # the service raised after its retries; error kept
    INVALID = "invalid"  # valid JSON that does not fit the contract


PENDING = "status = 'pending'"
PENDING_PG = "(status)::text = 'pending'::text"  # PostgreSQL's own spelling (test_migrations)


class InboxEvent(SQLModel, table=True):
    __tablename__ = "inbox_event"
    __table_args__ = (
        # a redelivery is the same body for the same store and event; two events (or two
        # stores) with identical bodies are two deliveries
        sa.UniqueConstraint("store_id", "source", "event", "dedupe_key", name="uq_inbox_dedupe"),
        sa.Index("ix_inbox_status_received", "status", "received_at"),
        # a unit of work takes its lane's (store's, source's) earliest pending rows
        # (plugin/inbox/take.py); the processed rows, nearly all of them, cost it nothing
        sa.Index(
            "ix_inbox_lane_pending",
            "store_id",
            "source",
            "id",
            postgresql_where=sa.text(PENDING_PG),
            sqlite_where=sa.text(PENDING),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    source: InboxSource = Field(sa_type=sa.String(20))
    event: str = Field(max_length=80)
    dedupe_key: str = Field(max_length=64)
    payload: str | None = Field(default=None, sa_type=sa.Text)  # raw body; purged by retention
    status: InboxStatus = Field(default=InboxStatus.PENDING, sa_type=sa.String(20))
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=sa.Text)
    received_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    processed_at: datetime | None = Field(default=None, sa_column=utc_column())
    # when the orphan sweep last re-enqueued it (NULL: only the edge's enqueue at receipt)
    enqueued_at: datetime | None = Field(default=None, sa_column=utc_column())
