"""Contacts: one per store and phone number, kept up to date from Saleor and WhatsApp.

Who a payload is about is decided here once: the phone (billing, then shipping) when valid,
else the Saleor user id, else the email. A number that was erased is never given a contact
again (its personal data is not recreated). Who a payload names is read in identity.py; the
order figures move in figures.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, or_, select

from plugin import clock
from plugin.contacts import batch as contacts_batch
from plugin.contacts.figures import count_order
from plugin.contacts.identity import (
    Identity,
    identity_of_checkout,
    identity_of_customer,
    identity_of_order,
)
from plugin.contacts.models import Contact, PhoneStatus
from plugin.contacts.phones import (
    PhoneE164,
    PhoneResult,
    locale_from_language_code,
    normalize_phone,
    region_of,
    timezone_for,
)
from plugin.contacts.prefetch import (
    by_phone_memo,
    insert_statement,
    pick_phone,
    region,
    remember,
    values,
)

# the batch's reads and inserts up front, named here for saleor_batch
from plugin.contacts.prefetch import contacts_for_phones as contacts_for_phones
from plugin.contacts.prefetch import prefetch as prefetch
from plugin.contacts.suppression import is_suppressed
from plugin.db import write_deferred
from plugin.saleor.models import Store
from plugin.saleor.payloads import Checkout, Customer, Order
from plugin.stores.service import get_settings

log = structlog.get_logger(__name__)


def _insert_contact(session: Session, contact: Contact) -> Contact:
    """Insert, or return the row a concurrent writer created for the same number: one
    INSERT … ON CONFLICT DO NOTHING RETURNING (no savepoint around a flush)."""
    inserted: Contact | None = session.scalars(insert_statement(session), [values(contact)]).first()
    if inserted is not None:
        remember(session, inserted)
        contacts_batch.note_created(session, inserted.id)
        return inserted
    write_deferred(session)
    existing = session.exec(
        select(Contact).where(
            Contact.store_id == contact.store_id, Contact.phone_e164 == contact.phone_e164
        )
    ).first()
    if existing is None:
        raise RuntimeError("contact insert conflicted, yet no contact has the number")
    remember(session, existing)
    return existing


def _by_phone(session: Session, store_id: int, phone: str) -> Contact | None:
    memo = by_phone_memo(session)
    if memo is not None and (store_id, phone) in memo:
        return memo[(store_id, phone)]
    return session.exec(
        select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone)
    ).first()


def _by_identity(session: Session, store_id: int, identity: Identity) -> Contact | None:
    """A known person without a usable number: by Saleor user id, then by email (in a batch
    that loaded the matches up front, from its memo)."""
    for name, value in (("saleor_user_id", identity.saleor_user_id), ("email", identity.email)):
        if value:
            answered, match = contacts_batch.newest_match(session, store_id, name, value)
            if answered:
                if match is not None:
                    return match
                continue
            write_deferred(session)  # the batch's pending contact changes decide the match
            found = session.exec(
                select(Contact)
                .where(Contact.store_id == store_id, getattr(Contact, name) == value)
                .order_by(col(Contact.updated_at).desc(), col(Contact.id).desc())
            ).first()
            if found is not None:
                return found
    return None


def contact_for_phone(
    session: Session, *, store_id: int, phone_e164: PhoneE164 | str, create: bool = True
) -> Contact | None:
    """The contact for a number (created when asked); None for an erased (suppressed) number.

    The WhatsApp webhook and every send path use this, so an erased person's data is never
    recreated by a later message.
    """
    if is_suppressed(session, store_id=store_id, phone_e164=phone_e164):
        return None
    contact = _by_phone(session, store_id, phone_e164)
    if contact is not None or not create:
        return contact
    result = normalize_phone(phone_e164, region=None)
    if not result.valid:
        raise ValueError("contact_for_phone needs an E.164 number")
    country = region_of(PhoneE164(phone_e164))
    return _insert_contact(
        session,
        Contact(
            store_id=store_id,
            phone_e164=result.e164,
            phone_raw=phone_e164,
            phone_status=PhoneStatus.VALID,
            country=country,
            timezone=timezone_for(phone=result.e164, country=country),
        ),
    )


def upsert_contact(*, session: Session, store: Store, identity: Identity) -> Contact | None:
    """Create or update the contact a Saleor object is about; None when nothing identifies
    anyone, or when the number was erased."""
    assert store.id is not None
    result, raw = pick_phone(identity, region(session, store.id))
    if result.e164 is not None and is_suppressed(
        session, store_id=store.id, phone_e164=result.e164
    ):
        return None
    contact: Contact | None = None
    if result.e164 is not None:
        contact = _by_phone(session, store.id, result.e164)
        if contact is None:
            known = _by_identity(session, store.id, identity)
            if known is not None and known.phone_e164 is None:
                contact = known  # the person we knew by email now has a number
    else:
        contact = _by_identity(session, store.id, identity)
    if contact is None:
        if result.e164 is None and not (raw or identity.email or identity.saleor_user_id):
            return None
        contact = Contact(store_id=store.id)
    _apply(contact, identity, result, raw)
    if contact.id is None:
        if contact.phone_e164 is not None:
            return _insert_contact(session, contact)
        session.add(contact)
        session.flush()
        contacts_batch.note_created(session, contact.id)
        contacts_batch.remember(session, contact)
        return contact
    remember(session, contact)  # the person known by email may just have got a number
    _attach(session, contact)
    return contact


def _attach(session: Session, contact: Contact) -> None:
    """`session.add` for a contact the session may not hold (a batch's contacts, loaded by its
    prefetch, are held already: adding them again only walked the unit of work's cascades)."""
    if contact not in session:
        session.add(contact)


def _apply(contact: Contact, identity: Identity, result: PhoneResult, raw: str | None) -> None:
    """Newest non-empty values win; an invalid number never replaces a valid one. Only values
    that differ are set: setting a column marks it changed, and a batch's deferred UPDATE
    writes every column any of its contacts marked."""
    changes: dict[str, Any] = {}
    if result.e164 is not None:
        changes.update(
            phone_e164=result.e164,
            phone_raw=(raw or result.e164)[:64],
            phone_status=PhoneStatus.VALID,
            phone_invalid_reason=None,
        )
    elif contact.phone_e164 is None and raw:
        changes.update(
            phone_raw=raw[:64], phone_status=result.status, phone_invalid_reason=result.reason
        )
    for field, value in (
        ("email", identity.email),
        ("first_name", identity.first_name),
        ("last_name", identity.last_name),
        ("saleor_user_id", identity.saleor_user_id),
        ("locale", locale_from_language_code(identity.language_code)),
    ):
        if value:
            changes[field] = value[:254] if field == "email" else value[:100]
    phone = changes.get("phone_e164", contact.phone_e164)
    country = identity.country or (region_of(PhoneE164(phone)) if phone else None)
    if country:
        changes["country"] = country.upper()[:2]
    zone = timezone_for(
        phone=PhoneE164(phone) if phone else None,
        country=changes.get("country", contact.country),
    )
    if zone:
        changes["timezone"] = zone
    for field, value in changes.items():
        if getattr(contact, field) != value:
            setattr(contact, field, value)
    contact.updated_at = clock.now()


def upsert_from_customer(*, session: Session, store: Store, customer: Customer) -> Contact | None:
    return upsert_contact(session=session, store=store, identity=identity_of_customer(customer))


def upsert_from_checkout(*, session: Session, store: Store, checkout: Checkout) -> Contact | None:
    contact = upsert_contact(session=session, store=store, identity=identity_of_checkout(checkout))
    seen = checkout.last_change or checkout.updated_at or checkout.created
    if contact is not None and seen is not None:
        if contact.last_checkout_at is None or seen > contact.last_checkout_at:
            contact.last_checkout_at = seen
            _attach(session, contact)
    return contact


def upsert_from_order(*, session: Session, store: Store, order: Order) -> Contact | None:
    contact = upsert_contact(session=session, store=store, identity=identity_of_order(order))
    if contact is not None:
        count_order(session=session, contact=contact, order=order)
    return contact


def note_inbound(*, session: Session, contact: Contact, at: datetime) -> None:
    """The customer wrote to us (opens the service window; feeds the profile)."""
    if contact.last_inbound_at is None or at > contact.last_inbound_at:
        contact.last_inbound_at = at
        _attach(session, contact)


SERVICE_WINDOW = timedelta(hours=24)


def service_window_open_until(contact: Contact) -> datetime | None:
    """Until when free text may be sent: 24 hours after the customer's last message."""
    if contact.last_inbound_at is None:
        return None
    return contact.last_inbound_at + SERVICE_WINDOW


def service_window_open(contact: Contact, *, at: datetime | None = None) -> bool:
    until = service_window_open_until(contact)
    return until is not None and (at or clock.now()) < until


def contacts_query(session: Session, *, store_id: int, search: str | None = None) -> Any:
    """The admin's contact list as a select (no order, no limit: callers page it by keyset);
    `search` matches number, email or name; erased contacts are left out."""
    query = select(Contact).where(Contact.store_id == store_id, Contact.erased_at == None)  # noqa: E711
    if search and search.strip():
        term = search.strip()
        phone = normalize_phone(term, region=get_settings(session, store_id).default_region)
        like = f"%{term.lower()}%"
        conditions: list[sa.ColumnElement[bool]] = [
            sa.func.lower(Contact.email).like(like),
            sa.func.lower(Contact.first_name).like(like),
            sa.func.lower(Contact.last_name).like(like),
            col(Contact.phone_e164).like(f"%{term}%"),
        ]
        if phone.e164 is not None:
            conditions.append(col(Contact.phone_e164) == phone.e164)
        query = query.where(or_(*conditions))
    return query


def list_contacts(
    session: Session,
    *,
    store_id: int,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Contact]:
    """The admin's contact list, newest first; `search` matches number, email or name."""
    query = contacts_query(session, store_id=store_id, search=search)
    query = query.order_by(col(Contact.id).desc()).offset(offset).limit(min(limit, 500))
    return list(session.exec(query).all())
