"""A backlog of small group commits is acted on in batches (issue 21, PostgreSQL).

At a few hundred webhooks/s the group commit hands the queue a handful of events per message;
when the workers fall behind, the queue holds thousands of such messages, and each unit of
work paid its fixed cost (locking, the store's settings, the prefetch, the outcomes) for a
handful of events. A unit of work now takes the pending Saleor deliveries recorded after its
own, up to INBOX_BATCH_MOST, in recorded order (tests/test_inbox_convoy.py: its store's earliest
rows, whichever message started it).
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import settings as settings_module
from plugin.db import get_engine, session_scope
from plugin.events import inbox as inbox_events
from tests.conftest import make_settings
from tests.test_inbox_batch import (
    _day,
    _dev_store,
    _record,
    alone_and_recorded,
    assert_same_outcome,
)

pytestmark = pytest.mark.postgres_only  # a store's lock: PostgreSQL only


def _pending(ids: list[int]) -> list[int]:
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id FROM inbox_event WHERE status = 'pending' AND id = ANY(:ids)"),
            {"ids": ids},
        )
        return sorted(r[0] for r in rows)


def test_a_small_group_commit_takes_the_backlog_after_it_and_acts_as_one_at_a_time_would(
    client: Any, session: Session
) -> None:
    # given a day's events for two like stores, the first acted on one at a time
    events = _day(60, 11)
    alone, together, ids = alone_and_recorded(session, events)
    # when a worker takes the first group commit of three events
    with session_scope() as worker:
        statuses = inbox_events.process_batch(session=worker, event_ids=ids[:3])
    # then it acted on the backlog recorded after it, in the same unit of work
    assert sorted(statuses) == ids[: len(statuses)]
    assert len(statuses) == min(len(ids), settings_module.get_settings().inbox_batch_most)
    # and the later messages find their rows acted on; the outcome is one at a time's
    for start in range(3, len(ids), 3):
        with session_scope() as worker:
            inbox_events.process_batch(session=worker, event_ids=ids[start : start + 3])
    assert _pending(ids) == []
    assert_same_outcome(alone, together)


def test_inbox_batch_most_of_one_acts_on_one_event_a_unit_until_the_message_is_done(
    client: Any, session: Session, db_url: str
) -> None:
    from handlers import actors

    ids = _record(session, _dev_store(session), _day(20, 13))
    previous = settings_module.get_settings()
    settings_module.set_settings(make_settings(db_url, inbox_batch_most=1))
    try:
        with session_scope() as worker:
            statuses = inbox_events.process_batch(session=worker, event_ids=ids[:3])
        assert sorted(statuses) == ids[:1]
        actors.process_inbox_events.fn(ids[:3])
    finally:
        settings_module.set_settings(previous)
    assert _pending(ids) == ids[3:]


def test_interleaved_saleor_and_whatsapp_deliveries_are_two_lanes_each_acted_on_once_in_order(
    client: Any, session: Session, db_url: str
) -> None:
    from plugin.inbox import service as inbox_service
    from plugin.inbox.models import InboxSource, InboxStatus

    # given a group commit where Saleor and Meta deliveries arrived interleaved
    store_id = _dev_store(session)
    sources = [InboxSource.SALEOR, InboxSource.WHATSAPP] * 5
    ids = [
        i
        for i in inbox_service.record_many(
            session,
            [
                inbox_service.Delivery(store_id, s, "EVENT", f'{{"n": {n}}}'.encode())
                for n, s in enumerate(sources)
            ],
        )
        if i is not None
    ]
    session.commit()
    calls: list[tuple[str, list[int]]] = []

    def batch(source: str) -> Any:
        def processor(*, session: Session, store: Any, inboxes: list[Any]) -> dict[int, Any]:
            calls.append((source, [r.id for r in inboxes]))
            return {r.id: InboxStatus.PROCESSED for r in inboxes}

        return processor

    # when units of work act on its message until none of its rows is left
    more, units = True, 0
    while more:
        claim = inbox_service.Claim()
        with session_scope() as worker:
            inbox_service.process_batch(
                session=worker,
                event_ids=ids,
                processors={},
                batch_processors={s: batch(s) for s in (InboxSource.SALEOR, InboxSource.WHATSAPP)},
                claim=claim,
            )
        more, units = claim.more, units + 1
    # then each source's processor got all its rows at once, in recorded order, in two units
    assert calls == [
        (InboxSource.SALEOR, ids[0::2]),
        (InboxSource.WHATSAPP, ids[1::2]),
    ]
    assert units == 2
    assert _pending(ids) == []
