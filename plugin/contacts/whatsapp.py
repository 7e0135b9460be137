"""Finding the contact behind a WhatsApp user (wa_id and/or business-scoped user id)."""

from __future__ import annotations

from sqlmodel import Session, select

from plugin import clock
from plugin.contacts.models import Contact, PhoneStatus


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
