"""Cancelling outbox rows in a batch of events (issue 21): the waiting rows read once, each
stop served from memory, the cancellations written when the batch ends, and a row another
writer took meanwhile failing the batch instead of being journaled as cancelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from plugin import clock
from plugin.db import batch_scope, get_engine
from plugin.delivery import service
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.flows import outbox as flows_outbox
from tests.delivery.conftest import promo_parameters
from tests.support import QueryCounter


def _step(world, contact_id: int, checkout_id: str, key: str) -> OutboundMessage:
    row = service.enqueue_message(
        world.session,
        store_id=world.store_id,
        contact_id=contact_id,
        idempotency_key=key,
        template_language="tr",
        source_type="flow",
        purpose=MessagePurpose.MARKETING,
        kind=MessageKind.CART_RECOVERY,
        template_name="cart_recovery",
        flow_key="cart_recovery",
        checkout_id=checkout_id,
        parameters=promo_parameters(),
        due_at=clock.now() + timedelta(hours=1),
    )
    assert row is not None
    return row


def _statuses(world) -> dict[str, tuple[str, str | None]]:
    world.session.expire_all()
    rows = world.session.exec(select(OutboundMessage)).all()
    return {r.idempotency_key: (str(r.status), r.status_reason) for r in rows}


@pytest.mark.sqlite
def test_a_batch_cancels_from_what_it_read_and_writes_once_at_its_end(world, make_contacts):
    # given a contact's recovery steps on two checkouts, one of them not among the batch's
    [contact_id] = make_contacts(consents=("marketing",))
    _step(world, contact_id, "C1", "recovery:C1:1:1")
    _step(world, contact_id, "C1", "recovery:C1:1:2")
    _step(world, contact_id, "C2", "recovery:C2:1:1")
    world.session.commit()
    with QueryCounter(get_engine()) as queries, batch_scope(world.session):
        flows_outbox.prefetch_waiting(  # a batch with the contact's order of checkout C1
            world.session,
            store_id=world.store_id,
            checkout_ids=["C1"],
            contact_ids=[contact_id],
            order_ids=["O1"],
        )
        read = queries.count
        # when the checkout is ordered, then the contact's other steps pause, then again
        ordered = flows_outbox.cancel(
            world.session,
            store_id=world.store_id,
            checkout_id="C1",
            flow_key="cart_recovery",
            reason="ordered",
        )
        paused = flows_outbox.cancel(
            world.session,
            store_id=world.store_id,
            contact_id=contact_id,
            flow_key="cart_recovery",
            reason="recent_order",
        )
        again = flows_outbox.cancel(
            world.session,
            store_id=world.store_id,
            checkout_id="C2",
            flow_key="cart_recovery",
            reason="recent_order",
        )
        # then the stops asked nothing, and returned the rows as cancelled
        assert queries.count == read == 1
        assert [r.idempotency_key for r in ordered] == ["recovery:C1:1:1", "recovery:C1:1:2"]
        assert [(r.idempotency_key, r.status) for r in paused] == [
            ("recovery:C2:1:1", MessageStatus.CANCELLED.value)
        ]
        assert again == []
    # and the batch's end wrote them in one statement, each with its reason
    assert queries.count == read + 1
    world.session.commit()
    assert _statuses(world) == {
        "recovery:C1:1:1": ("cancelled", "ordered"),
        "recovery:C1:1:2": ("cancelled", "ordered"),
        "recovery:C2:1:1": ("cancelled", "recent_order"),
    }


@pytest.mark.sqlite
def test_a_row_written_in_the_batch_is_cancelled_by_a_later_stop(world, make_contacts):
    # given a batch that read a checkout with no waiting step, then wrote one
    [contact_id] = make_contacts(consents=("marketing",))
    with batch_scope(world.session):
        flows_outbox.prefetch_waiting(world.session, store_id=world.store_id, checkout_ids=["C1"])
        written = _step(world, contact_id, "C1", "recovery:C1:1:1")
        # when the checkout is emptied later in the batch
        with QueryCounter(get_engine()) as queries:
            cancelled = flows_outbox.cancel(
                world.session,
                store_id=world.store_id,
                checkout_id="C1",
                flow_key="cart_recovery",
                reason="emptied",
            )
        # then the stop found it without asking
        assert (cancelled, queries.count) == ([written], 0)
    world.session.commit()
    assert _statuses(world) == {"recovery:C1:1:1": ("cancelled", "emptied")}


def test_a_row_the_sender_claimed_meanwhile_fails_the_batch(world, make_contacts):
    # given a batch that cancelled a checkout's waiting step in memory
    [contact_id] = make_contacts(consents=("marketing",))
    _step(world, contact_id, "C1", "recovery:C1:1:1")
    world.session.commit()
    with pytest.raises(RuntimeError, match="taken by another writer"):
        with batch_scope(world.session):
            flows_outbox.prefetch_waiting(
                world.session, store_id=world.store_id, checkout_ids=["C1"]
            )
            flows_outbox.cancel(
                world.session,
                store_id=world.store_id,
                checkout_id="C1",
                flow_key="cart_recovery",
                reason="reset",
            )
            # when the sender claims the row before the batch ends
            with get_engine().begin() as other:
                other.execute(
                    sa.update(OutboundMessage.__table__).values(status="sending")  # type: ignore[attr-defined]
                )
    # then the batch fails (acted on one event at a time after its rollback), and the row is
    # the sender's
    world.session.rollback()
    assert _statuses(world) == {"recovery:C1:1:1": ("sending", None)}
