"""The delivery tick queues rows whose queue message was lost again, a bounded share per tick.

In the soak a paced campaign's 52,000 waiting rows were queued again 20,000 a tick, each batch's
ids written into an UPDATE of 20,000 parameters, and the worker that ticked kept 11 MB more
from then on. Re-queuing faster than any number sends gains nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from plugin import broker
from plugin.db import get_engine
from plugin.delivery import tick
from plugin.delivery.outbox import BATCH_SIZE
from tests.factories import make_store, queued_campaign_rows
from tests.support import QueryCounter

pytestmark = pytest.mark.postgres_only


def _lost(session: Session, store_id: int, count: int) -> None:
    """`count` queued rows of a campaign, queued a minute ago (past the 30 s a message may
    take), whose queue messages were lost."""
    ago = "now() - interval '1 minute'"
    queued_campaign_rows(session, store_id, count, due_at=ago, queued_at=ago)
    session.commit()


def _queued_ids() -> list[list[int]]:
    """The delivery queue's messages' id lists, in order (the in-process broker)."""
    from dramatiq import Message

    queue: Any = broker.get_broker().queues["delivery"]  # type: ignore[attr-defined]
    messages = []
    while not queue.empty():
        messages.append(Message.decode(queue.get_nowait()).args[0])
    return messages


def test_lost_rows_are_queued_again_a_ticks_share_at_a_time_each_in_one_message(
    session: Session,
) -> None:
    # given a campaign's 4,500 queued rows whose queue messages were lost
    store = make_store(session)
    assert store.id is not None
    _lost(session, store.id, 4_500)
    # when the scheduler ticks twice
    with QueryCounter(get_engine()) as queries:
        first = tick.dispatch_due(session)
        session.commit()
    first_ids = _queued_ids()
    second = tick.dispatch_due(session)
    session.commit()
    second_ids = _queued_ids()
    third = tick.dispatch_due(session)
    session.commit()
    # then the first takes a tick's share, the second the rest, and a third finds none
    assert (first, second, third) == (tick.ORPHANS_PER_TICK, 500, 0)
    # each row in exactly one message of at most a batch
    every = [i for ids in first_ids + second_ids for i in ids]
    assert len(every) == len(set(every)) == 4_500
    assert max(len(ids) for ids in first_ids + second_ids) <= BATCH_SIZE
    # and no statement spells out the ids: the text is the same for any number of rows
    assert max(len(s) for s in queries.statements) < 2_000
