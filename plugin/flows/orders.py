"""Order updates (created or confirmed, paid, fulfilled, cancelled, refunded), reminders, and
the start of a cash-on-delivery confirmation. Transactional purpose.

One idempotency key per update makes every redelivery and every pair of events that mean the
same thing (ORDER_CREATED / ORDER_CONFIRMED; FULFILLMENT_CREATED / ORDER_FULFILLED for the same
fulfillment) one message.

A paid `checkoutComplete` fires both ORDER_CREATED and ORDER_FULLY_PAID: when the payment is
reported within `PAID_WITH_ORDER` of the order's creation (Saleor's own timestamps: the order's
`created` and the event's `issuedAt`) and the order-created update is on, the customer gets one
message ("order received"), and the "paid" step is journaled as skipped (`paid_at_creation`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from plugin import clock
from plugin.contacts.models import Contact
from plugin.delivery.models import MessageKind, MessagePurpose
from plugin.delivery.outbox import idempotency_key as outbox_key
from plugin.flows import carriers, cod, journal, outbox
from plugin.flows.config import SHIPPED_TEMPLATE_KEYS, all_configs, applies, option
from plugin.flows.messages import Step, order_context, skip, write_step
from plugin.flows.models import FlowConfig, FlowKey
from plugin.saleor.models import Store
from plugin.saleor.payloads import Fulfillment, Order
from plugin.stores.models import StoreSettings
from plugin.stores.service import get_settings

PAID_WITH_ORDER = timedelta(minutes=1)
APPOINTMENT_KEY = "ulak.appointment_at"
SHIPPED = "FULFILLED"

CREATED = "ORDER_CREATED"
CONFIRMED = "ORDER_CONFIRMED"
PAID = "ORDER_FULLY_PAID"
FULFILLED = "ORDER_FULFILLED"
FULFILLMENT_CREATED = "FULFILLMENT_CREATED"
CANCELLED = "ORDER_CANCELLED"
REFUNDED = "ORDER_REFUNDED"


def _update(
    key: FlowKey,
    order: Order,
    idempotency_key: str,
    template_key: str | None = None,
    **context: object,
) -> tuple[FlowKey, Step]:
    return key, Step(
        flow_key=key.value,
        template_key=template_key or key.value,
        idempotency_key=idempotency_key,
        kind=MessageKind.ORDER_UPDATE,
        purpose=MessagePurpose.TRANSACTIONAL,
        order_id=order.id,
        context=dict(context),
    )


# The shipped message's starter variants: with a tracking button, with the number only, bare.
SHIPPED_WITH_LINK, SHIPPED_NO_LINK, SHIPPED_NO_NUMBER = SHIPPED_TEMPLATE_KEYS


def _tracking(
    config: FlowConfig, order: Order, fulfillment: Fulfillment | None
) -> tuple[str, dict[str, object]]:
    """(template key, context): the button variant when a tracking page is known, the
    number-only variant when only the number is, the bare one when there is no number."""
    number = (fulfillment.tracking_number or "").strip() if fulfillment else ""
    if not number:
        return SHIPPED_NO_NUMBER, {}
    url = carriers.tracking_url(
        number,
        metadata_carrier=fulfillment.meta(carriers.METADATA_KEY) if fulfillment else None,
        shipping_method=order.shipping_method_name,
        chosen_carrier=option(config, "carrier"),
        url_template=option(config, "tracking_url_template"),
    )
    if url is None:
        return SHIPPED_NO_LINK, {"tracking_number": number}
    return SHIPPED_WITH_LINK, {"tracking_number": number, "tracking_url": url}


def _latest_shipped(order: Order) -> Fulfillment | None:
    shipped = [f for f in order.fulfillments if (f.status or "").upper() == SHIPPED]
    epoch = datetime.min.replace(tzinfo=clock.now().tzinfo)
    return max(shipped, key=lambda f: (f.created or epoch, f.id)) if shipped else None


def _paid_with_order(order: Order, issued_at: datetime | None) -> bool:
    return (
        order.created is not None
        and issued_at is not None
        and abs(issued_at - order.created) <= PAID_WITH_ORDER
    )


def _updates(
    trigger: str,
    order: Order,
    configs: dict[FlowKey, FlowConfig],
    *,
    issued_at: datetime | None,
    fulfillment: Fulfillment | None,
) -> list[tuple[FlowKey, Step]]:
    """The order updates an event asks for (before checking switches and channels)."""
    if trigger == CREATED and (order.status or "").upper() != "UNCONFIRMED":
        return [_update(FlowKey.ORDER_CREATED, order, outbox_key("order-created", order.id))]
    if trigger == CONFIRMED:
        return [_update(FlowKey.ORDER_CREATED, order, outbox_key("order-created", order.id))]
    if trigger == PAID:
        return [_update(FlowKey.ORDER_PAID, order, outbox_key("order-paid", order.id))]
    if trigger in (FULFILLED, FULFILLMENT_CREATED):
        shipped = fulfillment if trigger == FULFILLMENT_CREATED else _latest_shipped(order)
        if trigger == FULFILLMENT_CREATED and (
            shipped is None or (shipped.status or "").upper() != SHIPPED
        ):
            return []
        key = outbox_key("order-fulfilled", shipped.id if shipped else order.id)
        template_key, tracking = _tracking(configs[FlowKey.ORDER_FULFILLED], order, shipped)
        return [_update(FlowKey.ORDER_FULFILLED, order, key, template_key, **tracking)]
    if trigger == CANCELLED:
        return [_update(FlowKey.ORDER_CANCELLED, order, outbox_key("order-cancelled", order.id))]
    if trigger == REFUNDED:
        refunded = order.total_refunded
        total = (
            {"total": {"amount": refunded.amount, "currency": refunded.currency}}
            if refunded is not None and refunded.amount > 0
            else {}
        )
        return [
            _update(
                FlowKey.ORDER_REFUNDED,
                order,
                outbox_key("order-refunded", order.id),
                template_key=None,  # named, so **total can only fill the context
                **total,
            )
        ]
    return []


def on_order(
    session: Session,
    *,
    store: Store,
    contact: Contact | None,
    order: Order,
    trigger: str,
    issued_at: datetime | None = None,
    fulfillment: Fulfillment | None = None,
) -> None:
    """One Saleor order event, after the contact and consent are up to date."""
    assert store.id is not None
    configs = {c.flow_key: c for c in all_configs(session, store_id=store.id)}
    channel = order.channel.slug if order.channel else None
    settings = get_settings(session, store.id)
    if trigger == CANCELLED:
        cancel_for_order(session, store_id=store.id, order=order)
    if contact is None or contact.id is None:
        return  # an order without a usable phone: nothing to send, nothing to say
    base = order_context(store=store, order=order, contact=contact)
    # due when Saleor says it happened (never later than now): stable across redeliveries
    due = min(issued_at, clock.now()) if issued_at else clock.now()
    for key, step in _updates(
        trigger, order, configs, issued_at=issued_at, fulfillment=fulfillment
    ):
        if not applies(configs[key], channel):
            continue
        if (
            key == FlowKey.ORDER_PAID
            and _paid_with_order(order, issued_at)
            and applies(configs[FlowKey.ORDER_CREATED], channel)
        ):
            skip(
                session,
                store_id=store.id,
                contact_id=contact.id,
                step=step,
                reason="paid_at_creation",
            )
            continue
        write_step(
            session,
            store=store,
            settings=settings,
            config=configs[key],
            contact=contact,
            step=replace(step, context={**base, **step.context}, due_at=due),
            payload_language=order.language_code,
        )
    if trigger in (CREATED, CONFIRMED) and (order.status or "").upper() != "UNCONFIRMED":
        if applies(configs[FlowKey.COD_CONFIRMATION], channel):
            cod.start(
                session,
                store=store,
                settings=settings,
                config=configs[FlowKey.COD_CONFIRMATION],
                contact=contact,
                order=order,
                context=base,
                due_at=due,
            )
        if applies(configs[FlowKey.REMINDER], channel):
            _reminder(
                session,
                store=store,
                settings=settings,
                config=configs[FlowKey.REMINDER],
                contact=contact,
                order=order,
                context=base,
            )


def appointment_at(order: Order, timezone: str) -> datetime | None:
    """`ulak.appointment_at` (ISO 8601; without an offset it is the store's local time)."""
    raw = order.meta(APPOINTMENT_KEY)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def _reminder(
    session: Session,
    *,
    store: Store,
    settings: StoreSettings,
    config: FlowConfig,
    contact: Contact,
    order: Order,
    context: dict[str, object],
) -> None:
    assert store.id is not None
    at = appointment_at(order, settings.timezone)
    if at is None:
        return
    step = Step(
        flow_key=FlowKey.REMINDER.value,
        template_key=FlowKey.REMINDER.value,
        idempotency_key=outbox_key("reminder", order.id),
        kind=MessageKind.REMINDER,
        purpose=MessagePurpose.TRANSACTIONAL,
        order_id=order.id,
        due_at=max(at - timedelta(hours=int(option(config, "hours_before"))), clock.now()),
        context={**context, "appointment_at": at},
    )
    if at <= clock.now():
        skip(
            session,
            store_id=store.id,
            contact_id=contact.id,
            step=step,
            reason="appointment_passed",
        )
        return
    write_step(
        session,
        store=store,
        settings=settings,
        config=config,
        contact=contact,
        step=step,
        payload_language=order.language_code,
    )


def cancel_for_order(session: Session, *, store_id: int, order: Order) -> None:
    """A cancelled order takes its reminder and its cash-on-delivery nudges with it."""
    for key in (FlowKey.REMINDER, FlowKey.COD_CONFIRMATION):
        rows = outbox.cancel(
            session,
            store_id=store_id,
            order_id=order.id,
            flow_key=key.value,
            reason="order_cancelled",
        )
        journal.cancelled(session, rows, reason="order_cancelled")
