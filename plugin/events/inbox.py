"""The inbox processors: which journey acts on a recorded delivery of each source."""

from __future__ import annotations

from sqlmodel import Session

from plugin.events import inbound, inbound_batch, saleor
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxSource, InboxStatus

PROCESSORS: dict[str, inbox_service.Processor] = {
    InboxSource.SALEOR: saleor.dispatch,
    InboxSource.WHATSAPP: inbound.process_webhook,
}
BATCH_PROCESSORS: dict[str, inbox_service.BatchProcessor] = {
    InboxSource.SALEOR: saleor.dispatch_batch,
    InboxSource.WHATSAPP: inbound_batch.process_webhooks,
}


def process(
    *, session: Session, event_id: int, claim: inbox_service.Claim | None = None
) -> InboxStatus | None:
    """Act on one pending delivery alone, once, in its store's recorded order (`claim.taken`
    says which row that was: plugin/inbox/service.py locks and records it)."""
    return inbox_service.process(
        session=session, event_id=event_id, processors=PROCESSORS, claim=claim
    )


def process_batch(
    *,
    session: Session,
    event_ids: list[int],
    claim: inbox_service.Claim | None = None,
    lane: inbox_service.Lane | None = None,
) -> dict[int, InboxStatus]:
    """Act on the earliest pending deliveries of the store of a group commit's in one unit of
    work (any error: the caller rolls back and acts on the rows `claim` took one at a time
    with `process`)."""
    return inbox_service.process_batch(
        session=session,
        event_ids=event_ids,
        processors=PROCESSORS,
        batch_processors=BATCH_PROCESSORS,
        claim=claim,
        lane=lane,
    )
