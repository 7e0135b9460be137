"""The outbox's set-based fan-out: a campaign turns a SELECT of its recipients into complete
outbox rows (`fanout_rows`) and writes them with one INSERT … SELECT (`insert_rows`), skipping
keys already written, under outbox.py's one key scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.db import insert_ignoring_conflicts
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.outbox import T, idempotency_key

FANOUT_COLUMNS = (
    "store_id contact_id account_id purpose kind idempotency_key template_id template_name "
    "template_language parameters source_type source_id campaign_id variant due_at status "
    "attempts created_at updated_at"
).split()


@dataclass(frozen=True)
class FanOut:
    """What every row of one set-based write shares (one campaign's fan-out)."""

    store_id: int
    account_id: int | None
    purpose: MessagePurpose
    kind: MessageKind
    source_type: str
    source_id: str
    campaign_id: int | None
    key_source: str  # idempotency_key(key_source, *key_parts, contact id)
    key_parts: tuple[object, ...] = ()


def fanout_rows(
    fanout: FanOut,
    *,
    contact_id: Any,
    template_id: Any,
    template_name: Any,
    template_language: Any,
    parameters: Any,
    variant: Any,
    due_at: Any,
) -> sa.Select[Any]:
    """A SELECT of complete outbox rows (FANOUT_COLUMNS, scheduled) from per-recipient column
    expressions; the caller adds its FROM, joins and WHERE, and runs `insert_rows`."""
    now = clock.now()
    utc = T.c.created_at.type
    prefix = idempotency_key(fanout.key_source, *fanout.key_parts) + ":"
    return sa.select(
        sa.literal(fanout.store_id),
        contact_id,
        sa.literal(fanout.account_id, sa.Integer),
        sa.literal(fanout.purpose.value),
        sa.literal(fanout.kind.value),
        sa.literal(prefix) + sa.cast(contact_id, sa.String),
        template_id,
        template_name,
        template_language,
        parameters,
        sa.literal(fanout.source_type),
        sa.literal(fanout.source_id),
        sa.literal(fanout.campaign_id, sa.Integer),
        variant,
        due_at,
        sa.literal(MessageStatus.SCHEDULED.value),
        sa.literal(0),
        sa.literal(now, utc),
        sa.literal(now, utc),
    )


def insert_rows(session: Session, rows: sa.Select[Any]) -> Any:
    """ONE INSERT … SELECT of `fanout_rows`, skipping keys already written (a resumed turn).
    Returned unexecuted so a caller may add RETURNING or run it inside a CTE; the rows are
    scheduled, so the tick queues them as they fall due."""
    stmt = insert_ignoring_conflicts(session, OutboundMessage).from_select(FANOUT_COLUMNS, rows)
    return stmt.on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
