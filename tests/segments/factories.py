"""Small factories for segment and campaign tests: rows written directly, committed."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import InboundMessage
from plugin.flows.models import CheckoutState, TrackedCheckout
from plugin.saleor.models import Store
from plugin.stores.models import Plan, StoreSettings
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus

_seq = itertools.count(1)


def make_store(session: Session, *, plan: Plan = Plan.GOLD, **settings: Any) -> Store:
    n = next(_seq)
    store = Store(
        saleor_api_url=f"https://shop{n}.example/graphql/",
        saleor_app_id=f"app-{n}",
        app_token_encrypted="x",
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    session.add(StoreSettings(store_id=store.id, plan=plan, **settings))
    session.commit()
    return store


def make_contact(session: Session, store: Store, **fields: Any) -> Contact:
    n = next(_seq)
    values: dict[str, Any] = {
        "phone_e164": f"+90555{n:07d}",
        "phone_status": PhoneStatus.VALID,
        "created_at": clock.now() - timedelta(days=400),
    }
    values.update(fields)
    contact = Contact(store_id=store.id, **values)
    session.add(contact)
    session.commit()
    return contact


def days_ago(days: float) -> datetime:
    return clock.now() - timedelta(days=days)


def make_checkout(session: Session, contact: Contact, **fields: Any) -> TrackedCheckout:
    values: dict[str, Any] = {
        "checkout_id": f"chk-{next(_seq)}",
        "lines_count": 1,
        "state": CheckoutState.OPEN,
        "last_change": days_ago(0.5),
    }
    values.update(fields)
    checkout = TrackedCheckout(store_id=contact.store_id, contact_id=contact.id, **values)
    session.add(checkout)
    session.commit()
    return checkout


def grant_marketing(
    session: Session,
    contact: Contact,
    *,
    at: datetime,
    action: ConsentAction = ConsentAction.GRANTED,
) -> None:
    session.add(
        ConsentEvent(
            store_id=contact.store_id,
            contact_id=contact.id,
            purpose=Purpose.MARKETING,
            action=action,
            source=ConsentSource.ADMIN,
            occurred_at=at,
        )
    )
    session.commit()


def make_inbound(
    session: Session,
    contact: Contact,
    *,
    at: datetime,
    payload: str | None = None,
    text: str | None = "hi",
) -> InboundMessage:
    message = InboundMessage(
        store_id=contact.store_id,
        contact_id=contact.id,
        wamid=f"wamid.in.{next(_seq)}",
        type="button" if payload else "text",
        text=text,
        button_payload=payload,
        received_at=at,
    )
    session.add(message)
    session.commit()
    return message


def make_template(
    session: Session, store: Store, name: str = "spring_sale", language: str = "tr"
) -> MessageTemplate:
    template = MessageTemplate(
        store_id=store.id,
        name=name,
        language=language,
        category=TemplateCategory.MARKETING,
        status=TemplateStatus.APPROVED,
        components=[{"type": "BODY", "text": "Merhaba {{1}}, bahar indirimi başladı!"}],
    )
    session.add(template)
    session.commit()
    return template


def order_payload(
    order_id: str,
    *,
    total: str = "100.00",
    currency: str = "TRY",
    created: datetime | None = None,
    status: str = "UNFULFILLED",
    lines: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": order_id,
        "created": (created or clock.now()).isoformat(),
        "status": status,
        "total": {"gross": {"amount": Decimal(total), "currency": currency}},
        "lines": lines or [],
    }
