"""A store's WhatsApp connection: phone number id, WABA id and the access token (encrypted)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from plugin import clock, crypto
from plugin.db import JSONType, utc_column


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # account problem (190, 368, ...): sending stopped, merchant alerted
    DISCONNECTED = "disconnected"


class WhatsAppAccount(SQLModel, table=True):
    __tablename__ = "whatsapp_account"

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    phone_number_id: str = Field(max_length=64, unique=True)
    waba_id: str = Field(max_length=64)
    display_phone: str = Field(default="", max_length=32)
    access_token_encrypted: str
    is_sandbox: bool = False
    is_default: bool = True
    use_marketing_endpoint: bool = False  # /marketing_messages for marketing templates
    # when Meta last put the number on or off that road (a read, a webhook, a 131063), and the
    # WABA's marketing_messages_onboarding_status as last read (plugin/whatsapp/mm_status.py)
    marketing_endpoint_at: datetime | None = Field(default=None, sa_column=utc_column())
    mm_api_status: str | None = Field(default=None, max_length=40)
    mm_api_status_read_at: datetime | None = Field(default=None, sa_column=utc_column())
    # the WABA's `currency` (what Meta bills it in) as last read, and when (waba_info.py)
    billing_currency: str | None = Field(default=None, max_length=3)
    billing_currency_read_at: datetime | None = Field(default=None, sa_column=utc_column())
    # Meta's volume pricing tiers for the WABA, "<CATEGORY>:<REGION>" -> the last
    # VOLUME_BASED_PRICING_TIER_UPDATE's volume_tier_info (plugin/whatsapp/volume_tiers.py)
    volume_tiers: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    # Marketing Messages API options: share message activity with Meta (its optimisation);
    # STRICT: no silent fallback to the Cloud API when a message is not eligible
    message_activity_sharing: bool = True
    marketing_product_policy: str = Field(default="CLOUD_API_FALLBACK", max_length=20)
    # Meta's word on the number (plugin/whatsapp/limits.py): read at connect, from webhooks and
    # every few hours from the Graph API; checked = last attempt, read = last success
    throughput_mps: int = 80
    messaging_limit_tier: str | None = Field(default=None, max_length=40)
    limits_read_at: datetime | None = Field(default=None, sa_column=utc_column())
    limits_checked_at: datetime | None = Field(default=None, sa_column=utc_column())
    quality_rating: str | None = Field(default=None, max_length=20)
    status: AccountStatus = Field(default=AccountStatus.ACTIVE, sa_type=sa.String(20))
    status_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))

    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)


def default_account(session: Session, store_id: int) -> WhatsAppAccount | None:
    """The number a store sends from (the default one when it has several)."""
    return session.exec(
        select(WhatsAppAccount)
        .where(WhatsAppAccount.store_id == store_id)
        .order_by(col(WhatsAppAccount.is_default).desc(), col(WhatsAppAccount.id))
    ).first()


def account_by_phone_number_id(session: Session, phone_number_id: str) -> WhatsAppAccount | None:
    return session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == phone_number_id)
    ).first()


def switch_marketing_to_mm_api(session: Session, account_ids: set[int]) -> None:
    """Meta answered 131063 for these numbers (marketing templates are disabled on the Cloud
    API) or said the business signed the MM API terms: from now on their marketing templates
    go through /marketing_messages. The time is kept even when the road was already taken: a
    Graph read that began before it cannot turn it off (plugin/whatsapp/mm_status.py)."""
    if not account_ids:
        return
    table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
    set_marketing_road(session, table.c.id.in_(sorted(account_ids)), mm_api=True)


def set_marketing_road(session: Session, where: Any, *, mm_api: bool) -> None:
    """The one write of a number's marketing road (/marketing_messages or /messages), stamped
    with when it moved, which a later Graph read compares against (mm_status.py)."""
    table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
    now = clock.now()
    session.execute(
        sa.update(table)
        .where(where)
        .values(use_marketing_endpoint=mm_api, marketing_endpoint_at=now, updated_at=now)
    )
