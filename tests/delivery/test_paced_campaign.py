"""A campaign larger than a second of its number's throughput waits its turn in the outbox,
never in a worker thread: the send message returns after about a second, the rest falls due
one after another at the number's rate, an order update meanwhile is not put behind it, and
every customer gets exactly one message. A campaign's fan-out writes its rows due at that
rate in the first place, so each is claimed once."""

from __future__ import annotations

import itertools
import time

import pytest
import sqlalchemy as sa

from plugin.delivery import sender
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.delivery.policy.pacing import HORIZON
from plugin.events.tick import run_tick
from plugin.metrics import MESSAGES_DEFERRED
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.delivery.conftest import campaign_due_at_once, phone, running_campaign
from tests.delivery.test_policy import enqueue
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite  # the embedded default (in-process pacer, SQLite) paces too

RATE = 20  # messages a second for this number (Meta's default is 80; smaller keeps it short)


def _slow_number(world) -> None:
    account = world.session.get(WhatsAppAccount, world.account_id)
    account.throughput_mps = RATE
    world.session.commit()


def _deliver_all(world, campaign_id: int, seconds: float = 15) -> None:
    """Tick and work the queue, as the scheduler and a worker do, until every row is sent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run_tick()
        drain_queue()
        if all(r.status == MessageStatus.SENT for r in _campaign_rows(world, campaign_id)):
            return
        time.sleep(0.2)


def _paced_so_far() -> float:
    return MESSAGES_DEFERRED.labels("paced")._value.get()


def _campaign_rows(world, campaign_id: int) -> list[OutboundMessage]:
    world.session.expire_all()
    return list(
        world.session.scalars(
            sa.select(OutboundMessage)
            .where(OutboundMessage.campaign_id == campaign_id)
            .order_by(OutboundMessage.due_at, OutboundMessage.id)
        )
    )


def test_a_campaign_past_its_numbers_pace_waits_in_the_outbox_not_in_the_worker(
    world, make_contacts, sandbox
):
    # given a number Meta lets send 20 messages a second, and a campaign's 80 messages all
    # due now
    _slow_number(world)
    customers = make_contacts(80, consents=("marketing",))
    ids = campaign_due_at_once(world, customers, campaign_id=7)
    campaign_id = 7
    # when one worker thread takes all 80 (one queue message)
    started = time.monotonic()
    totals = sender.send_batch(message_ids=ids)
    took = time.monotonic() - started
    # then it was back within about two seconds, having sent what fits in them (the number
    # books its next two seconds: LEAD_SECONDS and a tick)
    assert took < HORIZON + 1.0
    assert RATE * HORIZON <= totals["sent"] <= int(RATE * (HORIZON + 0.2)) + 1
    assert sandbox.total() == totals["sent"]
    # and the rest wait in the outbox, due one after another at the number's rate
    waiting = [r for r in _campaign_rows(world, campaign_id) if r.status != MessageStatus.SENT]
    assert len(waiting) == 80 - totals["sent"]
    assert {(r.status, r.status_reason, r.attempts) for r in waiting} == {
        (MessageStatus.SCHEDULED, "paced", 0)
    }
    gaps = [(b.due_at - a.due_at).total_seconds() for a, b in itertools.pairwise(waiting)]
    assert all(abs(gap - 1 / RATE) < 0.001 for gap in gaps)
    # when another customer's order update comes in while they wait
    [buyer] = make_contacts(1, consents=("transactional",))
    order = enqueue(world, buyer, key="order-1", marketing=False)
    started = time.monotonic()
    assert sender.send_batch(message_ids=[order.id])["sent"] == 1
    # then it goes within the horizon, not behind the campaign's rows still waiting
    assert time.monotonic() - started < HORIZON + 0.5
    # when the waiting rows fall due and the tick queues them
    _deliver_all(world, campaign_id)
    # then every customer has exactly one message: the campaign's, or the buyer's order update
    assert [r.status for r in _campaign_rows(world, campaign_id)] == [MessageStatus.SENT] * 80
    for i in range(1, len(customers) + 2):
        assert len(sandbox.messages(phone(i))) == 1


@pytest.mark.postgres_only
def test_a_campaigns_fan_out_lets_each_row_fall_due_at_the_numbers_pace(
    world, make_contacts, sandbox
):
    # given a number at 20 messages a second and a campaign to 60 customers, launched
    _slow_number(world)
    make_contacts(60, consents=("marketing",))
    put_off_before = _paced_so_far()
    campaign = running_campaign(world)
    # when the scheduler and a worker deliver it
    started = time.monotonic()
    _deliver_all(world, campaign.id)
    # then all 60 went out, in about the 3 seconds the number needs, each once, and no row
    # had to be put off for the pace: each was claimed once, as it fell due
    assert [r.status for r in _campaign_rows(world, campaign.id)] == [MessageStatus.SENT] * 60
    assert time.monotonic() - started >= 60 / RATE - 0.5
    assert all(len(sandbox.messages(phone(i))) == 1 for i in range(1, 61))
    assert _paced_so_far() == put_off_before
