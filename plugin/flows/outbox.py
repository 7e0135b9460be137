"""Every outbox write of the flows goes through here, and only here (into the delivery engine).

Same arguments as the delivery engine's `enqueue_message` / `cancel_messages`, so this module
can become two one-line delegations when the engine lands; until then it writes the rows
itself (insert-or-ignore on the store's idempotency key, PostgreSQL and SQLite).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from plugin.delivery import service as delivery_service
from plugin.delivery.models import MessageStatus, OutboundMessage

WAITING = (MessageStatus.SCHEDULED.value, MessageStatus.QUEUED.value)
_T = OutboundMessage.__table__  # type: ignore[attr-defined]


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def exists(session: Session, *, store_id: int, idempotency_key: str) -> bool:
    """Whether a row already holds this key (lets a caller skip building its parameters)."""
    return (
        session.exec(
            select(OutboundMessage.id).where(
                OutboundMessage.store_id == store_id,
                OutboundMessage.idempotency_key == idempotency_key,
            )
        ).first()
        is not None
    )


# One outbox row, once: a second call with the same idempotency key inserts nothing (None).
enqueue = delivery_service.enqueue_message


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
    query = select(OutboundMessage).where(
        OutboundMessage.store_id == store_id, col(OutboundMessage.status).in_(WAITING)
    )
    if checkout_id is not None:
        query = query.where(OutboundMessage.checkout_id == checkout_id)
    if order_id is not None:
        query = query.where(OutboundMessage.order_id == order_id)
    if flow_key is not None:
        query = query.where(OutboundMessage.flow_key == flow_key)
    if contact_id is not None:
        query = query.where(OutboundMessage.contact_id == contact_id)
    rows = list(session.exec(query.order_by(col(OutboundMessage.id))).all())
    if not rows:
        return []
    delivery_service.cancel_messages(
        session,
        store_id=store_id,
        checkout_id=checkout_id,
        order_id=order_id,
        flow_key=flow_key,
        contact_id=contact_id,
        reason=reason,
    )
    for row in rows:
        session.refresh(row)
    return rows
