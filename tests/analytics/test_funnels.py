"""Funnels per source, the same figures from rollups as from raw rows, CSV, retention."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics import rollups
from plugin.analytics.aggregate import utc_day
from plugin.analytics.attribution import apply_refund_or_cancel, attribute_order
from plugin.analytics.links import create_link, record_click
from plugin.analytics.models import DailyRollup, LinkClick, RollupState, TrackedLink
from plugin.analytics.rollups import build_rollups, purge_expired
from plugin.analytics.service import (
    Dimension,
    FunnelRow,
    daily_series,
    export_csv,
    funnel,
    performance,
)
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.delivery.models import InboundMessage, MessageStatus
from plugin.saleor.models import Store
from tests.analytics.factories import make_contact, make_message, make_order, make_store

pytestmark = pytest.mark.sqlite  # measurement runs on the embedded default too

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def _timeline(session: Session) -> tuple[Store, datetime]:
    """Campaign 4 (A/B) and the cart recovery flow, two days ago, with every outcome once."""
    t0 = datetime.combine(utc_day(clock.now()) - timedelta(days=2), datetime.min.time()).replace(
        tzinfo=clock.now().tzinfo
    ) + timedelta(hours=10)
    store = make_store(session)
    people = [make_contact(session, store) for _ in range(8)]
    a = {"campaign_id": 4, "variant": "A", "template_name": "spring_sale_a"}
    b = {"campaign_id": 4, "variant": "B", "template_name": "spring_sale_b"}
    rec = {"flow_key": "cart_recovery", "template_name": "cart_1"}
    read = make_message(session, store, people[0], created_at=t0, status=MessageStatus.READ, **a)
    clicked = make_message(session, store, people[1], created_at=t0, **a)
    replied = make_message(session, store, people[2], created_at=t0, status=MessageStatus.SENT, **b)
    opted = make_message(session, store, people[3], created_at=t0, **b)
    make_message(
        session,
        store,
        people[4],
        created_at=t0,
        status=MessageStatus.FAILED,
        error_code=131049,
        **b,
    )
    make_message(
        session,
        store,
        people[5],
        created_at=t0,
        status=MessageStatus.SUPPRESSED,
        status_reason="quiet_hours_cap",
        **a,
    )
    make_message(
        session,
        store,
        people[6],
        created_at=t0,
        status=MessageStatus.SUPPRESSED,
        status_reason="no_consent",
        flow_step=1,
        **rec,
    )
    make_message(session, store, people[7], created_at=t0, flow_step=1, **rec)
    make_message(
        session, store, people[7], created_at=t0, flow_step=2, status=MessageStatus.QUEUED, **rec
    )
    # a counted click, a preview, a reply 3 h later, an opt-out 1 h later, a reply after 30 h
    code = create_link(
        session,
        store_id=store.id,
        url="https://shop.example.com/",
        message_id=clicked.id,
        contact_id=people[1].id,
    )
    record_click(session, code=code, user_agent=IPHONE)
    record_click(session, code=code, user_agent="WhatsApp/2.24 A")
    code2 = create_link(
        session, store_id=store.id, url="https://shop.example.com/", message_id=read.id
    )
    record_click(session, code=code2, user_agent="facebookexternalhit/1.1")
    session.add(
        InboundMessage(
            store_id=store.id,
            contact_id=people[2].id,
            wamid="wamid.in1",
            type="text",
            received_at=t0 + timedelta(hours=3),
        )
    )
    session.add(
        InboundMessage(
            store_id=store.id,
            contact_id=people[0].id,
            wamid="wamid.in2",
            type="text",
            received_at=t0 + timedelta(hours=30),
        )
    )
    session.add(
        ConsentEvent(
            store_id=store.id,
            contact_id=people[3].id,
            purpose=Purpose.MARKETING,
            action=ConsentAction.REVOKED,
            source=ConsentSource.WHATSAPP_KEYWORD,
            occurred_at=t0 + timedelta(hours=1),
        )
    )
    # an order credited to the clicked message (then partly refunded), one to a delivery
    order = make_order("o-1", created=t0 + timedelta(hours=2), total="400.00")
    attribute_order(session, store=store, order=order, contact_id=people[1].id)
    refunded = make_order("o-1", created=t0 + timedelta(hours=2), total="400.00", refunded="100.00")
    apply_refund_or_cancel(session, store=store, order=refunded, event="refunded")
    attribute_order(
        session,
        store=store,
        order=make_order("o-2", created=t0 + timedelta(hours=4), total="50.00"),
        contact_id=people[3].id,
    )
    assert replied.id and opted.id
    session.commit()
    return store, t0


EXPECTED_BY_VARIANT = [
    FunnelRow(
        source="4:A",
        queued=3,
        sent=2,
        delivered=2,
        read=1,
        clicked=1,
        replied=0,
        opted_out=0,
        failed=0,
        skipped=1,
        failed_reasons={},
        skipped_reasons={"quiet_hours_cap": 1},
    ),
    FunnelRow(
        source="4:B",
        queued=3,
        sent=2,
        delivered=1,
        read=0,
        clicked=0,
        replied=1,
        opted_out=1,
        failed=1,
        skipped=0,
        failed_reasons={"131049": 1},
        skipped_reasons={},
    ),
]


def test_funnel_per_variant_counts_every_stage_and_reason(session: Session) -> None:
    # given
    store, t0 = _timeline(session)
    # when
    rows = funnel(session, store_id=store.id, start=t0.date(), end=t0.date(), by=Dimension.VARIANT)
    # then
    assert rows == EXPECTED_BY_VARIANT


def test_funnel_per_flow_step_campaign_and_template(session: Session) -> None:
    # given
    store, t0 = _timeline(session)
    day = t0.date()
    # when
    steps = funnel(session, store_id=store.id, start=day, end=day, by=Dimension.FLOW_STEP)
    campaigns = funnel(session, store_id=store.id, start=day, end=day, by=Dimension.CAMPAIGN)
    templates = funnel(session, store_id=store.id, start=day, end=day, by=Dimension.TEMPLATE)
    # then
    assert [(r.source, r.queued, r.delivered, r.skipped, r.skipped_reasons) for r in steps] == [
        ("cart_recovery:1", 2, 1, 1, {"no_consent": 1}),
        ("cart_recovery:2", 1, 0, 0, {}),
    ]
    assert [(r.source, r.queued, r.sent, r.clicked, r.replied, r.failed) for r in campaigns] == [
        ("4", 6, 4, 1, 1, 1)
    ]
    assert [(r.source, r.queued) for r in templates] == [
        ("cart_1", 3),
        ("spring_sale_a", 3),
        ("spring_sale_b", 3),
    ]


def test_rollups_give_the_same_figures_as_raw_rows(session: Session) -> None:
    # given
    store, t0 = _timeline(session)
    day = t0.date()
    raw = {by: funnel(session, store_id=store.id, start=day, end=day, by=by) for by in Dimension}
    raw_perf = performance(session, store_id=store.id, start=day, end=day, by=Dimension.VARIANT)
    # when
    build_rollups(session=session)
    session.commit()
    # then
    state = session.get(RollupState, store.id)
    assert state is not None and state.built_through == utc_day(clock.now()) - timedelta(days=1)
    assert len(session.exec(select(DailyRollup)).all()) == 4
    for by in Dimension:
        assert funnel(session, store_id=store.id, start=day, end=day, by=by) == raw[by]
    assert (
        performance(session, store_id=store.id, start=day, end=day, by=Dimension.VARIANT)
        == raw_perf
    )


def test_revenue_conversion_and_revenue_per_message(session: Session) -> None:
    # given
    store, t0 = _timeline(session)
    # when
    rows = performance(
        session, store_id=store.id, start=t0.date(), end=t0.date(), by=Dimension.VARIANT
    )
    # then: A: 300 net (400 - 100 refund) from one order; B: 50 from one order
    assert [
        (r.source, r.orders, r.revenue, r.conversion_rate, r.revenue_per_message) for r in rows
    ] == [
        ("4:A", 1, {"TRY": Decimal("300.00")}, Decimal("0.5000"), {"TRY": Decimal("150.0000")}),
        ("4:B", 1, {"TRY": Decimal("50.00")}, Decimal("1.0000"), {"TRY": Decimal("25.0000")}),
    ]


def test_a_late_refund_rebuilds_a_rolled_up_day(session: Session) -> None:
    # given: the day is rolled up
    store, t0 = _timeline(session)
    build_rollups(session=session)
    session.commit()
    # when: ORDER_CANCELLED arrives days later, then the next tick
    cancelled = make_order("o-2", created=t0 + timedelta(hours=4), total="50.00")
    apply_refund_or_cancel(session, store=store, order=cancelled, event="cancelled")
    build_rollups(session=session)
    session.commit()
    # then
    rows = performance(
        session, store_id=store.id, start=t0.date(), end=t0.date(), by=Dimension.VARIANT
    )
    assert [(r.source, r.orders, r.revenue) for r in rows] == [
        ("4:A", 1, {"TRY": Decimal("300.00")}),
        ("4:B", 0, {}),
    ]


def test_daily_series_covers_every_day_of_the_range(session: Session) -> None:
    # given
    store, t0 = _timeline(session)
    today = utc_day(clock.now())
    # when
    days = daily_series(session, store_id=store.id, start=today - timedelta(days=3), end=today)
    # then
    assert [(d.day, d.sent, d.clicked, d.orders) for d in days] == [
        (today - timedelta(days=3), 0, 0, 0),
        (t0.date(), 5, 1, 2),
        (today - timedelta(days=1), 0, 0, 0),
        (today, 0, 0, 0),
    ]


def test_export_csv_of_the_funnel(session: Session) -> None:
    # given: a template name that looks like a spreadsheet formula
    store, t0 = _timeline(session)
    contact = make_contact(session, store)
    make_message(session, store, contact, created_at=t0, template_name="=HYPERLINK(1)")
    session.commit()
    # when
    text = export_csv(
        "funnel",
        session=session,
        store_id=store.id,
        start=t0.date(),
        end=t0.date(),
        by=Dimension.TEMPLATE,
    )
    # then
    lines = text.splitlines()
    assert lines[0] == (
        "source,queued,sent,delivered,read,clicked,replied,opted_out,failed,skipped,"
        "failed_reasons,skipped_reasons"
    )
    assert lines[1] == "'=HYPERLINK(1),1,1,1,0,0,0,0,0,0,,"
    assert lines[2] == "cart_1,3,1,1,0,0,0,0,0,1,,no_consent=1"
    assert len(lines) == 5


def test_export_csv_of_an_empty_range_is_empty(session: Session) -> None:
    # given
    store = make_store(session)
    day = utc_day(clock.now())
    # when / then
    assert export_csv("cost", session=session, store_id=store.id, start=day, end=day) == ""


def test_purge_deletes_clicks_and_links_after_the_retention(session: Session) -> None:
    # given: a link and its click from 100 days ago (retention 90), and a fresh one
    store = make_store(session)
    old = create_link(session, store_id=store.id, url="https://shop.example.com/old")
    record_click(session, code=old, user_agent=IPHONE)
    for row in session.exec(select(TrackedLink)).all():
        row.created_at = clock.now() - timedelta(days=100)
    for click in session.exec(select(LinkClick)).all():
        click.clicked_at = clock.now() - timedelta(days=100)
    fresh = create_link(session, store_id=store.id, url="https://shop.example.com/new")
    record_click(session, code=fresh, user_agent=IPHONE)
    session.commit()
    # when
    deleted = purge_expired(session=session, force=True)
    session.commit()
    # then
    assert deleted == 2
    assert [link.code for link in session.exec(select(TrackedLink)).all()] == [fresh]
    assert len(session.exec(select(LinkClick)).all()) == 1


def test_rows_after_the_last_refresh_are_read_raw(session: Session) -> None:
    # given: rollups built (today's rows included up to now)
    store, t0 = _timeline(session)
    build_rollups(session=session)
    session.commit()
    today = utc_day(clock.now())
    # when: a message enters the outbox after the refresh
    contact = make_contact(session, store)
    make_message(session, store, contact, campaign_id=4, variant="A")
    session.commit()
    rows = funnel(session, store_id=store.id, start=t0.date(), end=today, by=Dimension.VARIANT)
    # then
    assert [(r.source, r.queued, r.delivered) for r in rows] == [("4:A", 4, 3), ("4:B", 3, 1)]


def _todays_message_with_a_link(session: Session) -> tuple[Store, str]:
    """A store's message sent this morning with a tracked link, today's rows built (never near
    midnight: the day must not turn during the test)."""
    if clock.now() + timedelta(minutes=10) >= datetime.combine(
        utc_day(clock.now()) + timedelta(days=1), datetime.min.time(), tzinfo=clock.now().tzinfo
    ):
        clock.advance(15 * 60)
    store = make_store(session)
    contact = make_contact(session, store)
    message = make_message(
        session, store, contact, created_at=clock.now() - timedelta(minutes=5), campaign_id=7
    )
    code = create_link(
        session, store_id=store.id, url="https://shop.example.com/", message_id=message.id
    )
    build_rollups(session=session)
    session.commit()
    return store, code


def _clicked_today(session: Session, store: Store) -> int:
    today = utc_day(clock.now())
    rows = funnel(session, store_id=store.id, start=today, end=today, by=Dimension.CAMPAIGN)
    return sum(r.clicked for r in rows)


def test_a_tap_on_todays_message_counts_at_the_next_tick(session: Session) -> None:
    store, code = _todays_message_with_a_link(session)
    clock.advance(1)
    assert record_click(session, code=code, user_agent=IPHONE) is not None
    session.commit()
    clock.advance(1)
    build_rollups(session=session)
    session.commit()
    assert _clicked_today(session, store) == 1


def test_on_a_busy_day_todays_marks_rebuild_today_at_most_a_twentieth_of_the_time(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a day whose rows take 2 s to rebuild (a store sending 100,000 messages)
    store, code = _todays_message_with_a_link(session)
    monkeypatch.setitem(rollups._today_cost, store.id, 2.0)
    state = session.get(RollupState, store.id)
    assert state is not None
    first_refresh = state.partial_until
    # when: the shopper taps the link, and orders keep marking today on every tick
    clock.advance(5)
    assert record_click(session, code=code, user_agent=IPHONE) is not None
    session.commit()
    for _ in range(6):
        clock.advance(5)
        build_rollups(session=session)
        session.commit()
        monkeypatch.setitem(rollups._today_cost, store.id, 2.0)
    # then: today's rows were not rebuilt on each of those ticks (35 s < 2 s / 5 %)...
    session.refresh(state)
    assert state.partial_until == first_refresh
    assert _clicked_today(session, store) == 0
    # ...and the first tick 40 s after the last rebuild counts the click
    clock.advance(5)
    build_rollups(session=session)
    session.commit()
    assert _clicked_today(session, store) == 1
    session.refresh(state)
    assert state.partial_until is not None and state.partial_until > first_refresh
