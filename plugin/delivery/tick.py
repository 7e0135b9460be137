"""The scheduler's delivery tick: due rows handed to the queue, lost queue messages
replaced, expired leases made final (unknown: never resent), pending statuses applied; and the
readers of the outbox's state ("why didn't she get it?", queue lag for /metrics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin import broker, clock
from plugin.db import get_engine
from plugin.delivery import locks
from plugin.delivery.effects import LEASE_EXPIRED
from plugin.delivery.models import QUEUED, MessageStatus
from plugin.delivery.outbox import BATCH_SIZE, SEND_ACTOR, WAITING
from plugin.delivery.outbox import T as _T
from plugin.metrics import MESSAGES_FAILED
from plugin.rows import OneOf

log = structlog.get_logger(__name__)

# Queued for broker.lost_after() (30 s) without progress: the message was lost ... unless the
# queue still holds enough messages to carry every queued row: then the rows wait their turn
# behind other sends, and re-sending them every 30 s cost a row update and a queue id per row per
# 30 s (the soak benchmark: 340,000 updates in 2.5 minutes for 100,000 rows, when a paced
# campaign's rows were all queued at once; they now wait `scheduled` at their number's pace,
# plugin/delivery/policy/pacing.py).
ORPHAN_AFTER_BUSY = timedelta(minutes=10)
MAX_PER_TICK = 20_000
# rows whose message may be lost, queued again per tick (one a second): 4,000 a second is more
# than any number sends, and a tick that queued 20,000 at once raised the worker's memory
ORPHANS_PER_TICK = 4_000
# a tick's ids as one array parameter: written as an IN list, 20,000 ids made a statement of
# 20,000 parameters whose text psycopg parsed and kept, and a worker's memory rose 11 MB at the
# first re-queue of a paced campaign's waiting rows (the soak, session 18)
_IDS = OneOf(_T.c.id, "ids")


def dispatch_due(session: Session) -> int:
    """Tick: due scheduled rows become queued, and queued rows whose queue message was lost
    (Redis flushed, worker killed before claiming) are queued again: after
    `broker.lost_after()` (30 s), or after
    10 minutes while the queue holds enough messages to carry every queued row, or
    `broker.LONG_QUEUE` messages or more (they are waiting their turn, not lost). Duplicated
    queue messages are harmless: the claim takes a row once."""
    now = clock.now()
    postgres = session.get_bind().dialect.name == "postgresql"
    due = (
        sa.select(_T.c.id)
        .where(_T.c.status == MessageStatus.SCHEDULED.value, _T.c.due_at <= now)
        .order_by(_T.c.due_at)
        .limit(MAX_PER_TICK)
    )
    orphan_after = broker.lost_after()
    held = broker.queue_size(broker.QUEUES.get(SEND_ACTOR, "delivery"))
    if held and held >= broker.LONG_QUEUE:
        orphan_after = ORPHAN_AFTER_BUSY
    elif held:
        queued = session.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(_T.c.updated_at)  # from ix_outbound_queued_since alone
                .where(sa.text(QUEUED))
                .limit(held * BATCH_SIZE + 1)
                .subquery()
            )
        ).scalar_one()
        if queued <= held * BATCH_SIZE:
            orphan_after = ORPHAN_AFTER_BUSY
    orphans = orphans_query(now - orphan_after, now)
    if postgres:
        due = due.with_for_update(skip_locked=True)
        orphans = orphans.with_for_update(skip_locked=True)
    ids = [int(i) for (i,) in session.execute(due).all()]
    orphan_ids = [int(i) for (i,) in session.execute(orphans).all()]
    if ids:
        session.execute(
            sa.update(_T)
            .where(_IDS, _T.c.status == MessageStatus.SCHEDULED.value)
            .values(status=MessageStatus.QUEUED.value, updated_at=now),
            {"ids": ids},
        )
    if orphan_ids:
        session.execute(sa.update(_T).where(_IDS).values(updated_at=now), {"ids": orphan_ids})
        log.info("outbox_orphans_requeued", count=len(orphan_ids))
    every = sorted(ids + orphan_ids)
    for start in range(0, len(every), BATCH_SIZE):
        broker.enqueue_after_commit(session, SEND_ACTOR, every[start : start + BATCH_SIZE])
    return len(every)


def orphans_query(cutoff: datetime, now: datetime) -> Any:
    """Due rows queued before `cutoff` and still queued: their queue message may be lost. The
    condition is written as ix_outbound_queued_since's (a literal, so the planner can use the
    partial index whatever the statement's parameters), so the tick reads the rows queued
    before the cutoff, not a running campaign's queued rows."""
    return (
        sa.select(_T.c.id)
        .where(sa.text(QUEUED), _T.c.updated_at < cutoff, _T.c.due_at <= now)
        .order_by(_T.c.id)
        .limit(ORPHANS_PER_TICK)
    )


def expire_leases(session: Session) -> int:
    """Tick: a row still `sending` after its lease belongs to a dead (or hung) worker. It may
    have reached Meta, so it becomes `unknown` and is never resent automatically — marketing
    and transactional alike, since a lost lease is no proof the request never left."""
    now = clock.now()
    expired = (_T.c.status == MessageStatus.SENDING.value, _T.c.lease_until < now)
    result = session.execute(
        sa.update(_T)  # a row being written back now is left to its (live) writer
        .where(*locks.locked(session, *expired, skip_locked=True))
        .values(
            status=MessageStatus.UNKNOWN.value,
            status_reason=LEASE_EXPIRED,
            lease_until=None,
            updated_at=now,
        )
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        MESSAGES_FAILED.labels(LEASE_EXPIRED).inc(count)
        log.warning("outbox_leases_expired", count=count)
    return count


def explain(
    session: Session, *, store_id: int, contact_id: int, limit: int = 50
) -> list[dict[str, Any]]:
    """ "Why didn't she get it?": the contact's latest messages with status and reason."""
    rows = session.execute(
        sa.select(
            _T.c.id,
            _T.c.kind,
            _T.c.purpose,
            _T.c.template_name,
            _T.c.status,
            _T.c.status_reason,
            _T.c.error_code,
            _T.c.due_at,
            _T.c.sent_at,
            _T.c.created_at,
        )
        .where(_T.c.store_id == store_id, _T.c.contact_id == contact_id)
        .order_by(_T.c.id.desc())
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


def queue_lag() -> tuple[float, dict[str, int]]:
    """(seconds the oldest due row has waited, rows per waiting status), for /metrics."""
    now = clock.now()
    with get_engine().connect() as conn:
        oldest = conn.execute(
            sa.select(sa.func.min(_T.c.due_at)).where(_T.c.status.in_(WAITING), _T.c.due_at <= now)
        ).scalar()
        counts = conn.execute(
            sa.select(_T.c.status, sa.func.count())
            .where(_T.c.status.in_(MessageStatus.sql(MessageStatus.unfinished())))
            .group_by(_T.c.status)
        ).all()
    if isinstance(oldest, str):  # SQLite returns the raw text for an aggregate
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
    lag = (now - oldest).total_seconds() if oldest is not None else 0.0
    return max(0.0, lag), {str(s): int(c) for s, c in counts}
