"""Holding scheduled messages whose template Meta paused, disabled or recategorised.

A held row keeps status `scheduled` (nothing is lost and a restored template sends it again);
`status_reason` says why it waits. The send-time policy refuses templates that are not
APPROVED, so a held row is never sent with a paused template even if it is picked up.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from plugin import clock
from plugin.delivery.models import MessagePurpose, MessageStatus, OutboundMessage

HOLD_PREFIX = "template_"


def _waiting(session: Session, template_id: int) -> list[OutboundMessage]:
    return list(
        session.exec(
            select(OutboundMessage).where(
                OutboundMessage.template_id == template_id,
                col(OutboundMessage.status).in_(MessageStatus.sql(MessageStatus.waiting())),
            )
        ).all()
    )


def hold_for_template(
    session: Session,
    *,
    template_id: int,
    reason: str,
    purpose: MessagePurpose | None = None,
) -> int:
    """Hold every waiting row that uses the template; returns how many.

    A queued row goes back to scheduled so the sender re-reads the policy before sending.
    With `purpose` (a recategorised template), the rows take the template's new purpose, so
    marketing rules (consent, quiet hours, caps) apply to what Meta now bills as marketing.
    """
    rows = _waiting(session, template_id)
    now = clock.now()
    for row in rows:
        row.status = MessageStatus.SCHEDULED
        row.status_reason = (HOLD_PREFIX + reason)[:60]
        if purpose is not None:
            row.purpose = purpose
        row.updated_at = now
        session.add(row)
    return len(rows)


def release_for_template(session: Session, *, template_id: int) -> int:
    """The template is approved again: its held rows wait only for their due time."""
    rows = [
        row
        for row in _waiting(session, template_id)
        if (row.status_reason or "").startswith(HOLD_PREFIX)
    ]
    now = clock.now()
    for row in rows:
        row.status_reason = None
        row.updated_at = now
        session.add(row)
    return len(rows)
