"""What a merchant reads: one checkout's journey (why each step was sent, skipped or stopped)
and the flow figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from plugin import clock
from plugin.flows.figures import flow_figures
from plugin.flows.journal import checkout_journey
from tests.flows.support import (
    CHECKOUT_ID,
    checkout_event,
    flow_rows,
    order_event,
    post_event,
)

pytestmark = pytest.mark.sqlite


def _post(client, flow_store, saleor_key, event, payload):
    post_event(client, flow_store["api_url"], saleor_key, event, payload)


def _story(session, store_id):
    session.expire_all()
    return [
        (e.action, e.sequence, e.step, e.reason)
        for e in checkout_journey(session, store_id=store_id, checkout_id=CHECKOUT_ID)
    ]


def test_a_checkout_journey_says_what_was_sent_skipped_and_why_it_stopped(
    client, flow_store, session, saleor_key
):
    # given a checkout whose first sequence was reset by a newer change
    start = clock.now() - timedelta(minutes=2)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    newer = checkout_event(last_change=start + timedelta(minutes=1), lines=2)
    _post(client, flow_store, saleor_key, "CHECKOUT_UPDATED", newer)
    # and the delivery engine sent step 1 and deferred nothing (written as the engine would)
    rows = flow_rows(session)
    clock.advance(3600)
    rows[2].status, rows[2].sent_at = "sent", clock.now()
    session.add(rows[2])
    session.commit()
    # when the customer orders from it two hours later
    clock.advance(3600)
    _post(client, flow_store, saleor_key, "ORDER_CREATED", order_event(created=clock.now()))
    # then the journey tells it step by step
    assert _story(session, flow_store["store_id"]) == [
        ("entered", 1, None, None),
        ("scheduled", 1, 1, None),
        ("scheduled", 1, 2, None),
        ("cancelled", 1, 1, "reset"),
        ("cancelled", 1, 2, "reset"),
        ("reset", 2, None, None),
        ("scheduled", 2, 1, None),
        ("scheduled", 2, 2, None),
        ("sent", None, 1, None),
        ("cancelled", 2, 2, "ordered"),
        ("stopped", 2, None, "ordered"),
    ]
    # and the figures count it: entered once, step 1 sent, stopped by the order, converted
    figures = flow_figures(
        session,
        store_id=flow_store["store_id"],
        since=start - timedelta(days=1),
        until=clock.now() + timedelta(days=2),
    )["cart_recovery"]
    assert figures.entered == 1
    assert figures.sent_by_step == {1: 1}
    assert figures.stopped_by_reason == {"ordered": 1}
    assert figures.converted == 1
    assert figures.recovered_revenue == {"TRY": Decimal("1249.90")}


def test_a_step_the_engine_suppressed_shows_as_skipped_with_its_reason(
    client, flow_store, session, saleor_key
):
    # given a scheduled sequence whose first step the engine held back (consent revoked)
    _post(
        client, flow_store, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=clock.now())
    )
    first = flow_rows(session)[0]
    first.status, first.status_reason = "suppressed", "no_marketing_consent"
    first.updated_at = clock.now()
    session.add(first)
    session.commit()
    # then the journey and the figures say so
    assert _story(session, flow_store["store_id"])[-1] == (
        "skipped",
        None,
        1,
        "no_marketing_consent",
    )
    figures = flow_figures(
        session,
        store_id=flow_store["store_id"],
        since=clock.now() - timedelta(days=1),
        until=clock.now() + timedelta(days=2),
    )["cart_recovery"]
    assert figures.skipped_by_reason == {"no_marketing_consent": 1}
    assert (figures.converted, figures.recovered_revenue) == (0, {})
