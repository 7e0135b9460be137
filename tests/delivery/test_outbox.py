"""The outbox: one row per message, idempotent enqueue, cancel, and due rows reaching the sandbox
through the real worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from plugin import clock
from plugin.delivery import service
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.events.tick import run_tick
from tests.delivery.conftest import order_parameters, phone, promo_parameters
from tests.support import drain_queue


def _enqueue(world, contact_id, key, **fields):
    return service.enqueue_message(
        world.session,
        store_id=world.store_id,
        contact_id=contact_id,
        idempotency_key=key,
        template_language="tr",
        source_type="flow",
        **fields,
    )


def _order_update(world, contact_id, key="order-created:O1", **extra):
    return _enqueue(
        world,
        contact_id,
        key,
        purpose=MessagePurpose.TRANSACTIONAL,
        kind=MessageKind.ORDER_UPDATE,
        template_name="order_update",
        parameters=order_parameters(),
        **extra,
    )


@pytest.mark.sqlite
def test_the_same_webhook_enqueued_five_times_sends_one_message(world, make_contacts, sandbox):
    # given a contact with transactional consent
    [contact_id] = make_contacts(consents=("transactional",))
    # when the same order event is enqueued five times (Saleor redelivered the webhook)
    results = []
    for _ in range(5):
        results.append(_order_update(world, contact_id))
        world.session.commit()
    drain_queue()
    # then there is one row, four duplicates were refused, and one message reached WhatsApp
    assert results[0] is not None
    assert results[1:] == [None, None, None, None]
    rows = world.session.exec(select(OutboundMessage)).all()
    assert len(rows) == 1
    world.session.refresh(rows[0])
    assert rows[0].status == MessageStatus.SENT
    assert rows[0].wamid is not None
    messages = sandbox.messages(phone(1))
    assert [m["wamid"] for m in messages] == [rows[0].wamid]
    assert messages[0]["template_name"] == "order_update"
    assert messages[0]["text"] == "Merhaba Ayşe, siparişin #1001 yolda."


@pytest.mark.sqlite
def test_a_later_message_waits_for_the_tick_and_then_goes_out(world, make_contacts, sandbox):
    # given a message due in one hour
    [contact_id] = make_contacts(consents=("transactional",))
    row = _order_update(world, contact_id, due_at=clock.now() + timedelta(hours=1))
    world.session.commit()
    assert row is not None and row.status == MessageStatus.SCHEDULED
    # when the tick runs before it is due
    run_tick()
    drain_queue()
    # then nothing was sent
    assert sandbox.messages(phone(1)) == []
    # when the clock reaches its due time and the tick runs
    clock.advance(3601)
    run_tick()
    drain_queue()
    # then it was sent
    world.session.refresh(row)
    assert row.status == MessageStatus.SENT
    assert len(sandbox.messages(phone(1))) == 1


@pytest.mark.sqlite
def test_cancel_stops_scheduled_recovery_steps_of_a_checkout(world, make_contacts, sandbox):
    # given two scheduled cart recovery steps for a checkout and one for another checkout
    [contact_id] = make_contacts()
    for step, checkout in ((1, "C1"), (2, "C1"), (1, "C2")):
        service.enqueue_message(
            world.session,
            store_id=world.store_id,
            contact_id=contact_id,
            purpose=MessagePurpose.MARKETING,
            kind=MessageKind.CART_RECOVERY,
            idempotency_key=f"recovery:{checkout}:{step}",
            template_name="cart_promo",
            template_language="tr",
            parameters=promo_parameters(),
            due_at=clock.now() + timedelta(hours=step),
            source_type="flow",
            checkout_id=checkout,
            flow_step=step,
        )
    world.session.commit()
    # when the checkout's recovery is cancelled (an order was placed)
    count = service.cancel_messages(
        world.session, store_id=world.store_id, checkout_id="C1", kind=MessageKind.CART_RECOVERY
    )
    world.session.commit()
    # then only its two steps are cancelled
    assert count == 2
    statuses = dict(
        world.session.execute(
            sa.select(OutboundMessage.idempotency_key, OutboundMessage.status)
        ).all()
    )
    assert statuses == {
        "recovery:C1:1": "cancelled",
        "recovery:C1:2": "cancelled",
        "recovery:C2:1": "scheduled",
    }


@pytest.mark.sqlite
def test_cancel_needs_a_filter(world):
    with pytest.raises(ValueError):
        service.cancel_messages(world.session, store_id=world.store_id)


@pytest.mark.sqlite
def test_bulk_enqueue_skips_existing_keys_and_sends_each_once(world, make_contacts, sandbox):
    # given 30 contacts with marketing consent and a campaign already enqueued for ten of them
    contact_ids = make_contacts(30)

    def messages(ids):
        return [
            {
                "store_id": world.store_id,
                "contact_id": cid,
                "purpose": MessagePurpose.MARKETING,
                "kind": MessageKind.CAMPAIGN,
                "idempotency_key": f"campaign:7:{cid}",
                "template_name": "cart_promo",
                "template_language": "tr",
                "parameters": promo_parameters(),
                "source_type": "campaign",
                "campaign_id": 7,
            }
            for cid in ids
        ]

    first = service.bulk_enqueue(world.session, messages=messages(contact_ids[:10]))
    world.session.commit()
    # when the whole campaign is enqueued again
    second = service.bulk_enqueue(world.session, messages=messages(contact_ids))
    world.session.commit()
    drain_queue()
    # then only the 20 new rows were inserted and every contact got exactly one message
    assert len(first) == 10
    assert len(second) == 20
    assert sandbox.total() == 30
    assert all(len(sandbox.messages(phone(i))) == 1 for i in range(1, 31))
    sent = world.session.execute(
        sa.select(sa.func.count()).where(OutboundMessage.status == MessageStatus.SENT)
    ).scalar()
    assert sent == 30


@pytest.mark.sqlite
def test_a_run_of_events_writes_its_rows_in_one_insert_with_its_cancellations(world, make_contacts):
    from plugin.db import batch_scope, get_engine
    from plugin.delivery import outbox
    from tests.support import QueryCounter

    # given a run of events in a batch that writes two recovery steps of a checkout, then
    # cancels them (the checkout changed again) and writes the next step
    [contact_id] = make_contacts(consents=("marketing",))
    later = clock.now() + timedelta(hours=1)

    recovery = {
        "purpose": MessagePurpose.MARKETING,
        "kind": MessageKind.CART_RECOVERY,
        "template_name": "cart_recovery",
        "flow_key": "cart_recovery",
        "checkout_id": "C1",
    }

    def step(key):
        return _enqueue(
            world, contact_id, key, parameters=promo_parameters(), due_at=later, **recovery
        )

    with QueryCounter(get_engine()) as queries, batch_scope(world.session):
        with outbox.deferred_rows(world.session):
            first, second = step("recovery:C1:1:1"), step("recovery:C1:1:2")
            again = step("recovery:C1:1:1")  # the same key twice: nothing new
            cancelled = outbox.cancel_returning(
                world.session,
                store_id=world.store_id,
                reason="reset",
                checkout_id="C1",
                stored=False,
            )
            third = step("recovery:C1:2:1")
            # when the run is still going: nothing was written, the rows have no ids yet
            assert queries.count == 0
            assert (first.id, again) == (None, None)
    # then its end wrote the three rows in one statement, and each object has its row's id
    assert queries.count == 1
    assert cancelled == [first, second]
    world.session.commit()
    rows = {
        r.idempotency_key: (r.id, r.status, r.status_reason)
        for r in world.session.exec(select(OutboundMessage)).all()
    }
    assert rows == {
        "recovery:C1:1:1": (first.id, MessageStatus.CANCELLED.value, "reset"),
        "recovery:C1:1:2": (second.id, MessageStatus.CANCELLED.value, "reset"),
        "recovery:C1:2:1": (third.id, MessageStatus.SCHEDULED.value, None),
    }


@pytest.mark.sqlite
def test_a_runs_kept_rows_are_whole_messages_and_each_cancel_takes_only_its_own(
    world, make_contacts
):
    from plugin.db import batch_scope
    from plugin.delivery import outbox

    # given a run keeping recovery steps of two checkouts of two contacts, and an order update
    ann, bob = make_contacts(2, consents=("marketing",))
    later = clock.now() + timedelta(hours=1)

    def step(contact_id, checkout_id, key, kind=MessageKind.CART_RECOVERY):
        return _enqueue(
            world,
            contact_id,
            key,
            purpose=MessagePurpose.MARKETING,
            kind=kind,
            template_name="cart_recovery",
            parameters=promo_parameters(),
            due_at=later,
            flow_key="cart_recovery",
            checkout_id=checkout_id,
        )

    with batch_scope(world.session), outbox.deferred_rows(world.session):
        a1, a2 = step(ann, "C1", "r:C1:1"), step(ann, "C1", "r:C1:2")
        b1 = step(bob, "C2", "r:C2:1")
        update = _order_update(world, bob, due_at=later)
        # then each handed-out row is the message its INSERT writes, every other field empty
        assert isinstance(a1, OutboundMessage)
        assert (a1.status, a1.checkout_id, a1.contact_id, a1.id, a1.wamid) == (
            MessageStatus.SCHEDULED.value,
            "C1",
            ann,
            None,
            None,
        )
        assert a1.parameters == promo_parameters() and a1.attempts == 0
        # when a cancel names one checkout, then a contact, then a kind only
        by_checkout = outbox.cancel_returning(
            world.session, store_id=world.store_id, reason="reset", checkout_id="C1", stored=False
        )
        by_contact = outbox.cancel_returning(
            world.session, store_id=world.store_id, reason="ordered", contact_id=bob, stored=False
        )
        by_kind = outbox.cancel_returning(
            world.session,
            store_id=world.store_id,
            reason="gone",
            kind=MessageKind.ORDER_UPDATE,
            stored=False,
        )
        # then each took its own waiting rows, in the order written, never a cancelled one
        assert (by_checkout, by_contact, by_kind) == ([a1, a2], [b1, update], [])
        assert (a2.status_reason, b1.status_reason, update.status) == (
            "reset",
            "ordered",
            MessageStatus.CANCELLED.value,
        )
    world.session.commit()
    stored = {
        r.idempotency_key: r.status_reason for r in world.session.exec(select(OutboundMessage))
    }
    assert stored == {
        "r:C1:1": "reset",
        "r:C1:2": "reset",
        "r:C2:1": "ordered",
        "order-created:O1": "ordered",
    }
