"""A status Meta reports today for a message of an earlier, already rolled-up day: the
campaign's results (read from the daily rollups) count it after one scheduler tick and agree
with the live progress panel, instead of lagging until the hourly settling."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from plugin import clock
from plugin.analytics.aggregate import day_start, utc_day
from plugin.analytics.models import DirtyDay
from plugin.analytics.service import campaign_totals
from plugin.campaigns import progress
from plugin.delivery import service as delivery
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.delivery.service import StatusUpdate
from plugin.events.inbound import apply_statuses
from plugin.events.tick import run_tick
from tests.delivery.conftest import running_campaign
from tests.delivery.test_policy import send
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite


def _sent_campaign(world) -> int:  # type: ignore[no-untyped-def]
    """A campaign launched and sent through the sandbox now; returns its id."""
    campaign = running_campaign(world)
    run_tick(wait=True)
    drain_queue()
    assert campaign.id is not None
    return campaign.id


def _next_utc_day() -> None:
    """Move the app's clock to one hour into the next UTC day."""
    now = clock.now()
    clock.advance((day_start(utc_day(now) + timedelta(days=1)) - now).total_seconds() + 3600)


def _wamids(world, campaign_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    rows = world.session.exec(
        select(OutboundMessage).where(OutboundMessage.campaign_id == campaign_id)
    ).all()
    return [r.wamid for r in rows if r.wamid]


def _delivered_and_read(world, wamids: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Meta's delivered and read statuses, received now by the store's webhook journey."""
    now = clock.now()
    updates = [StatusUpdate(w, "delivered", now) for w in wamids] + [
        StatusUpdate(w, "read", now + timedelta(seconds=5)) for w in wamids
    ]
    apply_statuses(world.session, updates=updates, store_id=world.store_id)
    world.session.commit()


def test_statuses_on_yesterdays_campaign_reach_its_results_after_one_tick(
    world, make_contacts, sandbox
):
    session = world.session
    # given a campaign sent to three customers yesterday (UTC), nothing delivered yet
    make_contacts(3)
    campaign_id = _sent_campaign(world)
    sent_day = utc_day(clock.now())
    wamids = _wamids(world, campaign_id)
    assert len(wamids) == 3
    # and the scheduler has rolled that day up (and settled it) early today
    _next_utc_day()
    run_tick(wait=True)
    session.expire_all()
    before = campaign_totals(
        session, store_id=world.store_id, campaign_id=campaign_id, since=sent_day
    )
    assert (before.sent, before.delivered, before.read) == (3, 0, 0)
    # when Meta reports them delivered and read today, then the scheduler ticks once
    _delivered_and_read(world, wamids)
    run_tick(wait=True)
    session.expire_all()
    # then the results count them, as the live panel beside them does
    results = campaign_totals(
        session, store_id=world.store_id, campaign_id=campaign_id, since=sent_day
    )
    live = progress.figures(session, store_id=world.store_id, campaign_ids=[campaign_id])
    assert (results.sent, results.delivered, results.read) == (3, 3, 3)
    assert (live[campaign_id].delivered, live[campaign_id].read) == (3, 3)
    assert session.exec(select(DirtyDay)).all() == []  # the tick rebuilt the day


def test_a_status_on_a_message_of_today_marks_no_day(world, make_contacts, sandbox):
    session = world.session
    # given an order update sent today, and today's rollup built by the scheduler
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="o1", marketing=False)
    assert row.status == MessageStatus.SENT
    run_tick(wait=True)
    # when Meta reports it delivered and read
    _delivered_and_read(world, [row.wamid])
    # then no built day is marked for rebuilding (today's rollup refreshes every few minutes)
    assert session.exec(select(DirtyDay)).all() == []
    session.refresh(row)
    assert row.status == MessageStatus.READ


def test_a_status_on_a_day_not_built_yet_marks_nothing(world, make_contacts, sandbox):
    session = world.session
    # given an order update sent yesterday, and no rollup built since
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="o1", marketing=False)
    _next_utc_day()
    # when Meta reports it delivered today
    _delivered_and_read(world, [row.wamid])
    # then nothing is marked: the first build covers that day with the status in it
    assert session.exec(select(DirtyDay)).all() == []


def _statements(world, apply) -> int:  # type: ignore[no-untyped-def]
    """How many statements `apply()` sends to the database (an executemany counts once)."""
    engine = world.session.get_bind()
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        apply()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    world.session.commit()
    return len(seen)


def test_marking_costs_one_statement_per_batch_and_none_for_todays(world, make_contacts, sandbox):
    # given six order updates sent yesterday, rolled up, and two sent today
    ids = make_contacts(8, consents=("transactional",))
    old = [send(world, cid, key=f"o{cid}", marketing=False).wamid for cid in ids[:6]]
    _next_utc_day()
    run_tick(wait=True)
    new = [send(world, cid, key=f"n{cid}", marketing=False).wamid for cid in ids[6:]]
    world.session.commit()

    def statuses(wamids: list[str]) -> list[StatusUpdate]:
        return [StatusUpdate(w, s, clock.now()) for w in wamids for s in ("delivered", "read")]

    def journey(wamids: list[str]) -> int:
        return _statements(
            world,
            lambda: apply_statuses(
                world.session, updates=statuses(wamids), store_id=world.store_id
            ),
        )

    # when batches of yesterday's and today's messages go through the journey, and one of
    # yesterday's through the delivery engine alone
    engine_alone = _statements(
        world,
        lambda: delivery.apply_statuses(
            world.session, updates=statuses(old[:2]), store_id=world.store_id
        ),
    )
    yesterdays, todays = journey(old[2:]), journey(new)
    # then marking yesterday costs one statement for the whole batch, today's none
    assert (yesterdays, todays) == (engine_alone + 1, engine_alone)
    assert [d.day for d in world.session.exec(select(DirtyDay))] == [
        utc_day(clock.now()) - timedelta(days=1)
    ]


def test_a_status_that_beat_its_send_result_marks_its_day_when_the_tick_applies_it(
    world, make_contacts, sandbox
):
    session = world.session
    # given an order update sent yesterday whose send result is not written yet (no wamid),
    # and yesterday rolled up
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="o1", marketing=False)
    wamid = row.wamid
    session.execute(
        sa.update(OutboundMessage).where(OutboundMessage.id == row.id).values(wamid=None)
    )
    session.commit()
    _next_utc_day()
    run_tick(wait=True)
    # when Meta's delivered status arrives first (kept pending), then the send result
    _delivered_and_read(world, [wamid])
    assert session.exec(select(DirtyDay)).all() == []
    session.execute(
        sa.update(OutboundMessage).where(OutboundMessage.id == row.id).values(wamid=wamid)
    )
    session.commit()
    # then the tick that applies the pending status marks yesterday, and the next rebuilds it
    run_tick(wait=True)
    session.expire_all()
    assert [d.day for d in session.exec(select(DirtyDay))] == [utc_day(row.created_at)]
    run_tick(wait=True)
    assert session.exec(select(DirtyDay)).all() == []


def test_a_stream_of_late_statuses_rebuilds_its_day_once_a_minute_not_every_tick(
    world, make_contacts, sandbox
):
    session = world.session
    # given yesterday's campaign to three customers, its day rolled up early today
    make_contacts(3)
    campaign_id = _sent_campaign(world)
    sent_day = utc_day(clock.now())
    first, second, third = _wamids(world, campaign_id)
    _next_utc_day()
    run_tick(wait=True)

    def read_so_far() -> int:
        session.expire_all()
        totals = campaign_totals(
            session, store_id=world.store_id, campaign_id=campaign_id, since=sent_day
        )
        return totals.read

    # when one read arrives and the scheduler ticks: the day is rebuilt at once
    _delivered_and_read(world, [first])
    run_tick(wait=True)
    assert read_so_far() == 1
    # when more reads stream in and the scheduler ticks again within the minute
    _delivered_and_read(world, [second])
    clock.advance(5)
    run_tick(wait=True)
    _delivered_and_read(world, [third])
    clock.advance(5)
    run_tick(wait=True)
    # then the day waits, still marked, instead of being rebuilt on every tick
    assert read_so_far() == 1
    assert [d.day for d in session.exec(select(DirtyDay)).all()] == [sent_day]
    # and a minute after the last rebuild one tick counts both
    clock.advance(60)
    run_tick(wait=True)
    assert read_so_far() == 3
    assert session.exec(select(DirtyDay)).all() == []
