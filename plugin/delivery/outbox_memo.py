"""What a batch of events knows about the outbox keys of its checkouts and orders.

Acting on one event asks the outbox per step whether a row with this key is already there
(`outbox.exists`). A batch reads the keys of all its checkouts and orders in one query (the
checkouts' rows are locked by the batch, so no other worker writes their steps meanwhile), and
every row the batch writes through plugin/delivery/outbox.py is noted here, so the answers stay
those the database would give. Outside a batch (plugin.db.batch_scope) nothing is kept and every
call asks. (The waiting rows a batch may cancel: outbox_waiting.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session

from plugin import db_fold
from plugin.db import batch_memo
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.rows import OneOf

T = OutboundMessage.__table__  # type: ignore[attr-defined]
WAITING = MessageStatus.sql(MessageStatus.waiting())


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
    db_fold.alone(
        session,
        keys_reads(session, store_id=store_id, checkout_ids=checkout_ids, order_ids=order_ids),
    )


def keys_reads(
    session: Session, *, store_id: int, checkout_ids: Sequence[str], order_ids: Sequence[str]
) -> db_fold.Reader:
    """`prefetch_keys` as a reader (plugin.db_fold: a batch folds it with its other reads)."""
    known = _keys_memo(session)
    if known is None:
        return
    checkouts = sorted(
        {c for c in checkout_ids if (store_id, "checkout", c) not in known["scopes"]}
    )
    orders = sorted({o for o in order_ids if (store_id, "order", o) not in known["scopes"]})
    if not checkouts and not orders:
        return
    rows = yield db_fold.Read(
        sa.select(T.c.idempotency_key).where(
            T.c.store_id == store_id,
            sa.or_(OneOf(T.c.checkout_id, "keys_checkouts"), OneOf(T.c.order_id, "keys_orders")),
        ),
        {"keys_checkouts": checkouts, "keys_orders": orders},
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
