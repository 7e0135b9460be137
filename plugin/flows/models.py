"""What flows remember between webhooks: their settings, the checkouts they watch, the
cash-on-delivery answers, and a journal of every decision (why a step was sent or not)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from plugin import clock
from plugin.db import JSONType, utc_column
from plugin.delivery.models import OutboundMessage


class FlowKey(StrEnum):
    ORDER_CREATED = "order_created"
    ORDER_PAID = "order_paid"
    ORDER_FULFILLED = "order_fulfilled"
    ORDER_CANCELLED = "order_cancelled"
    ORDER_REFUNDED = "order_refunded"
    CART_RECOVERY = "cart_recovery"
    COD_CONFIRMATION = "cod_confirmation"
    REMINDER = "reminder"


ORDER_UPDATE_FLOWS = (
    FlowKey.ORDER_CREATED,
    FlowKey.ORDER_PAID,
    FlowKey.ORDER_FULFILLED,
    FlowKey.ORDER_CANCELLED,
    FlowKey.ORDER_REFUNDED,
)


class FlowConfig(SQLModel, table=True):
    """One flow of one store. A missing row means the defaults (`plugin.flows.config`)."""

    __tablename__ = "flow_config"
    __table_args__ = (sa.UniqueConstraint("store_id", "flow_key", name="uq_flow_config"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    flow_key: FlowKey = Field(sa_type=sa.String(40))
    enabled: bool = False
    channels: list[str] = Field(default_factory=list, sa_type=JSONType)  # empty = every channel
    # starter key -> template name, e.g. {"order_created": "my_order_tpl"}; default `ulak_<key>`
    templates: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    # starter key -> variable mapping overriding the template's own
    variable_mappings: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    # cart recovery: [{"delay_minutes": 60, "template": "cart_recovery_1", "discount_code": null}]
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    # flow-specific knobs: cod gateways / metadata key / nudge hours, reminder hours, tracking URL
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class JournalAction(StrEnum):
    ENTERED = "entered"  # a checkout started its first recovery sequence
    SCHEDULED = "scheduled"  # an outbox row was written for a step
    RESET = "reset"  # a newer lastChange started a new sequence
    STOPPED = "stopped"  # the flow stopped for this subject (reason)
    CANCELLED = "cancelled"  # a scheduled step was cancelled (reason)
    SKIPPED = "skipped"  # a step could not be written (reason: no template, no phone...)
    ANSWERED = "answered"  # cash on delivery: the customer answered
    WRITTEN_BACK = "written_back"  # the answer is on the order in Saleor


class FlowEvent(SQLModel, table=True):
    """The journal: one line per decision a flow took about a checkout or an order."""

    __tablename__ = "flow_event"
    __table_args__ = (
        sa.Index("ix_flow_event_checkout", "store_id", "checkout_id", "id"),
        sa.Index("ix_flow_event_order", "store_id", "order_id", "id"),
        sa.Index("ix_flow_event_store_flow", "store_id", "flow_key", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    flow_key: str = Field(max_length=40)
    checkout_id: str | None = Field(default=None, max_length=100)
    order_id: str | None = Field(default=None, max_length=100)
    contact_id: int | None = Field(default=None)
    sequence: int | None = None
    step: int | None = None
    action: JournalAction = Field(sa_type=sa.String(20))
    reason: str | None = Field(default=None, max_length=60)
    message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    )
    occurred_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


class CodStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    NO_ANSWER = "no_answer"  # shown when the last nudge went unanswered (deadline passed)


class CodConfirmation(SQLModel, table=True):
    """A cash-on-delivery order waiting for (or holding) the customer's answer."""

    __tablename__ = "cod_confirmation"
    __table_args__ = (sa.UniqueConstraint("store_id", "order_id", name="uq_cod_confirmation"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    order_id: str = Field(max_length=100)
    order_number: str | None = Field(default=None, max_length=40)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    status: CodStatus = Field(default=CodStatus.PENDING, sa_type=sa.String(20))
    deadline_at: datetime = Field(sa_column=utc_column(nullable=False))
    answered_at: datetime | None = Field(default=None, sa_column=utc_column())
    written_back_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


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
    sequence: int = 0  # recovery sequence number; a reset after a newer lastChange adds one
    stop_reason: str | None = Field(default=None, max_length=60)
    ordered_at: datetime | None = Field(default=None, sa_column=utc_column())
    order_total: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    order_currency: str | None = Field(default=None, max_length=3)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


# Flow rows by when they last changed: the alert tick reads the recently failed ones. Partial:
# campaign rows (no flow_key), the bulk of the outbox, cost nothing to write.
_PROBLEM = "flow_key IS NOT NULL"
sa.Index(
    "ix_outbound_flow_updated",
    OutboundMessage.__table__.c.updated_at,  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    postgresql_where=sa.text(_PROBLEM),
    sqlite_where=sa.text(_PROBLEM),
)


class FlowAlert(SQLModel, table=True):
    """A switched-on flow that skipped or failed a message for a reason the merchant can fix
    (plugin.delivery.reasons); open while `cleared_at` is null, one row per flow and reason."""

    __tablename__ = "flow_alert"
    __table_args__ = (sa.UniqueConstraint("store_id", "flow_key", "reason", name="uq_flow_alert"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id")
    flow_key: str = Field(max_length=40)
    reason: str = Field(max_length=60)
    template_name: str | None = Field(default=None, max_length=512)
    order_id: str | None = Field(default=None, max_length=100)  # the latest example
    checkout_id: str | None = Field(default=None, max_length=100)
    first_seen_at: datetime = Field(sa_column=utc_column(nullable=False))
    last_seen_at: datetime = Field(sa_column=utc_column(nullable=False))
    cleared_at: datetime | None = Field(default=None, sa_column=utc_column())


class FlowAlertCursor(SQLModel, table=True):
    """How far the alert tick has read the journal and the outbox (one row, id 1)."""

    __tablename__ = "flow_alert_cursor"

    id: int | None = Field(default=None, primary_key=True)
    last_event_id: int = 0
    outbox_since: datetime | None = Field(default=None, sa_column=utc_column())
