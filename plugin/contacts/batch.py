"""What a running batch of events knows about its contacts: the ones it created.

A contact created in this unit of work has no consent facts and no orders until the batch
records some, so its readers (consent state, the recovery pause) need not ask the database
about it. Each reader marks a contact `touched` when it writes such a row for it; from then on
it asks as it would outside a batch.
"""

from __future__ import annotations

from sqlmodel import Session

from plugin.db import batch_memo

_NEW = "contacts.new"


def note_created(session: Session, contact_id: int | None) -> None:
    """`contact_id` was inserted by this batch (its insert succeeded here)."""
    memo = batch_memo(session)
    if memo is not None and contact_id is not None:
        memo.setdefault(_NEW, {})[contact_id] = set()


def untouched(session: Session, contact_id: int, kind: str) -> bool:
    """True when the batch created the contact and wrote no `kind` row for it since."""
    memo = batch_memo(session)
    touched: set[str] | None = (memo or {}).get(_NEW, {}).get(contact_id)
    return touched is not None and kind not in touched


def touch(session: Session, contact_id: int | None, kind: str) -> None:
    """The batch wrote a `kind` row (a consent fact, an order) for the contact."""
    memo = batch_memo(session)
    touched: set[str] | None = (memo or {}).get(_NEW, {}).get(contact_id)
    if touched is not None:
        touched.add(kind)
