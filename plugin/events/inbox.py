"""The inbox processors: which journey acts on a recorded delivery of each source."""

from __future__ import annotations

from sqlmodel import Session

from plugin.events import inbound, saleor
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxSource, InboxStatus

PROCESSORS: dict[str, inbox_service.Processor] = {
    InboxSource.SALEOR: saleor.dispatch,
    InboxSource.WHATSAPP: inbound.process_webhook,
}


def process(*, session: Session, event_id: int) -> InboxStatus | None:
    """Act on one pending delivery, once (plugin/inbox/service.py locks and records it)."""
    return inbox_service.process(session=session, event_id=event_id, processors=PROCESSORS)
