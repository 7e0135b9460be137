"""Issue 18 point 4: Meta's messaging limit as Meta counts it — unique recipients of
business-initiated messages in a moving 24 h window — read from Meta, and campaigns that leave
a reserve of it to order updates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.contacts.models import Contact
from plugin.delivery import window
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.events.tick import run_tick
from plugin.whatsapp import limits
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.delivery.conftest import PNID, TOKEN
from tests.delivery.test_policy import send
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

BOTH = ("marketing", "transactional")


def _tier(world, tier: int | None, reserve_percent: int = 10) -> None:  # type: ignore[no-untyped-def]
    settings = world.settings_row()
    settings.daily_recipient_tier = tier
    settings.tier_reserve_percent = reserve_percent
    world.session.add(settings)
    world.session.commit()


def _used(world) -> int:  # type: ignore[no-untyped-def]
    world.session.expire_all()
    return window.store_window(world.session, store_id=world.store_id, now=clock.now()).used


def _wrote_in(world, contact_id: int, hours_ago: float) -> None:  # type: ignore[no-untyped-def]
    contact = world.session.get(Contact, contact_id)
    contact.last_inbound_at = clock.now() - timedelta(hours=hours_ago)
    world.session.add(contact)
    world.session.commit()


def _just_now(at) -> bool:  # type: ignore[no-untyped-def]
    return at is not None and abs((clock.now() - at).total_seconds()) < 30


def _account(world) -> WhatsAppAccount:  # type: ignore[no-untyped-def]
    world.session.expire_all()
    account = world.session.get(WhatsAppAccount, world.account_id)
    assert account is not None
    return account


def test_the_window_counts_unique_recipients_of_business_initiated_messages_in_24_hours(
    world, make_contacts, sandbox
):
    # given an order update to Deniz 20 hours ago
    ayse, can, ece, deniz = make_contacts(4, consents=("transactional",))
    assert send(world, deniz, key="d1", marketing=False).status == MessageStatus.SENT
    clock.advance(20 * 3600)
    # when Ayşe gets two order updates, Can one while his service window is open (he wrote an
    # hour ago) and Ece a support reply inside hers
    _wrote_in(world, can, hours_ago=1)
    _wrote_in(world, ece, hours_ago=2)
    sent = [
        send(world, ayse, key="a1", marketing=False),
        send(world, can, key="c1", marketing=False),
        send(
            world,
            ece,
            key="e1",
            marketing=False,
            kind=MessageKind.SERVICE_REPLY,
            text="Merhaba",
            template=False,
        ),
    ]
    clock.advance(7)  # past the 6-second spacing per person
    sent.append(send(world, ayse, key="a2", marketing=False))
    assert {r.status for r in sent} == {MessageStatus.SENT}
    # then Meta's count holds Ayşe once and Deniz, not Can or Ece
    assert _used(world) == 2
    # and 4 hours later Deniz's message is more than 24 hours old: only Ayşe is left
    clock.advance(4 * 3600)
    assert _used(world) == 1
    counted = world.session.exec(
        select(OutboundMessage.idempotency_key).where(OutboundMessage.business_initiated == True)  # noqa: E712
    ).all()
    assert sorted(counted) == ["a1", "a2", "d1"]


def test_a_campaign_at_its_share_of_the_limit_waits_while_order_updates_still_go(
    world, make_contacts, sandbox
):
    # given Meta's limit of 4 people a day, half of it kept for order updates
    _tier(world, 4)
    a, b, c, d, e = make_contacts(5, consents=BOTH)
    # when a campaign reaches its share (2 people) and goes on to a third
    first = [send(world, cid, key=f"camp-{cid}") for cid in (a, b)]
    held = send(world, c, key=f"camp-{c}")
    # then the third waits, with its reason and the time its place frees (24 h after the first)
    assert {r.status for r in first} == {MessageStatus.SENT}
    assert (held.status, held.status_reason) == (MessageStatus.SCHEDULED, "tier_reserved")
    assert held.due_at == min(r.sent_at for r in first) + timedelta(hours=24)
    # and order updates still go out to new people, up to the whole limit
    orders = [send(world, cid, key=f"order-{cid}", marketing=False) for cid in (c, d)]
    assert {r.status for r in orders} == {MessageStatus.SENT}
    assert sandbox.messages("+905320000003")[0]["template_name"] == "order_update"
    # but past the limit itself an order update waits too, for the first place to free
    full = send(world, e, key=f"order-{e}", marketing=False)
    assert (full.status, full.status_reason) == (MessageStatus.SCHEDULED, "daily_tier_exhausted")
    assert full.due_at == held.due_at
    # and when its time comes the campaign message goes out
    clock.advance((held.due_at - clock.now()).total_seconds() + 1)
    run_tick(wait=True)
    drain_queue()
    world.session.refresh(held)
    assert held.status == MessageStatus.SENT


def test_an_unlimited_tier_checks_no_window(world, make_contacts, sandbox):
    _tier(world, None)
    ids = make_contacts(3, consents=BOTH)
    rows = [send(world, cid, key=f"camp-{cid}") for cid in ids]
    assert {r.status for r in rows} == {MessageStatus.SENT}
    assert _used(world) == 3  # still counted, for the day Meta lowers the limit


def test_the_reserve_is_a_share_of_the_tier_with_a_floor_and_a_ceiling():
    assert window.reserve_for(250, 10) == 50  # at least 50 people
    assert window.reserve_for(2_000, 10) == 200
    assert window.reserve_for(100_000, 10) == 10_000
    assert window.reserve_for(50, 10) == 25  # never more than half
    assert window.reserve_for(2_000, 0) == 0  # turned off
    assert window.marketing_share(None, 10) is None


def test_the_limit_and_throughput_are_read_from_the_graph_api_at_connect(world, sandbox):
    # given the sandbox number: Meta's 2K tier at high throughput (tests/delivery/conftest.py)
    _tier(world, 250)

    # when the merchant connects it
    account = world.connect_through_graph()
    world.session.commit()
    # then the number and the store hold Meta's figures
    assert (account.messaging_limit_tier, account.throughput_mps) == ("TIER_2K", 1000)
    assert _just_now(account.limits_read_at)
    assert world.settings_row().daily_recipient_tier == 2_000


def test_the_limit_is_read_again_on_a_schedule(world, sandbox):
    # given a number connected with Meta's 2K tier, read when it was connected
    _tier(world, 2_000)
    number = sandbox.sandbox.numbers[PNID]
    number.messaging_limit_tier = "TIER_10K"  # Meta raised it; no webhook reached us
    # when the scheduler ticks before the refresh interval, nothing is read
    run_tick(wait=True)
    drain_queue()
    assert world.settings_row().daily_recipient_tier == 2_000
    # and once the interval has passed the tick reads the Graph API (through an actor)
    clock.advance(limits.REFRESH_EVERY.total_seconds() + 1)
    run_tick(wait=True)
    drain_queue()
    world.session.expire_all()
    assert world.settings_row().daily_recipient_tier == 10_000
    account = _account(world)
    assert (account.messaging_limit_tier, account.throughput_mps) == ("TIER_10K", 1000)
    assert _just_now(account.limits_read_at)


def test_a_failed_graph_read_keeps_the_last_known_limit_and_logs_no_personal_data(
    world, sandbox, caplog
):
    # given a number whose limit was last read as 2K
    _tier(world, 2_000)
    account = _account(world)
    account.messaging_limit_tier, account.throughput_mps = "TIER_2K", 80
    world.session.add(account)
    world.session.commit()
    # when the Graph API cannot be reached
    with caplog.at_level("WARNING"):
        ok = limits.read_limits(
            world.session, account_id=world.account_id, graph_url="http://127.0.0.1:9/graph"
        )
    world.session.commit()
    # then nothing changed, and the log names the store and the number's row, nothing else
    assert ok is False
    account = _account(world)
    assert (account.messaging_limit_tier, account.throughput_mps) == ("TIER_2K", 80)
    assert world.settings_row().daily_recipient_tier == 2_000
    [failure] = [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg.get("event") == "whatsapp_limits_read_failed"
    ]
    told = set(failure) - {"event", "level", "logger", "timestamp"}
    assert told == {"store_id", "account_id", "code", "disposition"}
    assert failure["store_id"] == world.store_id and TOKEN not in caplog.text


def test_meta_tiers_in_both_of_their_forms():
    assert limits.parse_tier("TIER_2K") == limits.Tier("TIER_2K", 2_000)
    assert limits.parse_tier(100000) == limits.Tier("TIER_100K", 100_000)
    assert limits.parse_tier(-1) == limits.Tier("TIER_UNLIMITED", None)
    assert limits.parse_tier("TIER_NOT_SET") is None
    assert limits.parse_tier(None) is None
