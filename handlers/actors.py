"""Every Dramatiq actor. Each takes ids, opens a unit of work and calls one service."""

from __future__ import annotations

from typing import Any

import structlog

from plugin import broker
from plugin.db import session_scope
from plugin.errors import ConfigurationError, IgnoredEvent
from plugin.events import inbox as inbox_events
from plugin.inbox import service as inbox_service
from plugin.settings import get_settings

log = structlog.get_logger(__name__)


@broker.actor(
    max_retries=4, min_backoff=1000, max_backoff=60000, throws=(ConfigurationError, IgnoredEvent)
)
def process_inbox_event(event_id: int) -> None:
    """Hand one recorded webhook delivery to its domain service, alone (a retry, or the
    one-at-a-time path). Its store's earlier pending deliveries go first, each in its own unit
    of work (plugin/inbox/take.py); one of those that fails goes back on the queue alone."""
    if not _alone(event_id):
        raise _Retry(event_id)


class _Retry(Exception):
    """`event_id`'s own attempt failed and has retries left (Dramatiq's backoff)."""


ALONE_MOST = 1000  # earlier rows one message acts on before it re-enqueues itself


def _alone(event_id: int) -> bool:
    """Act on `event_id` after its store's earlier pending rows, one unit of work each.
    False when its own attempt failed with retries left."""
    for _ in range(ALONE_MOST):
        claim = inbox_service.Claim()
        try:
            with session_scope() as session:
                inbox_events.process(session=session, event_id=event_id, claim=claim)
        except (ConfigurationError, IgnoredEvent):
            raise
        except Exception as exc:
            acted = claim.taken[0] if claim.taken else event_id
            with session_scope() as session:
                retry = inbox_service.record_failure(
                    session=session, event_id=acted, error=f"{exc.__class__.__name__}: {exc}"
                )
            log.exception("inbox_event_failed", event_id=acted, retry=retry)
            if acted == event_id:
                return not retry
            if retry:  # an earlier row: retried on its own, this one goes on
                broker.enqueue(inbox_service.PROCESS_ACTOR, acted)
            continue
        if not claim.taken or claim.taken[0] == event_id:
            return True
    broker.enqueue(inbox_service.PROCESS_ACTOR, event_id)
    return True


FOLLOW_UPS = 10  # units of work one message runs while it has work left; then re-enqueued


@broker.actor(max_retries=0)
def process_inbox_events(
    event_ids: list[int], lane: list[Any] | None = None, token: str | None = None
) -> None:
    """The deliveries of one group commit (one queue message instead of one each): their
    store's earliest pending deliveries are acted on together in one unit of work
    (plugin/inbox/take.py), in recorded order, as often as the message's own are still
    pending. When a unit fails it is rolled back and every row it had taken is acted on alone,
    in recorded order; one that fails then goes back on the queue alone, with
    `process_inbox_event`'s retries, and the rest go on. The message's rows that already
    failed an attempt are acted on alone.

    A message that names its `lane` (store id, source) is the lane's nudge: the group commit
    sent it because it raised the lane's flag, and sends none while the flag is up. It acts
    until the lane is empty of what those skipped group commits recorded (`LaneNudge`), while
    its `token` holds the flag ("1": a message sent before the flags had tokens)."""
    named: inbox_service.Lane | None = (int(lane[0]), str(lane[1])) if lane else None
    nudge = inbox_service.LaneNudge(named, token or "1") if named is not None else None
    if nudge is not None and not nudge.start():
        return  # another message holds the lane's flag: it reads these rows too
    most = get_settings().inbox_batch_most
    for _ in range(FOLLOW_UPS):
        claim = inbox_service.Claim()
        try:
            with session_scope() as session:
                inbox_events.process_batch(
                    session=session, event_ids=event_ids, claim=claim, lane=named
                )
        except Exception:  # rolled back: one at a time finds the event that fails
            log.warning("inbox_batch_one_at_a_time", events=len(event_ids), exc_info=True)
            _one_at_a_time(claim.after_failure(event_ids))
        if claim.busy:  # another unit holds the lane: back soon, not waiting in a thread
            if nudge is None or nudge.hand_back(inbox_service.NUDGE_START):
                broker.enqueue(
                    inbox_service.PROCESS_BATCH_ACTOR,
                    event_ids,
                    lane=lane,
                    token=token,
                    delay_ms=inbox_service.LaneNudge.BUSY_RETRY_MS,
                )
            return
        _one_at_a_time(claim.alone)
        if nudge is not None:  # a lane's message: its rows are the lane's, read from its first
            if not nudge.go_on(len(claim.taken) >= most):
                return
        elif not claim.more:
            return
    if nudge is None or nudge.hand_back(inbox_service.NUDGE_START):
        broker.enqueue(inbox_service.PROCESS_BATCH_ACTOR, event_ids, lane=lane, token=token)


def _one_at_a_time(event_ids: list[int]) -> None:
    for event_id in event_ids:
        try:
            if not _alone(event_id):
                broker.enqueue(inbox_service.PROCESS_ACTOR, event_id)
        except Exception:  # retried on its own; the rest of the batch goes on
            log.warning("inbox_event_retried_alone", event_id=event_id, exc_info=True)
            broker.enqueue(inbox_service.PROCESS_ACTOR, event_id)


@broker.actor(max_retries=3)
def store_installed(store_id: int) -> None:
    """Follow-up work after an install (initial sync, dev sandbox connection)."""
    from plugin.events import install

    with session_scope() as session:
        install.after_install(session=session, store_id=store_id)


@broker.actor(max_retries=8, min_backoff=500, max_backoff=60000, throws=(ConfigurationError,))
def sync_contacts(store_id: int) -> None:
    """One page of a store's initial customer and order sync (it re-enqueues itself)."""
    from plugin.contacts import sync
    from plugin.events import saleor as saleor_events

    try:
        with session_scope() as session:
            saleor_events.sync_next_page(session=session, store_id=store_id)
    except ConfigurationError as exc:
        with session_scope() as session:
            sync.record_failure(session=session, store_id=store_id, error=exc.message)
        raise


@broker.actor(
    queue_name="campaigns", max_retries=10, min_backoff=500, max_backoff=30000, time_limit=300_000
)
def campaign_batch(campaign_id: int) -> None:
    """One turn of a campaign's sending loop; it re-enqueues itself until the fan-out is done.
    Its own queue: behind a backlog of webhooks on `default`, each turn waited for the whole
    backlog and a launched campaign stalled (the soak benchmark)."""
    from plugin.campaigns import service as campaigns_service

    with session_scope() as session:
        campaigns_service.run_batch(session=session, campaign_id=campaign_id)


@broker.actor(max_retries=3, time_limit=600_000)
def refresh_rfm(store_id: int) -> None:
    """Recompute a store's RFM scores (enqueued daily by the scheduler tick)."""
    from plugin.segments import orders as segment_orders

    with session_scope() as session:
        segment_orders.refresh_rfm(session=session, store_id=store_id)


@broker.actor(queue_name="delivery", max_retries=0, time_limit=30 * 60 * 1000)
def send_messages(message_ids: list[int]) -> None:
    """Send one batch of outbox rows. Not retried by Dramatiq: the rows' states in the database
    decide what happens next (the tick re-queues what was never claimed)."""
    from plugin.delivery import sender

    sender.send_batch(message_ids=message_ids)


@broker.actor(max_retries=8, min_backoff=1000, max_backoff=300000, throws=(ConfigurationError,))
def write_back_cod_answer(confirmation_id: int) -> None:
    """Put a cash-on-delivery answer on the Saleor order (retried while Saleor is away)."""
    from plugin.flows import service as flows_service

    with session_scope() as session:
        flows_service.write_back_cod_answer(session=session, confirmation_id=confirmation_id)


@broker.actor(max_retries=0, time_limit=60_000)
def refresh_number_limits(account_id: int) -> None:
    """Read one number's messaging limit, throughput and quality, and its WABA's Marketing
    Messages API onboarding status, from the Graph API (enqueued by the scheduler tick every
    few hours; a failed read keeps the last values and is tried again by a later tick, so
    Dramatiq does not retry it)."""
    from plugin.whatsapp import limits

    with session_scope() as session:
        limits.read_limits(session, account_id=account_id)
