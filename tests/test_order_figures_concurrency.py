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
