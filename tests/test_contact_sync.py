"""The initial sync against a fake Saleor on loopback: pages, progress, crash and resume."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from plugin.consent.models import ConsentAction, ConsentEvent, Purpose
from plugin.contacts import sync
from plugin.contacts.models import Contact, ContactOrder, ContactSync, SyncPhase, SyncStatus
from plugin.events import saleor as saleor_events
from plugin.saleor.models import Store
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite


def _customer(n):
    return {
        "id": f"VXNlcjo{n}",
        "email": f"customer{n}@example.com",
        "firstName": f"Ad{n}",
        "lastName": "Soyad",
        "languageCode": "TR",
        "defaultBillingAddress": {
            "phone": f"0532 100 {n // 100:02d} {n % 100:02d}",
            "country": {"code": "TR"},
        },
        "metafields": {
            "ulak.consent": json.dumps({"marketing": True, "transactional": True})
            if n == 1
            else None
        },
    }


def _order(n):
    # orders of customers 1..5; order 3 and its duplicate page entry belong to customer 3
    customer = n if n <= 5 else 3
    return {
        "id": f"T3JkZXI6{n}",
        "created": f"2026-11-{10 + n:02d}T10:00:00+00:00",
        "status": "UNFULFILLED",
        "userEmail": f"customer{customer}@example.com",
        "billingAddress": {
            "phone": f"+90 532 100 00 {customer:02d}",
            "country": {"code": "TR"},
        },
        "total": {"gross": {"amount": 10 * n, "currency": "TRY"}},
    }


class PagedSaleor:
    """Pages of 2 over a list of nodes; `fail_on` pages answer with a crash once."""

    def __init__(self, root, nodes, *, fail_on=()):
        self.root, self.nodes, self.fail_on = root, nodes, set(fail_on)
        self.afters = []

    def __call__(self, body):
        after = body["variables"].get("after")
        self.afters.append(after)
        start = int(after) if after else 0
        if start in self.fail_on:
            self.fail_on.discard(start)
            raise RuntimeError("Saleor crashed mid-sync")
        page = self.nodes[start : start + 2]
        more = start + 2 < len(self.nodes)
        return {
            "data": {
                self.root: {
                    "pageInfo": {
                        "hasNextPage": more,
                        "endCursor": str(start + 2) if more else None,
                    },
                    "edges": [{"node": node} for node in page],
                }
            }
        }


@pytest.fixture()
def paged(fake_saleor):
    customers = PagedSaleor("customers", [_customer(n) for n in range(1, 6)], fail_on={4})
    orders = PagedSaleor("orders", [_order(n) for n in range(1, 7)])
    fake_saleor.handlers["UlakSyncCustomers"] = customers
    fake_saleor.handlers["UlakSyncOrders"] = orders
    return customers, orders


def test_install_syncs_every_page_and_resumes_after_a_crash_without_duplicates(
    client, installed_store, session, paged, monkeypatch
):
    customers, orders = paged
    monkeypatch.setattr(sync, "PAGE_INTERVAL_MS", 10)
    # when the install's follow-up work runs (Saleor crashes on the third customer page once)
    drain_queue(timeout_ms=30_000)
    # then the crashed page was asked again from the same checkpoint, not from the start
    assert customers.afters == [None, "2", "4", "4"]
    assert orders.afters == [None, "2", "4"]
    # and every customer is one contact; order 6 of customer 3 counts once more, not twice
    session.expire_all()
    contacts = session.exec(select(Contact).order_by(Contact.phone_e164)).all()
    assert [c.phone_e164 for c in contacts] == [f"+9053210000{n:02d}" for n in range(1, 6)]
    assert [c.orders_count for c in contacts] == [1, 1, 2, 1, 1]
    assert len(session.exec(select(ContactOrder)).all()) == 6
    # and the consent in customer 1's metadata was captured
    [request] = session.exec(
        select(ConsentEvent).where(ConsentEvent.purpose == Purpose.MARKETING)
    ).all()
    assert request.action == ConsentAction.REQUESTED
    # and the progress row says it is done, with counts
    status = session.exec(select(ContactSync)).one()
    assert (status.status, status.phase, status.cursor) == (SyncStatus.DONE, SyncPhase.DONE, None)
    assert (status.customers_seen, status.orders_seen, status.contacts_total) == (5, 6, 5)
    assert status.pages == 6


def test_a_page_seen_again_after_a_crash_changes_nothing(client, installed_store, session, paged):
    # given the sync ran two pages and then the process died before the checkpoint moved
    customers, _ = paged
    customers.fail_on.clear()
    store = session.exec(select(Store)).one()
    sync.start_initial_sync(session=session, store=store)
    session.commit()
    for _ in range(2):
        saleor_events.sync_next_page(session=session, store_id=store.id)
        session.commit()
    saleor_events.sync_next_page(session=session, store_id=store.id)  # page 3 applied ...
    session.rollback()  # ... but never committed
    status = session.get(ContactSync, store.id)
    assert (status.phase, status.cursor, status.customers_seen) == (SyncPhase.CUSTOMERS, "4", 4)
    # when it runs to the end
    while session.get(ContactSync, store.id).status == SyncStatus.RUNNING:
        saleor_events.sync_next_page(session=session, store_id=store.id)
        session.commit()
    # then no contact is duplicated and figures are right
    session.expire_all()
    assert len(session.exec(select(Contact)).all()) == 5
    assert sum(c.orders_count for c in session.exec(select(Contact)).all()) == 6
    assert customers.afters == [None, "2", "4", "4"]


def test_a_stalled_sync_is_requeued_by_the_tick(session, paged, client, installed_store):
    from plugin import clock

    store = session.exec(select(Store)).one()
    sync.start_initial_sync(session=session, store=store)
    session.commit()
    clock.advance(sync.STALLED_AFTER.total_seconds() + 1)
    assert sync.requeue_stalled(session=session) == 1
    clock.reset()
    assert sync.requeue_stalled(session=session) == 0
