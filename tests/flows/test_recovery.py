"""Cart recovery through the signed Saleor routes: timing from lastChange, once per step,
stopped by the order, reset by a newer change, never restarted by a late event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.flows.models import CheckoutState, TrackedCheckout
from tests.flows.support import (
    CHECKOUT_ID,
    ORDER_ID,
    Expected,
    button_params,
    checkout_event,
    flow_rows,
    order_event,
    post_event,
    seen,
)

pytestmark = pytest.mark.sqlite


def _post(client, flow_store, saleor_key, event, payload):
    post_event(client, flow_store["api_url"], saleor_key, event, payload)


def recovery_steps(last_change, sequence=1, status="scheduled", reason=None):
    """The default sequence for one line of Mavi Tişört, in Turkish."""
    return [
        Expected(
            key=f"recovery:{CHECKOUT_ID}:{sequence}:1",
            template="ulak_cart_recovery_1",
            language="tr",
            body=["Ayşe", "1× Mavi Tişört"],
            due_at=last_change + timedelta(hours=1),
            status=status,
            reason=reason,
        ),
        Expected(
            key=f"recovery:{CHECKOUT_ID}:{sequence}:2",
            template="ulak_cart_recovery_2",
            language="tr",
            body=["Ayşe", "1× Mavi Tişört"],
            due_at=last_change + timedelta(hours=24),
            status=status,
            reason=reason,
        ),
    ]


def test_an_abandoned_checkout_gets_step_1_at_one_hour_and_step_2_at_a_day_once_each(
    client, flow_store, session, saleor_key
):
    # given a checkout Saleor last changed ten minutes ago (Ulak hears of it only now)
    last_change = clock.now() - timedelta(minutes=10)
    payload = checkout_event(last_change=last_change)
    # when Saleor delivers it, redelivers it twice, and CHECKOUT_CREATED brings the same change
    for _ in range(3):
        _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", payload)
    _post(client, flow_store, saleor_key, "CHECKOUT_CREATED", payload)
    # then two rows, timed from Saleor's lastChange, with the customer's variables
    rows = flow_rows(session)
    assert [seen(r) for r in rows] == recovery_steps(last_change)
    assert {(r.kind, r.purpose, r.flow_key, r.checkout_id) for r in rows} == {
        ("cart_recovery", "marketing", "cart_recovery", CHECKOUT_ID)
    }
    assert [r.flow_step for r in rows] == [1, 2]
    for row in rows:
        buttons = button_params(row)
        assert buttons["1"] == {"type": "payload", "payload": "ULAK_STOP"}
        assert buttons["0"]["type"] == "text" and len(buttons["0"]["text"]) >= 10


def test_a_checkout_completed_thirty_minutes_after_creation_gets_no_recovery(
    client, flow_store, session, saleor_key
):
    # given a checkout with its recovery scheduled
    created = clock.now()
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=created))
    # when the order from that checkout comes 30 minutes later
    clock.advance(30 * 60)
    order = order_event(created=clock.now())
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order)
    # then both steps are cancelled before they were due, and only the order update is left
    rows = flow_rows(session)
    assert [seen(r) for r in rows[:2]] == recovery_steps(
        created, status="cancelled", reason="ordered"
    )
    assert [r.idempotency_key for r in rows[2:]] == [f"order-created:{ORDER_ID}"]
    tracked = session.exec(select(TrackedCheckout)).one()
    assert (tracked.state, tracked.order_id, tracked.stop_reason) == (
        CheckoutState.ORDERED,
        ORDER_ID,
        "ordered",
    )


def test_an_order_before_the_last_checkout_update_never_starts_a_recovery(
    client, flow_store, session, saleor_key
):
    # given the order arrives first (out of order), then the checkout's last update
    last_change = clock.now() - timedelta(seconds=5)
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order_event(created=clock.now()))
    _post(
        client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=last_change)
    )
    # and even a later change of the same checkout
    later = checkout_event(last_change=clock.now() + timedelta(minutes=1), lines=2)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", later)
    # then no recovery row at all, and the checkout stays ordered
    assert [r.idempotency_key for r in flow_rows(session)] == [f"order-created:{ORDER_ID}"]
    assert session.exec(select(TrackedCheckout)).one().state == CheckoutState.ORDERED


def test_a_newer_change_resets_the_sequence_and_an_older_one_is_ignored(
    client, flow_store, session, saleor_key
):
    # given a sequence started from a first change
    first = clock.now() - timedelta(minutes=20)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=first))
    # when the customer changes the cart again, and then an older update arrives late
    second = first + timedelta(minutes=15)
    _post(
        client,
        flow_store,
        saleor_key,
        "CHECKOUT_UPDATED",
        checkout_event(last_change=second, lines=2),
    )
    stale = checkout_event(last_change=first + timedelta(minutes=5))
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", stale)
    # then the first sequence is cancelled and the second counts from the newer change
    rows = flow_rows(session)
    assert [seen(r) for r in rows[:2]] == recovery_steps(first, status="cancelled", reason="reset")
    assert [(seen(r).key, seen(r).due_at, seen(r).body) for r in rows[2:]] == [
        (
            f"recovery:{CHECKOUT_ID}:2:1",
            second + timedelta(hours=1),
            ["Ayşe", "1× Mavi Tişört, 1× Mavi Tişört"],
        ),
        (
            f"recovery:{CHECKOUT_ID}:2:2",
            second + timedelta(hours=24),
            ["Ayşe", "1× Mavi Tişört, 1× Mavi Tişört"],
        ),
    ]


def test_an_emptied_checkout_stops_and_a_paid_one_stops_for_good(
    client, flow_store, session, saleor_key
):
    # given a running sequence
    start = clock.now() - timedelta(minutes=3)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    # when the cart is emptied
    emptied = checkout_event(last_change=start + timedelta(minutes=1), lines=0)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", emptied)
    # then its steps are cancelled
    assert {(r.status, r.status_reason) for r in flow_rows(session)} == {("cancelled", "emptied")}
    # when it fills again, is paid, and a late update comes after the payment
    refill = checkout_event(last_change=start + timedelta(minutes=2))
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", refill)
    paid = {**refill, "issuedAt": (clock.now() + timedelta(seconds=1)).isoformat()}
    _post(client, flow_store, saleor_key, "CHECKOUT_FULLY_PAID", paid)
    late = checkout_event(last_change=start + timedelta(minutes=4), lines=3)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", late)
    # then the second sequence was cancelled for the payment and nothing new was written
    rows = flow_rows(session)
    assert [(r.idempotency_key, r.status_reason) for r in rows[2:]] == [
        (f"recovery:{CHECKOUT_ID}:2:1", "paid"),
        (f"recovery:{CHECKOUT_ID}:2:2", "paid"),
    ]
    assert session.exec(select(TrackedCheckout)).one().state == CheckoutState.PAID


def test_a_checkout_without_marketing_consent_or_phone_is_not_chased(
    client, flow_store, session, saleor_key
):
    # given a checkout whose storefront asked for no marketing, and an unknown customer's
    refused = dict(marketing=False, transactional=True, text_version="2026-11", text="-")
    payload = checkout_event(last_change=clock.now(), consent=refused)
    nobody = checkout_event(last_change=clock.now(), checkout_id="Q2hlY2tvdXQ6Mg==", consent=None)
    nobody["checkout"]["email"] = "kimse@example.com"
    nobody["checkout"]["billingAddress"]["phone"] = ""
    nobody["checkout"]["shippingAddress"]["phone"] = ""
    # when both arrive
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", payload)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", nobody)
    # then nothing is scheduled, without errors
    assert flow_rows(session) == []


def test_a_recent_order_of_the_same_contact_stops_another_checkout(
    client, flow_store, session, saleor_key
):
    # given a running sequence on one checkout
    _post(
        client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=clock.now())
    )
    # when the same customer orders through another checkout
    other = order_event(
        created=clock.now(), checkout_id="Q2hlY2tvdXQ6OTk=", order_id="T3JkZXI6OTk="
    )
    _post(client, flow_store, saleor_key, "ORDER_CREATED", other)
    # then the first checkout's steps are cancelled for the recent order
    rows = [r for r in flow_rows(session) if r.flow_key == "cart_recovery"]
    assert {(r.status, r.status_reason) for r in rows} == {("cancelled", "recent_order")}


def test_without_the_storefronts_checkout_url_recovery_stays_off_and_says_why(
    client, flow_store, session, saleor_key
):
    from plugin.analytics.models import TrackedLink
    from plugin.flows.journal import checkout_journey
    from plugin.saleor.models import Store
    from plugin.stores.service import get_settings

    # given a store whose checkout URL is not set (nor its storefront URL)
    settings = get_settings(session, flow_store["store_id"])
    settings.checkout_url_template = None
    settings.storefront_url = None
    session.add(settings)
    session.commit()
    # when an abandoned checkout arrives
    payload = checkout_event(last_change=clock.now() - timedelta(minutes=10))
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", payload)
    # then no recovery message is written and the journey says why
    assert flow_rows(session) == []
    journey = checkout_journey(session, store_id=flow_store["store_id"], checkout_id=CHECKOUT_ID)
    assert [(e.action, e.reason) for e in journey] == [("skipped", "checkout_url_missing")]
    # when the merchant sets it and the customer changes the cart again
    settings.checkout_url_template = "https://magaza.example/checkout?token={checkout_token}"
    session.add(settings)
    session.commit()
    later = checkout_event(last_change=clock.now() - timedelta(minutes=5))
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", later)
    # then the sequence starts, its link leading to the storefront, never to Saleor's API host
    rows = flow_rows(session)
    assert [r.flow_step for r in rows] == [1, 2]
    saleor_host = session.exec(select(Store)).one().saleor_api_url.split("/")[2]
    urls = {link.url for link in session.exec(select(TrackedLink)).all()}
    assert urls and all(u.startswith("https://magaza.example/checkout?token=") for u in urls)
    assert not any(saleor_host in u for u in urls)
