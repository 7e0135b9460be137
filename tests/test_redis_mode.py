"""Production mode's queue: the real Redis carries the work, the database stays the truth."""

from __future__ import annotations

import json
import time
import uuid

import dramatiq
import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from plugin.inbox.models import InboxEvent, InboxStatus
from tests.conftest import make_settings
from tests.services import REDIS_URL
from tests.support import saleor_body, saleor_headers

NAMESPACE = f"ulak-test-{uuid.uuid4().hex[:8]}"

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]


@pytest.fixture()
def redis_settings(db_url):
    _flush()
    yield make_settings(db_url, redis_url=REDIS_URL, redis_namespace=NAMESPACE)
    _flush()
    from plugin import broker

    broker.setup_broker(make_settings(db_url))


def _flush() -> None:
    """Only this run's keys: other runs may share the server."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{NAMESPACE}:*"))
    if keys:
        client.delete(*keys)


def _deliver(client, api_url, name="ORDER_CREATED"):
    headers = saleor_headers(name)
    return client.post(
        f"/api/webhooks/saleor/{headers['saleor-event'].replace('_', '-')}",
        content=saleor_body(name),
        headers={
            "saleor-signature": headers["saleor-signature"],
            "saleor-api-url": api_url,
            "content-type": "application/json",
        },
    )


def _install_and_deliver(redis_settings, fake_saleor, *names: str) -> None:
    """The app in production mode, installed by the fake Saleor, given signed deliveries
    (ORDER_CREATED by default); their queue messages stay in Redis (no worker runs)."""
    from plugin.app import create_app

    with TestClient(create_app(redis_settings)) as client:
        client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        for name in names or ("ORDER_CREATED",):
            assert _deliver(client, fake_saleor.api_url, name).status_code == 200


def test_a_webhook_in_redis_mode_is_queued_in_redis_and_processed_by_a_worker(
    redis_settings, fake_saleor
):
    from plugin import broker
    from plugin.app import create_app
    from plugin.db import get_engine

    # given the app with REDIS_URL set (no in-process worker)
    app = create_app(redis_settings)
    assert not broker.is_embedded()
    with TestClient(app) as client:
        assert client.get("/healthz").json()["broker"] is True
        response = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert response.status_code == 200
        # when Saleor delivers a webhook
        assert _deliver(client, fake_saleor.api_url).status_code == 200
    # then the message waits in the real Redis
    r = redis.Redis.from_url(REDIS_URL)
    queued = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:default.msgs")]
    # (a group commit queues its new deliveries as one message)
    assert sorted(m["actor_name"] for m in queued) == ["process_inbox_events", "store_installed"]
    # and a Dramatiq worker on that Redis processes it
    b = broker.get_broker()
    worker = dramatiq.Worker(b, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        b.join("default", timeout=15_000)
    finally:
        worker.stop()
    with Session(get_engine()) as session:
        rows = session.exec(select(InboxEvent)).all()
    assert len(rows) == 1
    assert rows[0].status != InboxStatus.PENDING
    assert rows[0].attempts == 1


def test_a_flushed_redis_loses_nothing_the_tick_requeues_pending_rows(redis_settings, fake_saleor):
    from plugin import broker, clock
    from plugin.events.tick import run_tick

    _install_and_deliver(redis_settings, fake_saleor)
    # given Redis lost its queue
    r = redis.Redis.from_url(REDIS_URL)
    _flush()
    assert r.hlen(f"{NAMESPACE}:default.msgs") == 0
    # when the scheduler ticks after the orphan delay
    clock.advance(60)
    run_tick()
    # then the pending inbox row is queued again, as a batch of the group commit's kind
    queued = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:default.msgs")]
    requeued = [m["args"][0] for m in queued if m["actor_name"] == "process_inbox_events"]
    assert [len(ids) for ids in requeued] == [1]
    assert broker.QUEUES["process_inbox_events"] == "default"


def _queued_inbox_events(r: redis.Redis) -> list[int]:
    """The inbox ids queued: one per `process_inbox_event`, a group commit's list per
    `process_inbox_events`."""
    messages = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:default.msgs")]
    ids = [m["args"][0] for m in messages if m["actor_name"] == "process_inbox_event"]
    for m in messages:
        if m["actor_name"] == "process_inbox_events":
            ids.extend(m["args"][0])
    return sorted(ids)


def _inbox_messages(r: redis.Redis) -> list[dict]:
    messages = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:default.msgs")]
    return [m for m in messages if m["actor_name"].startswith("process_inbox_event")]


def _pending_ids() -> list[int]:
    from plugin.db import get_engine

    with Session(get_engine()) as session:
        rows = session.exec(select(InboxEvent).where(InboxEvent.status == InboxStatus.PENDING))
        return sorted(int(row.id) for row in rows if row.id is not None)


def test_a_lane_has_one_message_waiting_and_a_lost_one_is_queued_again_once(
    redis_settings, fake_saleor, monkeypatch
):
    from datetime import timedelta

    from plugin import clock
    from plugin.events.tick import run_tick
    from plugin.inbox import service as inbox_service

    # (a new message's flag lasts until a worker starts on it, however slow this test runs)
    monkeypatch.setattr(inbox_service, "NUDGE_START", timedelta(minutes=10))
    _install_and_deliver(
        redis_settings, fake_saleor, "ORDER_CREATED", "CHECKOUT_UPDATED", "CUSTOMER_CREATED"
    )
    r = redis.Redis.from_url(REDIS_URL)
    pending = _pending_ids()
    assert len(pending) == 3
    # given three deliveries of one store waiting behind busy workers: one message nudges
    # their lane (the store's Saleor deliveries); the later group commits found it outstanding
    waiting = _inbox_messages(r)
    assert [m["kwargs"].get("lane", [None, None])[1] for m in waiting] == ["saleor"]
    # when the scheduler ticks long after they arrived
    clock.advance(60)
    run_tick()
    run_tick()
    # then that message is still the only one: its lane's flag says it is outstanding
    assert _inbox_messages(r) == waiting
    # given Redis then loses its queue (and the flag with it)
    _flush()
    # when the scheduler ticks, and again a second later
    clock.advance(60)
    run_tick()
    clock.advance(1)
    run_tick()
    # then the lane is nudged again, once, naming every pending row
    assert _queued_inbox_events(r) == pending
    assert len(_inbox_messages(r)) == 1
    # and a row just re-queued waits out the orphan delay before it is queued again
    _flush()
    run_tick()
    assert _queued_inbox_events(r) == []
    clock.advance(31)
    run_tick()
    assert _queued_inbox_events(r) == pending


def test_behind_a_very_long_queue_the_tick_waits_instead_of_counting_the_backlog(
    redis_settings, fake_saleor, monkeypatch
):
    from plugin import broker, clock
    from plugin.events.tick import run_tick

    _install_and_deliver(redis_settings, fake_saleor, "ORDER_CREATED", "CHECKOUT_UPDATED")
    r = redis.Redis.from_url(REDIS_URL)
    waiting = _pending_ids()
    assert len(waiting) == 2
    # given the deliveries' messages lost, while the queue holds "very many" other messages
    # (the threshold lowered to one message for the test; two pending rows outnumber it)
    monkeypatch.setattr(broker, "LONG_QUEUE", 1)
    _flush()
    r.hset(f"{NAMESPACE}:default.msgs", "someone-else", json.dumps({"actor_name": "other"}))
    # when the scheduler ticks long after
    clock.advance(60)
    run_tick()
    # then nothing is re-queued while the queue is that long
    assert _queued_inbox_events(r) == []
    # and once the queue has drained, the lost deliveries are queued again
    _flush()
    clock.advance(1)
    run_tick()
    assert _queued_inbox_events(r) == waiting


def test_a_worker_can_be_given_only_some_queues(redis_settings, monkeypatch):
    import sys

    import dramatiq.cli
    from click.testing import CliRunner

    from plugin import cli
    from plugin.settings import set_settings

    # given production mode on Redis, and Dramatiq's command line recording what it is asked
    set_settings(redis_settings)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    asked: list[list[str]] = []
    monkeypatch.setattr(dramatiq.cli, "main", lambda: asked.append(list(sys.argv)) or 0)
    # when an operator starts one worker for the sends and one for everything else
    runner = CliRunner()
    delivery = runner.invoke(cli.main, ["worker", "-t", "4", "-Q", "delivery"])
    default = runner.invoke(cli.main, ["worker", "--queues", "default"])
    everything = runner.invoke(cli.main, ["worker"])
    # then each Dramatiq worker consumes only its queues (all of them without -Q)
    assert (delivery.exit_code, default.exit_code, everything.exit_code) == (0, 0, 0)
    assert asked == [
        ["ulak-worker", "handlers.worker", "-p", "1", "-t", "4", "--queues", "delivery"],
        ["ulak-worker", "handlers.worker", "-p", "1", "-t", "8", "--queues", "default"],
        ["ulak-worker", "handlers.worker", "-p", "1", "-t", "8"],
    ]


def test_a_campaign_loop_is_not_queued_behind_a_webhook_backlog(redis_settings, fake_saleor):
    from plugin import broker
    from plugin.campaigns.service import LOOP_ACTOR

    # given webhooks waiting in Redis on the default queue
    _install_and_deliver(redis_settings, fake_saleor, "ORDER_CREATED", "CHECKOUT_UPDATED")
    r = redis.Redis.from_url(REDIS_URL)
    backlog = r.llen(f"{NAMESPACE}:default")
    assert backlog >= 2
    # when a campaign's loop enqueues its next turn
    broker.enqueue(LOOP_ACTOR, 7)
    # then the turn waits on its own queue, not behind the webhooks
    assert r.llen(f"{NAMESPACE}:default") == backlog
    turns = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:campaigns.msgs")]
    assert [(m["actor_name"], m["args"]) for m in turns] == [(LOOP_ACTOR, [7])]


def _queued_sends(r: redis.Redis) -> list[int]:
    messages = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:delivery.msgs")]
    return sorted(i for m in messages if m["actor_name"] == "send_messages" for i in m["args"][0])


def test_sends_waiting_their_turn_are_not_queued_again_and_lost_ones_are_queued_once(
    redis_settings,
):
    from plugin import clock
    from plugin.app import create_app
    from plugin.db import get_engine
    from plugin.delivery import service
    from plugin.events.tick import run_tick
    from tests.delivery.conftest import add_contacts, connect_store

    create_app(redis_settings)  # the engine and the Redis broker, no worker
    with Session(get_engine()) as session:
        store_id, _ = connect_store(session)
        contacts = add_contacts(session, store_id, 3, consents=("transactional",))
        service.bulk_enqueue(
            session,
            messages=[
                {
                    "store_id": store_id,
                    "contact_id": contact_id,
                    "purpose": "transactional",
                    "kind": "order_update",
                    "idempotency_key": f"order:{contact_id}",
                    "template_name": "order_update",
                    "template_language": "tr",
                    "source_type": "flow",
                }
                for contact_id in contacts
            ],
        )
        session.commit()
    r = redis.Redis.from_url(REDIS_URL)
    # given three due sends in the queue, waiting their turn behind paced sends
    waiting = _queued_sends(r)
    assert len(waiting) == 3
    # when the scheduler ticks a minute later
    clock.advance(60)
    run_tick()
    run_tick()
    # then they are still queued once, not again every 30 s
    assert _queued_sends(r) == waiting
    # given Redis then loses its queue
    _flush()
    # when the scheduler ticks, and again a second later
    clock.advance(60)
    run_tick()
    clock.advance(1)
    run_tick()
    # then each send is queued again, once
    assert _queued_sends(r) == waiting


def test_a_message_a_dead_worker_took_no_longer_counts_as_held(redis_settings):
    from dramatiq.brokers.redis import RedisBroker

    from plugin import broker
    from plugin.app import create_app

    # given the app's queue with two delivery messages, one of them taken by another worker
    # process (Dramatiq's heartbeat timeout there is QUEUE_LOST_AFTER_SECONDS, as here)
    create_app(redis_settings, embedded_worker=False)
    lost_after_ms = int(redis_settings.queue_lost_after_seconds * 1000)
    assert broker.get_broker().heartbeat_timeout == lost_after_ms  # type: ignore[attr-defined]
    broker.enqueue("send_messages", [1])
    broker.enqueue("send_messages", [2])
    other = RedisBroker(url=REDIS_URL, namespace=NAMESPACE, heartbeat_timeout=lost_after_ms)
    assert next(other.consume("delivery", prefetch=1, timeout=100)) is not None
    assert broker.queue_size("delivery") == 2  # a live worker's message is in progress
    # when that process sends Redis nothing for longer than the timeout (it was killed)
    silent_since = time.time() * 1000 - lost_after_ms - 1000
    redis.Redis.from_url(REDIS_URL).zadd(
        f"{NAMESPACE}:__heartbeats__", {other.broker_id: silent_since}
    )
    # then the message it took no longer counts as held: the tick enqueues its rows again
    assert broker.queue_size("delivery") == 1


def test_a_worker_started_with_nice_leaves_the_cpu_to_the_api_first(db_url, app):
    import psutil

    from tests.benchmarks.bench_events import worker_env
    from tests.benchmarks.common import ulak_process

    # given an operator starting a worker beside the API on one machine, at a lower priority
    env = worker_env(db_url, f"{NAMESPACE}-nice")
    with ulak_process(["worker", "-p", "1", "-t", "1", "--nice", "7"], env) as proc:
        deadline = time.monotonic() + 30
        tree: list[psutil.Process] = []
        while time.monotonic() < deadline and len(tree) < 2:
            tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            time.sleep(0.2)
        # then the worker and the processes it forked run at that niceness; this one does not
        assert len(tree) >= 2, "the worker did not fork its processes"
        assert {p.nice() for p in tree} == {psutil.Process().nice() + 7}
