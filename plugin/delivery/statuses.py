"""Applying WhatsApp delivery statuses to the outbox, idempotent and order-independent.

Meta does not promise order and redelivers for days, so a status only ever moves a message
forward (sent < delivered < read; failed is final) and each timestamp keeps the earliest value
seen. Applying the same updates twice, or in any order, leaves the same row.

Kept apart from `plugin.delivery.service` on purpose: the delivery engine's branch owns that
module and reconciles this function with its own at merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from plugin import clock
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.whatsapp.statuses import StatusUpdate

# How far along a message is; a status never moves a row to a lower rank.
RANK: dict[str, int] = {
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
    MessageStatus.FAILED: 4,
}
_TIMESTAMP_FIELD = {
    "sent": "sent_at",
    "delivered": "delivered_at",
    "read": "read_at",
    "failed": "failed_at",
}


def _earliest(current: datetime | None, seen: datetime) -> datetime:
    return seen if current is None or seen < current else current


def _apply(row: OutboundMessage, update: StatusUpdate) -> None:
    field = _TIMESTAMP_FIELD[update.status]
    setattr(row, field, _earliest(getattr(row, field), update.timestamp))
    if RANK[update.status] > RANK.get(row.status, 0):
        row.status = MessageStatus(update.status)
    if update.status == "failed" and update.errors:
        code, title, details = update.errors[0]
        row.error_code = code
        row.error_message = (details or title or "")[:500] or None
    if update.pricing_category is not None:
        row.pricing_category = update.pricing_category[:40]
    if update.pricing_type is not None:
        row.pricing_type = update.pricing_type[:40]
    if update.billable is not None:
        row.billable = update.billable


def apply_statuses(session: Session, *, updates: Sequence[StatusUpdate]) -> int:
    """Apply Meta's statuses to the outbox rows they name; returns how many rows were found.

    Rows unknown to us (another app's wamid, a purged row) are ignored: Meta must get its 200.
    """
    tracked = [u for u in updates if u.status in _TIMESTAMP_FIELD]
    if not tracked:
        return 0
    wamids = sorted({u.wamid for u in tracked})
    rows = {
        row.wamid: row
        for row in session.exec(
            select(OutboundMessage)
            .where(col(OutboundMessage.wamid).in_(wamids))
            .order_by(col(OutboundMessage.id))
            .with_for_update()  # two workers applying statuses of one message must not race
        ).all()
    }
    now = clock.now()
    for update in tracked:
        row = rows.get(update.wamid)
        if row is None:
            continue
        _apply(row, update)
        row.updated_at = now
        session.add(row)
    return len(rows)
