"""The consent ledger (append-only); the suppression list of erased numbers lives with the
people (plugin/contacts/suppression.py) and is re-exported here for its readers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.contacts.suppression import Suppression as Suppression
from plugin.db import JSONType, utc_column


class Purpose(StrEnum):
    MARKETING = "marketing"
    TRANSACTIONAL = "transactional"


class ConsentAction(StrEnum):
    REQUESTED = "requested"  # web opt-in waiting for the WhatsApp confirmation
    GRANTED = "granted"
    REVOKED = "revoked"
    LAPSED = "lapsed"  # a request never confirmed
    DECLINED = "declined"  # the customer answered the opt-in request with No / Hayır


class ConsentSource(StrEnum):
    CHECKOUT = "checkout"
    CUSTOMER = "customer"
    ORDER = "order"
    STOREFRONT = "storefront"
    WHATSAPP_KEYWORD = "whatsapp_keyword"
    BUTTON_REPLY = "button_reply"
    META_PREFERENCES = "meta_preferences"
    META_ERROR = "meta_error"  # 131050
    ADMIN = "admin"
    CSV_IMPORT = "csv_import"
    API = "api"
    SYSTEM = "system"  # lapse of an unconfirmed request


class ConsentEvent(SQLModel, table=True):
    """One fact about consent; the current state is derived from these, never edited."""

    __tablename__ = "consent_event"
    __table_args__ = (
        # the read model's probe, ix_consent_deciding, is declared beside its rule (rule.py)
        sa.Index("ix_consent_contact_capture", "contact_id", "capture_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    contact_id: int = Field(foreign_key="contact.id")
    purpose: Purpose = Field(sa_type=sa.String(20))
    action: ConsentAction = Field(sa_type=sa.String(20))
    source: ConsentSource = Field(sa_type=sa.String(30))
    text_version: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, sa_type=sa.Text)
    text_hash: str | None = Field(default=None, max_length=64)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    occurred_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    recorded_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    iys_exported_at: datetime | None = Field(default=None, sa_column=utc_column())
    # What carried a web consent (e.g. "checkout:<id>"): the same carrier is recorded once,
    # so a redelivered or repeatedly updated checkout never re-requests after a STOP.
    capture_key: str | None = Field(default=None, max_length=200)


class ConsentImport(SQLModel, table=True):
    """The latest CSV import's progress, one row per store: committed after every chunk, so
    the admin API can read how far a long import has come while it runs."""

    __tablename__ = "consent_import"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    status: str = Field(default="running", max_length=20)  # running / done / failed
    total_rows: int = 0
    processed_rows: int = 0
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    started_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=utc_column())


class IysBatchStatus(StrEnum):
    OPEN = "open"  # exported, upload not confirmed yet: its rows are offered to no other batch
    CONFIRMED = "confirmed"  # the merchant uploaded it to İYS: its rows are registered
    DISCARDED = "discarded"  # given up: its rows are offered again in the next export


class IysBatch(SQLModel, table=True):
    """One İYS export: downloadable again by id until the merchant confirms or discards it, so a
    lost response loses nothing."""

    __tablename__ = "iys_batch"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    status: IysBatchStatus = Field(default=IysBatchStatus.OPEN, sa_type=sa.String(20))
    record_count: int = 0
    created_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    closed_by: str | None = Field(default=None, max_length=100)
    closed_at: datetime | None = Field(default=None, sa_column=utc_column())


class IysBatchItem(SQLModel, table=True):
    """A consent fact a batch contains (the record is rebuilt from the fact when downloaded)."""

    __tablename__ = "iys_batch_item"
    __table_args__ = (sa.Index("ix_iys_batch_item_event", "event_id"),)

    batch_id: int = Field(foreign_key="iys_batch.id", primary_key=True)
    event_id: int = Field(foreign_key="consent_event.id", primary_key=True)
