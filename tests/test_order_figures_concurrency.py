"""A customer's order count and total spent survive orders processed at the same time
(issue 16, point 8): 60 orders of one customer, each handled by its own worker thread and
transaction as Saleor's webhooks would be, count 60 and add up to the sum."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from plugin.contacts import service
from plugin.contacts.models import Contact
from plugin.db import get_engine
from plugin.saleor.models import Store
from plugin.saleor.payloads import Order
from tests.factories import make_store

pytestmark = pytest.mark.postgres_only

ORDERS = 60


def _order(n: int) -> Order:
    return Order.model_validate(
        {
            "id": f"order-{n}",
            "created": "2026-11-20T10:00:00+00:00",
            "status": "UNFULFILLED",
            "userEmail": "ayse@example.com",
            "billingAddress": {"phone": "05321234567", "country": {"code": "TR"}},
            "total": {"gross": {"amount": "10.25", "currency": "TRY"}},
        }
    )


def test_sixty_concurrent_orders_of_one_customer_count_sixty(session):
    # given a known customer
    store = make_store(session)
    service.upsert_from_order(session=session, store=store, order=_order(0))
    session.commit()

    def place(n: int) -> None:
        with Session(get_engine()) as own:
            own_store = own.get(Store, store.id)
            service.upsert_from_order(session=own, store=own_store, order=_order(n))
            own.commit()

    # when 60 more orders arrive at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(place, range(1, ORDERS + 1)))
    # then every one of them counts
    session.expire_all()
    contact = session.exec(select(Contact).where(Contact.store_id == store.id)).one()
    assert contact.orders_count == ORDERS + 1
    assert Decimal(contact.total_spent["TRY"]) == Decimal("10.25") * (ORDERS + 1)


def test_batches_sharing_a_customer_acted_on_at_once_count_each_order_once(
    client, session, monkeypatch
):
    # given one customer's 12 orders (two cancelled) and another's 3, whose events are split
    # over 6 batches so that one order's events fall in different batches
    from datetime import timedelta
    from threading import Barrier

    from handlers import actors
    from plugin import clock
    from plugin.inbox import service as inbox_service
    from plugin.inbox.models import InboxEvent, InboxSource, InboxStatus
    from tests.test_inbox_batch import _order_event

    store = make_store(session)
    session.commit()
    t = clock.now() - timedelta(hours=3)
    other = {"phone": "+905329998877", "email": "mehmet@example.com"}
    batches: list[list] = [[] for _ in range(6)]
    for n in range(12):
        at = t + timedelta(minutes=n)
        batches[n % 6].append(
            _order_event("ORDER_CREATED", f"p{n}", "UNFULFILLED", at, amount=10 + n)
        )
        later = batches[(n + 1) % 6]
        if n in (3, 7):
            later.append(_order_event("ORDER_CANCELLED", f"p{n}", "CANCELED", at, amount=10 + n))
        else:
            later.append(
                _order_event("ORDER_FULLY_PAID", f"p{n}", "UNFULFILLED", at, amount=10 + n)
            )
    for n in range(3):
        batches[n].append(
            _order_event("ORDER_CREATED", f"q{n}", "UNFULFILLED", t, amount=100, **other)
        )
    ids = []
    for batch in batches:
        ids.append(
            inbox_service.record_many(
                session,
                [
                    inbox_service.Delivery(store.id, InboxSource.SALEOR, e.event, e.body)
                    for e in batch
                ],
            )
        )
        session.commit()
    start = Barrier(len(ids))
    from plugin.events import inbox as inbox_events

    alone: list[int] = []
    real_process = inbox_events.process

    def process(*, session, event_id):
        alone.append(event_id)
        return real_process(session=session, event_id=event_id)

    monkeypatch.setattr(inbox_events, "process", process)

    def work(batch_ids: list[int]) -> None:
        start.wait()
        actors.process_inbox_events.fn(batch_ids)

    # when the 6 batches are worked at once, each by its own worker thread
    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        list(pool.map(work, ids))
    # then every batch was acted on as a batch (they waited for each other's orders and
    # contacts: none failed and was redone one event at a time), and each order counted once
    # (cancelled ones not at all)
    assert alone == []
    session.expire_all()
    statuses = session.exec(select(InboxEvent.status).where(InboxEvent.store_id == store.id))
    assert set(statuses) == {InboxStatus.PROCESSED}
    figures = {
        c.phone_e164: (c.orders_count, Decimal(c.total_spent["TRY"]))
        for c in session.exec(select(Contact).where(Contact.store_id == store.id))
    }
    counted = sum(10 + n for n in range(12) if n not in (3, 7))
    assert figures == {"+905321112233": (10, Decimal(counted)), "+905329998877": (3, Decimal(300))}
