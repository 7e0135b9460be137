"""The flows' outbox calls, all delegated to delivery's outbox (the one owner of the rows).

`cancel` also returns the rows it cancelled, so a flow can journal each one.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from plugin.delivery import outbox as delivery_outbox
from plugin.delivery.models import MessageStatus, OutboundMessage

# Whether a row already holds a key (lets a caller skip building its parameters).
exists = delivery_outbox.exists
# One outbox row, once: a second call with the same idempotency key inserts nothing (None).
enqueue = delivery_outbox.enqueue_message


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
    filters = {
        "checkout_id": checkout_id,
        "order_id": order_id,
        "flow_key": flow_key,
        "contact_id": contact_id,
    }
    query = select(OutboundMessage).where(
        OutboundMessage.store_id == store_id,
        col(OutboundMessage.status).in_(MessageStatus.sql(MessageStatus.waiting())),
        *(getattr(OutboundMessage, k) == v for k, v in filters.items() if v is not None),
    )
    rows = list(session.exec(query.order_by(col(OutboundMessage.id))).all())
    if not rows:
        return []
    delivery_outbox.cancel_messages(session, store_id=store_id, reason=reason, **filters)
    for row in rows:
        session.refresh(row)
    return rows
