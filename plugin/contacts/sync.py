"""The initial sync after install: every customer and order, one page per actor run.

Like a listmonk campaign: the checkpoint (phase and cursor) lives in `contact_sync` and moves
in the same transaction as the page's contacts, so a crash resumes at the last committed
page and a page seen twice changes nothing (contacts are upserts, orders count once). The
next page is enqueued with a delay: a rate limit that keeps Saleor responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import structlog
from sqlmodel import Session, func, select

from plugin import broker, clock
from plugin.contacts.models import Contact, ContactSync, SyncPhase, SyncStatus
from plugin.saleor import documents
from plugin.saleor.gateway import SaleorGateway
from plugin.saleor.models import Store
from plugin.saleor.service import gateway_for
from plugin.settings import get_settings

log = structlog.get_logger(__name__)

ACTOR = "sync_contacts"
PAGE_SIZE = 50
PAGE_INTERVAL_MS = 500  # at most two pages a second per store
STALLED_AFTER = timedelta(minutes=5)

# Applies one fetched customer or order node (the journeys layer: contact, consent, segments).
NodeApplier = Callable[[Session, Store, SyncPhase, dict[str, Any]], None]

_QUERIES = {
    SyncPhase.CUSTOMERS: ("queries/SyncCustomers.graphql", "customers"),
    SyncPhase.ORDERS: ("queries/SyncOrders.graphql", "orders"),
}


def start_initial_sync(*, session: Session, store: Store) -> ContactSync:
    """After-install step: create (or restart after a reinstall) the sync and enqueue it."""
    assert store.id is not None
    sync = session.get(ContactSync, store.id)
    now = clock.now()
    if sync is None:
        sync = ContactSync(store_id=store.id)
    elif sync.status in (SyncStatus.DONE, SyncStatus.FAILED):
        sync.phase, sync.cursor, sync.error, sync.finished_at = (
            SyncPhase.CUSTOMERS,
            None,
            None,
            None,
        )
        sync.started_at = now
    sync.status = SyncStatus.RUNNING
    sync.updated_at = now
    session.add(sync)
    session.flush()
    broker.enqueue_after_commit(session, ACTOR, store.id)
    return sync


def _lock(session: Session, store_id: int) -> ContactSync | None:
    query = select(ContactSync).where(ContactSync.store_id == store_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()


def sync_next_page(
    *,
    session: Session,
    store_id: int,
    apply: NodeApplier,
    gateway: SaleorGateway | None = None,
) -> ContactSync | None:
    """Fetch one page, `apply` each node, advance the checkpoint, enqueue the next page."""
    sync = _lock(session, store_id)
    store = session.get(Store, store_id)
    if sync is None or store is None or sync.status != SyncStatus.RUNNING:
        return sync
    if not store.is_active:
        sync.status, sync.error = SyncStatus.FAILED, "store uninstalled"
        session.add(sync)
        return sync
    gateway = gateway or gateway_for(store, get_settings())
    path, root = _QUERIES[sync.phase]
    data = gateway.execute(documents.load(path), {"first": PAGE_SIZE, "after": sync.cursor})
    connection: dict[str, Any] = data.get(root) or {}
    nodes = [edge["node"] for edge in connection.get("edges") or [] if edge.get("node")]
    for node in nodes:
        apply(session, store, sync.phase, node)
        if sync.phase == SyncPhase.CUSTOMERS:
            sync.customers_seen += 1
        else:
            sync.orders_seen += 1
    page_info = connection.get("pageInfo") or {}
    sync.pages += 1
    if page_info.get("hasNextPage") and page_info.get("endCursor"):
        sync.cursor = str(page_info["endCursor"])
    elif sync.phase == SyncPhase.CUSTOMERS:
        sync.phase, sync.cursor = SyncPhase.ORDERS, None
    else:
        sync.phase, sync.cursor = SyncPhase.DONE, None
        sync.status, sync.finished_at = SyncStatus.DONE, clock.now()
    sync.contacts_total = int(
        session.exec(
            select(func.count()).select_from(Contact).where(Contact.store_id == store_id)
        ).one()
    )
    sync.updated_at = clock.now()
    session.add(sync)
    if sync.status == SyncStatus.RUNNING:
        broker.enqueue_after_commit(session, ACTOR, store_id, delay_ms=PAGE_INTERVAL_MS)
    log.info("contact_sync_page", store_id=store_id, phase=sync.phase, pages=sync.pages)
    return sync


def record_failure(*, session: Session, store_id: int, error: str) -> None:
    """A sync that can never succeed as configured (token revoked) stops, visibly."""
    sync = session.get(ContactSync, store_id)
    if sync is not None:
        sync.status, sync.error, sync.updated_at = SyncStatus.FAILED, error[:500], clock.now()
        session.add(sync)


def requeue_stalled(*, session: Session) -> int:
    """Tick: a running sync whose next page message was lost (crash, Redis flush) resumes."""
    cutoff = clock.now() - STALLED_AFTER
    stalled = session.exec(
        select(ContactSync.store_id).where(
            ContactSync.status == SyncStatus.RUNNING, ContactSync.updated_at < cutoff
        )
    ).all()
    for store_id in stalled:
        broker.enqueue_after_commit(session, ACTOR, store_id)
    return len(stalled)


def status(session: Session, *, store_id: int) -> ContactSync | None:
    """The visible progress (admin page): phase, pages, counts, error."""
    return session.get(ContactSync, store_id)
