"""What a batch of Saleor events reads, loaded before they are acted on.

Acting on one event reads the same things every event reads: the contact behind the payload
(and whether its number was erased), that contact's consent, the checkout's recovery row, the
store's flow settings and templates. For a batch each of these is one set-based statement
(two for consent), kept in the batch memo (plugin.db.batch_scope) by the package that owns it;
then each event's coordinator runs exactly as it runs alone and finds its reads there. The
rules stay in their owners: this module only says what the batch's events are about.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from plugin import db_compose, db_fold
from plugin.analytics import attribution, attribution_memo
from plugin.analytics.models import OrderAttribution
from plugin.consent import captures as consent_captures
from plugin.consent import state as consent_state
from plugin.contacts import figures as contact_figures
from plugin.contacts import order_rows
from plugin.contacts import service as contacts_service
from plugin.contacts.identity import (
    Identity,
    identity_of_checkout,
    identity_of_customer,
    identity_of_order,
)
from plugin.contacts.models import Contact, ContactOrder
from plugin.db import deferred_updates
from plugin.delivery import outbox as delivery_outbox
from plugin.delivery import outbox_pending
from plugin.delivery.models import OutboundMessage
from plugin.flows import config as flows_config
from plugin.flows import journal, recovery
from plugin.flows import outbox as flows_outbox
from plugin.flows.models import TrackedCheckout
from plugin.saleor.models import Store
from plugin.saleor.payloads import CheckoutEvent, CustomerEvent, FulfillmentEvent, OrderEvent
from plugin.templates import service as templates_service


def prepare(session: Session, *, store: Store, events: Sequence[object]) -> None:
    """Load what `events` will read, for any number of events: on PostgreSQL the checkouts'
    locks, the contacts (and the suppression list), the new contacts, the orders' and their
    contacts' locks, then everything else in one statement (plugin.db_fold) with the ids the
    batch's inserts will take (plugin.db_compose); on SQLite a statement per read."""
    assert store.id is not None
    identities: list[Identity] = []
    checkout_ids: list[str] = []
    order_ids: list[str] = []
    for event in events:
        if isinstance(event, CheckoutEvent) and event.checkout is not None:
            identities.append(identity_of_checkout(event.checkout))
            checkout_ids.append(event.checkout.id)
        elif isinstance(event, OrderEvent | FulfillmentEvent):
            identities.append(identity_of_order(event.order))
            order_ids.append(event.order.id)
            if event.order.checkout_id:
                checkout_ids.append(event.order.checkout_id)
        elif isinstance(event, CustomerEvent):
            identities.append(identity_of_customer(event.user))
    if not identities:
        return
    if checkout_ids:
        # locked before anything is read: a batch that waits here for another one holding the
        # same checkouts reads the contacts, consent and steps that one committed, not the
        # state from before it (read first, the memo went stale while waiting)
        recovery.track_all(session, store_id=store.id, checkout_ids=checkout_ids)
    contacts_service.prefetch(session, store_id=store.id, identities=identities)
    known = [c.id for c in contacts_service.contacts_for_phones(session, store_id=store.id)]
    contact_ids = [c for c in known if c is not None]
    # what is read once the rows are locked, each owner's read independent of the others':
    # one statement on PostgreSQL (plugin.db_fold)
    orders = [e.order for e in events if isinstance(e, OrderEvent | FulfillmentEvent)]
    db_fold.together(
        session,
        [
            # first: it locks the orders and their contacts as it starts, before the rest is read
            *(
                [
                    order_rows.prepare_reads(
                        session, store_id=store.id, contact_ids=contact_ids, order_ids=order_ids
                    )
                ]
                if order_ids
                else []
            ),
            consent_state.prefetch_reads(session, store_id=store.id, contact_ids=contact_ids),
            contact_figures.latest_reads(session, contact_ids=contact_ids),
            flows_outbox.waiting_reads(
                session,
                store_id=store.id,
                checkout_ids=checkout_ids,
                contact_ids=contact_ids,
                order_ids=order_ids,
            ),
            journal.prefetch_reads(
                session, store_id=store.id, checkout_ids=checkout_ids, order_ids=order_ids
            ),
            *(
                attribution.prefetch_reads(
                    session, store_id=store.id, orders=orders, contact_ids=contact_ids
                )
                if order_ids
                else ()
            ),
            flows_outbox.keys_reads(
                session, store_id=store.id, checkout_ids=checkout_ids, order_ids=order_ids
            ),
            db_compose.reserving(session, _ids_wanted(store.id, events, order_ids)),
        ],
    )
    if order_ids:  # an order stops its contact's other checkouts too
        recovery.track_contacts_checkouts(session, store_id=store.id, contact_ids=contact_ids)
    consent_captures.prefetch(session, contact_ids=contact_ids)  # read with the consent (PG)
    flows_config.all_configs(session, store_id=store.id)
    templates_service.prefetch_approved(session, store_id=store.id)


@contextmanager
def event_run(session: Session) -> Iterator[None]:
    """Consecutive checkout and order events of a batch, one run (plugin.db_compose
    `deferring`, opened by plugin.db.deferred_updates): what they change in the contacts, the
    checkouts' recovery rows and the orders' rows, and the purchases they replace
    (plugin.segments.orders), are kept and written once when the run ends, one statement per
    table, instead of once per event and flush; so are the outbox rows they write (cancelled
    within the run in memory: outbox.deferred_rows) and the order rows they create
    (contacts.order_rows). The contacts whose figures orders move were locked in `prepare`,
    so their values in memory are current. On PostgreSQL these writes, and the batch's at its
    end, are kept and sent as one statement when the batch ends (plugin.db_compose)."""
    with (
        deferred_updates(session, Contact, TrackedCheckout, ContactOrder),
        delivery_outbox.deferred_rows(session),
        order_rows.deferring(session),
    ):
        yield
        _reserve_ids(session)


# Outbox rows a batch's event may write, at most, for the guess of `_ids_wanted` (a cart
# recovery sequence's steps; an order's update and reminder): the outbox's ids are 64-bit, so
# unused ones cost nothing, and a batch writing more reserves the rest when its run ends.
OUTBOX_ROWS_PER_EVENT = 2


def _ids_wanted(store_id: int, events: Sequence[object], order_ids: list[str]) -> dict[Any, Any]:
    """The ids the batch's inserts will take, reserved with its reads: one per order without
    an order row and one per order without an attribution (each of these ids is 32-bit, so
    they are not guessed), and a guess at the outbox rows."""
    wanted: dict[Any, Any] = {
        OutboundMessage.__table__: OUTBOX_ROWS_PER_EVENT * len(events),  # type: ignore[attr-defined]
    }
    for table in (ContactOrder.__table__, OrderAttribution.__table__) if order_ids else ():  # type: ignore[attr-defined]
        wanted[table] = db_compose.absent(
            table, store_id=store_id, column="order_id", values=order_ids
        )
    return wanted


def _reserve_ids(session: Session) -> None:
    """The ids of the rows the run's end and the batch's end insert (order rows, outbox rows,
    attributions), reserved in one statement: those INSERTs are then kept with the batch's
    other writes and sent in its one statement (plugin.db_compose), the journal lines and
    links naming the outbox rows by these ids."""
    db_compose.reserve(
        session,
        {
            ContactOrder.__table__: order_rows.pending_count(session),  # type: ignore[attr-defined]
            OutboundMessage.__table__: outbox_pending.count(session),  # type: ignore[attr-defined]
            OrderAttribution.__table__: attribution_memo.new_count(session),  # type: ignore[attr-defined]
        },
    )
