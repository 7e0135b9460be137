"""Bulk reads of the consent ledger for the send path: one query per batch, never one per row.

The current state of a contact's consent for a purpose is the *latest* ledger event for that
(contact, purpose) — latest by id, the ledger being append-only: `granted` means yes;
`requested`, `revoked`, `lapsed` or no event at all mean no.

Transactional consent: a transactional grant, or a marketing grant (someone who agreed to
promotions agreed to hear about their own orders) unless their latest transactional event is an
explicit revoke — an explicit "no" to order messages wins over a marketing "yes".
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from plugin import crypto
from plugin.consent.models import ConsentAction, ConsentEvent, Purpose, Suppression

SUPPRESSION_HASH_PURPOSE = "suppression"


def latest_actions(
    session: Session, *, store_id: int, contact_ids: Iterable[int], purposes: Iterable[Purpose]
) -> dict[tuple[int, str], str]:
    """(contact_id, purpose) -> latest action, for every pair that has an event."""
    ids = sorted(set(contact_ids))
    if not ids:
        return {}
    table = ConsentEvent.__table__  # type: ignore[attr-defined]
    latest = (
        sa.select(sa.func.max(table.c.id))
        .where(
            table.c.store_id == store_id,
            table.c.contact_id.in_(ids),
            table.c.purpose.in_([str(p) for p in purposes]),
        )
        .group_by(table.c.contact_id, table.c.purpose)
    )
    rows = session.execute(
        sa.select(table.c.contact_id, table.c.purpose, table.c.action).where(table.c.id.in_(latest))
    ).all()
    return {(int(contact_id), str(purpose)): str(action) for contact_id, purpose, action in rows}


def granted_contact_ids(
    session: Session, *, store_id: int, contact_ids: Iterable[int], purpose: Purpose | str
) -> set[int]:
    """The contacts among `contact_ids` whose current consent allows `purpose` (one query)."""
    ids = set(contact_ids)
    purpose = Purpose(purpose)
    if purpose is Purpose.MARKETING:
        actions = latest_actions(
            session, store_id=store_id, contact_ids=ids, purposes=[Purpose.MARKETING]
        )
        return {cid for cid in ids if actions.get((cid, "marketing")) == ConsentAction.GRANTED}
    actions = latest_actions(
        session,
        store_id=store_id,
        contact_ids=ids,
        purposes=[Purpose.MARKETING, Purpose.TRANSACTIONAL],
    )
    granted: set[int] = set()
    for cid in ids:
        transactional = actions.get((cid, "transactional"))
        marketing = actions.get((cid, "marketing"))
        if transactional == ConsentAction.GRANTED or (
            marketing == ConsentAction.GRANTED and transactional != ConsentAction.REVOKED
        ):
            granted.add(cid)
    return granted


def phone_hash(phone_e164: str) -> str:
    """How a suppressed (erased) number is kept: a keyed hash, never the number."""
    return crypto.keyed_hash(phone_e164, purpose=SUPPRESSION_HASH_PURPOSE)


def suppressed_phones(session: Session, *, store_id: int, phones: Iterable[str]) -> set[str]:
    """The numbers among `phones` on the store's suppression list (one query)."""
    by_hash = {phone_hash(p): p for p in set(phones)}
    if not by_hash:
        return set()
    table = Suppression.__table__  # type: ignore[attr-defined]
    rows = session.execute(
        sa.select(table.c.phone_hash).where(
            table.c.store_id == store_id, table.c.phone_hash.in_(list(by_hash))
        )
    ).all()
    return {by_hash[h] for (h,) in rows}
