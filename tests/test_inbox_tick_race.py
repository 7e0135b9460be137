"""A batch of Saleor events while the scheduler tick re-enqueues pending rows (PostgreSQL).

`requeue_orphans` locks the pending rows it re-enqueues (FOR UPDATE SKIP LOCKED) for the length
of its transaction. A batch that started then skipped the rows the tick held: they stayed
pending and were acted on later, alone, after newer events: a checkout's older view after its
newer one (its recovery steps never written), an email-only checkout after the number arrived
(one contact fewer). bench_events saw it as batch 447 contacts and 1,197 outbox rows against
450 and 1,511 one at a time.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from plugin.db import session_scope
from plugin.events import inbox as inbox_events
from plugin.inbox import service as inbox_service
from tests.test_inbox_batch import (
    _day,
    _one_at_a_time,
    alone_and_recorded,
    assert_same_outcome,
)

pytestmark = pytest.mark.postgres_only  # SQLite has no row locks: writers take turns


def test_a_batch_waits_for_the_tick_instead_of_leaving_its_rows_behind(
    client: Any, session: Session
) -> None:
    # given a day's events for two like stores, the first store's acted on one at a time
    events = _day(60, 7)
    alone, together, ids = alone_and_recorded(session, events)
    first, rest = ids[: len(ids) // 2], ids[len(ids) // 2 :]
    # and the scheduler tick re-enqueuing the other store's pending rows, its transaction open
    tick = session_scope().__enter__()
    assert inbox_service.requeue_orphans(session=tick, older_than=timedelta(0)) == len(ids)

    # when the first batch starts during the tick, and the tick then commits
    def first_batch() -> None:
        with session_scope() as worker:
            inbox_events.process_batch(session=worker, event_ids=first)

    worker = threading.Thread(target=first_batch)
    worker.start()
    time.sleep(0.5)
    tick.commit()
    tick.close()
    worker.join(timeout=30)
    # and the next batch, then the tick's messages one at a time (the queue's order)
    with session_scope() as later:
        inbox_events.process_batch(session=later, event_ids=rest)
    _one_at_a_time(ids)

    # then the batch acted on its rows in order: both stores' rows say the same
    assert_same_outcome(alone, together)
