"""The flows' entry points: called by the Saleor coordinators (plugin.events.saleor) once the
contact and consent are up to date, by the WhatsApp inbound hook, and by the COD actor."""

from __future__ import annotations

from sqlmodel import Session

from plugin.consent.keywords import matches
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage
from plugin.flows import cod, orders, recovery
from plugin.saleor.models import Store
from plugin.saleor.payloads import CheckoutEvent, FulfillmentEvent, OrderEvent
from plugin.stores.service import get_settings


def on_order_event(
    session: Session,
    *,
    store: Store,
    contact: Contact | None,
    event: OrderEvent | FulfillmentEvent,
    trigger: str,
) -> None:
    """Every ORDER_* and FULFILLMENT_CREATED: recovery stops first, then the order's messages."""
    recovery.order_placed(session, store=store, contact=contact, order=event.order)
    orders.on_order(
        session,
        store=store,
        contact=contact,
        order=event.order,
        trigger=trigger,
        issued_at=event.issued_at,
        fulfillment=event.fulfillment if isinstance(event, FulfillmentEvent) else None,
    )


def on_checkout_event(
    session: Session, *, store: Store, contact: Contact | None, event: CheckoutEvent, trigger: str
) -> None:
    """CHECKOUT_CREATED / UPDATED / FULLY_PAID (a null checkout names nothing: ignored)."""
    if event.checkout is None:
        return
    recovery.on_checkout(
        session,
        store=store,
        contact=contact,
        checkout=event.checkout,
        paid=trigger == "CHECKOUT_FULLY_PAID",
    )


def on_inbound(
    *, session: Session, store: Store, contact: Contact, inbound: InboundMessage
) -> None:
    """WhatsApp inbound listener: a COD button answer is recorded; a conversational reply stops
    cart recovery — not a button answer, not the consent confirmation (EVET / YES...)."""
    if inbound.button_payload:
        cod.record_answer(session, store=store, contact=contact, inbound=inbound)
        return
    if store.id is None or contact.id is None:
        return
    if matches(inbound.text, get_settings(session, store.id).optin_keywords):
        return
    recovery.replied(session, store=store, contact=contact)


def write_back_cod_answer(*, session: Session, confirmation_id: int) -> bool:
    return cod.write_back(session, confirmation_id=confirmation_id)
