"""Redis restarts in the middle of a campaign: every recipient still gets exactly one message and
every outbox row ends final.

Real processes: `ulak worker` (Dramatiq + the scheduler tick) whose REDIS_URL points at a TCP
proxy in front of the shared Redis, and the sandbox WhatsApp as its own process. The "restart"
is the proxy resetting every connection and refusing new ones for a few seconds, while this
run's namespace is emptied — a Redis that keeps nothing on disk (as in CI) comes back empty.
The shared Redis is never restarted or flushed. Recovery is the product's own: the worker
reconnects, and its tick re-enqueues the rows whose queue messages were lost: after
QUEUE_LOST_AFTER_SECONDS, 30 s in production, here 3 s (the same path, met sooner).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import Session

from plugin import broker
from plugin.campaigns import service as campaigns
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.delivery.models import MessageKind, OutboundMessage
from plugin.segments.service import Audience
from plugin.settings import Settings, set_settings
from tests.conftest import make_settings
from tests.delivery.conftest import add_contacts, connect_store, phone
from tests.faults.support import (
    LossReport,
    TcpProxy,
    UlakProcess,
    base_env,
    poll,
    sandbox_process,
    via,
)
from tests.services import REDIS_URL, port_of
from tests.support import wait_for

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.timeout(300),
]

RECIPIENTS = 300
STAFF = "+905550000001"  # the campaign's test send goes here
OUTAGE_SECONDS = 3.0
LOST_AFTER_SECONDS = 3.0  # the worker's QUEUE_LOST_AFTER_SECONDS (production: 30)
UNFINISHED = ("scheduled", "queued", "sending")


@pytest.fixture()
def redis_mode(db_url: str, db: Session, redis_namespace: str) -> Iterator[Settings]:
    """This test process enqueues on the real Redis (direct, not through the proxy)."""
    settings = set_settings(
        make_settings(db_url, redis_url=REDIS_URL, redis_namespace=redis_namespace)
    )
    broker.setup_broker(settings)
    import handlers.actors  # noqa: F401 - the actor names and their queues

    yield settings
    set_settings(make_settings(db_url))
    broker.setup_broker(make_settings(db_url))


def _wipe(namespace: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{namespace}:*"))
    return client.delete(*keys) if keys else 0


def _rows(db: Session, store_id: int) -> list[tuple[str, str]]:
    db.expire_all()
    return [
        (str(status), str(kind))
        for status, kind in db.execute(
            sa.select(OutboundMessage.status, OutboundMessage.kind).where(
                OutboundMessage.store_id == store_id
            )
        ).all()
    ]


def test_a_redis_restart_mid_campaign_sends_every_recipient_exactly_one_message(
    db_url: str, db: Session, redis_mode: Settings, logs: Path
) -> None:
    namespace = redis_mode.redis_namespace
    sandbox_proc, sandbox = sandbox_process(logs)
    worker: UlakProcess | None = None
    try:
        # given a store whose number sends 60 messages a second, 300 opted-in customers,
        # and a real `ulak worker` whose Redis goes through the proxy
        store_id, _account_id = connect_store(db, throughput_mps=60)
        add_contacts(db, store_id, RECIPIENTS, consents=("marketing",), first_name="Ayşe")
        with TcpProxy(port_of(REDIS_URL)) as proxy:
            env = base_env(
                db_url,
                REDIS_URL=via(REDIS_URL, port_of(REDIS_URL), proxy.port),
                REDIS_NAMESPACE=namespace,
                WHATSAPP_GRAPH_URL=sandbox.graph_url,
                QUEUE_LOST_AFTER_SECONDS=str(LOST_AFTER_SECONDS),
            )
            worker = UlakProcess("worker", ["worker", "-p", "1", "-t", "4"], env, logs).start()
            # when the merchant launches a campaign to all of them
            campaign = campaigns.configure_campaign(
                db,
                store_id=store_id,
                name="Kış indirimi",
                audience=Audience(rule={"field": "orders_count", "op": "gte", "value": 0}),
                variants=[
                    {
                        "template_name": "cart_promo",
                        "template_language": "tr",
                        "body_fields": ["first_name"],
                    }
                ],
            )
            set_staff_test_numbers(db, store_id=store_id, numbers=[STAFF])
            campaigns.send_test(db, store_id=store_id, campaign_id=campaign.id, phone_e164=STAFF)
            db.commit()
            campaigns.launch_campaign(db, store_id=store_id, campaign_id=campaign.id)
            db.commit()
            # and Redis restarts (empty) once the first messages are out
            wait_for(lambda: (worker.check(), len(sandbox.recipients()) >= 60)[1], timeout=60)
            proxy.cut()
            wiped = _wipe(namespace)
            sent_at_cut = len(sandbox.recipients())
            threading.Event().wait(OUTAGE_SECONDS)
            proxy.restore()

            def finished() -> bool:
                worker.check()
                return not any(status in UNFINISHED for status, _ in _rows(db, store_id))

            poll(finished, timeout=100)
        phones = [phone(i) for i in range(1, RECIPIENTS + 1)]
        received = sandbox.counts(phones)
        everyone = sandbox.recipients()
        staff = sandbox.messages(STAFF)
    finally:
        if worker is not None:
            worker.stop()
        sandbox_proc.stop()
    # then every recipient has exactly one message, and every row ended final
    rows = Counter(_rows(db, store_id))
    report = LossReport.compare(
        "Redis restarted mid-campaign",
        phones,
        received,
        outbox=dict(Counter(f"{kind}:{status}" for (status, kind) in rows.elements())),
        sent_before_restart=sent_at_cut,
        redis_keys_lost=wiped,
        proxy={"dropped": proxy.dropped, "refused": proxy.refused},
    )
    report.unexpected = sorted(everyone - {*phones, STAFF})
    report.assert_nothing_lost()
    assert sent_at_cut < RECIPIENTS  # the restart came mid-campaign
    campaign_rows = Counter(st for st, kind in rows.elements() if kind == MessageKind.CAMPAIGN)
    assert campaign_rows == Counter({"sent": RECIPIENTS})
    assert not [st for st, kind in rows.elements() if st in UNFINISHED]  # the test send too
    assert len(staff) <= 1
