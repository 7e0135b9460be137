"""A contact's conversation: inbound and outbound messages merged by time.

One SQL statement (a UNION ALL of both tables) so a page of the conversation is one keyset
query whatever its length: order by `at`, then `direction`, then `id` (unique together).
An outbound message is placed at its send time, or when it was written while not yet sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from plugin.contacts.models import Contact
from plugin.db import UTCDateTime
from plugin.delivery.models import InboundMessage, MessageKind, OutboundMessage

INBOUND = "inbound"
OUTBOUND = "outbound"


def _null(type_: Any) -> Any:
    return sa.cast(sa.null(), type_)


def conversation_query(*, store_id: int, contact_id: int) -> tuple[sa.Select[Any], Any]:
    """(select of conversation rows, its subquery's columns) for one contact of one store.

    Each row has: direction, at, id, store_id, kind, purpose, text, template_name,
    template_language, status, status_reason, error_code, error_message, message_type,
    button_payload, parameters (the send components), due_at (columns that do not apply to a
    direction are null)."""
    outbound: sa.Select[*tuple[Any, ...]] = sa.select(
        sa.literal(OUTBOUND, sa.String(10)).label("direction"),
        sa.func.coalesce(OutboundMessage.sent_at, OutboundMessage.created_at).label("at"),
        col(OutboundMessage.id).label("id"),
        col(OutboundMessage.store_id).label("store_id"),
        col(OutboundMessage.kind).label("kind"),
        col(OutboundMessage.purpose).label("purpose"),
        col(OutboundMessage.text).label("text"),
        col(OutboundMessage.template_name).label("template_name"),
        col(OutboundMessage.template_language).label("template_language"),
        col(OutboundMessage.status).label("status"),
        col(OutboundMessage.status_reason).label("status_reason"),
        col(OutboundMessage.error_code).label("error_code"),
        col(OutboundMessage.error_message).label("error_message"),
        _null(sa.String(30)).label("message_type"),
        _null(sa.String(256)).label("button_payload"),
        col(OutboundMessage.parameters).label("parameters"),
        col(OutboundMessage.due_at).label("due_at"),
    ).where(
        col(OutboundMessage.store_id) == store_id, col(OutboundMessage.contact_id) == contact_id
    )
    inbound: sa.Select[*tuple[Any, ...]] = sa.select(
        sa.literal(INBOUND, sa.String(10)).label("direction"),
        col(InboundMessage.received_at).label("at"),
        col(InboundMessage.id).label("id"),
        col(InboundMessage.store_id).label("store_id"),
        _null(sa.String(30)).label("kind"),
        _null(sa.String(20)).label("purpose"),
        col(InboundMessage.text).label("text"),
        _null(sa.String(512)).label("template_name"),
        _null(sa.String(15)).label("template_language"),
        _null(sa.String(20)).label("status"),
        _null(sa.String(60)).label("status_reason"),
        _null(sa.Integer()).label("error_code"),
        _null(sa.String(500)).label("error_message"),
        col(InboundMessage.type).label("message_type"),
        col(InboundMessage.button_payload).label("button_payload"),
        _null(OutboundMessage.__table__.c.parameters.type).label("parameters"),  # type: ignore[attr-defined]
        _null(UTCDateTime()).label("due_at"),
    ).where(col(InboundMessage.store_id) == store_id, col(InboundMessage.contact_id) == contact_id)
    rows = sa.union_all(outbound, inbound).subquery("conversation")
    stmt = sa.select(*rows.c).where(rows.c.store_id == store_id)
    return stmt, rows.c


def _answered(store_id: int) -> Any:
    """A service reply (a support answer or an automatic confirmation) was written at or
    after the contact's last message."""
    return sa.exists().where(
        col(OutboundMessage.store_id) == store_id,
        col(OutboundMessage.contact_id) == Contact.id,
        col(OutboundMessage.kind) == MessageKind.SERVICE_REPLY.value,
        col(OutboundMessage.created_at) >= Contact.last_inbound_at,
    )


def _window_open(store_id: int, since: datetime) -> tuple[Any, ...]:
    return (
        col(Contact.store_id) == store_id,
        col(Contact.last_inbound_at) >= since,
        col(Contact.erased_at).is_(None),
    )


def reply_inbox_counts(*, store_id: int, since: datetime) -> sa.Select[Any]:
    """(contacts who wrote since `since`, those of them not answered yet) in one row."""
    return sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((_answered(store_id), 0), else_=1)), 0),
    ).where(*_window_open(store_id, since))


def reply_inbox_query(*, store_id: int, since: datetime) -> sa.Select[Any]:
    """The replies inbox: contacts of one store who wrote since `since` (the open 24-hour
    service windows), unanswered first, then newest. Each row: (Contact, last message's text,
    its type, its button payload, answered)."""
    latest = sa.orm.aliased(InboundMessage)
    last = (
        sa.select(col(latest.id))
        .where(col(latest.store_id) == store_id, col(latest.contact_id) == Contact.id)
        .order_by(col(latest.received_at).desc(), col(latest.id).desc())
        .limit(1)
        .correlate(Contact)
        .scalar_subquery()
    )

    def of_last(column: Any) -> Any:
        return (
            sa.select(column)
            .where(col(InboundMessage.store_id) == store_id, col(InboundMessage.id) == last)
            .scalar_subquery()
        )

    answered = _answered(store_id).label("answered")
    return (
        sa.select(
            Contact,
            of_last(InboundMessage.text).label("text"),
            of_last(InboundMessage.type).label("message_type"),
            of_last(InboundMessage.button_payload).label("button_payload"),
            answered,
        )
        .where(*_window_open(store_id, since))
        .order_by(answered.asc(), col(Contact.last_inbound_at).desc(), col(Contact.id).desc())
    )
