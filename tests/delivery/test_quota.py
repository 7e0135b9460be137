"""The plan's monthly marketing quota (issue 19 point 5): one counter, owned by the stores
domain, that the send-time policy reserves from and the admin shows. A send that fails, or that
Meta reports as failed or not billable, gives its unit back (once); marketing past the quota
waits, with `quota_exceeded` and the date it may go, and goes sooner after an upgrade."""

from __future__ import annotations

import json

import pytest

from plugin import clock
from plugin.delivery import service
from plugin.delivery.models import MessageStatus
from plugin.delivery.service import StatusUpdate
from plugin.events.tick import run_tick
from plugin.stores import usage
from plugin.stores.models import Plan
from plugin.stores.service import change_plan
from plugin.whatsapp.payloads.webhook import parse_webhook
from plugin.whatsapp.statuses import status_update
from tests.delivery.conftest import phone
from tests.delivery.test_policy import send
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite


def _used(world) -> int:
    world.session.expire_all()
    return usage.usage(session=world.session, store_id=world.store_id).used


def _on_free_plan_with(world, used: int) -> None:
    world.settings_row().plan = Plan.FREE
    world.session.commit()
    usage.reserve(session=world.session, store_id=world.store_id, want=used, now=clock.now())
    world.session.commit()


def test_a_failed_send_gives_its_unit_back(world, make_contacts, sandbox):
    # given two customers with marketing consent; WhatsApp cannot deliver to the first
    a, b = make_contacts(2)
    sandbox.sandbox.set_faults({"undeliverable": [phone(1)]})
    # when a campaign message is sent to each
    failed = send(world, a, key="c1")
    sent = send(world, b, key="c2")
    # then the failed one holds no unit: only the message that went out is counted
    assert (failed.status, failed.status_reason, failed.quota_period) == (
        MessageStatus.FAILED,
        "undeliverable",
        None,
    )
    assert sent.status == MessageStatus.SENT
    assert sent.quota_period == usage.period_of(clock.now(), "Europe/Istanbul")
    assert _used(world) == 1


def test_a_send_retried_after_a_server_error_is_counted_once(world, make_contacts, sandbox):
    # given Meta answers 500 to the first try
    [cid] = make_contacts()
    sandbox.sandbox.set_faults({"server_error_rate": 1.0})
    row = send(world, cid, key="c1")
    assert (row.status, row.status_reason) == (MessageStatus.SCHEDULED, "retry_soon")
    # then the waiting row holds no unit
    assert _used(world) == 0
    # when Meta recovers and the retry goes out
    sandbox.sandbox.set_faults({"server_error_rate": 0.0})
    clock.advance(120)
    run_tick()
    drain_queue()
    world.session.refresh(row)
    # then it is counted once
    assert row.status == MessageStatus.SENT
    assert _used(world) == 1


def _status_body(wamid: str, status: str, pricing: dict | None) -> str:
    item = {"id": wamid, "status": status, "timestamp": "1779012000", "recipient_id": "1"}
    if pricing is not None:
        item["pricing"] = pricing
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
        "statuses": [item],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    )


def _apply(world, body: str) -> None:
    payload = parse_webhook(body)
    statuses = [s for e in payload.entry for c in e.changes for s in c.value.statuses]
    service.apply_statuses(world.session, updates=[status_update(s) for s in statuses])
    world.session.commit()


def test_a_message_meta_does_not_bill_gives_its_unit_back_once(world, make_contacts, sandbox):
    # given two campaign messages that went out
    a, b = make_contacts(2)
    free, billed = send(world, a, key="c1"), send(world, b, key="c2")
    assert _used(world) == 2
    # when Meta reports the first as free (a free entry point: the customer came from a
    # click-to-WhatsApp ad; `billable` left out, as Meta may), on `sent` and again on
    # `delivered`, and the second as billed
    free_entry = {"pricing_model": "PMP", "category": "marketing", "type": "free_entry_point"}
    regular = {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}
    _apply(world, _status_body(free.wamid, "sent", free_entry))
    _apply(world, _status_body(free.wamid, "delivered", free_entry))
    _apply(world, _status_body(billed.wamid, "delivered", regular))
    # then only the billed one counts, and the free one was given back once, not twice
    world.session.refresh(free)
    assert (free.status, free.billable, free.quota_period) == (MessageStatus.DELIVERED, False, None)
    assert _used(world) == 1


def test_a_failure_meta_reports_after_sent_gives_the_unit_back(world, make_contacts, sandbox):
    [cid] = make_contacts()
    row = send(world, cid, key="c1")
    assert _used(world) == 1
    # when Meta's status webhook says the accepted message failed (not billed), twice
    for _ in range(2):
        service.apply_statuses(
            world.session,
            updates=[StatusUpdate(row.wamid, "failed", clock.now(), error_code=131049)],
        )
        world.session.commit()
    # then the unit is back, once
    world.session.refresh(row)
    assert row.status == MessageStatus.FAILED
    assert _used(world) == 0


def test_at_quota_marketing_waits_with_its_date_and_goes_after_an_upgrade(
    world, make_contacts, sandbox
):
    # given a Free store (500 marketing messages a month) that used all 500
    _on_free_plan_with(world, 500)
    a, b = make_contacts(2, consents=("marketing", "transactional"))
    # when a campaign message and an order update fall due
    held = send(world, a, key="c1")
    order = send(world, b, key="o1", marketing=False)
    # then the order update goes; the campaign message waits, with the reason and the first
    # instant of next month in the store's time zone (Europe/Istanbul) as its date
    _, next_month = usage.period_bounds(clock.now(), "Europe/Istanbul")
    assert order.status == MessageStatus.SENT
    assert (held.status, held.status_reason, held.due_at) == (
        MessageStatus.SCHEDULED,
        "quota_exceeded",
        next_month,
    )
    assert service.held_messages(world.session, store_id=world.store_id) == 1
    # and a tick leaves it waiting while no unit is free
    run_tick()
    drain_queue()
    world.session.refresh(held)
    assert held.status == MessageStatus.SCHEDULED
    assert sandbox.messages(phone(1)) == []
    # when the merchant upgrades to Silver (10,000 a month)
    change_plan(session=world.session, store_id=world.store_id, plan=Plan.SILVER)
    world.session.commit()
    run_tick()
    drain_queue()
    # then the held message goes out at once and is counted
    world.session.refresh(held)
    assert held.status == MessageStatus.SENT
    assert len(sandbox.messages(phone(1))) == 1
    assert _used(world) == 501
    assert service.held_messages(world.session, store_id=world.store_id) == 0


def test_held_marketing_goes_when_the_next_month_starts(world, make_contacts, sandbox):
    # given a campaign message held for a used-up quota
    _on_free_plan_with(world, 500)
    [cid] = make_contacts()
    held = send(world, cid, key="c1")
    assert held.status_reason == "quota_exceeded"
    # when the store's next month starts
    clock.advance((held.due_at - clock.now()).total_seconds() + 1)
    run_tick()
    drain_queue()
    # then it goes out, counted in the new month
    world.session.refresh(held)
    assert held.status == MessageStatus.SENT
    assert held.quota_period == usage.period_of(clock.now(), "Europe/Istanbul")
    assert _used(world) == 1


def test_units_given_back_release_as_many_held_messages(world, make_contacts, sandbox):
    # given a used-up quota, three campaign messages waiting and one that went out before
    _on_free_plan_with(world, 499)
    first, *waiting = make_contacts(4)
    went = send(world, first, key="c0")
    held = [send(world, cid, key=f"c{cid}") for cid in waiting]
    assert {r.status_reason for r in held} == {"quota_exceeded"}
    # when Meta reports the one that went out as failed (its unit comes back)
    service.apply_statuses(
        world.session, updates=[StatusUpdate(went.wamid, "failed", clock.now(), error_code=131049)]
    )
    world.session.commit()
    run_tick()
    drain_queue()
    # then exactly one held message goes with the freed unit; two still wait
    for row in held:
        world.session.refresh(row)
    assert sorted(r.status for r in held) == [
        MessageStatus.SCHEDULED,
        MessageStatus.SCHEDULED,
        MessageStatus.SENT,
    ]
    assert _used(world) == 500
