"""Meta's throughput per number: each send has a slot of its number's schedule, numbers pace
apart, and the send loop starts each send at its slot (one number's later slots never hold
back another number's sends)."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.delivery.pace import Admission, LocalPacer, Pacer, RedisPacer, slack_for
from plugin.delivery.policy import Decision, Row, SendingAccount
from plugin.delivery.policy.pacing import HORIZON, give_slots
from plugin.delivery.sender import send_all
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.payloads.graph import SendResult
from plugin.whatsapp.payloads.outbound import MessagePayload
from tests.services import REDIS_URL


class _RecordingSender:
    """Accepts every send at once and notes when each number's send started."""

    def __init__(self) -> None:
        self.started: list[tuple[str, float]] = []

    async def send_message(
        self, payload: MessagePayload, *, credentials: Credentials, marketing: bool = False
    ) -> SendResult:
        self.started.append((credentials.phone_number_id, time.monotonic()))
        return SendResult(wamid=f"wamid.{len(self.started)}")


def _decision(row_id: int, number: str, rate: float) -> Decision:
    row = Row(
        id=row_id,
        store_id=1,
        contact_id=row_id,
        purpose="transactional",
        kind="order_update",
        template_name="order_update",
        template_language="tr",
        parameters={},
        text=None,
        attempts=0,
    )
    account = SendingAccount(
        id=1, phone_number_id=number, rate=rate, credentials=Credentials(number, "token")
    )
    return Decision(row=row, outcome="send", to=f"+90532000{row_id:04d}", account=account)


def _admitted(pacer: Pacer, decisions: list[Decision]) -> list[Decision]:
    """The decisions with their slots, per number, as the policy gives them."""
    by_number: dict[str, list[Decision]] = {}
    for d in decisions:
        assert d.account is not None
        by_number.setdefault(d.account.phone_number_id, []).append(d)
    for number, group in by_number.items():
        rate = group[0].account.rate if group[0].account else 0.0
        give_slots(group, pacer.admit(number, len(group), rate, horizon=None))
    return decisions


@pytest.fixture(params=["local", "redis"])
def pacer(request: pytest.FixtureRequest) -> object:
    """Both pacers: in-process (embedded mode) and the shared one over the machine's Redis."""
    if request.param == "local":
        yield LocalPacer()
        return
    namespace = f"ulak-test-pace-{uuid.uuid4().hex[:8]}"
    yield RedisPacer(REDIS_URL, namespace)
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)


def test_marketing_books_at_most_the_horizon_and_an_order_update_comes_right_after(
    pacer,
) -> None:
    # given a quiet number at Meta's default 80 messages a second
    # when a campaign's chunk of 200 asks for slots within the horizon (two seconds)
    campaign = pacer.admit("905320000001", 200, 80.0, horizon=HORIZON)
    # then it gets the fifth of a second a quiet number may send at once, and the horizon
    expected = int((HORIZON + 0.2) * 80) + 1
    assert expected - 2 <= campaign.granted <= expected
    assert campaign.starts_in(15) == 0.0 and campaign.starts_in(16) == pytest.approx(0.0, abs=1e-6)
    assert campaign.starts_in(40) > 0.2
    assert campaign.free_in == pytest.approx(HORIZON, abs=0.05)
    # and a second chunk gets nothing (but the slot that came within the horizon as the test
    # ran): the number is booked up to the horizon
    second = pacer.admit("905320000001", 200, 80.0, horizon=HORIZON)
    assert second.granted <= 1 and second.free_in == pytest.approx(HORIZON, abs=0.05)
    # when an order update asks for a slot, whatever the schedule holds
    order = pacer.admit("905320000001", 1, 80.0, horizon=None)
    # then it goes right after the booked slots, not behind the rest of the campaign
    assert order.granted == 1 and order.starts_in(0) == pytest.approx(HORIZON, abs=0.05)
    # and another number is not slowed by this one
    other = pacer.admit("905320000002", 10, 80.0, horizon=HORIZON)
    assert other.granted == 10 and other.starts_in(9) == 0.0


def test_meta_saying_too_fast_moves_the_number_a_second_later(pacer) -> None:
    # given a quiet number
    # when Meta answers 130429 and the number is penalized for a second
    pacer.penalize("905320000003", 1.0)
    # then its next send starts a second from now, and marketing within the horizon waits
    admission = pacer.admit("905320000003", 5, 80.0, horizon=None)
    assert admission.starts_in(0) == pytest.approx(1.0, abs=0.05)
    assert pacer.admit("905320000003", 5, 80.0, horizon=0.5).granted == 0


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=200, deadline=None)
@given(
    rate=st.sampled_from([1.0, 10.0, 80.0, 1000.0]),
    steps=st.lists(
        st.tuples(
            st.floats(min_value=0.0, max_value=2.0),  # seconds since the previous call
            st.integers(min_value=1, max_value=300),  # sends wanted
            st.one_of(st.none(), st.floats(min_value=0.0, max_value=2.0)),  # horizon
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_no_two_sends_of_a_number_ever_share_a_slot(rate, steps) -> None:
    """Whatever the admissions' sizes, horizons and timing: the number's slots are at least
    1/rate apart, none starts before it was admitted less the slack, and with a horizon none
    starts after it."""
    clock = _Clock()
    pacer = LocalPacer(clock=clock)
    slots: list[float] = []
    for elapsed, want, horizon in steps:
        clock.now += elapsed
        admission = pacer.admit("n", want, rate, horizon=horizon)
        assert 0 <= admission.granted <= want
        if horizon is None:
            assert admission.granted == want
        for i in range(admission.granted):
            start = clock.now + admission.first_in + i * admission.interval
            assert start >= clock.now - slack_for(rate) - 1e-9
            if horizon is not None:
                assert start <= clock.now + horizon + 1e-9
            slots.append(start)
    slots.sort()
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert all(gap >= 1.0 / rate - 1e-9 for gap in gaps)


def test_a_slow_number_waiting_for_its_slots_does_not_hold_back_a_fast_one() -> None:
    # given one chunk with 30 rows for a number at 10/s (2 at once) interleaved with 30 rows
    # for a number at 1,000/s
    slow = [_decision(i, "slow", 10.0) for i in range(30)]
    fast = [_decision(100 + i, "fast", 1000.0) for i in range(30)]
    chunk = _admitted(LocalPacer(), [d for pair in zip(slow, fast, strict=True) for d in pair])
    sender = _RecordingSender()

    async def run() -> tuple[int, int]:
        task = asyncio.create_task(send_all(sender, LocalPacer(), chunk))
        await asyncio.sleep(0.3)  # the slow number can have sent ~5 of its 30 by now
        task.cancel()
        started = [number for number, _ in sender.started]
        return started.count("fast"), started.count("slow")

    # when the chunk is sent
    fast_sent, slow_sent = asyncio.run(run())
    # then every fast-number message left within 0.3 s, while the slow number is still paced
    assert fast_sent == 30
    assert slow_sent < 10


def test_each_number_keeps_to_its_own_rate() -> None:
    # given 40 rows on a number at 50/s (10 at once) and 40 on a number at 100/s (20 at once)
    chunk = [_decision(i, "a", 50.0) for i in range(40)] + [
        _decision(100 + i, "b", 100.0) for i in range(40)
    ]
    started = time.monotonic()
    _admitted(LocalPacer(), chunk)
    sender = _RecordingSender()
    # when they are sent
    outcomes = asyncio.run(send_all(sender, LocalPacer(), chunk))
    # then all were accepted, and neither number went faster than its schedule allows
    assert len(outcomes) == 80 and all(o.wamid for o in outcomes)
    for number, rate, burst in (("a", 50.0, 10), ("b", 100.0, 20)):
        times = [t - started for n, t in sender.started if n == number]
        assert times[-1] >= (40 - burst) / rate * 0.9
        assert all(b - a >= 0 for a, b in itertools.pairwise(times))
    # and the faster number finished first (it did not wait behind the slower one)
    last = {n: t for n, t in sender.started}
    assert last["b"] < last["a"]


def test_an_admission_tells_each_send_when_its_slot_starts() -> None:
    admission = Admission(granted=3, first_in=-0.1, interval=0.05, free_in=0.05)
    assert [admission.starts_in(i) for i in range(3)] == [0.0, 0.0, pytest.approx(0.0)]
    later = Admission(granted=3, first_in=0.5, interval=0.25, free_in=1.25)
    assert [later.starts_in(i) for i in range(3)] == [0.5, 0.75, 1.0]
