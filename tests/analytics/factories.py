"""Small factories for measurement tests: a store, contacts, outbox rows, orders."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from plugin import clock
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.saleor.models import Store
from plugin.saleor.payloads import Order
from plugin.stores.service import get_settings

_seq = itertools.count(1)


def make_store(session: Session, **settings: Any) -> Store:
    n = next(_seq)
    store = Store(
        saleor_api_url=f"https://shop{n}.example.com/graphql/",
        saleor_app_id="QXBwOjE=",
        app_token_encrypted="x",
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    row = get_settings(session, store.id)
    row.storefront_url = "https://shop.example.com"
    for key, value in settings.items():
        setattr(row, key, value)
    session.flush()
    return store


def make_contact(
    session: Session, store: Store, *, country: str | None = "TR", prefix: str | None = None
) -> Contact:
    """A contact whose number is in `country` (its calling code) unless `prefix` says otherwise."""
    n = next(_seq)
    prefix = prefix or {"DE": "+49151", "NL": "+31612"}.get(country or "", "+90555")
    contact = Contact(
        store_id=store.id,  # type: ignore[arg-type]
        phone_e164=f"{prefix}{n:07d}",
        phone_status=PhoneStatus.VALID,
        country=country,
    )
    session.add(contact)
    session.flush()
    return contact


def make_message(
    session: Session,
    store: Store,
    contact: Contact,
    *,
    created_at: datetime | None = None,
    status: MessageStatus = MessageStatus.DELIVERED,
    kind: MessageKind = MessageKind.CAMPAIGN,
    purpose: MessagePurpose = MessagePurpose.MARKETING,
    **fields: Any,
) -> OutboundMessage:
    """A message in `status`, with the timestamps that status implies at `created_at`."""
    at = created_at or clock.now()
    stamps: dict[str, Any] = {}
    if status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ):
        stamps["sent_at"] = at
    if status in (MessageStatus.DELIVERED, MessageStatus.READ):
        stamps["delivered_at"] = at
    if status is MessageStatus.READ:
        stamps["read_at"] = at
    if status is MessageStatus.FAILED:
        stamps["failed_at"] = at
    message = OutboundMessage(
        store_id=store.id,  # type: ignore[arg-type]
        contact_id=contact.id,  # type: ignore[arg-type]
        purpose=purpose,
        kind=kind,
        idempotency_key=f"k-{next(_seq)}",
        status=status,
        created_at=at,
        due_at=at,
        **{**stamps, **fields},
    )
    session.add(message)
    session.flush()
    return message


def make_order(
    order_id: str,
    *,
    created: datetime,
    total: str = "100.00",
    currency: str = "TRY",
    checkout_id: str | None = None,
    refunded: str | None = None,
) -> Order:
    data: dict[str, Any] = {
        "id": order_id,
        "created": created.isoformat(),
        "checkoutId": checkout_id,
        "total": {"gross": {"amount": str(Decimal(total)), "currency": currency}},
    }
    if refunded is not None:
        data["totalRefunded"] = {"amount": refunded, "currency": currency}
    return Order.model_validate(data)
