"""Finding the contact behind a WhatsApp user (wa_id and/or business-scoped user id)."""

from __future__ import annotations

import structlog
from sqlmodel import Session, select

from plugin import clock
from plugin.contacts.models import Contact, PhoneStatus

log = structlog.get_logger(__name__)


def phone_from_wa_id(wa_id: str) -> str | None:
    """Meta's wa_id is the number in international digits: E.164 is "+" and those digits."""
    digits = wa_id.strip()
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        return None
    return "+" + digits


def find_contact(
    session: Session, *, store_id: int, wa_id: str = "", user_id: str | None = None
) -> Contact | None:
    """The store's contact for this WhatsApp user: by number, then wa_id, then user id."""
    phone = phone_from_wa_id(wa_id) if wa_id else None
    if phone is not None:
        found = session.exec(
            select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone)
        ).first()
        if found is None:
            found = session.exec(
                select(Contact).where(Contact.store_id == store_id, Contact.wa_id == wa_id)
            ).first()
        if found is not None:
            return found
    if user_id:
        return session.exec(
            select(Contact)
            .where(Contact.store_id == store_id, Contact.bsuid == user_id)
            .order_by(Contact.id)  # type: ignore[arg-type]
        ).first()
    return None


def contact_for_whatsapp_user(
    session: Session,
    *,
    store_id: int,
    wa_id: str = "",
    user_id: str | None = None,
    name: str | None = None,
) -> Contact | None:
    """Find or create the contact a WhatsApp user is; fills in wa_id and user id we learn.

    A username user may come without wa_id: then the business-scoped user id alone names
    them (a contact with no phone number). None when the payload names nobody.
    """
    phone = phone_from_wa_id(wa_id) if wa_id else None
    if phone is None and not user_id:
        return None
    contact = find_contact(session, store_id=store_id, wa_id=wa_id, user_id=user_id)
    now = clock.now()
    if contact is None:
        first_name = (name or "").strip()[:100] or None
        contact = Contact(
            store_id=store_id,
            phone_e164=phone,
            phone_raw=wa_id or None,
            phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
            wa_id=wa_id or None,
            bsuid=user_id,
            first_name=first_name,
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
        return contact
    changed = False
    if wa_id and contact.wa_id != wa_id:
        contact.wa_id = wa_id
        changed = True
    if phone and contact.phone_e164 is None:
        contact.phone_e164, contact.phone_status, changed = phone, PhoneStatus.VALID, True
    if user_id and contact.bsuid != user_id:
        contact.bsuid = user_id
        changed = True
    if changed:
        contact.updated_at = now
        session.add(contact)
    return contact


def _phone_taken(session: Session, *, store_id: int, phone: str, by: Contact) -> bool:
    other = session.exec(
        select(Contact.id).where(Contact.store_id == store_id, Contact.phone_e164 == phone)
    ).first()
    return other is not None and other != by.id


def rekey_contact(
    session: Session,
    *,
    store_id: int,
    old_wa_id: str = "",
    old_user_id: str | None = None,
    new_wa_id: str | None = None,
    new_user_id: str | None = None,
) -> Contact | None:
    """A system message said the user's number or business-scoped user id changed (Meta's
    "System messages webhook reference": `user_changed_number`, `user_changed_user_id`).

    The same contact row takes the new identifier, so everything keyed by the contact (its
    consent in the ledger, its history) carries over. Nothing here opens the service window:
    the user did not write. When the new number already belongs to another contact of the
    store, the number is left where it is (the two people are not merged automatically).
    """
    contact = find_contact(session, store_id=store_id, wa_id=old_wa_id, user_id=old_user_id)
    if contact is None:
        return None
    now = clock.now()
    new_phone = phone_from_wa_id(new_wa_id) if new_wa_id else None
    if new_phone and new_phone != contact.phone_e164:
        if _phone_taken(session, store_id=store_id, phone=new_phone, by=contact):
            log.warning("changed_number_belongs_to_another_contact", contact_id=contact.id)
        else:
            contact.phone_e164, contact.phone_raw = new_phone, new_wa_id
            contact.wa_id, contact.phone_status = new_wa_id, PhoneStatus.VALID
            contact.undeliverable_at = None
    if new_user_id and new_user_id != contact.bsuid:
        contact.bsuid = new_user_id
    contact.updated_at = now
    session.add(contact)
    return contact


def learn_shared_phone(session: Session, *, contact: Contact, wa_id: str) -> bool:
    """The user shared their own number (a request-contact-info answer): a username-only
    contact becomes addressable by phone. False when the number is unusable or taken."""
    phone = phone_from_wa_id(wa_id)
    if phone is None or contact.phone_e164 == phone:
        return False
    if _phone_taken(session, store_id=contact.store_id, phone=phone, by=contact):
        log.warning("shared_number_belongs_to_another_contact", contact_id=contact.id)
        return False
    contact.phone_e164, contact.phone_raw, contact.wa_id = phone, wa_id, wa_id
    contact.phone_status, contact.updated_at = PhoneStatus.VALID, clock.now()
    session.add(contact)
    return True


def remember_user_ids(session: Session, *, store_id: int, pairs: dict[str, str]) -> int:
    """Statuses carry `recipient_user_id` next to `recipient_id` (the wa_id): keep the BSUID
    on the contacts of those numbers, so they stay reachable if they later hide their number.
    One query for the whole batch; returns how many contacts learnt it."""
    phones = {p: user_id for wa_id, user_id in pairs.items() if (p := phone_from_wa_id(wa_id))}
    if not phones:
        return 0
    changed = 0
    for contact in session.exec(
        select(Contact).where(
            Contact.store_id == store_id,
            Contact.phone_e164.in_(sorted(phones)),  # type: ignore[union-attr]
        )
    ).all():
        user_id = phones.get(contact.phone_e164 or "")
        if user_id and contact.bsuid != user_id:
            contact.bsuid, contact.updated_at = user_id, clock.now()
            session.add(contact)
            changed += 1
    return changed
