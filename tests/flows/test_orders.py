"""Order updates through the signed Saleor routes: one message per update however often
Saleor redelivers, the paid-with-order rule, channels and switches."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin import clock
from plugin.db import session_scope
from plugin.flows.config import save_config
from plugin.flows.models import FlowKey
from tests.flows.support import (
    FULFILLMENT_ID,
    ORDER_ID,
    Expected,
    button_params,
    flow_rows,
    order_event,
    post_event,
    seen,
)

pytestmark = pytest.mark.sqlite

TOTAL = "₺1.249,90"


def _post(client, flow_store, saleor_key, event, payload):
    post_event(client, flow_store["api_url"], saleor_key, event, payload)


def order_updates(created, paid, fulfilled, cancelled):
    """The four Turkish updates of the order, as the outbox must hold them."""
    return [
        Expected(
            key=f"order-created:{ORDER_ID}",
            template="ulak_order_created",
            language="tr",
            body=["Ayşe", "21", "1× Mavi Tişört", TOTAL, "Demo Store"],
            due_at=created,
        ),
        Expected(
            key=f"order-paid:{ORDER_ID}",
            template="ulak_order_paid",
            language="tr",
            body=["Ayşe", "21", TOTAL],
            due_at=paid,
        ),
        Expected(
            key=f"order-fulfilled:{FULFILLMENT_ID}",
            template="ulak_order_fulfilled",
            language="tr",
            body=["Ayşe", "21", "https://kargo.example/takip/TR123"],
            due_at=fulfilled,
        ),
        Expected(
            key=f"order-cancelled:{ORDER_ID}",
            template="ulak_order_cancelled",
            language="tr",
            body=["Ayşe", "21"],
            due_at=cancelled,
        ),
    ]


def test_an_order_paid_fulfilled_and_cancelled_gets_each_update_once_however_often_redelivered(
    client, flow_store, session, saleor_key
):
    # given an unpaid order, then payment, shipping (two events for one fulfillment), cancelling
    created = clock.now()
    tracking = "https://kargo.example/takip/TR123"
    names = ("ORDER_CREATED", "ORDER_FULLY_PAID", "FULFILLMENT_CREATED", "ORDER_FULFILLED")
    times = []
    # when each event happens an hour after the last and is delivered three times
    for name in (*names, "ORDER_CANCELLED"):
        times.append(clock.now())
        payload = order_event(name, created=created, issued_at=times[-1], tracking_number=tracking)
        if name == "ORDER_CREATED":
            payload["order"]["isPaid"] = False
        for _ in range(3):
            _post(client, flow_store, saleor_key, name, payload)
        clock.advance(3600)
    # then each update is in the outbox exactly once, due when it happened
    rows = flow_rows(session)
    assert [seen(r) for r in rows] == order_updates(times[0], times[1], times[2], times[4])
    assert {(r.kind, r.purpose) for r in rows} == {("order_update", "transactional")}
    # and the fulfilled update's button carries the tracked link's code
    assert button_params(rows[2])["0"]["type"] == "text"


def test_a_paid_checkout_complete_sends_one_message_not_two(
    client, flow_store, session, saleor_key
):
    # given checkoutComplete of a paid checkout: ORDER_CREATED and ORDER_FULLY_PAID together
    created = clock.now()
    paid = order_event(
        "ORDER_FULLY_PAID", created=created, issued_at=created + timedelta(seconds=2)
    )
    # when they arrive in either order
    _post(client, flow_store, saleor_key, "ORDER_FULLY_PAID", paid)
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order_event(created=created))
    # then the customer gets "order received" only
    assert [r.idempotency_key for r in flow_rows(session)] == [f"order-created:{ORDER_ID}"]


def test_an_unconfirmed_order_waits_for_its_confirmation(client, flow_store, session, saleor_key):
    created = clock.now()
    _post(
        client,
        flow_store,
        saleor_key,
        "ORDER_CREATED",
        order_event(created=created, status="UNCONFIRMED"),
    )
    assert flow_rows(session) == []
    confirmed = order_event("ORDER_CONFIRMED", created=created, issued_at=created + timedelta(1))
    _post(client, flow_store, saleor_key, "ORDER_CONFIRMED", confirmed)
    assert [r.idempotency_key for r in flow_rows(session)] == [f"order-created:{ORDER_ID}"]


def test_a_refund_states_the_refunded_amount(client, flow_store, session, saleor_key):
    refunded = order_event("ORDER_REFUNDED", created=clock.now() - timedelta(days=3))
    _post(client, flow_store, saleor_key, "ORDER_REFUNDED", refunded)
    [row] = flow_rows(session)
    assert seen(row).body == ["Ayşe", "21", TOTAL]
    assert row.idempotency_key == f"order-refunded:{ORDER_ID}"


def test_a_switched_off_flow_or_another_channel_sends_nothing(
    client, flow_store, session, saleor_key
):
    # given order-created off, and order-paid limited to another channel
    with session_scope() as s:
        save_config(
            s, store_id=flow_store["store_id"], flow_key=FlowKey.ORDER_CREATED, enabled=False
        )
        save_config(
            s, store_id=flow_store["store_id"], flow_key=FlowKey.ORDER_PAID, channels=["default"]
        )
    created = clock.now()
    # when the order is created and paid later
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order_event(created=created))
    paid = order_event("ORDER_FULLY_PAID", created=created, issued_at=created + timedelta(hours=1))
    _post(client, flow_store, saleor_key, "ORDER_FULLY_PAID", paid)
    # then nothing is written
    assert flow_rows(session) == []


def test_an_order_without_phone_is_quiet_and_a_shipment_without_tracking_still_says_shipped(
    client, flow_store, session, saleor_key
):
    # given an order of an unknown customer without a phone
    nobody = order_event(created=clock.now(), order_id="T3JkZXI6Nw==", checkout_id=None)
    for address in ("billingAddress", "shippingAddress"):
        nobody["order"][address]["phone"] = ""
    nobody["order"]["userEmail"] = "kimse@example.com"
    # and a shipped order whose fulfillment has no tracking number
    shipped = order_event("FULFILLMENT_CREATED", created=clock.now())
    # when they arrive
    _post(client, flow_store, saleor_key, "ORDER_CREATED", nobody)
    _post(client, flow_store, saleor_key, "FULFILLMENT_CREATED", shipped)
    # then nothing is written for the customer without a phone, and the shipped customer gets
    # the shipped message without a tracking number (and without a button)
    rows = flow_rows(session)
    assert [r.template_name for r in rows] == ["ulak_order_fulfilled_no_tracking"]
    components = rows[0].parameters["components"]
    assert [c["type"] for c in components] == ["body"]
