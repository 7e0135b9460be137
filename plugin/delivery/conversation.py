"""A contact's conversation: inbound and outbound messages merged by time.

One SQL statement (a UNION ALL of both tables) so a page of the conversation is one keyset
query whatever its length: order by `at`, then `direction`, then `id` (unique together).
An outbound message is placed at its send time, or when it was written while not yet sent.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from plugin.db import UTCDateTime
from plugin.delivery.models import InboundMessage, OutboundMessage

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
