"""What an order event changes in the checkouts' recovery rows, written once per batch.

An order finishes its checkout (ordered, with the order's id, time and total) and pauses the
contact's other checkouts: a handful of columns of rows the batch holds locked from its start
(recovery.track_all). Flushed as they change, each event wrote them with the next statement's
autoflush, one UPDATE per event; in a batch (plugin.db.batch_scope) `hold` keeps them on the
objects, as if loaded, and the batch writes them in one executemany when it ends. Nothing in
the batch reads these columns back from the database (the rows are read once, locked, and
kept in the batch's memo), so every event still sees what the earlier ones decided. Within
a run of events whose deferred updates (plugin.db.deferred_updates) cover these rows, the
run writes them already and `hold` leaves them to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from plugin.db import at_batch_end, batch_memo
from plugin.flows.models import TrackedCheckout

# the columns order_placed and stop change
COLUMNS = (
    "contact_id",
    "state",
    "order_id",
    "ordered_at",
    "order_total",
    "order_currency",
    "stop_reason",
    "updated_at",
)
_HELD = "recovery.held"
# plugin.db.deferred_updates' entry in session.info: within such a block (a run of events)
# the run already writes the checkouts' changes once, at its end
_RUN_DEFERRED = "ulak.batch.deferred"


def hold(session: Session, rows: Iterable[TrackedCheckout]) -> None:
    """In a batch: the rows' changes (of COLUMNS only) wait for the batch's end; outside, or
    when another column changed too, they are flushed as usual."""
    memo = batch_memo(session)
    if memo is None or TrackedCheckout in (session.info.get(_RUN_DEFERRED) or {}):
        return
    for tc in rows:
        state = sa.inspect(tc)
        changed = set(state.committed_state)
        if not state.persistent or tc.id is None or not changed or changed - set(COLUMNS):
            continue
        for key in changed:
            set_committed_value(tc, key, getattr(tc, key))
        if _HELD not in memo:
            memo[_HELD] = {}
            at_batch_end(session, _HELD, lambda: _write(session))
        memo[_HELD][tc.id] = tc


def _write(session: Session) -> None:
    """The held rows, as they stand now, in one UPDATE … WHERE id = ? executemany, in id
    order (the order a batch locks them in)."""
    held: dict[int, TrackedCheckout] = (batch_memo(session) or {}).pop(_HELD, {})
    if not held:
        return
    table: Any = TrackedCheckout.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_id", type_=table.c.id.type))
        .values({k: sa.bindparam(f"_{k}", type_=table.c[k].type) for k in COLUMNS})
    )
    rows = [tc for _, tc in sorted(held.items())]
    params = [{"_id": tc.id, **{f"_{k}": getattr(tc, k) for k in COLUMNS}} for tc in rows]
    session.execute(stmt, params)
