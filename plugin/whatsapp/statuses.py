"""Delivery facts from Meta's `statuses` webhooks, as plain values the delivery engine applies.

`StatusUpdate` is the contract between this channel and `plugin.delivery`: it carries no
pydantic model and no raw dict, so the delivery side never learns Meta's webhook shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from plugin.whatsapp.payloads.webhook import MessagesValue, Status
from plugin.whatsapp.pricing import pricing_from_status

# What a status webhook can tell us, in the order a message lives through them.
TRACKED_STATUSES = ("sent", "delivered", "read", "failed")


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One status of one message (wamid), as Meta reported it: the one value the webhook edge,
    the delivery engine and the pending-status store all use."""

    wamid: str
    status: str  # sent / delivered / read / failed
    timestamp: datetime  # aware UTC
    recipient_id: str | None = None
    error_code: int | None = None  # the first error Meta listed
    error_title: str | None = None  # its details, else its title
    pricing_category: str | None = None  # marketing / utility / authentication / service
    pricing_type: str | None = None  # PMP: regular / free_customer_service / free_entry_point
    billable: bool | None = None
    conversation_id: str | None = None
    conversation_category: str | None = None  # CBP: the conversation's origin type
    # what the sender put in `biz_opaque_callback_data`, echoed by Meta on every status
    biz_opaque_callback_data: str | None = None
    user_id: str | None = None  # business-scoped user id of the recipient


def meta_timestamp(value: str | int | None) -> datetime | None:
    """Meta's epoch-seconds string as an aware UTC datetime (None when unreadable)."""
    try:
        return datetime.fromtimestamp(int(value), UTC) if value is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def status_update(status: Status) -> StatusUpdate | None:
    """The delivery fact in one status item; None for statuses we do not track (deleted...)."""
    if status.status not in TRACKED_STATUSES:
        return None
    timestamp = meta_timestamp(status.timestamp)
    if timestamp is None:
        return None
    error = status.errors[0] if status.errors else None
    category, pricing_type, billable = pricing_from_status(status)  # the one mapping
    conversation = status.conversation
    return StatusUpdate(
        wamid=status.id,
        status=status.status,
        timestamp=timestamp,
        recipient_id=status.recipient_id,
        error_code=error.code if error else None,
        error_title=(
            (error.error_data.details if error.error_data else None)
            or error.title
            or error.message
            or None
        )
        if error
        else None,
        pricing_category=category,
        pricing_type=pricing_type,
        billable=billable,
        conversation_id=conversation.id if conversation else None,
        conversation_category=(
            conversation.origin.type if conversation and conversation.origin else None
        ),
        biz_opaque_callback_data=status.biz_opaque_callback_data,
        user_id=status.recipient_user_id,
    )


def status_updates(value: MessagesValue) -> list[StatusUpdate]:
    """Every tracked status of one `messages` change, in the order Meta listed them."""
    return [update for status in value.statuses if (update := status_update(status))]
