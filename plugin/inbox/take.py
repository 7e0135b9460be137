"""Taking a queue message's pending inbox rows for one unit of work, without a convoy.

Under a backlog one unit of work also takes the rows recorded after its message's own
(`service._widen`), so most queue messages name rows a sibling (a thread of this process or of
another) has already taken. Waiting for them (plain `FOR UPDATE`) made every such message sit
until that sibling committed, only to find its rows acted on: the soak's workers acted on
≈ 54 events/s where one process alone acts on 650. Here a message's rows are locked with
`SKIP LOCKED` and what another transaction holds is left to it, under one rule every holder
keeps: **a row a unit of work locks is acted on by it, or handed on** (its rows past the
widening's cut are acted on by the actor right after it commits, and when it rolls back the
actor acts on every row it had taken one at a time; the tick re-enqueues what it holds; a
single `process` retries alone). Recorded order within a message is kept: a message that got
some of its rows and not others waits for those others before acting (a race, rare), and one
that got none acts on none.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.models import Store

SWEEP_LOCK = (0x756C616B, 0x696E62)  # "ulak", "inb": the orphan sweep's advisory lock


@dataclass(slots=True)
class Claim:
    """What one unit of work took, for its actor.

    `taken`: every row it locked, in id order (on a rollback the actor acts on each alone);
    `handed`: rows it locked but may not act on (past the widening's cut: an earlier row was
    someone else's) — acted on in the next unit of work once this one commits;
    `left`: its message's rows another transaction held, which is theirs to act on."""

    taken: list[int] = field(default_factory=list)
    handed: list[int] = field(default_factory=list)
    left: list[int] = field(default_factory=list)

    def after_failure(self, event_ids: Sequence[int]) -> list[int]:
        """The rows to act on one at a time when the unit of work rolled back: its message's
        (bar those another held) and every row it had taken, in recorded order."""
        return sorted((set(event_ids) - set(self.left)) | set(self.taken))


class _Held:
    """The inbox ids this process's open units of work hold, by session: a sibling thread
    leaves them without asking the database (they are acted on or handed on by the holder)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: dict[int, int] = {}  # inbox id -> id(session)
        self._ids: dict[int, list[int]] = {}  # id(session) -> inbox ids

    def by_others(self, session: Session, ids: Sequence[int]) -> set[int]:
        me = id(session)
        with self._lock:
            return {i for i in ids if self._owner.get(i, me) != me}

    def hold(self, session: Session, ids: Sequence[int]) -> None:
        me = id(session)
        with self._lock:
            mine = self._ids.setdefault(me, [])
            for i in ids:
                self._owner[i] = me
                mine.append(i)
        if not session.info.get(_LISTENING):  # once per session; it outlives its transactions
            session.info[_LISTENING] = True
            sa.event.listen(session, "after_transaction_end", _released)

    def release(self, session: Session) -> None:
        me = id(session)
        with self._lock:
            for i in self._ids.pop(me, []):
                if self._owner.get(i) == me:
                    del self._owner[i]

    def held(self) -> int:
        with self._lock:
            return len(self._owner)


HELD = _Held()
_LISTENING = "ulak.inbox.held"


def _released(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: its row locks are gone
        HELD.release(session)


Row = tuple[InboxEvent, Store | None]


def _rows_and_stores(ids: Sequence[int]) -> Any:
    """Pending rows by id with their store (LEFT JOIN: a deleted store's rows are ignored)."""
    return (
        select(InboxEvent, Store)
        .outerjoin(Store, col(Store.id) == col(InboxEvent.store_id))
        .where(col(InboxEvent.id).in_(list(ids)), InboxEvent.status == InboxStatus.PENDING)
        .order_by(col(InboxEvent.id))
        .execution_options(populate_existing=True)
    )


def lock(session: Session, stmt: Any, *, skip: bool) -> list[Row]:
    """Run a `_rows_and_stores` statement locking the inbox rows (never the stores)."""
    stmt = stmt.with_for_update(of=InboxEvent, skip_locked=skip)
    return [(r, s) for r, s in session.execute(stmt).all()]


def take(session: Session, event_ids: Sequence[int], claim: Claim) -> list[Row]:
    """The message's pending rows this unit of work may act on, locked, with their stores, in
    id order. On PostgreSQL: the rows a sibling of this process holds are left without a
    statement; the others are locked with SKIP LOCKED in one statement that also says which
    of them were pending but held. If some were, the orphan sweep is waited for (it re-enqueues
    what it holds, late: a newer event of the checkout would go first) and they are asked for
    again; and if the message got some rows but not all, it waits for the rest, as before, so
    none of its events is acted on before an earlier one. Rows another worker holds while this
    message got none are left to it (`claim.left`)."""
    ids = sorted(set(event_ids))
    if session.get_bind().dialect.name != "postgresql":
        return [(r, s) for r, s in session.execute(_rows_and_stores(ids)).all()]
    sibling = HELD.by_others(session, ids)
    asked = [i for i in ids if i not in sibling]
    got, held = _first_lock(session, asked) if asked else ([], [])
    if held:  # the sweep may hold them: wait for it, then ask again
        session.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(*SWEEP_LOCK)))
        again = lock(session, _rows_and_stores(held), skip=True)
        got = sorted(got + again, key=lambda row: _id(row[0]))
        held = sorted(set(held) - {_id(r) for r, _ in again})
    others = sorted(set(held) | sibling)
    if got and others:  # recorded order: none of ours before an earlier one someone holds
        got = sorted(got + lock(session, _rows_and_stores(others), skip=False), key=_key)
        others = []
    claim.left = others
    mine = [_id(r) for r, _ in got]
    claim.taken = mine
    HELD.hold(session, mine)
    return got


def _key(row: Row) -> int:
    return _id(row[0])


def _first_lock(session: Session, ids: list[int]) -> tuple[list[Row], list[int]]:
    """One statement: the ids' pending rows no one holds, locked (SKIP LOCKED, id order), with
    their stores; and the ids pending at the statement's start that it could not lock."""
    locked = (
        select(InboxEvent)
        .where(col(InboxEvent.id).in_(ids), InboxEvent.status == InboxStatus.PENDING)
        .order_by(col(InboxEvent.id))
        .with_for_update(skip_locked=True)
        .cte("locked")
    )
    mine = sa.orm.aliased(InboxEvent, locked)
    want = sa.orm.aliased(InboxEvent, name="want")
    stmt = (
        select(col(want.id), mine, Store)
        .select_from(want)
        .outerjoin(locked, locked.c.id == col(want.id))
        .outerjoin(Store, col(Store.id) == locked.c.store_id)
        .where(col(want.id).in_(ids), want.status == InboxStatus.PENDING)
        .order_by(col(want.id))
        .execution_options(populate_existing=True)
    )
    got: list[Row] = []
    held: list[int] = []
    for event_id, row, store in session.execute(stmt).all():
        if row is None:
            held.append(int(event_id))
        else:
            got.append((row, store))
    return got, held


def widened(session: Session, ids: list[int]) -> tuple[list[Row], list[int]]:
    """Lock `ids` (later pending rows, in id order) with SKIP LOCKED, with their stores: the
    contiguous run from the first, and the ids locked past a row someone else holds (handed
    on: acted on once this unit of work commits, as their own messages would have after
    waiting for it)."""
    taken = {_id(r): (r, s) for r, s in lock(session, _rows_and_stores(ids), skip=True)}
    run: list[Row] = []
    for i in ids:
        if i not in taken:
            break
        run.append(taken[i])
    past = sorted(set(taken) - {_id(r) for r, _ in run})
    HELD.hold(session, sorted(taken))
    return run, past


def _id(inbox: InboxEvent) -> int:
    assert inbox.id is not None
    return inbox.id
