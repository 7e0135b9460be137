"""A lane's deliveries need one queue message waiting, not one per group commit (issue 21).

Under load the group commit sent a message for every few webhooks (~150 a second in the soak),
and most of them found their rows already acted on by the unit of work an earlier message
started: a transaction and two statements each, for nothing, in the worker that was already
falling behind. Now a group commit sends its lane's message only when none is outstanding, and
that message acts until the lane is empty, so no delivery is left without one.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import dramatiq
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from handlers import actors
from plugin import broker, clock
from plugin.inbox import service as inbox_service
from plugin.inbox import writer
from plugin.inbox.models import InboxSource, InboxStatus
from tests.benchmarks.saleor_day import CHECKOUT_EVENTS, store_day
from tests.test_inbox_batch import _dev_store, outcome_inbox

pytestmark = pytest.mark.sqlite


@pytest.fixture(autouse=True)
def _slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new message's flag outlasts the test's own pace (it lapses after NUDGE_START when no
    worker starts on the message; the tests that are about that set it short)."""
    monkeypatch.setattr(inbox_service, "NUDGE_START", timedelta(minutes=10))


def _checkout_deliveries(store_id: int, count: int, seed: int) -> list[inbox_service.Delivery]:
    events = store_day(count * 3, seed=seed, end=clock.now() - timedelta(hours=2))
    chosen = [e for e in events if e.event in CHECKOUT_EVENTS][:count]
    assert len(chosen) == count
    return [inbox_service.Delivery(store_id, InboxSource.SALEOR, e.event, e.body) for e in chosen]


def _inbox_messages(name: str = "default") -> list[dict[str, Any]]:
    queue = broker.get_broker().queues.get(name)
    messages = [json.loads(m) for m in list(queue.queue)] if queue is not None else []
    return [m for m in messages if m["actor_name"] == inbox_service.PROCESS_BATCH_ACTOR]


def _submit_one_by_one(deliveries: list[inbox_service.Delivery]) -> list[int]:
    """Each delivery its own group commit (the next waits for the one before)."""
    ids = [writer.submit(d).result(timeout=30) for d in deliveries]
    assert all(i is not None for i in ids)
    return [int(i) for i in ids if i is not None]


def _work(message: dict[str, Any]) -> None:
    actors.process_inbox_events.fn(*message["args"], **message["kwargs"])


def test_a_busy_lane_has_one_message_and_it_acts_on_every_delivery_recorded_before_it_ran(
    app: Any, session: Session
) -> None:
    # given a store's 25 checkout webhooks recorded one group commit each, no worker running
    store_id = _dev_store(session)
    ids = _submit_one_by_one(_checkout_deliveries(store_id, 25, seed=3))
    # then one message waits for the store's Saleor lane, naming the first delivery only
    messages = _inbox_messages()
    assert [(m["args"], m["kwargs"]["lane"]) for m in messages] == [
        ([[ids[0]]], [store_id, "saleor"])
    ]
    # when a worker takes it
    _work(messages[0])
    # then every delivery of the lane was acted on, the 24 that sent no message too
    assert {status for _, status in outcome_inbox(ids)} == {InboxStatus.PROCESSED.value}
    # and the next delivery, recorded after the worker looked, sends a message of its own
    (later,) = _submit_one_by_one(_checkout_deliveries(store_id, 26, seed=3)[25:])
    assert [m["args"] for m in _inbox_messages()[1:]] == [[[later]]]


def test_each_lane_has_its_own_message(app: Any, session: Session) -> None:
    # given two stores' webhooks interleaved, one group commit each
    first, second = _dev_store(session), _dev_store(session)
    a = _checkout_deliveries(first, 4, seed=5)
    b = _checkout_deliveries(second, 4, seed=6)
    _submit_one_by_one([d for pair in zip(a, b, strict=True) for d in pair])
    # then each store's lane has one message waiting
    lanes = sorted(tuple(m["kwargs"]["lane"]) for m in _inbox_messages())
    assert lanes == [(first, "saleor"), (second, "saleor")]


def test_a_lane_message_whose_own_rows_were_taken_still_empties_the_lane(
    app: Any, session: Session
) -> None:
    # given a lane's message whose delivery an earlier unit of work already acted on, and
    # later deliveries that sent no message because it was outstanding
    store_id = _dev_store(session)
    deliveries = _checkout_deliveries(store_id, 6, seed=8)
    (first,) = _submit_one_by_one(deliveries[:1])
    (message,) = _inbox_messages()
    actors.process_inbox_events.fn([first])  # an older message of the lane, without its lane
    rest = _submit_one_by_one(deliveries[1:])
    assert len(_inbox_messages()) == 1  # the flag is still up: nothing new was sent
    # when the lane's message is worked
    _work(message)
    # then the later deliveries were acted on too
    assert {s for _, s in outcome_inbox([first, *rest])} == {InboxStatus.PROCESSED.value}


@pytest.mark.timeout(120)
def test_deliveries_arriving_while_a_worker_runs_are_all_acted_on_without_the_tick(
    app: Any, session: Session
) -> None:
    # given a running worker (two threads) and two stores
    stores = [_dev_store(session), _dev_store(session)]
    deliveries = [d for i, s in enumerate(stores) for d in _checkout_deliveries(s, 60, seed=20 + i)]
    worker = dramatiq.Worker(broker.get_broker(), worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        # when 120 webhooks arrive from eight connections at once
        with ThreadPoolExecutor(8) as pool:
            ids = [i for i in pool.map(lambda d: writer.submit(d).result(timeout=30), deliveries)]
        assert all(i is not None for i in ids)
        # then every one is acted on by the queue's messages alone (no tick runs here)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            statuses = {s for _, s in outcome_inbox([int(i) for i in ids if i is not None])}
            if statuses == {InboxStatus.PROCESSED.value}:
                break
            time.sleep(0.2)
        assert statuses == {InboxStatus.PROCESSED.value}
    finally:
        worker.stop()


@pytest.mark.postgres_only
@pytest.mark.timeout(60)
def test_a_lanes_message_finding_the_lane_busy_comes_back_and_stops_if_a_newer_one_took_its_flag(
    app: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin.db import get_engine
    from plugin.inbox.take import LANE_LOCKS

    store_id = _dev_store(session)
    deliveries = _checkout_deliveries(store_id, 8, seed=12)
    monkeypatch.setattr(inbox_service, "NUDGE_START", timedelta(seconds=0.2))
    (first,) = _submit_one_by_one(deliveries[:1])
    (message,) = _inbox_messages()
    # given another unit of work holding the store's Saleor lane
    with get_engine().connect() as holder:
        holder.execute(
            sa.select(sa.func.pg_advisory_xact_lock(LANE_LOCKS[InboxSource.SALEOR], store_id))
        )
        # when a worker takes the lane's message
        _work(message)
        # then it does not wait in the worker's thread: it comes back a moment later
        (retry,) = _inbox_messages("default.DQ")
        assert (retry["args"], retry["kwargs"]) == (message["args"], message["kwargs"])
        assert retry["options"]["eta"] > message["message_timestamp"]
        # and webhooks arriving meanwhile, within NUDGE_START, send no message of their own
        rest = _submit_one_by_one(deliveries[1:4])
        assert len(_inbox_messages()) == 1
        # but past it (the retry may wait in a busy worker's buffer) the next one sends one
        time.sleep(0.4)
        rest += _submit_one_by_one(deliveries[4:])
        (newer,) = _inbox_messages()[1:]
        assert newer["args"] == [[rest[3]]]
        holder.rollback()
    # when the first message comes back with the lane free, the newer one still waiting
    _work(retry)
    # then it stops at once: the newer message holds the lane's flag, and it is not sent back
    assert {s for _, s in outcome_inbox([first, *rest])} == {InboxStatus.PENDING.value}
    assert _inbox_messages("default.DQ") == [retry]
    # and the newer message acts on every delivery recorded meanwhile, the first one's too
    _work(newer)
    assert {s for _, s in outcome_inbox([first, *rest])} == {InboxStatus.PROCESSED.value}


@pytest.mark.postgres_only  # SQLite's one writer: the webhook would wait for the unit it is in
def test_a_webhook_arriving_while_the_lanes_message_works_a_backlog_sends_nothing_and_is_acted_on(
    app: Any, session: Session, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    from plugin.events import inbox as inbox_events
    from tests.test_inbox_convoy import _batch_most

    store_id = _dev_store(session)
    deliveries = _checkout_deliveries(store_id, 13, seed=14)
    # given a backlog of 12 deliveries (units of at most 5) and their lane's one message
    ids = _submit_one_by_one(deliveries[:12])
    (message,) = _inbox_messages()
    # and a 13th webhook arriving while the message's first unit works
    real = inbox_events.BATCH_PROCESSORS[InboxSource.SALEOR]
    arrived: list[int] = []

    def arrives_meanwhile(**kwargs: Any) -> Any:
        if not arrived:
            arrived.extend(_submit_one_by_one(deliveries[12:]))
        return real(**kwargs)

    monkeypatch.setitem(inbox_events.BATCH_PROCESSORS, InboxSource.SALEOR, arrives_meanwhile)
    with _batch_most(db_url, 5):
        _work(message)
    # then it sent no message of its own (the working message kept the flag up) ...
    assert len(_inbox_messages()) == 1
    # ... and was acted on by that message, with the backlog
    assert {s for _, s in outcome_inbox([*ids, *arrived])} == {InboxStatus.PROCESSED.value}


def test_a_message_no_worker_starts_in_time_is_followed_by_another(
    app: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a lane's message that waits in a busy worker's buffer past NUDGE_START
    monkeypatch.setattr(inbox_service, "NUDGE_START", timedelta(seconds=0.2))
    store_id = _dev_store(session)
    deliveries = _checkout_deliveries(store_id, 3, seed=16)
    _submit_one_by_one(deliveries[:1])
    time.sleep(0.4)
    # when the next webhooks arrive
    later = _submit_one_by_one(deliveries[1:])
    # then the first of them sends another message (and the one after it does not)
    assert [m["args"] for m in _inbox_messages()[1:]] == [[[later[0]]]]
