"""WhatsApp answering 429s, 500s and timeouts for a minute: what was queued meanwhile goes out
exactly once afterwards, and a call whose answer never came ends `unknown`, never resent.

Real processes: `ulak serve` (API + embedded workers + scheduler) sending to the sandbox
WhatsApp running as its own process, whose fault injection plays Meta's bad minute: calls that
hang (3 s + 3 s, Meta never taking the message, then taking it but its answer lost), then
42 s of 500s, then 12 s of 130429 ("too many messages", Meta's 429). A batch of order
updates and campaign messages is queued at the start of each part.

Scaling: the minute is a minute of the app's clock, not of the wall. The test moves the
server's clock (`POST /sandbox/api/clock`) 2 s at a time and lets the scheduler send whatever
fell due before the next step, so every backoff (2 s doubling, with jitter) and the 6 s pair
rate play out as they would in real time, while the window takes ~5-10 s of wall time: a step
waits only for the next tick, every 0.1 s (SCHEDULER_INTERVAL_SECONDS). A call times out
after 1 s (WHATSAPP_SEND_TIMEOUT_SECONDS) instead of 10 s.

The contract (plugin/delivery/claims.py `_after_error`, docs/delivery.md), the same for
transactional and marketing messages:
- 5xx and 130429 are answers, proof the message did not go out: retried with backoff (8
  attempts, at least ~4 minutes), so once Meta is back it reaches the phone exactly once;
- a timeout leaves the outcome unknown: the row ends `unknown` (outcome_unknown) and is never
  resent (at most once) — the phone has it once if Meta had taken it, none if not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.delivery import service
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from tests.delivery.conftest import (
    add_contacts,
    connect_store,
    order_parameters,
    phone,
    promo_parameters,
)
from tests.faults.support import LossReport, advance_clock, base_env, sandbox_process, serve
from tests.support import wait_for

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow, pytest.mark.timeout(300)]

PER_BATCH = 5  # transactional and marketing messages each, per batch
STEP = 2.0  # seconds of app clock per step
# The bad minute, in order: (batch name, seconds on the app clock, the sandbox's faults).
WINDOW: list[tuple[str, float, dict[str, object]]] = [
    (
        "unanswered",  # calls hang and Meta never took the message
        3.0,
        {"timeout_rate": 1.0, "timeout_seconds": 3.0, "timeout_accepts": False},
    ),
    (
        "timeout",  # calls hang after Meta took the message: its answer is lost
        3.0,
        {"timeout_rate": 1.0, "timeout_seconds": 3.0, "timeout_accepts": True},
    ),
    ("500", 42.0, {"timeout_rate": 0.0, "server_error_rate": 1.0}),
    ("429", 12.0, {"server_error_rate": 0.0, "throughput_per_second": 0}),
]
HEALTHY = {"throughput_per_second": None, "server_error_rate": 0.0, "timeout_rate": 0.0}
OPEN = ("queued", "sending")


class Server:
    """The app under test: its clock, and its outbox as the test database shows it."""

    def __init__(self, url: str, db: Session, store_id: int) -> None:
        self.url = url
        self.db = db
        self.store_id = store_id

    def advance(self, seconds: float) -> datetime:
        return advance_clock(self.url, seconds)

    def rows(self) -> list[OutboundMessage]:
        self.db.expire_all()
        return list(
            self.db.execute(
                sa.select(OutboundMessage).where(OutboundMessage.store_id == self.store_id)
            ).scalars()
        )

    def settled(self, at: datetime) -> Callable[[], bool]:
        """Nothing in flight and nothing due at `at` (server time) left unsent."""

        def check() -> bool:
            return not any(
                r.status in OPEN or (r.status == "scheduled" and r.due_at <= at)
                for r in self.rows()
            )

        return check


def _queue(db: Session, store_id: int, contact_ids: list[int], batch: str) -> dict[int, str]:
    """Order updates and campaign messages as the flows and campaigns write them, due within a
    second: the server's tick hands them to its workers. Returns contact id -> purpose."""
    half = len(contact_ids) // 2
    messages = []
    for n, contact_id in enumerate(contact_ids):
        transactional = n < half
        name = "order_update" if transactional else "cart_promo"
        purpose = MessagePurpose.TRANSACTIONAL if transactional else MessagePurpose.MARKETING
        messages.append(
            {
                "store_id": store_id,
                "contact_id": contact_id,
                "purpose": purpose,
                "kind": MessageKind.ORDER_UPDATE if transactional else MessageKind.CAMPAIGN,
                "idempotency_key": f"{batch}:{contact_id}",
                "template_name": name,
                "template_language": "tr",
                "parameters": order_parameters() if transactional else promo_parameters(),
                "source_type": "flow" if transactional else "campaign",
                # scheduled: the server's tick, not this process's queue, picks them up
                "due_at": clock.now() + timedelta(seconds=1),
            }
        )
    service.bulk_enqueue(db, messages=messages)
    db.commit()
    return {m["contact_id"]: str(m["purpose"]) for m in messages}


def test_a_bad_minute_at_whatsapp_loses_nothing_and_sends_nothing_twice(
    db_url: str, db: Session, logs: Path
) -> None:
    sandbox_proc, sandbox = sandbox_process(logs)
    try:
        store_id, _account_id = connect_store(db)
        contacts = add_contacts(
            db, store_id, 2 * PER_BATCH * len(WINDOW), consents=("transactional", "marketing")
        )
        env = base_env(
            db_url,
            WHATSAPP_GRAPH_URL=sandbox.graph_url,
            WHATSAPP_SEND_TIMEOUT_SECONDS="1",
            SCHEDULER_INTERVAL_SECONDS="0.1",
        )
        process, app = serve(env, logs)
        server = Server(app, db, store_id)
        purposes: dict[int, str] = {}
        try:
            start = server.advance(0)
            for n, (name, _seconds, faults) in enumerate(WINDOW):
                # given WhatsApp failing this way from now on
                sandbox.set_faults(**faults)
                # when a batch of order updates and campaign messages is queued meanwhile
                batch = contacts[2 * PER_BATCH * n : 2 * PER_BATCH * (n + 1)]
                purposes.update(_queue(db, store_id, batch, name))
                # and the clock runs through this part of the window, step by step
                end = start + timedelta(seconds=sum(s for _, s, _ in WINDOW[: n + 1]))
                now = server.advance(0)
                while now < end:
                    wait_for(server.settled(now), timeout=30)
                    now = server.advance(STEP)
                wait_for(server.settled(now), timeout=30)
            # and WhatsApp recovers, and every backoff runs out
            sandbox.set_faults(**HEALTHY)
            later = server.advance(3600)
            wait_for(server.settled(later), timeout=60)
            rows = server.rows()
            received = sandbox.counts(phone(i) for i in range(1, len(contacts) + 1))
            everyone = sandbox.recipients()
            wamids = {p: [m["wamid"] for m in sandbox.messages(p)] for p in received}
        finally:
            process.stop()
    finally:
        sandbox_proc.stop()
    # then every message reached the phone exactly once, transactional and marketing alike,
    # except those Meta never took while its answer never came: at most once, none there
    to = {cid: phone(i) for i, cid in enumerate(contacts, start=1)}
    batch = {r.contact_id: r.idempotency_key.split(":")[0] for r in rows}
    unanswered = {to[cid] for cid, name in batch.items() if name == "unanswered"}
    statuses = Counter(f"{batch[r.contact_id]}:{purposes[r.contact_id]}:{r.status}" for r in rows)
    report = LossReport.compare(
        "WhatsApp answering 429, 500 and timeouts for a minute",
        [to[cid] for cid in contacts if to[cid] not in unanswered],
        received,
        outbox=dict(sorted(statuses.items())),
        attempts=dict(sorted(Counter(r.attempts for r in rows).items())),
        unknown_never_received=len(unanswered),
    )
    report.unexpected = sorted(everyone - (set(to.values()) - unanswered))
    report.assert_nothing_lost()
    # and by the contract: answered failures were retried until sent; unanswered calls ended
    # unknown and were never resent; nothing failed for good
    assert {r.status for r in rows} <= {"sent", "unknown"}, statuses
    for row in rows:
        if row.status == "sent":
            assert wamids[to[row.contact_id]] == [row.wamid]
        else:
            assert (row.status_reason, row.wamid) == ("outcome_unknown", None)
    # and the faults were really met: the batches of the hanging calls all ended unknown, the
    # throttled batch needed retries
    for name in ("unanswered", "timeout"):
        assert {r.status for r in rows if batch[r.contact_id] == name} == {"unknown"}
    assert min(r.attempts for r in rows if batch[r.contact_id] == "429") >= 2
