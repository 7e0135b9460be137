"""One entry per Saleor event: contact first, then consent, then the flows; returns the contact.

Small coordinators: contact and consent must be up to date before a flow decides anything.
HANDLERS maps each webhook of the registry (plugin.saleor.webhooks) to its coordinator by
reference, so the flows know which event it was and "find usages" follows the call.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from plugin.analytics import attribution
from plugin.consent import answers as consent_answers
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentEvent, ConsentSource
from plugin.contacts import service as contacts_service
from plugin.contacts import sync as contacts_sync
from plugin.contacts.models import Contact, ContactSync, SyncPhase
from plugin.db import batch_scope
from plugin.events import consent as consent_journey
from plugin.events import saleor_batch
from plugin.flows import service as flows_service
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor import service as saleor_service
from plugin.saleor.gateway import SaleorGateway
from plugin.saleor.models import Store
from plugin.saleor.payloads import (
    CONSENT_KEY,
    Checkout,
    CheckoutEvent,
    Customer,
    CustomerEvent,
    FulfillmentEvent,
    Order,
    OrderEvent,
    parse_event,
)
from plugin.saleor.webhooks import BY_EVENT
from plugin.segments import orders as segment_orders
from plugin.segments import tags


def capture_consent(*, session: Session, contact: Contact, **capture: Any) -> list[ConsentEvent]:
    """Record the storefront's consent value, then send what it calls for (the opt-in
    request of double opt-in, or the confirmation of an account's "no")."""
    events = consent_answers.capture_web_consent(session=session, contact=contact, **capture)
    consent_journey.settle(session, contact=contact, events=events)
    return events


def capture_customer(*, session: Session, store: Store, customer: Customer) -> Contact | None:
    contact = contacts_service.upsert_from_customer(session=session, store=store, customer=customer)
    consent = customer.meta_json(CONSENT_KEY)
    if contact is not None and consent:
        capture_consent(
            session=session,
            contact=contact,
            consent=consent,
            source=ConsentSource.CUSTOMER,
            capture_key=f"customer:{customer.id}:{consent_service.consent_hash(consent)}",
            evidence={"saleor_user_id": customer.id},
        )
    return contact


def capture_checkout(*, session: Session, store: Store, checkout: Checkout) -> Contact | None:
    contact = contacts_service.upsert_from_checkout(session=session, store=store, checkout=checkout)
    if contact is not None:
        capture_consent(
            session=session,
            contact=contact,
            consent=checkout.meta_json(CONSENT_KEY),
            source=ConsentSource.CHECKOUT,
            capture_key=f"checkout:{checkout.id}",
            evidence={"checkout_id": checkout.id},
        )
    return contact


def capture_order(*, session: Session, store: Store, order: Order) -> Contact | None:
    contact = contacts_service.upsert_from_order(session=session, store=store, order=order)
    if contact is not None:
        # Saleor copies checkout metadata to the order: the same consent, recorded once.
        carrier = f"checkout:{order.checkout_id}" if order.checkout_id else f"order:{order.id}"
        capture_consent(
            session=session,
            contact=contact,
            consent=order.meta_json(CONSENT_KEY),
            source=ConsentSource.ORDER,
            capture_key=carrier,
            evidence={"order_id": order.id, "checkout_id": order.checkout_id},
        )
    return contact


def on_customer_event(*, session: Session, store: Store, event: CustomerEvent) -> Contact | None:
    """CUSTOMER_CREATED / CUSTOMER_UPDATED (the customer's `ulak.tags` metadata become tags)."""
    contact = capture_customer(session=session, store=store, customer=event.user)
    if contact is not None and contact.id is not None and store.id is not None:
        tags.tags_from_customer(
            session, store_id=store.id, contact_id=contact.id, customer=event.user
        )
    return contact


def on_checkout_event(
    *, session: Session, store: Store, event: CheckoutEvent, trigger: str = "CHECKOUT_UPDATED"
) -> Contact | None:
    """CHECKOUT_CREATED / CHECKOUT_UPDATED / CHECKOUT_FULLY_PAID (null checkout: gone)."""
    if event.checkout is None:
        return None
    contact = capture_checkout(session=session, store=store, checkout=event.checkout)
    flows_service.on_checkout_event(
        session, store=store, contact=contact, event=event, trigger=trigger
    )
    return contact


def on_order_event(
    *, session: Session, store: Store, event: OrderEvent | FulfillmentEvent, trigger: str
) -> Contact | None:
    """Every ORDER_* event: the order counts once in the profile, whichever comes first;
    segments remember its lines; measurement credits it to a message (and takes refunds and
    cancellations off what it credited); then the flows decide what to send."""
    order = event.order
    contact = capture_order(session=session, store=store, order=order)
    contact_id = contact.id if contact is not None else None
    if contact_id is not None and store.id is not None:
        segment_orders.record_order(session, store_id=store.id, contact_id=contact_id, order=order)
    attribution.attribute_order(session, store=store, order=order, contact_id=contact_id)
    if (order.status or "").upper() in ("CANCELED", "CANCELLED"):
        attribution.apply_refund_or_cancel(session, store=store, order=order, event="cancelled")
    elif order.total_refunded is not None and order.total_refunded.amount > 0:
        attribution.apply_refund_or_cancel(session, store=store, order=order, event="refunded")
    flows_service.on_order_event(
        session, store=store, contact=contact, event=event, trigger=trigger
    )
    return contact


def _order(trigger: str) -> Callable[..., Contact | None]:
    def coordinator(
        *, session: Session, store: Store, event: OrderEvent | FulfillmentEvent
    ) -> Contact | None:
        return on_order_event(session=session, store=store, event=event, trigger=trigger)

    coordinator.__doc__ = f"{trigger}: contact, consent, then the flows."
    return coordinator


def _checkout(trigger: str) -> Callable[..., Contact | None]:
    def coordinator(*, session: Session, store: Store, event: CheckoutEvent) -> Contact | None:
        return on_checkout_event(session=session, store=store, event=event, trigger=trigger)

    coordinator.__doc__ = f"{trigger}: contact, consent, then cart recovery."
    return coordinator


on_order_created = _order("ORDER_CREATED")
on_order_confirmed = _order("ORDER_CONFIRMED")
on_order_fully_paid = _order("ORDER_FULLY_PAID")
on_order_fulfilled = _order("ORDER_FULFILLED")
on_order_cancelled = _order("ORDER_CANCELLED")
on_order_refunded = _order("ORDER_REFUNDED")
on_fulfillment_created = _order("FULFILLMENT_CREATED")
on_checkout_created = _checkout("CHECKOUT_CREATED")
on_checkout_updated = _checkout("CHECKOUT_UPDATED")
on_checkout_fully_paid = _checkout("CHECKOUT_FULLY_PAID")


# Saleor event -> the coordinator acting on it; a registry event missing here stays unhandled.
HANDLERS: dict[str, Callable[..., Any]] = {
    "ORDER_CREATED": on_order_created,
    "ORDER_CONFIRMED": on_order_confirmed,
    "ORDER_FULLY_PAID": on_order_fully_paid,
    "ORDER_FULFILLED": on_order_fulfilled,
    "ORDER_CANCELLED": on_order_cancelled,
    "ORDER_REFUNDED": on_order_refunded,
    "FULFILLMENT_CREATED": on_fulfillment_created,
    "CHECKOUT_CREATED": on_checkout_created,
    "CHECKOUT_UPDATED": on_checkout_updated,
    "CHECKOUT_FULLY_PAID": on_checkout_fully_paid,
    "CUSTOMER_CREATED": on_customer_event,
    "CUSTOMER_UPDATED": on_customer_event,
    "APP_DELETED": saleor_service.handle_app_deleted,
}


# The events a run of consecutive ones is acted on together for (saleor_batch.event_run): all
# but APP_DELETED (it disables the store; what follows it is ignored).
RUN = frozenset(
    n for n in HANDLERS if n.split("_")[0] in ("CHECKOUT", "ORDER", "FULFILLMENT", "CUSTOMER")
)


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A recorded body read against its webhook's contract (error: it does not fit)."""

    name: str
    handler: Callable[..., Any]
    event: Any | None
    error: str | None = None


def _parse(inbox: InboxEvent) -> _Parsed | None:
    """The delivery's coordinator and parsed event; None when no coordinator handles it."""
    definition = BY_EVENT.get(inbox.event.upper())
    handler = HANDLERS.get(definition.event) if definition is not None else None
    if definition is None or handler is None:
        return None
    try:
        event = parse_event(definition.payload, inbox.payload or "null")
    except (ValueError, ValidationError) as exc:
        return _Parsed(definition.event, handler, None, str(exc)[:2000])
    return _Parsed(definition.event, handler, event)


def _act(session: Session, store: Store, inbox: InboxEvent, parsed: _Parsed | None) -> InboxStatus:
    if parsed is None:
        return InboxStatus.UNHANDLED
    if not store.is_active and parsed.name != "APP_DELETED":
        return InboxStatus.IGNORED
    if parsed.event is None:
        inbox.error = parsed.error
        return InboxStatus.INVALID
    parsed.handler(session=session, store=store, event=parsed.event)
    return InboxStatus.PROCESSED


def dispatch(*, session: Session, store: Store, inbox: InboxEvent) -> InboxStatus:
    """The inbox processor for Saleor: parse the recorded body, call its event's coordinator."""
    return _act(session, store, inbox, _parse(inbox))


def dispatch_batch(
    *, session: Session, store: Store, inboxes: list[InboxEvent]
) -> dict[int, InboxStatus]:
    """The batch processor for Saleor: one store's events of a group commit, in order.

    What the batch's events read is loaded first in set-based statements (saleor_batch.prepare:
    the contacts, their consent, the checkouts they move, the store's flow settings), then
    each event is acted on exactly as `dispatch` acts on it alone, in recorded order, finding
    its reads in that memo. Events after an APP_DELETED are not prepared (the store may be
    disabled by then, and they are ignored as they would be alone)."""
    parsed = [(inbox, _parse(inbox)) for inbox in inboxes]
    ahead: list[Any] = []
    for _, p in parsed:
        if p is not None and p.name == "APP_DELETED":
            break
        if p is not None and p.event is not None:
            ahead.append(p.event)
    statuses: dict[int, InboxStatus] = {}
    with batch_scope(session), ExitStack() as run:
        if store.is_active:
            saleor_batch.prepare(session, store=store, events=ahead)
        in_run = False
        for inbox, p in parsed:
            assert inbox.id is not None
            if (p is not None and p.name in RUN) != in_run:
                in_run = not in_run
                if in_run:
                    run.enter_context(saleor_batch.event_run(session))
                else:
                    run.close()
            statuses[inbox.id] = _act(session, store, inbox, p)
    return statuses


def apply_synced(session: Session, store: Store, phase: SyncPhase, node: dict[str, Any]) -> None:
    """One customer or order of the initial sync: captured as its webhook would be."""
    if phase == SyncPhase.CUSTOMERS:
        capture_customer(session=session, store=store, customer=Customer.model_validate(node))
        return
    order = Order.model_validate(node)
    contact = capture_order(session=session, store=store, order=order)
    if contact is not None and contact.id is not None and store.id is not None:
        segment_orders.record_order(session, store_id=store.id, contact_id=contact.id, order=order)


def sync_next_page(
    *, session: Session, store_id: int, gateway: SaleorGateway | None = None
) -> ContactSync | None:
    """One page of a store's initial sync (contacts/sync.py keeps the checkpoint)."""
    return contacts_sync.sync_next_page(
        session=session, store_id=store_id, gateway=gateway, apply=apply_synced
    )
