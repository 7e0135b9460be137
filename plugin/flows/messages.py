"""From a flow's decision to an outbox row: template, language, variables, tracked link.

Every flow writes its steps through `write_step`, so each one is checked the same way (a
contact with a valid number, an approved template, every variable present) and every refusal
lands in the journal with its reason instead of vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from sqlmodel import Session

from plugin.contacts.models import Contact, PhoneStatus
from plugin.contacts.phones import locale_from_language_code
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.errors import ConfigurationError
from plugin.flows import journal, links, outbox
from plugin.flows.config import template_name
from plugin.flows.models import FlowConfig, JournalAction
from plugin.saleor.models import Store
from plugin.saleor.payloads import Address, Checkout, Order
from plugin.stores.models import StoreSettings
from plugin.stores.pickup import pickup_point
from plugin.templates import builder
from plugin.templates.render import MissingValue
from plugin.templates.service import approved_template
from plugin.templates.variables import MissingVariables, language_base, reference_key

# Which context URL a tracked-link variable wraps, and the analytics link kind.
LINK_VARIABLES = {
    "checkout_link": ("checkout_url", "recovery"),
    "tracking_link": ("tracking_url", "order"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One message a flow wants sent (the journal and the outbox row share these fields)."""

    flow_key: str
    template_key: str  # starter key: "order_paid", "cart_recovery_1"...
    idempotency_key: str
    kind: MessageKind
    purpose: MessagePurpose
    step: int = 1
    sequence: int | None = None
    due_at: datetime | None = None
    checkout_id: str | None = None
    order_id: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


def first_name(*addresses: Address | None, fallback: str | None = None) -> str | None:
    for address in addresses:
        if address is not None and address.first_name:
            return address.first_name
    return fallback


def customer_language(
    contact: Contact, payload_language: str | None, settings: StoreSettings
) -> str:
    """The contact's locale, else the payload's, else the store's default."""
    return contact.locale or locale_from_language_code(payload_language) or settings.default_locale


def address_location(address: Address | None) -> dict[str, Any] | None:
    """A LOCATION header from a shipping address: its coordinates come from the address's
    `latitude` / `longitude` metadata (a storefront's map picker), as Saleor has no others."""
    if address is None:
        return None
    latitude, longitude = address.meta("latitude"), address.meta("longitude")
    if not latitude or not longitude:
        return None
    name = " ".join(p for p in (address.first_name, address.last_name) if p)
    line = ", ".join(p for p in (address.street_address_1, address.postal_code, address.city) if p)
    return {
        "latitude": latitude,
        "longitude": longitude,
        "name": name or line,
        "address": line or name,
    }


def order_context(*, store: Store, order: Order, contact: Contact) -> dict[str, Any]:
    """The template variables of an order (plugin.templates.variables documents the keys)."""
    gross = order.total.gross if order.total else None
    return {
        "shipping_location": address_location(order.shipping_address),
        "first_name": first_name(
            order.billing_address,
            order.shipping_address,
            fallback=(order.user.first_name if order.user else None) or contact.first_name,
        ),
        "order_number": order.number,
        "store_name": store.name or None,
        "total": {"amount": gross.amount, "currency": gross.currency} if gross else None,
        "lines": [
            {"name": line.product_name or "", "quantity": line.quantity} for line in order.lines
        ],
    }


def checkout_context(*, store: Store, checkout: Checkout, contact: Contact) -> dict[str, Any]:
    gross = checkout.total_price.gross if checkout.total_price else None
    return {
        "first_name": first_name(
            checkout.billing_address, checkout.shipping_address, fallback=contact.first_name
        ),
        "store_name": store.name or None,
        "total": {"amount": gross.amount, "currency": gross.currency} if gross else None,
        "lines": [
            {
                "name": (
                    line.variant.product.name if line.variant and line.variant.product else None
                )
                or (line.variant.name if line.variant else "")
                or "",
                "quantity": line.quantity,
            }
            for line in checkout.lines
        ],
    }


def _mapped_keys(mapping: dict[str, Any]) -> set[str]:
    refs = [*(mapping.get("header") or []), *(mapping.get("body") or [])]
    buttons = mapping.get("buttons") or {}
    refs.extend(buttons.values() if isinstance(buttons, dict) else [])
    return {k for r in refs if (k := reference_key(r)) is not None}


class _Refusal(TypedDict):
    """`skip`'s arguments that every refusal of one step shares."""

    store_id: int
    contact_id: int | None
    step: Step


def skip(
    session: Session, *, store_id: int, contact_id: int | None, step: Step, reason: str
) -> None:
    journal.record(
        session,
        store_id=store_id,
        flow_key=step.flow_key,
        action=JournalAction.SKIPPED,
        checkout_id=step.checkout_id,
        order_id=step.order_id,
        contact_id=contact_id,
        sequence=step.sequence,
        step=step.step,
        reason=reason,
        once=True,
    )


def write_step(
    session: Session,
    *,
    store: Store,
    settings: StoreSettings,
    config: FlowConfig,
    contact: Contact,
    step: Step,
    payload_language: str | None = None,
) -> OutboundMessage | None:
    """The step's outbox row, written once; None when it already exists or cannot be written
    (then the journal says why: no_phone, template_not_approved, missing_variables,
    link_refused)."""
    assert store.id is not None and contact.id is not None
    if outbox.exists(
        session,
        store_id=store.id,
        idempotency_key=step.idempotency_key,
        checkout_id=step.checkout_id,
        order_id=step.order_id,
    ):
        return None
    refusal: _Refusal = {"store_id": store.id, "contact_id": contact.id, "step": step}
    if contact.phone_status != PhoneStatus.VALID or not contact.phone_e164:
        skip(session, **refusal, reason="no_phone")
        return None
    language = customer_language(contact, payload_language, settings)
    template = approved_template(
        session,
        store_id=store.id,
        name=template_name(config, step.template_key),
        language=language,
    )
    if template is None:
        skip(session, **refusal, reason="template_not_approved")
        return None
    override = (config.variable_mappings or {}).get(step.template_key)
    mapping = builder.mapping_for(template, override)
    same_language = language_base(language) == language_base(template.language)
    context = {
        "pickup_point": pickup_point(settings),
        **step.context,
        "locale": language if same_language else template.language,
        "timezone": contact.timezone or settings.timezone,
    }
    codes: list[str] = []
    try:
        for variable in _mapped_keys(mapping) & LINK_VARIABLES.keys():
            url_key, kind = LINK_VARIABLES[variable]
            if context.get(url_key):
                context[variable] = links.tracked_code(
                    session,
                    store_id=store.id,
                    url=context[url_key],
                    contact_id=contact.id,
                    kind=kind,
                )
                codes.append(context[variable])
    except ConfigurationError:
        skip(session, **refusal, reason="link_refused")
        return None
    try:
        components = builder.build_mapped(template, context, mapping)
    except (MissingVariables, MissingValue):
        skip(session, **refusal, reason="missing_variables")
        return None
    row = outbox.enqueue(
        session,
        store_id=store.id,
        contact_id=contact.id,
        purpose=step.purpose,
        kind=step.kind,
        idempotency_key=step.idempotency_key,
        template_name=template.name,
        template_language=template.language,
        parameters={"components": components},
        due_at=step.due_at,
        source_type="flow",
        source_id=step.flow_key,
        flow_key=step.flow_key,
        flow_step=step.step,
        checkout_id=step.checkout_id,
        order_id=step.order_id,
    )
    if row is not None:
        links.attach(session, codes=codes, message=row)  # each click counts for it
        journal.record(
            session,
            store_id=store.id,
            flow_key=step.flow_key,
            action=JournalAction.SCHEDULED,
            checkout_id=step.checkout_id,
            order_id=step.order_id,
            contact_id=contact.id,
            sequence=step.sequence,
            step=step.step,
            message=row,
        )
    return row
