"""Writing new ledger facts: a batch's facts go in together, not one INSERT each.

Outside a batch (plugin.db.batch_scope), and on SQLite, a fact is inserted when it is recorded.
In a batch on PostgreSQL its id is taken at once from the table's sequence (a block of ids per
statement, `_reserve`), since callers use it right away (the opt-in request's idempotency key,
a state's `event_id`), and the row is held here: the batch's facts are inserted in one
executemany when the batch ends, or earlier when something is about to read the ledger.
Every reader of `consent_event` rows that can run inside a batch calls `write` first (the
consent package's own readers do); the batch's consent state lives in its memo meanwhile
(plugin/consent/state.py). Held facts are written as plain rows: the objects their callers keep
are not added to the session (a fact never changes once recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import db_compose
from plugin.consent.models import ConsentAction, ConsentEvent, Purpose
from plugin.consent.rule import TABLE
from plugin.db import at_batch_end, batch_memo, dialect_name

_HELD = "consent.facts.held"
_IDS = "consent.facts.ids"
_LAST = "consent.facts.last"
# A block of ids is sized by the batch's contacts (each event records at most two facts);
# ids a batch leaves unused are gaps in the sequence, as a rolled-back insert leaves.
MAX_BLOCK = 200

_NEXTVAL: Any = sa.literal_column("nextval(pg_get_serial_sequence('consent_event', 'id'))")
_RESERVE = sa.text(
    "SELECT nextval(pg_get_serial_sequence('consent_event', 'id')) FROM generate_series(1, :n)"
)


def add(session: Session, event: ConsentEvent, *, contacts: int) -> None:
    """Record `event` (its id is set on return). `contacts`: how many contacts the running
    batch acts on, which sizes the block of ids it reserves."""
    memo = batch_memo(session)
    if memo is not None:
        memo.setdefault(_LAST, {})[(event.contact_id, str(event.purpose))] = event
    if memo is None or dialect_name(session) != "postgresql":
        session.add(event)
        session.flush()
        return
    event.id = _next_id(session, memo, contacts)
    held: list[ConsentEvent] | None = memo.get(_HELD)
    if held is None:
        held = memo[_HELD] = []
        at_batch_end(session, "consent.facts", lambda: write(session))
    held.append(event)


def write(session: Session, *, contact_ids: Iterable[int] | None = None) -> None:
    """Insert the facts the running batch holds (one executemany): before a read of the
    ledger, of these contacts' facts only when given (no-op when it holds none of theirs)."""
    memo = batch_memo(session)
    held: list[ConsentEvent] | None = memo.get(_HELD) if memo is not None else None
    if not held:
        return
    if contact_ids is not None:
        wanted = set(contact_ids)
        if not any(event.contact_id in wanted for event in held):
            return
    # in contact order: each row takes a key-share lock on its contact, and a batch takes its
    # row locks in one order (the ids, reserved in recording order, keep the ledger's order).
    # Plain rows, not the ORM's flush: the facts are complete (ids included) and never change,
    # and the unit of work cost more CPU than the rest of recording them (cProfile).
    rows = [{c: getattr(event, c) for c in _COLUMNS} for event in sorted(held, key=_lock_order)]
    held.clear()
    db_compose.insert(session, TABLE, rows)


_COLUMNS = [c.key for c in TABLE.columns]


def _lock_order(event: ConsentEvent) -> tuple[int, int]:
    return (event.contact_id, event.id or 0)


def last_recorded(session: Session, *, contact_id: int, purpose: str) -> ConsentEvent | None:
    """The fact of `purpose` the running batch recorded last for the contact, if any: the
    contact's latest by id (None outside a batch or when the batch recorded none)."""
    memo = batch_memo(session)
    last: ConsentEvent | None = (memo or {}).get(_LAST, {}).get((contact_id, str(purpose)))
    return last


def reserving(actions: dict[Purpose, Any]) -> list[Any]:
    """SQL columns for a batch's prefetch (plugin/consent/state.py), given the effective action
    of each purpose: an id reserved for each purpose a storefront's consent value may still
    record a fact of (transactional not granted, marketing neither requested nor granted), so
    that the batch's first facts need no statement of their own. Only a guess at how many: a
    batch that records more reserves a block when these run out (`_next_id`), and ids it
    leaves unused are gaps."""
    granted, requested = ConsentAction.GRANTED.value, ConsentAction.REQUESTED.value
    transactional = sa.func.coalesce(actions[Purpose.TRANSACTIONAL], "") != granted
    marketing = sa.func.coalesce(actions[Purpose.MARKETING], "").not_in([requested, granted])
    return [sa.case((transactional, _NEXTVAL)), sa.case((marketing, _NEXTVAL))]


def stock(session: Session, ids: Iterable[int]) -> None:
    """In a batch: ids reserved from the sequence (`reserving`), to be taken before any other."""
    memo = batch_memo(session)
    if memo is not None:
        pool: list[int] = memo.setdefault(_IDS, [])
        pool.extend(ids)
        pool.sort(reverse=True)


def _next_id(session: Session, memo: dict[str, Any], contacts: int) -> int:
    """The next reserved id, in increasing order (so the ledger's "recorded last" holds)."""
    pool: list[int] = memo.setdefault(_IDS, [])
    if not pool:
        n = min(MAX_BLOCK, max(2, 2 * contacts))
        ids = session.execute(_RESERVE, {"n": n}).scalars()
        pool.extend(sorted((int(i) for i in ids), reverse=True))
    return pool.pop()
