"""What a batch of events knows about the outbox rows of its checkouts and orders.

Acting on one event asks the outbox twice per step: is a row with this key already there
(`outbox.exists`), and has this checkout waiting rows to cancel (`flows.outbox.cancel`). A
batch reads both for all its checkouts and orders in one query each (the checkouts' rows are
locked by the batch, so no other worker writes their steps meanwhile), and every row the batch
writes through plugin/delivery/outbox.py is noted here, so the answers stay those the database
would give. Outside a batch (plugin.db.batch_scope) nothing is kept and every call asks.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from plugin.db import batch_memo
from plugin.delivery.models import MessageStatus, OutboundMessage

T = OutboundMessage.__table__  # type: ignore[attr-defined]
WAITING = MessageStatus.sql(MessageStatus.waiting())


WAITING_MEMO = "outbox.waiting_checkouts"


def _waiting_memo(session: Session) -> dict[tuple[int, str], bool] | None:
    memo = batch_memo(session)
    if memo is None:
        return None
    known: dict[tuple[int, str], bool] = memo.setdefault(WAITING_MEMO, {})
    return known


def prefetch_waiting(session: Session, *, store_id: int, checkout_ids: Sequence[str]) -> None:
    """In a batch of events: which of these checkouts have waiting rows, in one query, kept in
    the batch memo; every row written for a checkout since marks it (so `may_have_waiting`
    answers False only when no waiting row can be there)."""
    known = _waiting_memo(session)
    if known is None:
        return
    wanted = sorted({c for c in checkout_ids if (store_id, c) not in known})
    if not wanted:
        return
    found = {
        row[0]
        for row in session.execute(
            sa.select(T.c.checkout_id)
            .where(T.c.store_id == store_id, T.c.checkout_id.in_(wanted), T.c.status.in_(WAITING))
            .distinct()
        )
    }
    known.update(((store_id, c), c in found) for c in wanted)


def may_have_waiting(session: Session, *, store_id: int, checkout_id: str) -> bool:
    """False only when the running batch knows the checkout has no waiting row."""
    known = _waiting_memo(session)
    return known is None or known.get((store_id, checkout_id), True)


def mark_waiting(session: Session, store_id: int, checkout_ids: Sequence[str | None]) -> None:
    known = _waiting_memo(session)
    if known is not None:
        known.update(((store_id, c), True) for c in checkout_ids if c)


KEYS_MEMO = "outbox.keys"


def _keys_memo(session: Session) -> dict[str, set[tuple[int, str, str]]] | None:
    """In a batch: the scopes read up front (("checkout" | "order", id) per store) and every
    key known to be taken, read then or written since."""
    memo = batch_memo(session)
    if memo is None:
        return None
    known: dict[str, set[tuple[int, str, str]]] = memo.setdefault(
        KEYS_MEMO, {"scopes": set(), "keys": set()}
    )
    return known


def prefetch_keys(
    session: Session, *, store_id: int, checkout_ids: Sequence[str], order_ids: Sequence[str]
) -> None:
    """Batch form of `exists` for the rows of these checkouts and orders: their keys in one
    query (a flow's row for a checkout or an order carries its id, and its key names it)."""
    known = _keys_memo(session)
    if known is None:
        return
    checkouts = sorted(
        {c for c in checkout_ids if (store_id, "checkout", c) not in known["scopes"]}
    )
    orders = sorted({o for o in order_ids if (store_id, "order", o) not in known["scopes"]})
    if not checkouts and not orders:
        return
    rows = session.execute(
        sa.select(T.c.idempotency_key).where(
            T.c.store_id == store_id,
            sa.or_(T.c.checkout_id.in_(checkouts), T.c.order_id.in_(orders)),
        )
    )
    known["keys"].update((store_id, "key", key) for (key,) in rows)
    known["scopes"].update((store_id, "checkout", c) for c in checkouts)
    known["scopes"].update((store_id, "order", o) for o in orders)


def note_keys(session: Session, store_id: int, keys: Sequence[str]) -> None:
    known = _keys_memo(session)
    if known is not None:
        known["keys"].update((store_id, "key", key) for key in keys)


def known_key(
    session: Session,
    *,
    store_id: int,
    idempotency_key: str,
    checkout_id: str | None,
    order_id: str | None,
) -> bool | None:
    """True / False when the running batch knows whether the key is taken, else None."""
    known = _keys_memo(session)
    if known is None:
        return None
    if (store_id, "key", idempotency_key) in known["keys"]:
        return True
    if (checkout_id and (store_id, "checkout", checkout_id) in known["scopes"]) or (
        order_id and (store_id, "order", order_id) in known["scopes"]
    ):
        return False
    return None


def forget_waiting(session: Session) -> None:
    """Rows wait again (released): the batch no longer knows which checkouts have none."""
    known = _waiting_memo(session)
    if known is not None:
        known.clear()
