"""Bulk reads of the suppression list for the send path: one query per batch, never one per row.

Consent itself is read through the one read model, plugin/consent/state.py.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from plugin import crypto
from plugin.consent.models import Suppression

SUPPRESSION_HASH_PURPOSE = "suppression"


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
