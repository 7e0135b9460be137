"""Recording webhook deliveries once, and handing each to the service that acts on it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import sqlite
from sqlmodel import Session, col, select

from plugin import broker, clock, db_compose, db_cte
from plugin.db import get_engine
from plugin.inbox import take
from plugin.inbox.models import InboxEvent, InboxSource, InboxStatus
from plugin.inbox.take import NUDGE_START as NUDGE_START
from plugin.inbox.take import Claim as Claim
from plugin.inbox.take import Lane as Lane
from plugin.inbox.take import LaneNudge as LaneNudge
from plugin.inbox.take import lane_key as lane_key
from plugin.inbox.take import nudge_token as nudge_token
from plugin.metrics import INBOX_PROCESSED
from plugin.settings import get_settings

log = structlog.get_logger(__name__)

PROCESS_ACTOR = "process_inbox_event"
PROCESS_BATCH_ACTOR = "process_inbox_events"  # a group commit's new deliveries, in order
ORPHAN_BATCH = 100  # pending rows per re-enqueued message (a failing batch goes one at a time)
MAX_ATTEMPTS = 5

# Source -> the function(session=, store=, inbox=) that acts on a recorded delivery; the
# journeys layer (plugin/events/inbox.py) passes its table to `process`.
Processor = Callable[..., InboxStatus]
# Source -> the function(session=, store=, inboxes=) that acts on consecutive deliveries of one
# store in one unit of work, in order, and returns each one's status by inbox id.
BatchProcessor = Callable[..., dict[int, InboxStatus]]


DEDUPE_COLUMNS = ["store_id", "source", "event", "dedupe_key"]  # uq_inbox_dedupe


def dedupe_key(body: bytes) -> str:
    """Saleor sends no delivery id: an identical body for the same store and event is a
    redelivery (the unique key is DEDUPE_COLUMNS, this digest its body part)."""
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery to record."""

    store_id: int
    source: InboxSource
    event: str
    body: bytes
    status: InboxStatus = InboxStatus.PENDING
    error: str | None = None
    received_at: datetime | None = None


def record(
    *,
    session: Session,
    store_id: int,
    source: InboxSource,
    event: str,
    body: bytes,
    status: InboxStatus = InboxStatus.PENDING,
    error: str | None = None,
) -> int | None:
    """Insert the delivery unless the same one is already there; returns the new id or None."""
    delivery = Delivery(store_id, source, event, body, status, error)
    return record_many(session, [delivery])[0]


def record_many(session: Session | sa.Connection, deliveries: list[Delivery]) -> list[int | None]:
    """Insert deliveries in one statement, skipping any already recorded (or repeated within
    the list): the new id for each, None for a duplicate. The caller commits."""
    now = clock.now()
    rows = [
        {
            "store_id": d.store_id,
            "source": d.source.value,
            "event": d.event,
            "dedupe_key": dedupe_key(d.body),
            "payload": d.body.decode("utf-8"),
            "status": d.status.value,
            "attempts": 0,
            "error": d.error,
            "received_at": d.received_at or now,
        }
        for d in deliveries
    ]
    connection = session.connection() if isinstance(session, Session) else session
    table = InboxEvent.__table__  # type: ignore[attr-defined]
    returning = ("id", *DEDUPE_COLUMNS)
    if connection.dialect.name == "postgresql":
        found = db_cte.insert_returning(
            connection, table, rows, conflict=DEDUPE_COLUMNS, returning=returning
        )
    else:
        stmt = (
            sqlite.insert(table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=DEDUPE_COLUMNS)
            .returning(*(table.c[name] for name in returning))
        )
        found = connection.execute(stmt).all()
    new = {tuple(r[1:]): int(r[0]) for r in found}
    ids: list[int | None] = []
    for row in rows:  # a key repeated in the list: the first one has the id
        ids.append(new.pop(tuple(row[name] for name in DEDUPE_COLUMNS), None))
    return ids


def process(
    *,
    session: Session,
    event_id: int,
    processors: dict[str, Processor],
    claim: Claim | None = None,
) -> InboxStatus | None:
    """Act on one pending delivery alone, once, in its store's recorded order.

    The row acted on is `take.take_one`'s: `event_id`'s own when it is a retry, else its
    store's earliest pending row (itself, unless an earlier one's message is still behind in
    the queue). `claim.taken` says which one it was; the caller asks again until it was
    `event_id`'s. None when there was nothing left to act on."""
    claim = claim if claim is not None else Claim()
    found = take.take_one(session, event_id, claim)
    if found is None:
        return None
    inbox, store = found
    processor = processors.get(inbox.source)
    if store is None:
        status = InboxStatus.IGNORED
    elif processor is None:
        status = InboxStatus.UNHANDLED
    else:
        status = processor(session=session, store=store, inbox=inbox)
    inbox.status = status
    inbox.attempts += 1
    inbox.processed_at = clock.now()
    session.add(inbox)
    INBOX_PROCESSED.labels(inbox.source, inbox.event, status.value).inc()
    return status


def process_batch(
    *,
    session: Session,
    event_ids: Sequence[int],
    processors: dict[str, Processor],
    batch_processors: dict[str, BatchProcessor],
    claim: Claim | None = None,
    lane: Lane | None = None,
) -> dict[int, InboxStatus]:
    """Act on a lane's earliest pending deliveries in one unit of work, in recorded order.

    `lane`, else the message's ids, say which lane — a store's deliveries from one source —
    to act on (`plugin/inbox/take.py`: the unit takes that lane's earliest pending rows, up to
    INBOX_BATCH_MOST, under the lane's lock, so under a backlog it acts in full batches
    whichever message started it). The rows are read with their store, go to their source's
    batch processor together, and their statuses are written in one statement. Any error
    fails the whole unit of work: the caller rolls it back and acts on the rows it had taken
    (`claim`) one at a time, so a bad event is retried alone."""
    claim = claim if claim is not None else Claim()
    rows = take.take(session, event_ids, claim, most=get_settings().inbox_batch_most, lane=lane)
    if not rows:
        return {}
    inboxes = [r for r, _ in rows]
    store, source = rows[0][1], inboxes[0].source
    batch_processor = batch_processors.get(source)
    processor = processors.get(source)
    if store is None:
        statuses = {_id(r): InboxStatus.IGNORED for r in inboxes}
    elif batch_processor is not None:
        statuses = batch_processor(session=session, store=store, inboxes=inboxes)
    elif processor is not None:
        statuses = {_id(r): processor(session=session, store=store, inbox=r) for r in inboxes}
    else:
        statuses = {_id(r): InboxStatus.UNHANDLED for r in inboxes}
    _finish(session, inboxes, statuses)
    return statuses


def _id(inbox: InboxEvent) -> int:
    assert inbox.id is not None
    return inbox.id


def _finish(session: Session, rows: list[InboxEvent], statuses: dict[int, InboxStatus]) -> None:
    """Every row's outcome in one statement (the take locked them), as `process` writes one."""
    now = clock.now()
    outcomes = []
    for r in rows:
        status = statuses[_id(r)]
        outcomes.append(
            {
                "id": r.id,
                "status": status.value,
                "error": r.error,
                "attempts": r.attempts + 1,
                "processed_at": now,
            }
        )
        INBOX_PROCESSED.labels(r.source, r.event, status.value).inc()
    session.flush()  # a row an event marked (its error) is written before the outcome
    table = InboxEvent.__table__  # type: ignore[attr-defined]
    db_compose.update(session, table, outcomes, locked=True)
    for r in rows:
        session.expire(r)


def record_failure(*, session: Session, event_id: int, error: str) -> bool:
    """Count a failed attempt; after MAX_ATTEMPTS the row is marked failed. True = retry."""
    inbox = session.get(InboxEvent, event_id)
    if inbox is None or inbox.status != InboxStatus.PENDING:
        return False
    inbox.attempts += 1
    inbox.error = error[:2000]
    if inbox.attempts >= MAX_ATTEMPTS:
        inbox.status = InboxStatus.FAILED
        inbox.processed_at = clock.now()
    session.add(inbox)
    return inbox.status == InboxStatus.PENDING


def requeue_orphans(*, session: Session, older_than: timedelta | None = None) -> int:
    """Re-enqueue pending rows a lost queue message left behind (Redis is transport only).

    Under a backlog the rows' messages are still queued, only behind: while the queue holds at
    least as many messages as there are pending rows nothing is re-enqueued (a lost one is found
    once the queue is shorter than the backlog), and a row is re-enqueued at most once per
    `older_than` (its `enqueued_at` moves). Without both, every tick re-sent the same oldest
    1,000 rows, and a backlog grew the queue by 1,000 duplicates a second (the soak benchmark
    found it: 60,000 messages for 13,000 pending rows). A group commit's message carries several
    rows, so `held` can undercount a backlog; then a row is re-enqueued at most once per
    `older_than` (default `broker.lost_after()`), and `process` skips a row that is no longer
    pending."""
    now = clock.now()
    older_than = older_than if older_than is not None else broker.lost_after()
    held = broker.queue_size(broker.QUEUES.get(PROCESS_ACTOR, "default"))
    if held and held >= broker.LONG_QUEUE:
        return 0  # far behind: a lost message is found once the queue is shorter
    if held:
        pending = session.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(InboxEvent.id)  # type: ignore[call-overload]
                .where(InboxEvent.status == InboxStatus.PENDING)
                .limit(held + 1)
                .subquery()
            )
        ).scalar_one()
        if pending <= held:
            return 0
    query = orphans_query(now - older_than)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # a worker is acting on it
    rows = session.execute(query).all()
    if not rows:
        return 0
    ids = [int(r.id) for r in rows]
    session.execute(
        sa.update(InboxEvent).where(col(InboxEvent.id).in_(ids)).values(enqueued_at=now)
    )
    return sum(_requeue_lane(session, lane, found) for lane, found in _lanes(rows))


def orphans_query(cutoff: datetime) -> Any:
    """The earliest 1,000 pending rows last enqueued before `cutoff`. A row is enqueued after
    it is received, so `received_at < cutoff` is implied; said, it bounds
    ix_inbox_status_received to the old rows, where the planner walked the primary key through
    every processed row of the table on each tick (tests/test_query_plans.py)."""
    last_enqueued = sa.func.coalesce(InboxEvent.enqueued_at, InboxEvent.received_at)
    return (
        sa.select(InboxEvent.id, InboxEvent.store_id, InboxEvent.source, InboxEvent.attempts)  # type: ignore[call-overload]
        .where(InboxEvent.status == InboxStatus.PENDING, InboxEvent.received_at < cutoff)
        .where(last_enqueued < cutoff)
        .order_by(col(InboxEvent.id))
        .limit(1000)
    )


def _lanes(rows: Sequence[Any]) -> list[tuple[Lane, list[Any]]]:
    lanes: dict[Lane, list[Any]] = {}
    for r in rows:
        lanes.setdefault((int(r.store_id), str(r.source)), []).append(r)
    return list(lanes.items())


def _requeue_lane(session: Session, lane: Lane, rows: list[Any]) -> int:
    """A lane's orphans: its nudge, which acts until the lane is empty, unless one is outstanding
    (the lane's flag is up: that message takes them); rows that failed an attempt are named
    either way (a lane's units leave them to their retries, which may be what was lost), in
    messages of their own. Returns the rows those messages take. One nudge, not one per
    ORPHAN_BATCH: it reads the lane from its earliest pending row, and a second would only
    wait for the first (its token does not hold the flag, so it stops at once)."""
    failed = [int(r.id) for r in rows if r.attempts]
    fresh = [int(r.id) for r in rows if not r.attempts]
    token = nudge_token()
    nudged = bool(fresh) and broker.raise_flag(lane_key(lane), NUDGE_START, token)
    if nudged:
        first = fresh[:ORPHAN_BATCH]
        broker.enqueue_after_commit(
            session, PROCESS_BATCH_ACTOR, first, lane=list(lane), token=token
        )
    for start in range(0, len(failed), ORPHAN_BATCH):
        chunk = failed[start : start + ORPHAN_BATCH]
        broker.enqueue_after_commit(session, PROCESS_BATCH_ACTOR, chunk)
    return (len(fresh) if nudged else 0) + len(failed)


def backlog() -> dict[str, int]:
    """Pending rows per source, for /metrics."""
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(InboxEvent.source, sa.func.count())  # type: ignore[call-overload]
            .where(InboxEvent.status == InboxStatus.PENDING)
            .group_by(InboxEvent.source)
        ).all()
    return {str(source): int(count) for source, count in rows}


def counts_by_status(session: Session, store_id: int) -> dict[str, Any]:
    rows = session.exec(
        select(InboxEvent.status, sa.func.count())
        .where(InboxEvent.store_id == store_id)
        .group_by(InboxEvent.status)
    ).all()
    return {str(status): int(count) for status, count in rows}
