"""One store's events are acted on in recorded order whichever worker thread gets which queue
message, on both backends (issue 21): PostgreSQL by the lane's advisory lock, SQLite — the
embedded worker's threads of `make run` — by its one writer's lock (plugin/inbox/take.py)."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlmodel import Session

from plugin import settings as settings_module
from tests.conftest import make_settings
from tests.test_inbox_batch import _day, alone_and_recorded, assert_same_outcome

pytestmark = pytest.mark.sqlite


def test_four_workers_given_a_stores_messages_in_any_order_act_as_one_at_a_time(
    client: Any, session: Session, db_url: str
) -> None:
    from handlers import actors

    # given a day's events for two like stores, the first's acted on one at a time
    alone, together, ids = alone_and_recorded(session, _day(120, 26))
    messages = [ids[i : i + 3] for i in range(0, len(ids), 3)]
    random.Random(26).shuffle(messages)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not messages:
                    return
                message = messages.pop()
            actors.process_inbox_events.fn(message)

    # when four workers take the store's messages, shuffled, each unit at most seven events
    previous = settings_module.get_settings()
    settings_module.set_settings(make_settings(db_url, inbox_batch_most=7))
    try:
        workers = [threading.Thread(target=work) for _ in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
    finally:
        settings_module.set_settings(previous)
    # then the rows say what one at a time in recorded order says, each acted on once
    assert_same_outcome(alone, together)
