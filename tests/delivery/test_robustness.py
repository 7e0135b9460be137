"""The promises under failure: a SIGKILLed worker, a flushed Redis, a STOP mid-campaign.

Real PostgreSQL, real Redis, real Dramatiq workers (a separate `ulak worker` process for the
kill), and the sandbox WhatsApp over loopback HTTP.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import dramatiq
import pytest
import redis
import sqlalchemy as sa
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker

from plugin import broker, clock
from plugin.contacts.models import Contact
from plugin.delivery import service
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.events import replies
from plugin.events.tick import SchedulerThread, run_tick
from plugin.saleor.models import Store
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.conftest import make_settings
from tests.delivery.conftest import campaign_due_at_once, phone
from tests.services import REDIS_URL

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOST_AFTER_SECONDS = 3.0  # QUEUE_LOST_AFTER_SECONDS here and in the worker (production: 30 s)


def _statuses(world):
    world.session.expire_all()
    return Counter(
        dict(
            world.session.execute(
                sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
            ).all()
        )
    )


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _last_in_line(world, n):
    """The contacts whose campaign message is due last of those still waiting."""
    world.session.expire_all()
    return list(
        world.session.scalars(
            sa.select(OutboundMessage.contact_id)
            .where(
                OutboundMessage.kind == MessageKind.CAMPAIGN,
                OutboundMessage.status.in_(["scheduled", "queued"]),
            )
            .order_by(OutboundMessage.due_at.desc(), OutboundMessage.id.desc())
            .limit(n)
        )
    )


def _per_phone(sandbox, n):
    return [len(sandbox.messages(phone(i))) for i in range(1, n + 1)]


@pytest.fixture()
def redis_mode(app, db_url, sandbox):
    """This test process on a private Redis namespace (the app's broker is the RedisBroker).

    It takes `app` so that it runs after it: the `app` fixture (which `world` needs) builds the
    app on the in-process StubBroker, and a Redis app built before it was silently replaced."""
    from plugin.app import create_app

    namespace = f"ulak-dtest-{uuid.uuid4().hex[:8]}"
    settings = make_settings(
        db_url,
        redis_url=REDIS_URL,
        redis_namespace=namespace,
        whatsapp_graph_url=sandbox.graph_url,
        queue_lost_after_seconds=LOST_AFTER_SECONDS,
    )
    create_app(settings, embedded_worker=False)
    client = redis.Redis.from_url(REDIS_URL)

    def flush():
        keys = list(client.scan_iter(f"{namespace}:*"))
        if keys:
            client.delete(*keys)

    yield settings, flush
    flush()
    broker.setup_broker(make_settings(db_url))


def _slow_pace(world, rate):
    world.session.execute(
        sa.update(WhatsAppAccount)
        .where(WhatsAppAccount.id == world.account_id)
        .values(throughput_mps=rate)
    )
    world.session.commit()


@pytest.mark.redis
@pytest.mark.postgres_only
@pytest.mark.slow
def test_a_worker_killed_mid_batch_sends_nothing_twice_and_every_row_ends_final(
    redis_mode, world, make_contacts, sandbox, db_url
):
    settings, _flush = redis_mode
    assert isinstance(broker.get_broker(), RedisBroker)
    # given 600 campaign messages queued in Redis, paced at 150/s, and a real `ulak worker`
    contact_ids = make_contacts(600)
    _slow_pace(world, 150)
    campaign_due_at_once(world, contact_ids)
    env = {
        **os.environ,
        "ULAK_ENV": "test",
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_NAMESPACE": settings.redis_namespace,
        "WHATSAPP_GRAPH_URL": sandbox.graph_url,
        "LOG_LEVEL": "ERROR",
        # its tick re-enqueues rows whose queue message was lost after 3 s (production: 30 s)
        "QUEUE_LOST_AFTER_SECONDS": str(LOST_AFTER_SECONDS),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "plugin.cli", "worker", "-p", "1", "-t", "2"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # when it is killed with SIGKILL while sending
        _wait(lambda: sandbox.total() >= 150, timeout=60)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    at_kill = _statuses(world)
    killed_at = time.monotonic()
    assert at_kill[MessageStatus.SENDING] > 0  # it really died mid-batch
    assert at_kill[MessageStatus.QUEUED] > 0  # holding the message of rows it had not claimed
    # and the tick runs after the lease, then a new worker (ticking, as `ulak worker` does)
    # takes the rest
    clock.advance(service.LEASE.total_seconds() + 60)
    run_tick()
    worker = dramatiq.Worker(broker.get_broker(), worker_threads=2, worker_timeout=50)
    worker.start()
    ticks = SchedulerThread(0.2)
    ticks.start()
    try:
        # within about QUEUE_LOST_AFTER_SECONDS of the death (not the 10 minutes a busy queue
        # waits, nor Dramatiq's random maintenance pass)
        _wait(
            lambda: _statuses(world).keys() <= {MessageStatus.SENT, MessageStatus.UNKNOWN},
            LOST_AFTER_SECONDS + 12,
        )
        assert time.monotonic() - killed_at < LOST_AFTER_SECONDS + 12
        # and Dramatiq's maintenance finally gives the dead worker's messages back (forced
        # here: one command in a thousand runs it)
        redis_broker = broker.get_broker()
        assert isinstance(redis_broker, RedisBroker)
        redis_broker.maintenance_chance = MAINTENANCE_SCALE
        redis_broker.join("delivery", timeout=30_000)
    finally:
        ticks.stop()
        ticks.join(10)
        worker.stop()
    # then every row is final, nobody got two messages, and every sent row reached WhatsApp
    final = _statuses(world)
    assert final[MessageStatus.SENT] + final[MessageStatus.UNKNOWN] == 600
    assert final[MessageStatus.UNKNOWN] <= at_kill[MessageStatus.SENDING]
    counts = _per_phone(sandbox, 600)
    assert max(counts) == 1
    assert final[MessageStatus.SENT] <= sum(counts) <= 600
    sent_wamids = {
        w
        for (w,) in world.session.execute(
            sa.select(OutboundMessage.wamid).where(OutboundMessage.status == MessageStatus.SENT)
        ).all()
    }
    accepted = {m.wamid for m in sandbox.sandbox.by_wamid.values()}
    assert sent_wamids <= accepted


@pytest.mark.redis
@pytest.mark.postgres_only
@pytest.mark.slow
def test_a_redis_flush_mid_run_still_sends_every_message_exactly_once(
    redis_mode, world, make_contacts, sandbox
):
    _settings, flush = redis_mode
    assert isinstance(broker.get_broker(), RedisBroker)
    # given 600 campaign messages queued in Redis and a worker sending them at 200/s
    contact_ids = make_contacts(600)
    _slow_pace(world, 200)
    campaign_due_at_once(world, contact_ids)
    worker = dramatiq.Worker(broker.get_broker(), worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        # when Redis loses everything mid-run
        _wait(lambda: sandbox.total() >= 100)
        flush()
        _wait(lambda: MessageStatus.SENDING not in _statuses(world), 30)
        assert _statuses(world)[MessageStatus.QUEUED] > 0  # work was lost with the queue
        # and the scheduler ticks after the orphan delay
        clock.advance(broker.lost_after().total_seconds() + 1)
        run_tick()
        _wait(lambda: _statuses(world) == Counter({MessageStatus.SENT: 600}), 60)
    finally:
        worker.stop()
    # then every message went out exactly once
    assert _per_phone(sandbox, 600) == [1] * 600


@pytest.mark.slow
def test_a_stop_mid_campaign_stops_every_later_message_to_that_person(
    world, make_contacts, sandbox
):
    # given 1,000 marketing messages queued, sent at 100/s by the real worker: what does not
    # fit the number's next second waits its turn in the outbox
    contact_ids = make_contacts(1000)
    _slow_pace(world, 100)
    campaign_due_at_once(world, contact_ids)
    worker = dramatiq.Worker(broker.get_broker(), worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        # when, while the campaign runs, the ten people whose turn comes last send STOP (their
        # turn is seconds away, even on a loaded machine)
        _wait(lambda: sandbox.total() >= 100)
        stoppers = _last_in_line(world, 10)
        for n, cid in enumerate(stoppers):
            contact = world.session.get(Contact, cid)
            assert contact is not None
            outcome = replies.consent_answer(
                session=world.session,
                store=world.session.get(Store, contact.store_id),
                contact=contact,
                text="STOP",
                button_payload=None,
                wamid=f"wamid.stop.{n}",
                received_at=clock.now(),
            )
            assert outcome == "opted_out", outcome
            world.session.commit()
        sent_at_stop = sandbox.total()
        broker.get_broker().join("delivery", timeout=60_000)
        # a row a busy machine put back for later (pacing, a retry) goes out on a later
        # scheduler tick, as in production: tick until nothing waits
        for _ in range(10):
            if not set(_statuses(world)) & MessageStatus.unfinished():
                break
            clock.advance(60)
            run_tick()
            broker.get_broker().join("delivery", timeout=60_000)
    finally:
        worker.stop()
    # then none of the campaign's messages reached them (only the opt-out confirmation did),
    # all the others got theirs
    assert sent_at_stop < 1000
    counts = {
        cid: sum(m["template_name"] == "cart_promo" for m in sandbox.messages(phone(n)))
        for n, cid in enumerate(contact_ids, start=1)
    }
    assert [counts[cid] for cid in stoppers] == [0] * 10
    assert sorted(counts[cid] for cid in contact_ids if cid not in stoppers) == [1] * 990
    assert all(
        len(sandbox.messages(phone(n))) == 1
        for n, cid in enumerate(contact_ids, start=1)
        if cid in stoppers
    )
    rows = world.session.execute(
        sa.select(OutboundMessage.status, OutboundMessage.status_reason).where(
            OutboundMessage.contact_id.in_(stoppers),
            OutboundMessage.kind == MessageKind.CAMPAIGN,
        )
    ).all()
    assert set(rows) == {("suppressed", "consent_revoked")}
