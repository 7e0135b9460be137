"""Small factories for service-level tests (rows written through the real models).

Every phone number, name, e-mail and token they generate is remembered (`GENERATED`): at the
end of the run tests/conftest.py scans every log record for them (issue 17, point 3).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlmodel import Session

from plugin.contacts.models import Contact, PhoneStatus
from plugin.saleor.models import Store
from plugin.stores.service import get_settings

# kind -> values; per process (each xdist worker scans its own records)
GENERATED: dict[str, set[str]] = {"phone": set(), "name": set(), "email": set(), "token": set()}
_NAME_FIELDS = ("first_name", "last_name", "name", "full_name")


def remember(kind: str, value: Any) -> None:
    """A personal value the logs must never show in clear."""
    if not isinstance(value, str) or len(value.strip()) < 3:
        return
    GENERATED[kind].add(value.strip())
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 8:
            GENERATED[kind].add(digits)  # as WhatsApp writes it (wa_id)


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
    remember("phone", phone)
    for key, value in fields.items():
        setattr(contact, key, value)
        if key in _NAME_FIELDS:
            remember("name", value)
        elif key == "email":
            remember("email", value)
    session.add(contact)
    session.flush()
    return contact


def queued_campaign_rows(
    session: Session,
    store_id: int,
    total: int,
    *,
    first: int = 1,
    due_at: str = "now()",
    queued_at: str = "now()",
    order_id: str = "NULL",
    checkout_id: str = "NULL",
) -> None:
    """`total` queued outbox rows of one store, shaped as a campaign's and numbered g from
    `first`, in one INSERT (PostgreSQL): tests of the outbox's reads at a campaign's size. The
    SQL expressions of g give the columns that differ."""
    session.connection().exec_driver_sql(
        "INSERT INTO outbound_message (store_id, contact_id, purpose, kind, idempotency_key, "
        "template_name, template_language, parameters, source_type, due_at, status, attempts, "
        "billable, business_initiated, created_at, updated_at, order_id, checkout_id) "
        "SELECT %(store)s, g, 'marketing', 'campaign', 'k' || g, 'spring_sale', 'tr', '{}', "
        f"'campaign', {due_at}, 'queued', 0, false, false, now(), {queued_at}, {order_id}, "
        f"{checkout_id} FROM generate_series(%(first)s::int, %(last)s::int) g",
        {"store": store_id, "first": first, "last": first + total - 1},
    )
