"""Saleor's signed webhooks: verified, recorded once, answered fast, never lost."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.models import Store, StoreStatus
from tests.support import captured_payload_names, drain_queue, saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite


def _post(client, name, body, headers, api_url):
    route = headers["saleor-event"].replace("_", "-")
    sent = {
        "content-type": "application/json",
        "saleor-event": headers["saleor-event"],
        "saleor-signature": headers["saleor-signature"],
        "saleor-api-url": api_url,
        "saleor-domain": headers.get("saleor-domain", ""),
    }
    return client.post(f"/api/webhooks/saleor/{route}", content=body, headers=sent)


def _signed(saleor_key, event, payload):
    body = json.dumps(payload).encode()
    return body, {"saleor-event": event, "saleor-signature": saleor_key.sign_body(body)}


def _inbox(session):
    session.expire_all()
    return session.exec(select(InboxEvent).order_by(InboxEvent.id)).all()


@pytest.mark.parametrize(("directory", "name"), captured_payload_names())
def test_every_captured_real_webhook_is_accepted_and_recorded(
    client, installed_store, session, directory, name
):
    # given a real delivery from Saleor 3.23 with its real signature
    body = saleor_body(name, directory)
    headers = saleor_headers(name, directory)
    # when it reaches its route
    response = _post(client, name, body, headers, installed_store["api_url"])
    # then it is accepted and recorded byte for byte
    assert response.status_code == 200, response.text
    rows = _inbox(session)
    assert len(rows) == 1
    assert rows[0].event == headers["saleor-event"]
    assert rows[0].payload.encode() == body
    assert rows[0].status == InboxStatus.PENDING


def test_one_changed_byte_is_refused_and_nothing_is_recorded(client, installed_store, session):
    body = saleor_body("ORDER_CREATED")
    tampered = body.replace(b'"number": "21"', b'"number": "22"')
    assert tampered != body
    response = _post(
        client,
        "ORDER_CREATED",
        tampered,
        saleor_headers("ORDER_CREATED"),
        installed_store["api_url"],
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert _inbox(session) == []


def test_an_unknown_saleor_is_refused(client, installed_store, session):
    response = _post(
        client,
        "ORDER_CREATED",
        saleor_body("ORDER_CREATED"),
        saleor_headers("ORDER_CREATED"),
        "https://other-shop.example.com/graphql/",
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNKNOWN_SALEOR"
    assert _inbox(session) == []


def test_a_missing_signature_is_refused(client, installed_store, session):
    headers = dict(saleor_headers("ORDER_CREATED"), **{"saleor-signature": ""})
    response = _post(
        client, "ORDER_CREATED", saleor_body("ORDER_CREATED"), headers, installed_store["api_url"]
    )
    assert response.status_code == 401
    assert _inbox(session) == []


def test_the_same_delivery_twice_is_one_inbox_row(client, installed_store, session):
    body, headers = saleor_body("CHECKOUT_UPDATED"), saleor_headers("CHECKOUT_UPDATED")
    first = _post(client, "x", body, headers, installed_store["api_url"])
    second = _post(client, "x", body, headers, installed_store["api_url"])
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert len(_inbox(session)) == 1


def test_a_burst_of_redeliveries_committed_together_is_one_inbox_row(installed_store, session):
    """Concurrent requests share one group commit: a body repeated inside that batch, or
    already recorded, is still one row, and each request learns whether it was the new one."""
    from concurrent.futures import ThreadPoolExecutor

    from plugin.inbox import writer
    from plugin.inbox.models import InboxSource
    from plugin.inbox.service import Delivery

    store = session.exec(select(Store)).one()
    bodies = [saleor_body(name) for name in ("CHECKOUT_UPDATED", "ORDER_CREATED")]
    deliveries = [
        Delivery(store_id=store.id, source=InboxSource.SALEOR, event="x", body=bodies[i % 2])
        for i in range(40)
    ]
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda d: writer.submit(d).result(timeout=30), deliveries))
    new = [i for i in ids if i is not None]
    assert len(new) == 2  # one id per distinct body, every other request a duplicate
    assert sorted(r.id for r in _inbox(session)) == sorted(new)


def test_malformed_json_with_a_valid_signature_is_a_400(
    client, installed_store, session, saleor_key
):
    body = b'{"issuedAt": "2026-11-24T20:10:57Z", "order": '
    headers = {"saleor-event": "order_created", "saleor-signature": saleor_key.sign_body(body)}
    response = _post(client, "x", body, headers, installed_store["api_url"])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_PAYLOAD"
    assert _inbox(session) == []


def test_a_body_over_one_mebibyte_is_a_413(client, installed_store, session, saleor_key):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    headers = {"saleor-event": "order_created", "saleor-signature": saleor_key.sign_body(body)}
    response = _post(client, "x", body, headers, installed_store["api_url"])
    assert response.status_code == 413
    assert _inbox(session) == []


def test_a_delivery_for_another_app_is_refused(client, installed_store, session, saleor_key):
    payload = json.loads(saleor_body("ORDER_CREATED"))
    payload["recipient"]["id"] = "QXBwOjk5"
    body, headers = _signed(saleor_key, "order_created", payload)
    response = _post(client, "x", body, headers, installed_store["api_url"])
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "WRONG_RECIPIENT"
    assert _inbox(session) == []


def test_a_rotated_signing_key_is_fetched_once_and_then_accepted(
    client, installed_store, session, fake_saleor
):
    # given Saleor rotated to a key Ulak has not seen
    from tests.support import new_key

    rotated = new_key("rotated-key-2")
    fake_saleor.jwks = {"keys": [*fake_saleor.jwks["keys"], rotated.public_jwk()]}
    before = fake_saleor.jwks_requests
    payload = json.loads(saleor_body("ORDER_CREATED"))
    body, headers = _signed(rotated, "order_created", payload)
    # when a delivery signed with it arrives
    response = _post(client, "x", body, headers, installed_store["api_url"])
    # then the JWKS is refetched once and the delivery accepted; the new keys are kept
    assert response.status_code == 200
    assert fake_saleor.jwks_requests == before + 1
    store = session.exec(select(Store)).one()
    assert "rotated-key-2" in {k["kid"] for k in store.jwks["keys"]}


def test_a_key_saleor_does_not_publish_is_refused(client, installed_store, session):
    from tests.support import new_key

    forger = new_key("ulak-test-key-1")  # same kid, different key
    body, headers = _signed(forger, "order_created", json.loads(saleor_body("ORDER_CREATED")))
    response = _post(client, "x", body, headers, installed_store["api_url"])
    assert response.status_code == 401
    assert _inbox(session) == []


def test_database_down_is_a_503_so_saleor_retries(db_url, fake_saleor):
    from fastapi.testclient import TestClient

    from plugin.app import create_app
    from tests.conftest import make_settings

    settings = make_settings("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    try:
        with TestClient(create_app(settings, embedded_worker=False)) as client:
            response = _post(
                client,
                "x",
                saleor_body("ORDER_CREATED"),
                saleor_headers("ORDER_CREATED"),
                fake_saleor.api_url,
            )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "DB_UNAVAILABLE"
    finally:
        from plugin.db import configure_engine

        configure_engine(db_url)


def test_an_event_without_a_service_stays_in_the_inbox_visible(client, installed_store, session):
    # given a recorded delivery of an event no service handles (e.g. from an older manifest)
    from plugin.inbox import service as inbox_service
    from plugin.inbox.models import InboxSource
    from plugin.saleor.models import Store

    store = session.exec(select(Store)).one()
    body = saleor_body("ORDER_CREATED")
    event_id = inbox_service.record(
        session=session,
        store_id=store.id,
        source=InboxSource.SALEOR,
        event="order_metadata_updated",
        body=body,
    )
    session.commit()
    # when the worker processes it
    from plugin import broker

    broker.enqueue(inbox_service.PROCESS_ACTOR, event_id)
    drain_queue()
    # then the row is kept, marked unhandled, never dropped
    rows = _inbox(session)
    assert [r.status for r in rows] == [InboxStatus.UNHANDLED]
    assert rows[0].payload.encode() == body


def test_a_failing_delivery_in_a_group_is_retried_alone_and_the_rest_go_on(
    client, installed_store, session, monkeypatch
):
    from plugin import broker
    from plugin.inbox import service as inbox_service
    from plugin.inbox.models import InboxSource

    # given two deliveries committed together, the first of which fails once
    store = session.exec(select(Store)).one()
    ids = [
        inbox_service.record(
            session=session,
            store_id=store.id,
            source=InboxSource.SALEOR,
            event="order_metadata_updated",
            body=saleor_body(name),
        )
        for name in ("ORDER_CREATED", "ORDER_CANCELLED")
    ]
    session.commit()
    from plugin.events import inbox as inbox_events

    real, failed = inbox_events.process, []

    def flaky(*, session, event_id, claim=None):
        if event_id == ids[0] and not failed:
            failed.append(event_id)
            raise RuntimeError("database hiccup")
        return real(session=session, event_id=event_id, claim=claim)

    def batch_hiccup(*, session, event_ids, claim=None):
        raise RuntimeError("database hiccup")  # the group's unit of work fails: one at a time

    monkeypatch.setattr(inbox_events, "process", flaky)
    monkeypatch.setattr(inbox_events, "process_batch", batch_hiccup)
    # when the group's queue message is worked
    broker.enqueue(inbox_service.PROCESS_BATCH_ACTOR, ids)
    drain_queue()
    # then both end processed: the second in the group, the first on its own retry
    assert failed == [ids[0]]
    assert [r.status for r in _inbox(session)] == [InboxStatus.UNHANDLED] * 2


def test_app_deleted_disables_the_store_and_later_deliveries_are_refused(
    client, installed_store, session, saleor_key
):
    # given Saleor tells us the app was deleted
    payload = {
        "issuedAt": "2026-11-24T21:00:00+00:00",
        "version": "3.23.28",
        "recipient": {"id": installed_store["app_id"]},
        "app": {"id": installed_store["app_id"]},
    }
    body, headers = _signed(saleor_key, "app_deleted", payload)
    assert _post(client, "x", body, headers, installed_store["api_url"]).status_code == 200
    # when the worker processes it
    drain_queue()
    # then the store is disabled
    session.expire_all()
    store = session.exec(select(Store)).one()
    assert store.status == StoreStatus.DISABLED
    assert _inbox(session)[0].status == InboxStatus.PROCESSED
    # and later deliveries are refused, nothing recorded
    response = _post(
        client,
        "x",
        saleor_body("ORDER_CREATED"),
        saleor_headers("ORDER_CREATED"),
        installed_store["api_url"],
    )
    assert response.status_code == 401
    assert len(_inbox(session)) == 1


def test_healthz_and_metrics(client, installed_store):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": True, "broker": True}
    _post(
        client,
        "x",
        saleor_body("ORDER_CREATED"),
        saleor_headers("ORDER_CREATED"),
        installed_store["api_url"],
    )
    metrics = client.get("/metrics").text
    assert 'ulak_webhooks_total{event="order_created",outcome="200",source="saleor"}' in metrics
    assert 'ulak_inbox_backlog{source="saleor"} 1.0' in metrics
