"""The suppression list: numbers of erased people, kept only as a keyed hash.

It lives with the people, below consent, because every path that would create or message a
contact must refuse an erased number (contacts.service, consent capture, the send path)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from plugin import clock, crypto
from plugin.db import batch_memo, utc_column
from plugin.rows import OneOf

SUPPRESSION_HASH_PURPOSE = "suppression"


class Suppression(SQLModel, table=True):
    """A number that must never be messaged again (erased), kept only as a keyed hash."""

    __table_args__ = (sa.UniqueConstraint("store_id", "phone_hash", name="uq_suppression"),)

    id: int | None = Field(default=None, primary_key=True)
    store_id: int = Field(foreign_key="store.id", index=True)
    phone_hash: str = Field(max_length=64)
    reason: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=clock.now, sa_column=utc_column(nullable=False))


def phone_hash(phone_e164: str) -> str:
    """How a suppressed (erased) number is kept: a keyed hash, never the number."""
    return crypto.keyed_hash(phone_e164, purpose=SUPPRESSION_HASH_PURPOSE)


def suppressed_phones(session: Session, *, store_id: int, phones: Iterable[str]) -> set[str]:
    """The numbers among `phones` on the store's suppression list (one query)."""
    by_hash = {phone_hash(p): p for p in set(phones)}
    if not by_hash:
        return set()
    rows = session.execute(suppressed_hashes(), hash_params(store_id, by_hash)).all()
    return {by_hash[h] for (h,) in rows}


@cache
def suppressed_hashes() -> sa.Select[tuple[str]]:
    """The SELECT of the hashes on a store's suppression list among some (one column,
    `phone_hash`; parameters: `hash_params`), for callers that read them with other rows in
    one statement too. Built once: only its parameters change."""
    table = Suppression.__table__  # type: ignore[attr-defined]
    return sa.select(table.c.phone_hash).where(
        table.c.store_id == sa.bindparam("suppression_store"),
        OneOf(table.c.phone_hash, "suppression_hashes"),
    )


def hash_params(store_id: int, hashes: Iterable[str]) -> dict[str, Any]:
    """The parameters of `suppressed_hashes`."""
    return {"suppression_store": store_id, "suppression_hashes": sorted(hashes)}


def _known(session: Session, store_id: int) -> dict[str, bool] | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    known: dict[str, bool] = memo.setdefault("suppression", {}).setdefault(store_id, {})
    return known


def unchecked(session: Session, *, store_id: int, phones: Iterable[str]) -> dict[str, str]:
    """Batch form of `is_suppressed`, step one: the numbers among `phones` whose answer the
    batch does not hold yet, by their hash (read with `suppressed_hashes`, in one statement
    with the batch's contacts, then `note_checked`); outside a batch: none."""
    known = _known(session, store_id)
    if known is None:
        return {}
    return {phone_hash(p): p for p in set(phones) if p not in known}


def note_checked(
    session: Session, *, store_id: int, phones: Iterable[str], suppressed: set[str]
) -> None:
    """The batch checked `phones`: the `suppressed` ones are on the list, the others not."""
    known = _known(session, store_id)
    if known is not None:
        known.update((phone, phone in suppressed) for phone in phones)


def is_suppressed(session: Session, *, store_id: int, phone_e164: str) -> bool:
    """True for a number that was erased: never message it, never store it again."""
    known = _known(session, store_id)
    if known is not None and phone_e164 in known:
        return known[phone_e164]
    return (
        session.exec(
            select(Suppression.id).where(
                Suppression.store_id == store_id,
                Suppression.phone_hash == phone_hash(phone_e164),
            )
        ).first()
        is not None
    )


def suppress(session: Session, *, store_id: int, phone_e164: str, reason: str) -> None:
    if not is_suppressed(session, store_id=store_id, phone_e164=phone_e164):
        # the hash key outlives key rotations
        crypto.keep_hash_key(session, purpose=SUPPRESSION_HASH_PURPOSE)
        session.add(
            Suppression(store_id=store_id, phone_hash=phone_hash(phone_e164), reason=reason)
        )
        session.flush()
        known = _known(session, store_id)
        if known is not None:
            known[phone_e164] = True
