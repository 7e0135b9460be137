"""Production mode's queue: the real Redis carries the work, the database stays the truth."""

from __future__ import annotations

import json
import uuid

import dramatiq
import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from plugin.inbox.models import InboxEvent, InboxStatus
from tests.conftest import make_settings
from tests.support import saleor_body, saleor_headers

REDIS_URL = "redis://127.0.0.1:6379/0"
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
    from plugin.app import create_app
    from plugin.scheduler import run_tick

    app = create_app(redis_settings)
    with TestClient(app) as client:
        client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert _deliver(client, fake_saleor.api_url).status_code == 200
    # given Redis lost its queue
    r = redis.Redis.from_url(REDIS_URL)
    _flush()
    assert r.hlen(f"{NAMESPACE}:default.msgs") == 0
    # when the scheduler ticks after the orphan delay
    clock.advance(60)
    run_tick()
    # then the pending inbox row is queued again
    queued = [json.loads(m) for m in r.hvals(f"{NAMESPACE}:default.msgs")]
    requeued = [m["args"] for m in queued if m["actor_name"] == "process_inbox_event"]
    assert len(requeued) == 1
    assert broker.QUEUES["process_inbox_event"] == "default"
