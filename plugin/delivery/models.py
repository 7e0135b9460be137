"""Outbound messages (the outbox) and inbound messages (the conversation)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column


class MessagePurpose(StrEnum):
    TRANSACTIONAL = "transactional"
    MARKETING = "marketing"


class MessageKind(StrEnum):
    ORDER_UPDATE = "order_update"
    OPTIN_REQUEST = "optin_request"
    SERVICE_REPLY = "service_reply"  # inside the 24-hour window (opt-out confirmation, support)
    CART_RECOVERY = "cart_recovery"
    REMINDER = "reminder"
    COD_CONFIRMATION = "cod_confirmation"
    CAMPAIGN = "campaign"
    TEST = "test"


class MessageStatus(StrEnum):
    """Life of an outbox row; the groups below are the only definitions of "waiting",
    "sent", "failed"… (every reader asks here, so the copies cannot drift)."""

    SCHEDULED = "scheduled"  # waiting for due_at
    QUEUED = "queued"  # handed to the queue
    SENDING = "sending"  # claimed with a lease; the API call may be in flight
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    SUPPRESSED = "suppressed"  # policy said no (status_reason says why)
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # worker died mid-call: never resent automatically

    @classmethod
    def waiting(cls) -> frozenset[MessageStatus]:
        """Not claimed yet: the only rows that may be cancelled, held or suppressed."""
        return _GROUPS["waiting"]

    @classmethod
    def unfinished(cls) -> frozenset[MessageStatus]:
        """Waiting or in flight: a campaign with such rows is not complete."""
        return _GROUPS["unfinished"]

    @classmethod
    def sent(cls) -> frozenset[MessageStatus]:
        """Accepted by Meta (and billed): sent, delivered or read."""
        return _GROUPS["sent"]

    @classmethod
    def delivered(cls) -> frozenset[MessageStatus]:
        return _GROUPS["delivered"]

    @classmethod
    def failed(cls) -> frozenset[MessageStatus]:
        """Tried and not known to have arrived (a suppressed row was never tried: skipped)."""
        return _GROUPS["failed"]

    @classmethod
    def not_sent(cls) -> frozenset[MessageStatus]:
        """Final without reaching Meta's acceptance: skipped by policy or failed."""
        return _GROUPS["not_sent"]

    @classmethod
    def refused(cls) -> frozenset[MessageStatus]:
        """A known refusal, by Meta or by policy. UNKNOWN is left out on purpose: its message
        may have arrived. Flow alerts read these (ix_outbound_flow_updated's own condition)."""
        return _GROUPS["refused"]

    @classmethod
    def counted(cls) -> frozenset[MessageStatus]:
        """Rows that may have reached the person: what frequency caps count."""
        return _GROUPS["counted"]

    @classmethod
    def final(cls) -> frozenset[MessageStatus]:
        """Past any change by the send path (status webhooks still refine sent rows)."""
        return _GROUPS["final"]

    @staticmethod
    def sql(statuses: frozenset[MessageStatus]) -> list[str]:
        """A group as the sorted plain strings an SQL `IN` binds (stable statement cache)."""
        return sorted(s.value for s in statuses)


_S = MessageStatus
_GROUPS: dict[str, frozenset[MessageStatus]] = {
    "waiting": frozenset({_S.SCHEDULED, _S.QUEUED}),
    "unfinished": frozenset({_S.SCHEDULED, _S.QUEUED, _S.SENDING}),
    "sent": frozenset({_S.SENT, _S.DELIVERED, _S.READ}),
    "delivered": frozenset({_S.DELIVERED, _S.READ}),
    "failed": frozenset({_S.FAILED, _S.UNKNOWN}),
    "not_sent": frozenset({_S.SUPPRESSED, _S.FAILED, _S.UNKNOWN}),
    "refused": frozenset({_S.FAILED, _S.SUPPRESSED}),
    "counted": frozenset({_S.SENDING, _S.SENT, _S.DELIVERED, _S.READ, _S.UNKNOWN}),
    "final": frozenset(
        {_S.SENT, _S.DELIVERED, _S.READ, _S.SUPPRESSED, _S.FAILED, _S.CANCELLED, _S.UNKNOWN}
    ),
}


def _only_when_set(column: str) -> dict[str, Any]:
    """A partial index: rows without the value (most of them) cost nothing to write."""
    condition = sa.text(f"{column} IS NOT NULL")
    return {"postgresql_where": condition, "sqlite_where": condition}


# Marketing held for the plan's quota: the condition its queries use (so the planner picks the
# partial index), and the same as PostgreSQL writes it back (tests/test_migrations.py).
QUOTA_HELD = "status_reason = 'quota_exceeded'"
QUOTA_HELD_PG = "(status_reason)::text = 'quota_exceeded'::text"
# Marketing waiting its turn at its number's rate (plugin/delivery/policy/pacing.py): the end
# of a store's queue of them is read by ix_outbound_paced
PACED = "status = 'scheduled' AND status_reason = 'paced'"
PACED_PG = "(((status)::text = 'scheduled'::text) AND ((status_reason)::text = 'paced'::text))"
# Queued for a send (a queue message carries the row): the tick's search for rows whose message
# was lost reads these by when they were queued (ix_outbound_queued_since)
QUEUED = f"status = '{MessageStatus.QUEUED.value}'"
QUEUED_PG = f"(status)::text = '{MessageStatus.QUEUED.value}'::text"


class OutboundMessage(SQLModel, table=True):
    """The outbox: one row per message, written before any send (the DB is the truth).

    A campaign writes a million of these in a minute, so the table carries only the indexes
    its readers use (docs/benchmarks.md) and no foreign keys: a foreign key costs a lookup and
    a row lock on the referenced row for every row written (half the fan-out's time). Every
    writer takes its ids from rows it has just read, contacts, stores, templates and accounts
    are never deleted (erasure and template deletion are updates), and the delivery engine
    reads each row's contact within the row's store at send time, suppressing the row when
    there is none (docs/adr/0004-outbox-without-foreign-keys.md).
    """

    __tablename__ = "outbound_message"
    __table_args__ = (
        sa.UniqueConstraint("store_id", "idempotency_key", name="uq_outbound_idempotency"),
        sa.Index("ix_outbound_status_due", "status", "due_at"),
        sa.Index("ix_outbound_contact_created", "contact_id", "created_at"),
        sa.Index("ix_outbound_campaign", "campaign_id", "status"),
        # cart recovery's rows have a checkout, order updates an order, sent messages a wamid;
        # the rest (a campaign's) are not indexed. A batch of Saleor events reads the keys of
        # its checkouts' and orders' rows (plugin/delivery/outbox_memo.py)
        sa.Index("ix_outbound_checkout", "checkout_id", **_only_when_set("checkout_id")),
        sa.Index("ix_outbound_order", "order_id", **_only_when_set("order_id")),
        sa.Index("uq_outbound_wamid", "wamid", unique=True, **_only_when_set("wamid")),
        # Meta's moving 24 h window counts a store's business-initiated rows by sent_at
        # (plugin/delivery/window.py); other rows, and the fan-out's inserts, cost it nothing
        sa.Index(
            "ix_outbound_store_sent",
            "store_id",
            "sent_at",
            postgresql_where=sa.text("business_initiated"),
            sqlite_where=sa.text("business_initiated = 1"),
        ),
        # queued rows by when they were queued: each tick looks for rows whose queue message
        # was lost (queued over 30 s ago); through (status, due_at) it read every queued row, a
        # campaign's 100,000 included (68 ms a tick in the soak), and here it reads the old ones
        sa.Index(
            "ix_outbound_queued_since",
            "updated_at",
            postgresql_where=sa.text(QUEUED_PG),  # PostgreSQL's own spelling of QUEUED
            sqlite_where=sa.text(QUEUED),
        ),
        # marketing waiting its turn at its number's rate: a claim that puts rows off reads
        # the store's last one; the campaign's other rows cost it nothing
        sa.Index(
            "ix_outbound_paced",
            "store_id",
            "due_at",
            postgresql_where=sa.text(PACED_PG),  # PostgreSQL's own spelling of PACED
            sqlite_where=sa.text(PACED),
        ),
        # marketing held for the plan's quota (few rows): the tick releases them by store
        sa.Index(
            "ix_outbound_quota_held",
            "store_id",
            "due_at",
            postgresql_where=sa.text(QUOTA_HELD_PG),  # PostgreSQL's own spelling of QUOTA_HELD
            sqlite_where=sa.text(QUOTA_HELD),
        ),
    )

    id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
    )
    store_id: int  # uq_outbound_idempotency and ix_outbound_store_created lead with it
    contact_id: int
    account_id: int | None = None
    purpose: MessagePurpose = Field(sa_type=sa.String(20))
    kind: MessageKind = Field(sa_type=sa.String(30))
    idempotency_key: str = Field(max_length=200)
    template_id: int | None = None
    template_name: str | None = Field(default=None, max_length=512)
    template_language: str | None = Field(default=None, max_length=15)
    parameters: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSONType
    )  # purged by retention
    text: str | None = Field(default=None, sa_type=sa.Text)  # free text inside the window
    source_type: str = Field(
        default="", max_length=30
    )  # flow / campaign / consent / test / support
    source_id: str | None = Field(default=None, max_length=100)
    flow_key: str | None = Field(default=None, max_length=60)
    flow_step: int | None = None
    campaign_id: int | None = Field(default=None)
    variant: str | None = Field(default=None, max_length=10)
    checkout_id: str | None = Field(default=None, max_length=100)
    order_id: str | None = Field(default=None, max_length=100)
    due_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    status: MessageStatus = Field(default=MessageStatus.SCHEDULED, sa_type=sa.String(20))
    status_reason: str | None = Field(default=None, max_length=60)
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_column=utc_column())
    wamid: str | None = Field(default=None, max_length=128)
    error_code: int | None = None
    error_message: str | None = Field(default=None, max_length=500)
    pricing_category: str | None = Field(default=None, max_length=40)
    pricing_type: str | None = Field(default=None, max_length=40)
    billable: bool | None = None
    # set when the policy sends a template outside the contact's service window: what Meta's
    # messaging limit counts (plugin/delivery/window.py)
    business_initiated: bool | None = None
    # the plan month a marketing send took a quota unit from, until the unit is given back
    # (the send failed, or Meta does not bill it): plugin.delivery.quota
    quota_period: str | None = Field(default=None, max_length=7)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column())
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column())
    read_at: datetime | None = Field(default=None, sa_column=utc_column())
    failed_at: datetime | None = Field(default=None, sa_column=utc_column())


class InboundMessage(SQLModel, table=True):
    """A customer's message to the store (opens the 24-hour service window)."""

    __tablename__ = "inbound_message"
    __table_args__ = (sa.Index("ix_inbound_contact_received", "contact_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    account_id: int | None = Field(default=None, foreign_key="whatsapp_account.id")
    wamid: str = Field(max_length=128, unique=True)
    type: str = Field(max_length=30)
    text: str | None = Field(default=None, sa_type=sa.Text)  # purged by retention
    button_payload: str | None = Field(default=None, max_length=256)
    context_wamid: str | None = Field(default=None, max_length=128)
    received_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class DeliveryCounter(SQLModel, table=True):
    """A running count per store and period (e.g. the messaging window's row, which is only
    the lock its checks queue on: plugin/delivery/window.py); the plan's monthly quota is the
    stores domain's counter (plugin.stores.usage).

    Reserved atomically at send time (`UPDATE ... SET value = value + n`), so N workers never
    overshoot a quota, and read in O(1) instead of counting the outbox on every batch.
    """

    __tablename__ = "delivery_counter"

    store_id: int = Field(foreign_key="store.id", primary_key=True)
    name: str = Field(max_length=40, primary_key=True)  # e.g. "recipients_window"
    period: str = Field(max_length=10, primary_key=True)  # e.g. "-"
    value: int = 0
    warned_at_percent: int = 0  # unused since the quota moved to plan_usage


class PendingStatus(SQLModel, table=True):
    """A status webhook that arrived before its send result was written (the wamid was not
    known yet); the scheduler tick applies it once the row has its wamid."""

    __tablename__ = "delivery_pending_status"

    id: int | None = Field(default=None, primary_key=True)
    wamid: str = Field(max_length=128, index=True)
    update: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    received_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
