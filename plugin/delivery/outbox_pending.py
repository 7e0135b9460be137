"""Outbox rows a run of events decides, written together when the run ends (`deferring`).

A run of checkout events writes a cart-recovery sequence per event and, on the checkout's next
update, cancels it and writes the next one: one INSERT and one UPDATE per row and event. Within
`outbox.deferred_rows` plugin/delivery/outbox.py keeps the rows it is asked to write here instead: a
later cancel in the run cancels them in memory, an `exists` or `find` sees them, and when the
run ends they are written as they stand then — cancelled ones cancelled — in one INSERT, whose
RETURNING gives each its id. The objects handed out carry that id from then on; readers that
must wait for it (the journal, tracked links) are written when the batch ends, after the run.
Any other outbox change in the run writes the pending rows first, so it sees them stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from plugin import clock, db_compose
from plugin.db import batch_memo, insert_ignoring_conflicts
from plugin.delivery import outbox_memo, outbox_waiting
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.rows import built, insert_rows

_PENDING = "outbox.pending"
T = OutboundMessage.__table__  # type: ignore[attr-defined]
_WAITING = frozenset(s.value for s in MessageStatus.waiting())
_SCOPES = ("checkout_id", "order_id", "contact_id")  # what a cancel names (flows/outbox.py)
_Held = tuple[dict[str, Any], OutboundMessage]


@dataclass(slots=True)
class _Pending:
    """The run's rows by idempotency key (insertion order), each with the object handed out;
    `scopes`: the same rows by (store, column, value) of each column a cancel names, in the
    order written, so a cancel looks at its checkout's rows, not at the whole run's."""

    rows: dict[tuple[int, str], _Held] = field(default_factory=dict)
    scopes: dict[tuple[int, str, object], list[_Held]] = field(default_factory=dict)


def _active(session: Session) -> _Pending | None:
    memo = batch_memo(session)
    pending: _Pending | None = (memo or {}).get(_PENDING)
    return pending


@contextmanager
def deferring(session: Session) -> Iterator[None]:
    """Within a batch: keep the block's outbox rows (`outbox.deferred_rows` writes them)."""
    memo = batch_memo(session)
    if memo is None:
        yield
        return
    memo[_PENDING] = _Pending()
    try:
        yield
    finally:
        memo.pop(_PENDING, None)


def add(session: Session, values: dict[str, Any]) -> tuple[bool, OutboundMessage | None]:
    """Keep one row (`values` as the INSERT would write them): (False, None) when no run is
    keeping rows; else (True, the object handed out), or (True, None) when the run already
    holds the key (a second write inserts nothing)."""
    pending = _active(session)
    if pending is None:
        return False, None
    key = (int(values["store_id"]), str(values["idempotency_key"]))
    if key in pending.rows:
        return True, None
    held = (values, built(OutboundMessage, values))  # stays transient: `write` inserts `values`
    pending.rows[key] = held
    for column in _SCOPES:
        if values.get(column) is not None:
            pending.scopes.setdefault((key[0], column, values[column]), []).append(held)
    outbox_memo.note_keys(session, key[0], [key[1]])
    return True, held[1]


def find(session: Session, *, store_id: int, idempotency_key: str) -> OutboundMessage | None:
    pending = _active(session)
    held = pending.rows.get((store_id, idempotency_key)) if pending is not None else None
    return held[1] if held is not None else None


def cancel(
    session: Session, *, store_id: int, reason: str, filters: dict[str, Any]
) -> list[OutboundMessage]:
    """The run's waiting rows matching every given filter become cancelled with `reason`, as
    the stored rows do (`outbox.cancel_returning`); returns them in the order written."""
    pending = _active(session)
    if pending is None:
        return []
    wanted = {k: str(v) if k in ("kind", "purpose") else v for k, v in filters.items()}
    scope = next((c for c in _SCOPES if wanted.get(c) is not None), None)
    held: Iterable[_Held] = (
        pending.scopes.get((store_id, scope, wanted[scope]), ())
        if scope is not None
        else (h for (store, _), h in pending.rows.items() if store == store_id)
    )
    now = clock.now()
    cancelled: list[OutboundMessage] = []
    for values, message in held:
        if values["status"] not in _WAITING:
            continue
        if any(v is not None and values.get(k) != v for k, v in wanted.items()):
            continue
        changes = {
            "status": MessageStatus.CANCELLED.value,
            "status_reason": reason,
            "updated_at": now,
        }
        values.update(changes)
        for name, value in changes.items():
            setattr(message, name, value)
        cancelled.append(message)
    return cancelled


def write(session: Session) -> list[int]:
    """The run's rows in one INSERT … RETURNING (ids given to the objects handed out); returns
    the ids of those due now. A key stored meanwhile by another writer fails the batch (it is
    then acted on one event at a time)."""
    pending = _active(session)
    if pending is None or not pending.rows:
        return []
    held = list(pending.rows.values())
    pending.rows.clear()
    pending.scopes.clear()
    columns = sorted({k for values, _ in held for k in values})
    rows = [{k: values.get(k) for k in columns} for values, _ in held]
    reserved = db_compose.take_ids(session, T, len(held))
    if reserved is not None:
        return _keep_written(session, held, rows, reserved)
    stmt = (
        insert_ignoring_conflicts(session, T)
        .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
        .returning(T.c.idempotency_key, T.c.id)
    )
    ids = {str(key): int(i) for key, i in insert_rows(session, stmt, rows).all()}
    if len(ids) != len(held):
        raise RuntimeError(_TAKEN)
    due: list[int] = []
    for values, message in held:
        message.id = ids[str(values["idempotency_key"])]
        if values["status"] == MessageStatus.QUEUED.value:
            due.append(message.id)
    outbox_waiting.note_written(session, [message for _, message in held])
    return due


_TAKEN = "an outbox key of this batch was written by another writer"


def _keep_written(
    session: Session, held: list[_Held], rows: list[dict[str, Any]], ids: list[int]
) -> list[int]:
    """`write` with ids reserved for the rows: the INSERT is kept with the batch's other
    writes (plugin.db_compose), which checks that it wrote every row."""
    for row, (_, message), row_id in zip(rows, held, ids, strict=True):
        row["id"] = message.id = row_id
    db_compose.insert_rows(
        session, T, rows, conflict=("store_id", "idempotency_key"), expect=_TAKEN
    )
    outbox_waiting.note_written(session, [message for _, message in held])
    return [row["id"] for row in rows if row["status"] == MessageStatus.QUEUED.value]


def count(session: Session) -> int:
    """How many rows the running run keeps (the ids `write` will take)."""
    pending = _active(session)
    return len(pending.rows) if pending is not None else 0
