"""The send loop's pacing across numbers: one number waiting for its tokens never holds back
another number's sends (a store with two numbers, or two stores in one claimed chunk)."""

from __future__ import annotations

import asyncio
import time

from plugin.delivery.pace import LocalPacer
from plugin.delivery.policy import Decision, Row, SendingAccount
from plugin.delivery.sender import send_all
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.payloads.graph import SendResult
from plugin.whatsapp.payloads.outbound import MessagePayload


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


def test_a_slow_number_waiting_for_tokens_does_not_hold_back_a_fast_one() -> None:
    # given one chunk with 30 rows for a number at 10/s (burst 2) interleaved with 30 rows for
    # a number at 1,000/s
    slow = [_decision(i, "slow", 10.0) for i in range(30)]
    fast = [_decision(100 + i, "fast", 1000.0) for i in range(30)]
    chunk = [d for pair in zip(slow, fast, strict=True) for d in pair]
    sender = _RecordingSender()

    async def run() -> tuple[int, int]:
        task = asyncio.create_task(send_all(sender, LocalPacer(), chunk))
        await asyncio.sleep(0.3)  # the slow number can have sent ~5 of its 30 by now
        task.cancel()
        started = [number for number, _ in sender.started]
        return started.count("fast"), started.count("slow")

    # when the chunk is sent
    fast, slow = asyncio.run(run())
    # then every fast-number message left within 0.3 s, while the slow number is still paced
    assert fast == 30
    assert slow < 10


def test_each_number_keeps_to_its_own_rate() -> None:
    # given 40 rows on a number at 50/s (burst 10) and 40 on a number at 100/s (burst 20)
    chunk = [_decision(i, "a", 50.0) for i in range(40)] + [
        _decision(100 + i, "b", 100.0) for i in range(40)
    ]
    sender = _RecordingSender()
    # when they are sent
    started = time.monotonic()
    outcomes = asyncio.run(send_all(sender, LocalPacer(), chunk))
    # then all were accepted, and neither number went faster than its bucket allows
    assert len(outcomes) == 80 and all(o.wamid for o in outcomes)
    for number, rate, burst in (("a", 50.0, 10), ("b", 100.0, 20)):
        times = [t - started for n, t in sender.started if n == number]
        assert times[-1] >= (40 - burst) / rate * 0.9
    # and the faster number finished first (it did not wait behind the slower one)
    last = {n: t for n, t in sender.started}
    assert last["b"] < last["a"]
