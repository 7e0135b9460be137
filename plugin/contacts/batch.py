"""What a running batch of events knows about its contacts: the ones it created, and the ones
it loaded or wrote (so a lookup by Saleor user id or email needs no query).

A contact created in this unit of work has no consent facts and no orders until the batch
records some, so its readers (consent state, the recovery pause) need not ask the database
about it. Each reader marks a contact `touched` when it writes such a row for it; from then on
it asks as it would outside a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from plugin.contacts.models import Contact
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


def created_here(session: Session, contact_id: int) -> bool:
    """True when the running batch inserted the contact (its rows are all the batch's own)."""
    memo = batch_memo(session)
    return contact_id in (memo or {}).get(_NEW, {})


def touch(session: Session, contact_id: int | None, kind: str) -> None:
    """The batch wrote a `kind` row (a consent fact, an order) for the contact."""
    memo = batch_memo(session)
    touched: set[str] | None = (memo or {}).get(_NEW, {}).get(contact_id)
    if touched is not None:
        touched.add(kind)


_KNOWN = "contacts.known"


@dataclass(slots=True)
class _Known:
    """In a batch: every contact it loaded or wrote (strongly held, as they are now), and the
    (store, column, value) pairs whose stored matches were all loaded up front."""

    contacts: dict[int, Contact] = field(default_factory=dict)
    values: set[tuple[int, str, str]] = field(default_factory=set)


def _known(session: Session) -> _Known | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    known: _Known | None = memo.get(_KNOWN)
    if known is None:  # not setdefault: it would build a _Known on every call
        known = memo[_KNOWN] = _Known()
    return known


def remember(session: Session, *contacts: Contact) -> None:
    """The batch loaded or wrote these contacts (their values in memory are the truth)."""
    known = _known(session)
    if known is not None:
        known.contacts.update((c.id, c) for c in contacts if c.id is not None)


def held(session: Session, store_id: int) -> list[Contact]:
    """The store's contacts the batch holds."""
    known = _known(session)
    contacts = known.contacts.values() if known is not None else ()
    return [c for c in contacts if c.store_id == store_id]


def without_number(session: Session, store_id: int) -> list[Contact]:
    """The store's contacts the batch holds that have no number (yet)."""
    known = _known(session)
    contacts = known.contacts.values() if known is not None else ()
    return [c for c in contacts if c.store_id == store_id and c.phone_e164 is None]


def note_loaded(session: Session, store_id: int, column: str, values: set[str]) -> None:
    """Every stored contact of the store whose `column` is one of `values` is remembered."""
    known = _known(session)
    if known is not None:
        known.values.update((store_id, column, v) for v in values)


def newest_match(
    session: Session, store_id: int, column: str, value: str
) -> tuple[bool, Contact | None]:
    """The batch's answer to "the newest contact whose `column` is `value`" (updated_at, then
    id, as the query orders them): (True, contact or None), or (False, None) when the batch
    cannot answer without asking the database."""
    known = _known(session)
    if known is None or (store_id, column, value) not in known.values:
        return False, None
    found = [
        c for c in known.contacts.values() if c.store_id == store_id and getattr(c, column) == value
    ]
    return True, max(found, key=lambda c: (c.updated_at, c.id or 0), default=None)
