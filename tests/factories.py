"""Small factories for service-level tests (rows written through the real models)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from plugin.contacts.models import Contact, PhoneStatus
from plugin.saleor.models import Store
from plugin.stores.service import get_settings


def make_store(session: Session, **settings: Any) -> Store:
    store = Store(
        saleor_api_url=f"https://{uuid.uuid4().hex[:8]}.example.com/graphql/",
        saleor_app_id="QXBwOjE=",
        app_token_encrypted="",
    )
    session.add(store)
    session.flush()
    assert store.id is not None
    row = get_settings(session, store.id)
    for key, value in settings.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return store


def make_contact(
    session: Session, store: Store, phone: str = "+905321234567", **fields: Any
) -> Contact:
    assert store.id is not None
    contact = Contact(
        store_id=store.id, phone_e164=phone, phone_raw=phone, phone_status=PhoneStatus.VALID
    )
    for key, value in fields.items():
        setattr(contact, key, value)
    session.add(contact)
    session.flush()
    return contact
