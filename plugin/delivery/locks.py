"""The one lock order of outbox rows: ascending id, every row locked before it is updated.

Why: several transactions write `outbound_message` rows at the same time — the send path's
write-back (plugin/delivery/claims.py), Meta's status webhooks (statuses.py), the event
batches' cancels and suppressions (outbox.py, outbox_waiting.py), the tick's lease expiry — and
one transaction may write many rows in several statements. PostgreSQL locks a row when a
statement first touches it, so two transactions that reach overlapping rows in different orders
can each wait for the other: a deadlock, and one of them is rolled back (issue 21: six send
batches lost their write-back in the 30-minute soak). Sorting each statement's own rows is not
enough when a transaction runs several. So every writer that may wait for a row lock takes all
the rows it will update in one ascending pass first — in a statement it runs anyway where it
can (an UPDATE's own subquery, a SELECT it needed), else in one added SELECT … FOR UPDATE.
Writers that skip locked rows (`skip_locked`: claims, the tick's dispatch) never wait and need
no order. SQLite has one writer at a time: nothing to order there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.delivery.models import OutboundMessage
from plugin.rows import OneOf

T = OutboundMessage.__table__  # type: ignore[attr-defined]


def locking(stmt: sa.Select[Any], *, skip_locked: bool = False) -> sa.Select[Any]:
    """`stmt`, a SELECT of outbox rows, locking the rows it returns in ascending id order."""
    return stmt.order_by(T.c.id).with_for_update(skip_locked=skip_locked)


def lock(session: Session, ids: Iterable[int]) -> None:
    """Lock these rows in ascending id order, in one statement: before a write of them that
    takes more than one statement."""
    wanted = sorted(set(ids))
    if wanted and session.get_bind().dialect.name == "postgresql":
        stmt = locking(sa.select(T.c.id).where(OneOf(T.c.id, "lock_ids")))
        session.execute(stmt, {"lock_ids": wanted})


def locked(session: Session, *where: Any, skip_locked: bool = False) -> list[Any]:
    """The WHERE clause of an UPDATE of the rows matching `where` that locks them in ascending
    id order before it updates any, in the same statement. `skip_locked`: rows another
    transaction holds are left out instead of waited for.

    `id = ANY(ARRAY(SELECT … ORDER BY id FOR UPDATE))` is an InitPlan: run once, to the end,
    before the UPDATE scans anything. (`id IN (SELECT …)` became a semi-join whose inner side
    the planner may rescan per outer row: still ascending, but quadratic on a large hold.)"""
    if session.get_bind().dialect.name != "postgresql":
        return list(where)
    rows = locking(sa.select(T.c.id).where(*where), skip_locked=skip_locked)
    return [T.c.id == sa.any_(sa.func.array(rows.scalar_subquery())), *where]
