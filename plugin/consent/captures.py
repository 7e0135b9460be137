"""Which storefront capture keys a batch's contacts already have in the ledger.

A checkout's consent value is recorded once per carrier (`capture_key`, answers.py), so acting
on a checkout event asks the ledger whether the key is there. A batch of events reads the keys
of all its contacts up front, with their consent state (plugin/consent/state.py); every fact
recorded since is noted here by `service.record` (written or still held by
plugin/consent/facts.py), so the answers stay those the ledger would give. Outside a batch
(plugin.db.batch_scope) nothing is kept and every call asks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from plugin.consent.models import ConsentEvent
from plugin.contacts import batch as contacts_batch
from plugin.db import batch_memo

_MEMO = "consent.capture_keys"
_TABLE = ConsentEvent.__table__  # type: ignore[attr-defined]


def _memo(session: Session) -> tuple[set[int], set[tuple[int, str]]] | None:
    """(contacts whose keys were read, (contact id, key) pairs known to be recorded)."""
    memo = batch_memo(session)
    if memo is None:
        return None
    known: tuple[set[int], set[tuple[int, str]]] = memo.setdefault(_MEMO, (set(), set()))
    return known


def prefetch(
    session: Session, *, contact_ids: Iterable[int], factless: Collection[int] = ()
) -> None:
    """In a batch: the capture keys of these contacts' facts, in one query (none for the
    `factless` ones, which the ledger holds no fact of: consent's state read said so)."""
    known = _memo(session)
    if known is None:
        return
    known[0].update(c for c in factless if c not in known[0])
    wanted = sorted({c for c in contact_ids if c not in known[0]})
    if not wanted:
        return
    # (the facts the batch holds unwritten, plugin/consent/facts.py, were all noted already)
    rows = session.execute(
        sa.select(_TABLE.c.contact_id, _TABLE.c.capture_key).where(
            _TABLE.c.contact_id.in_(wanted), _TABLE.c.capture_key.is_not(None)
        )
    )
    known[1].update((int(contact_id), str(key)) for contact_id, key in rows)
    known[0].update(wanted)


def keys_of(contact_id: Any) -> ColumnElement[list[str] | None]:
    """SQL (PostgreSQL): the capture keys of the correlated contact's facts, as an array (NULL:
    none); the ledger's index on (contact_id, capture_key) answers it."""
    fact = _TABLE.alias("captured")
    keys: sa.Select[Any] = sa.select(sa.func.array_agg(fact.c.capture_key)).where(
        fact.c.contact_id == contact_id, fact.c.capture_key.is_not(None)
    )
    return keys.scalar_subquery()


def remember(session: Session, keys: dict[int, list[str]]) -> None:
    """In a batch: these contacts' capture keys, all of them, as read with their state."""
    known = _memo(session)
    if known is not None:
        known[1].update((c, key) for c, found in keys.items() for key in found)
        known[0].update(keys)


def captured(session: Session, *, contact_id: int, capture_key: str) -> bool | None:
    """True / False when the running batch knows whether the key is recorded, else None."""
    known = _memo(session)
    if known is None:
        return None
    if (contact_id, capture_key) in known[1]:
        return True
    if contact_id not in known[0] and not contacts_batch.created_here(session, contact_id):
        return None  # (a contact the batch created has only the facts noted since)
    return False


def note(session: Session, *, contact_id: int, capture_key: str | None) -> None:
    """A fact with this key (as stored) was just recorded for the contact."""
    known = _memo(session)
    if known is not None and capture_key:
        known[1].add((contact_id, capture_key))
