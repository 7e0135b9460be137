"""The outbox's set-based fan-out: a campaign turns a SELECT of its recipients into complete
outbox rows (`fanout_rows`) and writes them with one INSERT … SELECT (`insert_rows`), skipping
keys already written, under outbox.py's one key scheme.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.db import dialect_name, insert_ignoring_conflicts
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.outbox import T, idempotency_key
from plugin.delivery.pace import LEAD_SECONDS, clamp_rate
from plugin.delivery.quality import marketing_rate, marketing_share
from plugin.whatsapp.accounts import WhatsAppAccount

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


def paced_due(
    session: Session,
    *,
    account_id: int | None,
    due_at: Any,
    ordinal: Any,
    first_at: datetime,
    before: int,
) -> Any:
    """A marketing fan-out row's due time: its own, or LEAD_SECONDS before its turn at the
    number's marketing rate, whichever is later. Turns start `before` turns (the rows written
    earlier) after `first_at` (a later turn: or now, if that is past, as after a pause or for
    the A/B winner's group); the row's turn is `ordinal` / rate seconds later.

    Only a hint: the send policy admits each send to its number's schedule and puts off what
    does not fit (plugin/delivery/policy/pacing.py). Written due all at once, a campaign of
    100,000 was claimed, put off and claimed again row by row; spread here, its rows fall due
    about as fast as the number sends, and each is claimed once. On SQLite (embedded mode, a
    small store) the rows keep their own due time and the policy spreads them."""
    if account_id is None or dialect_name(session) != "postgresql":
        return due_at
    account = session.get(WhatsAppAccount, account_id)
    if account is None:
        return due_at
    rate = marketing_rate(
        clamp_rate(account.throughput_mps), marketing_share(account.quality_rating)
    )
    start = first_at + timedelta(seconds=before / rate - LEAD_SECONDS)
    if before:  # a later turn behind the clock (written after a pause): from now on
        start = max(start, clock.now() - timedelta(seconds=LEAD_SECONDS))
    utc = T.c.due_at.type
    seconds = sa.literal(1.0 / rate, sa.Float) * ordinal
    turn = sa.literal(start, utc) + sa.func.make_interval(0, 0, 0, 0, 0, 0, seconds)
    return sa.func.greatest(due_at, turn, type_=utc)
