"""A lane's flag is held by the message that raised it (issue 21, session 22).

The flag says "a message will still read this lane", so a group commit that finds it up sends
nothing. A message whose flag lapsed while it waited in a busy worker's buffer, after which a
group commit sent another, used to go on beside the newer one: each came back every 250 ms
while the other held the lane, and in the soak such returns grew from 5 to 200 a second. Now
the flag holds the raising message's token; only that message keeps it, lowers it or acts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugin import broker
from tests.conftest import make_settings
from tests.services import REDIS_URL

pytestmark = pytest.mark.redis

NAMESPACE = f"ulak-flags-{uuid.uuid4().hex[:8]}"
LONG = timedelta(minutes=5)
NO_DATABASE = "sqlite:///:memory:"


@pytest.fixture()
def both() -> Iterator[dict[str, Any]]:
    """The embedded broker's flags and Redis's, side by side (each its own broker object; the
    flags touch no database)."""
    embedded = broker._make_broker(make_settings(NO_DATABASE))
    on_redis = broker._make_broker(
        make_settings(NO_DATABASE, redis_url=REDIS_URL, redis_namespace=NAMESPACE)
    )
    yield {"embedded": embedded, "redis": on_redis}
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{NAMESPACE}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["embedded", "redis"])
def key(
    request: pytest.FixtureRequest, both: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> str:
    """A new lane's flag, on the embedded broker and on Redis in turn."""
    monkeypatch.setattr(broker, "get_broker", lambda: both[request.param])
    return f"inbox-lane:saleor:{uuid.uuid4().hex[:6]}"


def test_only_the_message_that_raised_a_lanes_flag_keeps_or_lowers_it(key: str) -> None:
    # given a group commit's message raised the lane's flag
    assert broker.raise_flag(key, LONG, "first")
    # then a later group commit sends nothing
    assert not broker.raise_flag(key, LONG, "second")
    # and another message can neither keep the flag nor lower it
    assert not broker.own_flag(key, "second", LONG)
    broker.lower_flag(key, "second")
    assert not broker.raise_flag(key, LONG, "third")
    # while the message that raised it keeps it, then lowers it
    assert broker.own_flag(key, "first", LONG)
    broker.lower_flag(key, "first")
    # after which the next group commit raises it anew
    assert broker.raise_flag(key, LONG, "fourth")


def test_a_lapsed_flag_goes_to_whichever_message_comes_first(key: str) -> None:
    # given a message that went back on the queue with its flag for 50 ms only
    assert broker.raise_flag(key, LONG, "waiting")
    assert broker.own_flag(key, "waiting", timedelta(milliseconds=50))
    # when no worker starts it in time
    time.sleep(0.15)
    # then a group commit's new message takes the flag, and the first one no longer holds it
    assert broker.raise_flag(key, LONG, "newer")
    assert not broker.own_flag(key, "waiting", LONG)


OPS = st.lists(
    st.tuples(st.sampled_from(["raise", "own", "lower"]), st.sampled_from("abc")),
    max_size=30,
)


@given(ops=OPS)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_embedded_flags_answer_as_redis_does(both: dict[str, Any], ops: list[Any]) -> None:
    # any sequence of raises, keeps and lowers by three messages gets the same answers from
    # the in-process broker (`ulak serve` without REDIS_URL) as from Redis
    key = f"inbox-lane:saleor:{uuid.uuid4().hex[:6]}"
    answers: dict[str, list[Any]] = {}
    for kind, chosen in both.items():
        with patch.object(broker, "get_broker", return_value=chosen):
            got: list[Any] = []
            for op, token in ops:
                if op == "raise":
                    got.append(broker.raise_flag(key, LONG, token))
                elif op == "own":
                    got.append(broker.own_flag(key, token, LONG))
                else:
                    broker.lower_flag(key, token)
            got.append(broker.raise_flag(key, LONG, "probe"))
            answers[kind] = got
    assert answers["embedded"] == answers["redis"]
