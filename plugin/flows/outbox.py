"""The flows' outbox calls, all delegated to delivery's outbox (the one owner of the rows).

`cancel` also returns the rows it cancelled, so a flow can journal each one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from plugin import db_fold
from plugin.delivery import outbox as delivery_outbox
from plugin.delivery import outbox_memo, outbox_waiting
from plugin.delivery.models import OutboundMessage
from plugin.flows.models import FlowKey

# Whether a row already holds a key (lets a caller skip building its parameters).
exists = delivery_outbox.exists
# In a batch of events: the keys of the checkouts' and orders' rows, read once (for `exists`).
prefetch_keys = outbox_memo.prefetch_keys
keys_reads = outbox_memo.keys_reads  # the same as a reader (plugin.db_fold)
# One outbox row, once: a second call with the same idempotency key inserts nothing (None).
enqueue = delivery_outbox.enqueue_message


def prefetch_waiting(
    session: Session,
    *,
    store_id: int,
    checkout_ids: Sequence[str] = (),
    contact_ids: Sequence[int] = (),
    order_ids: Sequence[str] = (),
) -> None:
    """In a batch of events: the waiting rows its stops may cancel (the checkouts' and the
    contacts' recovery steps, the orders' reminders and nudges), read once; `cancel` then
    takes them from memory and the batch writes the cancellations when it ends. Only an
    order stops a contact's steps (recovery.order_placed): without orders no contact's."""
    reader = waiting_reads(
        session,
        store_id=store_id,
        checkout_ids=checkout_ids,
        contact_ids=contact_ids,
        order_ids=order_ids,
    )
    db_fold.alone(session, reader)


def waiting_reads(
    session: Session,
    *,
    store_id: int,
    checkout_ids: Sequence[str] = (),
    contact_ids: Sequence[int] = (),
    order_ids: Sequence[str] = (),
) -> db_fold.Reader:
    """`prefetch_waiting` as a reader (plugin.db_fold: a batch folds it with its other reads)."""
    return outbox_waiting.prefetch_reads(
        session,
        store_id=store_id,
        checkout_ids=checkout_ids,
        contact_ids=contact_ids if order_ids else (),
        order_ids=order_ids,
        checkout_flows=(FlowKey.CART_RECOVERY.value,),
        order_flows=(FlowKey.REMINDER.value, FlowKey.COD_CONFIRMATION.value),
    )


def contacts_checkouts(session: Session, *, store_id: int, contact_ids: Sequence[int]) -> set[str]:
    """In a batch that read the contacts' waiting rows (`waiting_reads` with orders): the
    checkouts those rows are steps of, which an order of the contact stops."""
    return outbox_waiting.contacts_checkouts(session, store_id=store_id, contact_ids=contact_ids)


def cancel(
    session: Session,
    *,
    store_id: int,
    checkout_id: str | None = None,
    order_id: str | None = None,
    flow_key: str | None = None,
    contact_id: int | None = None,
    reason: str,
) -> list[OutboundMessage]:
    """Waiting rows (scheduled / queued) matching every given filter become CANCELLED with
    `reason`; returns them (sent or final rows are never touched)."""
    if checkout_id is None and order_id is None and contact_id is None:
        raise ValueError("cancel needs a checkout, an order or a contact")
    return delivery_outbox.cancel_returning(
        session,
        store_id=store_id,
        reason=reason,
        checkout_id=checkout_id,
        order_id=order_id,
        flow_key=flow_key,
        contact_id=contact_id,
    )
