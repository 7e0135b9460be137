"""One store's events are acted on in recorded order, whichever worker gets which message
(issue 21, PostgreSQL).

Two batches of one store used to run at once: whichever took the shared rows' locks first
acted first, so an order could be acted on before its checkout's last update, or an account's
"no" after its later "yes" (bench_events with four threads: 1,236–1,315 outbox rows against
one at a time's 1,511). A unit of work now takes its store's lock and its store's earliest
pending rows: a message for later rows acts on the earlier ones, a second worker waits for the
first, and nothing is lost when a unit fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import settings as settings_module
from plugin.db import get_engine, session_scope
from plugin.events import inbox as inbox_events
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxSource, InboxStatus
from tests.conftest import make_settings
from tests.test_inbox_batch import _day, alone_and_recorded, assert_same_outcome
from tests.test_inbox_widen import _pending

pytestmark = pytest.mark.postgres_only  # advisory and row locks: PostgreSQL only


@contextmanager
def _batch_most(db_url: str, most: int) -> Iterator[None]:
    """Units of work of at most `most` events, for the length of the block."""
    previous = settings_module.get_settings()
    settings_module.set_settings(make_settings(db_url, inbox_batch_most=most))
    try:
        yield
    finally:
        settings_module.set_settings(previous)


def _blocking_batch(monkeypatch: pytest.MonkeyPatch, *, fail: bool) -> tuple[Any, Any]:
    """The Saleor batch processor made to stop inside its first unit of work (holding its
    store) until told to go on, then to fail (`fail`) or act as usual."""
    holding, go_on = threading.Event(), threading.Event()
    real = inbox_events.BATCH_PROCESSORS[InboxSource.SALEOR]
    calls = {"n": 0}

    def first_waits(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            holding.set()
            assert go_on.wait(30)
            if fail:
                raise RuntimeError("the unit of work fails while a sibling waits")
        return real(**kwargs)

    monkeypatch.setitem(inbox_events.BATCH_PROCESSORS, InboxSource.SALEOR, first_waits)
    return holding, go_on


def _sibling_while_held(
    holding: Any, go_on: Any, first: list[int], second: list[int], ids: list[int]
) -> list[int]:
    """A worker on message `first` stopped inside its unit of work; a second worker given
    message `second` meanwhile; then the first goes on. The rows pending while both ran."""
    from handlers import actors

    workers = [
        threading.Thread(target=actors.process_inbox_events.fn, args=(message,))
        for message in (first, second)
    ]
    workers[0].start()
    assert holding.wait(30)
    workers[1].start()
    time.sleep(0.5)
    pending = _pending(ids)
    go_on.set()
    for w in workers:
        w.join(60)
    return pending


def test_a_second_worker_waits_for_the_store_and_then_acts_after_it(
    client: Any, session: Session, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    from handlers import actors

    # given a day's events for two like stores, the first's acted on one at a time, and at
    # most ten events a unit of work
    alone, together, ids = alone_and_recorded(session, _day(40, 22))
    holding, go_on = _blocking_batch(monkeypatch, fail=False)
    with _batch_most(db_url, 10):
        # when a second worker gets a later message while a first is in the store's first unit
        pending = _sibling_while_held(holding, go_on, ids[:3], ids[20:23], ids)
    # then it acted on nothing while the first held the store
    assert pending == ids
    # and after both, the earliest rows up to its message's were acted on, ten a unit
    assert _pending(ids) == ids[30:]
    actors.process_inbox_events.fn(ids[30:])
    assert _pending(ids) == []
    assert_same_outcome(alone, together)


def test_a_unit_of_work_that_fails_while_a_sibling_waits_loses_nothing_and_keeps_order(
    client: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:

    # given a day's events for two like stores, the first's acted on one at a time
    alone, together, ids = alone_and_recorded(session, _day(40, 23))
    holding, go_on = _blocking_batch(monkeypatch, fail=True)
    # when a worker's unit of work holds the store, a sibling gets a later message meanwhile,
    # and the first then rolls back
    _sibling_while_held(holding, go_on, ids[:3], ids[3:6], ids)
    # then every row was acted on, once each, as one at a time in recorded order would
    assert _pending(ids) == []
    assert_same_outcome(alone, together)  # its `inbox` table: processed, attempts 1 each


def test_a_message_for_later_rows_acts_on_the_stores_earliest_first(
    client: Any, session: Session, db_url: str
) -> None:
    _, _, ids = alone_and_recorded(session, _day(20, 27))
    claim = inbox_service.Claim()
    with _batch_most(db_url, 5), session_scope() as worker:
        statuses = inbox_events.process_batch(session=worker, event_ids=ids[10:13], claim=claim)
    assert sorted(statuses) == ids[:5]
    assert claim.more  # its own are still pending: its actor goes on
    # and once they are acted on, the message finds nothing to do
    with session_scope() as worker:
        inbox_events.process_batch(session=worker, event_ids=ids, claim=inbox_service.Claim())
    claim = inbox_service.Claim()
    with session_scope() as worker:
        assert inbox_events.process_batch(session=worker, event_ids=ids[:3], claim=claim) == {}
    assert not claim.more


def test_alone_an_event_waits_for_its_stores_earlier_pending_ones(
    client: Any, session: Session
) -> None:
    from handlers import actors

    # given recorded events of which the first ten are still pending
    alone, together, ids = alone_and_recorded(session, _day(20, 28))
    # when the eleventh's own message is worked alone (the one-at-a-time path)
    actors.process_inbox_event.fn(ids[10])
    # then the ten before it were acted on first, each alone, and the rest wait
    assert _pending(ids) == ids[11:]
    for event_id in ids[11:]:
        actors.process_inbox_event.fn(event_id)
    assert_same_outcome(alone, together)


def test_a_batch_waits_for_its_lane_and_takes_its_rows_in_one_statement_and_its_store_once(
    client: Any, session: Session
) -> None:
    from tests.support import QueryCounter

    _, _, ids = alone_and_recorded(session, _day(10, 25))
    claim = inbox_service.Claim()
    with session_scope() as worker, QueryCounter(get_engine()) as counter:
        inbox_service.process_batch(
            session=worker,
            event_ids=ids,
            processors={},
            batch_processors={InboxSource.SALEOR: _processed},
            claim=claim,
        )
    inbox = [s for s in counter.statements if "inbox_event" in s]
    assert len(inbox) == 2, inbox  # the lane's lock and its rows; their outcomes
    assert "pg_advisory_xact_lock" in inbox[0] and "FOR UPDATE" in inbox[0]
    # the store is read once for the unit, not decoded again with each of its rows
    assert "JOIN store" not in inbox[0]
    assert len([s for s in counter.statements if s.lstrip().startswith("SELECT store.")]) == 1
    assert claim.taken == ids and not claim.more and not claim.alone


def _processed(*, session: Session, store: Any, inboxes: list[Any]) -> dict[int, Any]:
    assert store is not None and store.id == inboxes[0].store_id
    return {r.id: InboxStatus.PROCESSED for r in inboxes}


def test_a_failed_row_is_left_to_its_retry_and_the_later_events_go_on(
    client: Any, session: Session
) -> None:
    from handlers import actors

    # given recorded events, the eleventh of which already failed once (its retry is queued)
    _, _, ids = alone_and_recorded(session, _day(30, 14))
    with get_engine().begin() as conn:
        conn.execute(
            sa.text("UPDATE inbox_event SET attempts = 1, error = 'boom' WHERE id = :i"),
            {"i": ids[10]},
        )
    # when a worker takes the first message
    with session_scope() as worker:
        statuses = inbox_events.process_batch(session=worker, event_ids=ids[:3])
    # then it acted on the rest: a poison event holds its store's later events back from none
    assert ids[10] not in statuses and ids[11] in statuses
    assert _pending(ids) == [ids[10]]
    # and its retry acts on it alone
    actors.process_inbox_event.fn(ids[10])
    assert _pending(ids) == []
