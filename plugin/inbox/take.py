"""Taking a store's inbox rows for one unit of work: in recorded order, whichever worker acts.

A queue message names the rows one group commit recorded, but it is only a nudge: the unit
of work it starts takes the *earliest* pending rows (up to INBOX_BATCH_MOST) of one lane — a
store's deliveries from one source — under an advisory lock per lane held to its commit. So
one store's Saleor events are acted on by one unit of work at a time, each after every earlier
one, whichever worker thread or process gets which message, and a message whose rows an
earlier unit already acted on finds nothing to do. Saleor's and Meta's deliveries are separate
lanes: the two senders do not order their webhooks against each other (ADR 0006, fourth step),
so a campaign's status webhooks never queue a store's order updates behind them.
Why: with the message's own rows as the unit (session 11), two batches of one store ran at
once and whichever took the shared rows' locks first acted first: an order before its
checkout's last update, an account's "no" after its later "yes" (and the confirmation of the
"no" went out). bench_events saw 1,236–1,315 outbox rows against one at a time's 1,511
(docs/adr/0006-batched-saleor-events.md). Waits go one way only — for the store's lock, which
is the first lock a unit takes — so they cannot form a cycle.

A row that already failed an attempt is not taken with the others: it is retried alone
(`take_one`), so a poison event never holds its store's later events back.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import broker
from plugin.inbox.models import InboxEvent, InboxSource, InboxStatus
from plugin.rows import OneOf
from plugin.saleor.models import Store

# advisory lock classes of (class, store id): one unit of work per lane at a time
LANE_LOCKS = {InboxSource.SALEOR: 0x756C6173, InboxSource.WHATSAPP: 0x756C6177}  # "ulas", "ulaw"
OTHER_LANE = 0x756C616F  # "ulao": a source without a class of its own


@dataclass(slots=True)
class Claim:
    """What one unit of work took, for its actor.

    `taken`: the rows it locked and acts on, in id order (on a rollback the actor acts on each
    alone); `alone`: its message's pending rows that already failed an attempt (acted on alone
    after it); `more`: its message still has pending rows it did not take (another store's,
    or past INBOX_BATCH_MOST) — the actor runs another unit of work; `busy`: its named lane
    was held by another unit, and it took nothing (`LaneNudge`: the actor comes back later)."""

    taken: list[int] = field(default_factory=list)
    alone: list[int] = field(default_factory=list)
    more: bool = False
    busy: bool = False

    def after_failure(self, event_ids: Sequence[int]) -> list[int]:
        """The rows to act on one at a time when the unit of work rolled back before or after
        taking its rows."""
        return list(self.taken) if self.taken else sorted(set(event_ids))


Row = tuple[InboxEvent, Store | None]
Lane = tuple[int, str]  # (store id, source)
# how long a lane's new message may wait for a worker thread before the next group commit sends
# another: Dramatiq's consumers fetch ahead, and a worker busy with a campaign's sends held the
# lane's one message in its buffer for a minute while the lane filled (the soak, session 15)
NUDGE_START = timedelta(seconds=2)


def lane_key(lane: Lane) -> str:
    """The broker flag that is up while a message for the lane will still read it
    (`LaneNudge`): the group commit sends a lane's message only when it raises the flag."""
    store_id, source = lane
    return f"inbox-lane:{source}:{store_id}"


def nudge_token() -> str:
    """A new lane message's token: the flag it raises holds it, and the message acts only while
    it does (`LaneNudge`)."""
    return secrets.token_hex(8)


@dataclass(slots=True)
class LaneNudge:
    """One lane message's part in the lane's flag. The flag is up only while some message will
    still read the lane, so a group commit that finds it up sends nothing (ADR 0006, "One
    nudge per lane"): a message keeps it up (and fresh) while its units come back full; at the
    first that does not, it lowers the flag and runs one more unit, which reads what was
    recorded before the flag went down (whatever is recorded after raises it anew, and sends a
    message of its own). Why not lower it as a message starts: every group commit while it
    waited for the unit before it then sent one more, and under a backlog each of those kept
    going while its units were full — in the soak ninety messages queued for one lane, and
    every worker thread waited for it.

    The flag holds the `token` of the message that raised it, and a message acts only while
    its token holds the flag, or takes it when it is down: a message whose flag lapsed while
    it waited in a busy worker's buffer, and a later group commit sent another, stops at once
    (the other reads the lane from its earliest pending row, its rows too). Why: without
    tokens every lapse added a message that kept coming back while the lane was busy, and in
    the soak the two workers went from 5 to 200 such returns a second within two minutes,
    more than the units of work themselves, at a load average of 11 (session 22)."""

    lane: Lane
    token: str
    lowered: bool = False
    # how soon a message whose lane another unit holds comes back (a unit takes 0.1–3 s)
    BUSY_RETRY_MS: ClassVar[int] = 250

    def start(self) -> bool:
        """The message is being worked: the flag stays up until it lowers it (a group commit
        raised it for NUDGE_START only, in case the message waits in a busy worker's buffer).
        False: another message holds the lane's flag, and this one has nothing to do."""
        return broker.own_flag(lane_key(self.lane), self.token, broker.lost_after())

    def hand_back(self, start: timedelta) -> bool:
        """The message goes back on the queue (its lane was busy, or it ran its units):
        until a worker starts it again its flag lasts `start` (NUDGE_START), as a new
        message's does. Kept up for `lost_after` instead, a message waiting in the buffer of a
        worker busy with a campaign's sends held the lane's flag while no unit ran, and no
        group commit sent another: the 30-minute soak's backlog climbed for 20-30 s at a time
        (session 17). False: another message holds the flag now, and this one is not sent
        back."""
        return broker.own_flag(lane_key(self.lane), self.token, start)

    def go_on(self, full: bool) -> bool:
        """After a unit of work (`full`: it took INBOX_BATCH_MOST rows): run another?"""
        key = lane_key(self.lane)
        if full:
            return self.lowered or broker.own_flag(key, self.token, broker.lost_after())
        if self.lowered:
            return False
        broker.lower_flag(key, self.token)
        self.lowered = True
        return True


_FRESH = (InboxEvent.status == InboxStatus.PENDING, InboxEvent.attempts == 0)
# the message's ids as one array parameter: the statement's text is the same for every message
_MESSAGE = OneOf(InboxEvent.__table__.c.id, "ids")  # type: ignore[attr-defined]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _rows_and_stores(*where: Any) -> Any:
    """Pending rows with their store (LEFT JOIN: a deleted store's rows are ignored)."""
    return (
        select(InboxEvent, Store)
        .outerjoin(Store, col(Store.id) == col(InboxEvent.store_id))
        .where(InboxEvent.status == InboxStatus.PENDING, *where)
        .order_by(col(InboxEvent.id))
        .execution_options(populate_existing=True)
    )


def _locked(session: Session, stmt: Any) -> list[Row]:
    if _postgres(session):
        stmt = stmt.with_for_update(of=InboxEvent)  # the orphan sweep may hold one a moment
    return [(r, s) for r, s in session.execute(stmt).all()]


def _lock_lane(session: Session) -> Any:
    """The wait for the lock of the row's lane, as an expression of a statement reading it."""
    if not _postgres(session):
        return sa.null()
    return sa.func.pg_advisory_xact_lock(_lane_class(InboxEvent.source), InboxEvent.store_id).is_(
        None
    )


def _lane_class(source: Any) -> Any:
    """The advisory lock class of a lane's source (LANE_LOCKS, else OTHER_LANE)."""
    return sa.case(
        {s.value: code for s, code in LANE_LOCKS.items()}, value=source, else_=OTHER_LANE
    )


def _one_writer(session: Session) -> None:
    """SQLite has no advisory or row locks: a unit of work first takes its one writer's lock
    (a write that changes nothing, so the transaction begins with it and waits its turn), so
    the embedded worker's threads act one unit at a time, each reading what the one before it
    committed. Without it two threads took the same earliest rows."""
    if not _postgres(session):
        session.execute(
            sa.update(InboxEvent).where(sa.false()).values(attempts=InboxEvent.attempts)
        )


def _lane(store_id: int, source: str) -> tuple[Any, ...]:
    return (InboxEvent.store_id == store_id, InboxEvent.source == source)


def take(
    session: Session, event_ids: Sequence[int], claim: Claim, *, most: int, lane: Lane | None = None
) -> list[Row]:
    """The earliest pending rows (none failed yet) of `lane`, else of the lane of the message's
    first such row, up to `most`, locked, with their store, in id order: on PostgreSQL one
    statement and a read of the store (`_in_one`), on SQLite two (`_on_sqlite`). Empty when
    that lane has nothing left; `claim` says whether the message has more."""
    ids = sorted(set(event_ids))
    if not _postgres(session):
        return _on_sqlite(session, ids, claim, most, lane)
    if lane is not None and not _try_lane(session, lane):
        claim.busy = True
        return []
    return _in_one(session, ids, claim, most, lane) or _after_none(session, ids, claim)


def _try_lane(session: Session, lane: Lane) -> bool:
    """Take the named lane's lock if it is free (held to the commit; the take's own wait for it
    then returns at once). A lane's message does not wait for it in a worker thread: it comes
    back shortly, keeping the lane's flag up (`LaneNudge`), where threads that waited for one
    busy lane left the worker's other messages unread (the soak, session 15)."""
    store_id, source = lane
    code = next((c for s, c in LANE_LOCKS.items() if s.value == source), OTHER_LANE)
    return bool(
        session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(code, store_id))).scalar()
    )


def _after_none(session: Session, ids: list[int], claim: Claim) -> list[Row]:
    """A unit that took nothing: the units before it acted on its lane's rows (its statement's
    snapshot predates their commits), or the message has none left. Its pending rows, read
    anew, say whether the actor runs another unit (`more`: one still fresh, of this lane or
    another store's) and which to act on alone."""
    claim.more = bool(_message_rows(session, ids, claim))
    return []


def _message_rows(session: Session, ids: list[int], claim: Claim) -> list[Any]:
    """The message's pending rows (id, store, source), in id order: those that already failed
    an attempt go to `claim.alone`; the fresh ones are returned."""
    mine = session.execute(
        sa.select(
            col(InboxEvent.id),
            col(InboxEvent.store_id),
            col(InboxEvent.source),
            col(InboxEvent.attempts),
        )
        .where(_MESSAGE, col(InboxEvent.status) == InboxStatus.PENDING)
        .order_by(col(InboxEvent.id)),
        {"ids": ids},
    ).all()
    claim.alone = [int(row.id) for row in mine if row.attempts]
    return [row for row in mine if not row.attempts]


def _on_sqlite(
    session: Session, ids: list[int], claim: Claim, most: int, named: Lane | None
) -> list[Row]:
    """`take` on SQLite, after the one writer's lock: the message's pending rows, then the
    earliest rows of the named lane or of its first fresh one's (no one else writes
    meanwhile)."""
    _one_writer(session)
    fresh = [
        (int(row.id), (int(row.store_id), str(row.source)))
        for row in _message_rows(session, ids, claim)
    ]
    if not fresh and named is None:
        return []
    lane = named if named is not None else fresh[0][1]
    rows = _locked(session, _rows_and_stores(*_lane(*lane), InboxEvent.attempts == 0).limit(most))
    claim.taken = [_id(r) for r, _ in rows]
    last = claim.taken[-1] if len(rows) == most else None
    claim.more = any(other != lane or (last is not None and i > last) for i, other in fresh)
    return rows


def _in_one(
    session: Session, ids: list[int], claim: Claim, most: int, lane: Lane | None
) -> list[Row]:
    """`take` in one statement (PostgreSQL, `_one_statement`); then the lane's store, read
    once (selected with every row it was decoded 500 times a unit, its JWKS parsed each time).
    Empty when the lane has nothing left."""
    params: dict[str, Any] = {"ids": ids}
    if lane is not None:
        params.update(lane_store=lane[0], lane_source=lane[1])
    found = session.execute(_one_statement(most, lane is not None), params).all()
    if not found:
        return []
    claim.alone = sorted(found[0][1] or [])
    claim.taken = [_id(r) for r, *_ in found]
    claim.more = bool(set(found[0][2] or []) - set(claim.taken))
    store = session.get(Store, found[0][0].store_id)
    return [(r, store) for r, *_ in found]


@cache
def _one_statement(most: int, named: bool) -> Any:
    """The lane (`named`: the parameters `lane_store`, `lane_source`; else the lane of the
    message's first pending row that has not failed) as a CTE, the wait for
    that lane's lock (an uncorrelated subquery in the WHERE: PostgreSQL runs it once, before
    it reads a row), and the lane's earliest rows `FOR UPDATE`, with the message's pending ids
    beside them (`alone`, `more`). The statement's snapshot is taken before the wait, so rows
    the unit before it acted on look pending to it; `FOR UPDATE` reads each row's latest
    version and checks the WHERE again, so those are not taken. The message's ids may look
    pending when they no longer are: `more` then costs the actor one more statement. Built
    once per `most` and form (only its parameters change)."""
    t = InboxEvent.__table__  # type: ignore[attr-defined]
    first = t.alias("first_pending")
    lane = (
        sa.select(
            sa.bindparam("lane_store", type_=sa.Integer).label("store_id"),
            sa.bindparam("lane_source", type_=sa.String).label("source"),
        ).cte("lane")
        if named
        else sa.select(first.c.store_id, first.c.source)
        .where(OneOf(first.c.id, "ids"), first.c.status == InboxStatus.PENDING)
        .where(first.c.attempts == 0)
        .order_by(first.c.id)
        .limit(1)
        .cte("lane")
    )
    code = _lane_class(lane.c.source)
    waits = sa.select(sa.func.pg_advisory_xact_lock(code, lane.c.store_id)).scalar_subquery()

    def message(name: str, failed: bool) -> Any:
        m = t.alias(name)
        tried = m.c.attempts > 0 if failed else m.c.attempts == 0
        return (
            sa.select(sa.func.array_agg(m.c.id))
            .where(OneOf(m.c.id, "ids"), m.c.status == InboxStatus.PENDING, tried)
            .scalar_subquery()
        )

    # the lane as two values, not a join: then ix_inbox_lane_pending (store_id, source, id)
    # gives the rows in id order and the scan stops at `most`; joined, the planner read every
    # pending row of the lane and sorted them (5,197 rows, payloads and all, spilled to disk
    # in the soak), so a unit cost more the longer the backlog it was meant to shorten
    return (
        sa.select(InboxEvent, message("failed", True), message("fresh", False))
        .where(
            col(InboxEvent.store_id) == sa.select(lane.c.store_id).scalar_subquery(),
            col(InboxEvent.source) == sa.select(lane.c.source).scalar_subquery(),
        )
        .where(col(InboxEvent.status) == InboxStatus.PENDING, col(InboxEvent.attempts) == 0)
        .where(waits.is_not(None))
        .order_by(col(InboxEvent.id))
        .limit(most)
        .with_for_update(of=InboxEvent)
        .execution_options(populate_existing=True)
    )


def take_one(session: Session, event_id: int, claim: Claim) -> Row | None:
    """The row to act on alone for `event_id`, locked, with its store: the row itself if it
    already failed an attempt (its retry), else its lane's earliest pending row that has
    not (itself, unless an earlier one is still pending). None when it is no longer pending.
    The caller acts on the row it gets and asks again until it got `event_id`'s."""
    _one_writer(session)
    found = session.execute(
        select(
            InboxEvent.store_id, InboxEvent.source, InboxEvent.attempts, _lock_lane(session)
        ).where(InboxEvent.id == event_id, InboxEvent.status == InboxStatus.PENDING)
    ).first()
    if found is None:
        return None
    if found.attempts:
        where: tuple[Any, ...] = (InboxEvent.id == event_id,)
    else:
        where = (*_lane(found.store_id, found.source), *_FRESH)
    rows = _locked(session, _rows_and_stores(*where).limit(1))
    claim.taken = [_id(r) for r, _ in rows]
    return rows[0] if rows else None


def _id(inbox: InboxEvent) -> int:
    assert inbox.id is not None
    return inbox.id
