"""A queue message whose rows a sibling holds does not wait for it (issue 21's soak, PostgreSQL).

Under a backlog one unit of work takes the rows recorded after its own message's (widening), so
most queue messages name rows a sibling already holds. They waited for it (`FOR UPDATE`) and
then found them acted on: the soak's workers acted on ≈ 54 events/s. A message now leaves the
rows a sibling holds to it; the holder acts on them or, when it rolls back, acts on every row it
had taken one at a time, so none is lost, none is acted on twice, and a checkout's events keep
their recorded order.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin.db import get_engine, session_scope
from plugin.events import inbox as inbox_events
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxSource, InboxStatus
from tests.test_inbox_batch import (
    _day,
    _one_at_a_time,
    alone_and_recorded,
    assert_same_outcome,
)
from tests.test_inbox_widen import _pending

pytestmark = pytest.mark.postgres_only  # SKIP LOCKED and row locks: PostgreSQL only


def _holding(ids: list[int]) -> tuple[sa.Connection, Any]:
    """Another worker's transaction holding `ids` (as a sibling process's unit of work)."""
    holder = get_engine().connect()
    tx = holder.begin()
    holder.execute(
        sa.text("SELECT id FROM inbox_event WHERE id = ANY(:ids) FOR UPDATE"), {"ids": ids}
    )
    return holder, tx


def test_a_message_whose_rows_another_worker_holds_returns_at_once(
    client: Any, session: Session
) -> None:
    # given recorded events, and another worker's unit of work holding a message's rows
    _, _, ids = alone_and_recorded(session, _day(20, 21))
    holder, tx = _holding(ids[3:6])
    try:
        # when a worker takes that message
        claim = inbox_service.Claim()
        started = time.monotonic()
        with session_scope() as worker:
            statuses = inbox_events.process_batch(session=worker, event_ids=ids[3:6], claim=claim)
        waited = time.monotonic() - started
    finally:
        tx.rollback()
        holder.close()
    # then it acted on none of them and did not wait: they are the holder's
    assert statuses == {}
    assert claim.left == ids[3:6]
    assert waited < 1.0


def test_rows_a_sibling_skipped_are_acted_on_once_in_order_when_their_holder_rolls_back(
    client: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import actors

    # given a day's events for two like stores, the first's acted on one at a time
    alone, together, ids = alone_and_recorded(session, _day(40, 22))
    # and a worker whose unit of work takes its message and the backlog after it, then fails
    holding, go_on = threading.Event(), threading.Event()
    real = inbox_events.BATCH_PROCESSORS[InboxSource.SALEOR]
    calls = {"n": 0}

    def failing_once(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            holding.set()
            go_on.wait(30)
            raise RuntimeError("the unit of work fails after the sibling looked")
        return real(**kwargs)

    monkeypatch.setitem(inbox_events.BATCH_PROCESSORS, InboxSource.SALEOR, failing_once)
    first = threading.Thread(target=actors.process_inbox_events.fn, args=(ids[:3],))
    first.start()
    assert holding.wait(30)
    # when a sibling takes a later message meanwhile, whose rows the first holds
    claim = inbox_service.Claim()
    with session_scope() as worker:
        statuses = inbox_events.process_batch(session=worker, event_ids=ids[3:6], claim=claim)
    assert statuses == {} and claim.left == ids[3:6]
    # and the first then rolls back
    go_on.set()
    first.join(60)
    # then every row was acted on, once each, as one at a time in recorded order would
    assert _pending(ids) == []
    assert_same_outcome(alone, together)  # its `inbox` table: processed, attempts 1 each


def test_a_message_that_got_some_rows_waits_for_the_earlier_ones_it_did_not(
    client: Any, session: Session
) -> None:
    # given a day's events for two like stores, and another transaction holding one row
    alone, together, ids = alone_and_recorded(session, _day(20, 23))
    _one_at_a_time(ids[:3])
    holder, tx = _holding([ids[3]])

    def release() -> None:
        time.sleep(0.5)
        tx.rollback()
        holder.close()

    releaser = threading.Thread(target=release)
    releaser.start()
    # when a worker takes the message of the held row and the two after it
    started = time.monotonic()
    with session_scope() as worker:
        statuses = inbox_events.process_batch(session=worker, event_ids=ids[3:6])
    releaser.join()
    # then it waited for the held one and acted on all three (and the backlog after them)
    assert time.monotonic() - started >= 0.4
    assert ids[3:6] == sorted(statuses)[:3]
    # and the outcome is one at a time's: recorded order was kept
    assert _pending(ids) == []
    assert_same_outcome(alone, together)


def test_rows_locked_past_the_widenings_cut_are_acted_on_once_the_unit_commits(
    client: Any, session: Session
) -> None:
    from handlers import actors

    # given recorded events, and another transaction holding the eleventh
    _, _, ids = alone_and_recorded(session, _day(30, 24))
    holder, tx = _holding([ids[10]])
    try:
        # when a worker works the first group commit's message
        actors.process_inbox_events.fn(ids[:3])
        # then the widening stopped before the held row, and the rows after it that it had
        # locked (their messages leave them to it) were acted on once it committed
        assert _pending(ids) == [ids[10]]
    finally:
        tx.rollback()
        holder.close()


def test_a_batch_reads_its_rows_and_their_stores_in_one_statement(
    client: Any, session: Session
) -> None:
    from tests.support import QueryCounter

    _, _, ids = alone_and_recorded(session, _day(10, 25))
    with session_scope() as worker, QueryCounter(get_engine()) as counter:
        inbox_service.process_batch(
            session=worker,
            event_ids=ids,
            processors={},
            batch_processors={InboxSource.SALEOR: _processed},
        )
    reads = [s for s in counter.statements if "FROM inbox_event" in s and "store" in s]
    assert len(reads) == 1, counter.statements
    assert not [s for s in counter.statements if s.lstrip().startswith("SELECT store.")]


def _processed(*, session: Session, store: Any, inboxes: list[Any]) -> dict[int, Any]:
    assert store is not None and store.id == inboxes[0].store_id
    return {r.id: InboxStatus.PROCESSED for r in inboxes}
