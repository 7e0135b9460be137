"""Keeping `consent_current` equal to the read model's rule (docs/adr/0005-consent-read-model.md).

One row per (store, contact, purpose) holds the effective action and the deciding fact. It is a
cache, never a second rule: every write re-evaluates the rule's SQL (`state.deciding_fact`, its
one backward probe) for the contact and purpose it touches, in the transaction that added the
ledger fact. The ledger's writers call `refresh` (`service.record`, the erasure); bulk loads
that write the ledger with plain SQL (the migration's backfill, benchmark seeds) call `rebuild`
(`state.deciding_facts`, the same order and demotion, set-based) afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin.consent import state
from plugin.consent.models import ConsentCurrent, ConsentEvent, Purpose
from plugin.db import insert_ignoring_conflicts

_LEDGER: Any = ConsentEvent.__table__  # type: ignore[attr-defined]
_CURRENT: Any = ConsentCurrent.__table__  # type: ignore[attr-defined]
_KEY = ("store_id", "contact_id", "purpose")
_COLUMNS = (*_KEY, "action", "event_id", "occurred_at", "source")
# Rows are locked in one order, so two writers touching both purposes of one contact (a checkout
# records transactional then marketing; an erasure both) cannot deadlock.
_LOCK_ORDER = (Purpose.TRANSACTIONAL, Purpose.MARKETING)


def refresh(
    session: Session, *, store_id: int, contact_id: int, purposes: Iterable[Purpose]
) -> None:
    """Rewrite the contact's rows for `purposes` after facts were added to the ledger (flushed).

    The row is locked before the rule is evaluated: of two transactions recording facts for one
    contact and purpose, the second waits for the first to commit, and its evaluation (a new
    statement, so a new READ COMMITTED snapshot) sees both facts."""
    for purpose in sorted(set(purposes), key=_LOCK_ORDER.index):
        key = (
            _CURRENT.c.store_id == store_id,
            _CURRENT.c.contact_id == contact_id,
            _CURRENT.c.purpose == purpose.value,
        )
        lock = sa.select(_CURRENT.c.event_id).where(*key).with_for_update()
        if session.execute(lock).first() is None:
            if _insert(session, store_id, contact_id, purpose):
                continue  # created: a concurrent writer's insert waits for this commit
            session.execute(lock).first()  # another writer created it first: it has committed
        row = _evaluate(session, store_id, contact_id, purpose)
        if row is None:  # no fact (the ledger is append-only: not in practice)
            session.execute(sa.delete(_CURRENT).where(*key))
        else:
            session.execute(sa.update(_CURRENT).where(*key).values(**row))


def _evaluate(
    session: Session, store_id: int, contact_id: int, purpose: Purpose
) -> dict[str, Any] | None:
    """The rule's row for one contact and purpose (None: no fact)."""
    found = (
        session.execute(
            state.deciding_fact(store_id=store_id, contact_id=contact_id, purpose=purpose)
        )
        .mappings()
        .first()
    )
    return dict(found) if found is not None else None


def _insert(session: Session, store_id: int, contact_id: int, purpose: Purpose) -> bool:
    """Create the row (True), or find that another writer created it first (False)."""
    row = _evaluate(session, store_id, contact_id, purpose)
    if row is None:
        return True  # nothing to cache
    stmt = insert_ignoring_conflicts(session, _CURRENT).values(**row)
    result = session.execute(stmt.on_conflict_do_nothing(index_elements=list(_KEY)))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def rebuild(
    bind: Session | sa.Connection,
    *,
    store_id: int | None = None,
    contact_ids: Iterable[int] | None = None,
) -> None:
    """Recompute the rows of a store (or of some of its contacts, or of everything) from the
    ledger in two set-based statements, for writers that bypass `record` in bulk (the
    migration's backfill, benchmark seeds). Not for concurrent use: it deletes, then inserts."""
    ledger, current = [], []
    if store_id is not None:
        ledger.append(_LEDGER.c.store_id == store_id)
        current.append(_CURRENT.c.store_id == store_id)
    if contact_ids is not None:
        ids = sorted(set(contact_ids))
        ledger.append(_LEDGER.c.contact_id.in_(ids))
        current.append(_CURRENT.c.contact_id.in_(ids))
    bind.execute(sa.delete(_CURRENT).where(*current))
    bind.execute(sa.insert(_CURRENT).from_select(_COLUMNS, state.deciding_facts(*ledger)))
