"""Forget, export and retention (KVKK / GDPR).

Erasing deletes a person's data and keeps only a keyed hash of the number on the suppression
list, so the number is refused by every later send path and never gets a contact again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, ContactOrder, PhoneStatus
from plugin.contacts.suppression import is_suppressed, suppress
from plugin.delivery import outbox
from plugin.delivery.models import InboundMessage, OutboundMessage
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.stores.models import StoreSettings

# Evidence keys that say nothing about the person and stay after an erasure.
_KEPT_EVIDENCE = ("request_event_id", "keyword", "value", "reason")


def erase_number(
    session: Session, *, store_id: int, phone_e164: str, reason: str = "erasure_request"
) -> bool:
    """Erase whoever holds this number (if anyone) and suppress the number. True if a
    contact was erased."""
    contact = session.exec(
        select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone_e164)
    ).first()
    if contact is not None:
        erase_contact(session, store_id=store_id, contact_id=contact.id or 0, reason=reason)
    else:
        suppress(session, store_id=store_id, phone_e164=phone_e164, reason=reason)
    return contact is not None


def erase_contact(
    session: Session, *, store_id: int, contact_id: int, reason: str = "erasure_request"
) -> None:
    """Delete a contact's personal data; the ledger keeps its facts without the evidence."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.store_id != store_id:
        raise LookupError("no such contact in this store")
    now = clock.now()
    if contact.phone_e164:
        suppress(session, store_id=store_id, phone_e164=contact.phone_e164, reason="erased")
        _scrub_inbox(session, store_id, [contact.phone_e164, contact.email])
    if contact.bsuid:  # a username user is kept off the same way, by their business-scoped id
        suppress(session, store_id=store_id, phone_e164=contact.bsuid, reason="erased")
    for purpose in Purpose:
        session.add(
            ConsentEvent(
                store_id=store_id,
                contact_id=contact_id,
                purpose=purpose,
                action=ConsentAction.REVOKED,
                source=ConsentSource.SYSTEM,
                evidence={"reason": reason},
                occurred_at=now,
                recorded_at=now,
            )
        )
    for event in session.exec(
        select(ConsentEvent).where(
            ConsentEvent.store_id == store_id, ConsentEvent.contact_id == contact_id
        )
    ).all():
        event.evidence = {k: v for k, v in (event.evidence or {}).items() if k in _KEPT_EVIDENCE}
        session.add(event)
    outbox.forget_bodies(session, store_id=store_id, contact_id=contact_id)
    outbox.suppress_messages(session, store_id=store_id, contact_id=contact_id, reason="erased")
    session.execute(
        sa.update(InboundMessage)
        .where(
            col(InboundMessage.store_id) == store_id, col(InboundMessage.contact_id) == contact_id
        )
        .values(text=None, button_payload=None)
    )
    from plugin.segments.models import ContactPurchase, ContactTag

    for model in (ContactPurchase, ContactTag, ContactOrder):
        session.execute(
            sa.delete(model).where(
                col(model.store_id) == store_id, col(model.contact_id) == contact_id
            )
        )
    for field in (
        "phone_e164",
        "phone_raw",
        "phone_invalid_reason",
        "wa_id",
        "bsuid",
        "email",
        "first_name",
        "last_name",
        "locale",
        "country",
        "timezone",
        "saleor_user_id",
        "first_order_at",
        "last_order_at",
        "last_checkout_at",
        "last_inbound_at",
    ):
        setattr(contact, field, None)
    contact.orders_count = 0
    contact.total_spent = {}
    contact.phone_status = PhoneStatus.ERASED
    contact.erased_at = now
    contact.updated_at = now
    session.add(contact)
    session.flush()


def _scrub_inbox(session: Session, store_id: int, needles: list[str | None]) -> None:
    """Raw webhook bodies that mention the person lose their payload (best effort)."""
    for needle in filter(None, needles):
        session.execute(
            sa.update(InboxEvent)
            .where(
                col(InboxEvent.store_id) == store_id,
                col(InboxEvent.status) != InboxStatus.PENDING,
                col(InboxEvent.payload).contains(needle, autoescape=True),
            )
            .values(payload=None)
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_contact(
    session: Session,
    *,
    store_id: int,
    phone_e164: str | None = None,
    contact_id: int | None = None,
) -> dict[str, Any]:
    """Everything held about a number (or a contact), as JSON-ready data (a data-subject
    access request)."""
    contact: Contact | None
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.store_id != store_id:
            raise LookupError("no such contact in this store")
        phone_e164 = contact.phone_e164
    else:
        contact = session.exec(
            select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone_e164)
        ).first()
    # an erased contact has no number left to look up, and its number is suppressed
    suppressed = (contact is not None and contact.erased_at is not None) or (
        phone_e164 is not None and is_suppressed(session, store_id=store_id, phone_e164=phone_e164)
    )
    out: dict[str, Any] = {
        "phone": phone_e164,
        "suppressed": suppressed,
        "exported_at": clock.now().isoformat(),
        "contact": None,
        "consent": [],
        "orders": [],
        "outbound_messages": [],
        "inbound_messages": [],
    }
    if contact is None:
        return out
    out["contact"] = {
        key: (_iso(value) if isinstance(value, datetime) else value)
        for key, value in contact.model_dump().items()
    }
    out["consent"] = [
        {
            "id": e.id,
            "purpose": e.purpose,
            "action": e.action,
            "source": e.source,
            "text_version": e.text_version,
            "text": e.text,
            "text_hash": e.text_hash,
            "evidence": e.evidence,
            "occurred_at": _iso(e.occurred_at),
            "recorded_at": _iso(e.recorded_at),
        }
        for e in session.exec(
            select(ConsentEvent)
            .where(ConsentEvent.contact_id == contact.id)
            .order_by(col(ConsentEvent.id))
        ).all()
    ]
    out["orders"] = [
        {
            "saleor_order_id": o.order_id,
            "amount": str(o.total),
            "currency": o.currency,
            "ordered_at": _iso(o.created_at),
            "cancelled": o.cancelled,
            "products": o.product_ids,
            "skus": o.skus,
            "categories": o.category_slugs,
        }
        for o in session.exec(
            select(ContactOrder)
            .where(ContactOrder.contact_id == contact.id)
            .order_by(col(ContactOrder.id))
        ).all()
    ]
    out["outbound_messages"] = [
        {
            "id": m.id,
            "kind": m.kind,
            "purpose": m.purpose,
            "template_name": m.template_name,
            "template_language": m.template_language,
            "parameters": m.parameters,
            "text": m.text,
            "status": m.status,
            "status_reason": m.status_reason,
            "created_at": _iso(m.created_at),
            "sent_at": _iso(m.sent_at),
        }
        for m in session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.contact_id == contact.id)
            .order_by(col(OutboundMessage.id))
        ).all()
    ]
    out["inbound_messages"] = [
        {
            "wamid": m.wamid,
            "type": m.type,
            "text": m.text,
            "button_payload": m.button_payload,
            "received_at": _iso(m.received_at),
        }
        for m in session.exec(
            select(InboundMessage)
            .where(InboundMessage.contact_id == contact.id)
            .order_by(col(InboundMessage.id))
        ).all()
    ]
    return out


def purge_expired(*, session: Session) -> dict[str, int]:
    """Retention tick: message bodies and parameters after message_retention_days, raw
    webhook payloads after inbox_retention_days (per store; pending rows are kept)."""
    now = clock.now()
    counts = {"outbound": 0, "inbound": 0, "inbox": 0}
    for settings in session.exec(select(StoreSettings)).all():
        messages_before = now - timedelta(days=settings.message_retention_days)
        inbox_before = now - timedelta(days=settings.inbox_retention_days)
        counts["outbound"] += outbox.forget_bodies(
            session, store_id=settings.store_id, created_before=messages_before
        )
        counts["inbound"] += _rowcount(
            session.execute(
                sa.update(InboundMessage)
                .where(
                    col(InboundMessage.store_id) == settings.store_id,
                    col(InboundMessage.received_at) < messages_before,
                    col(InboundMessage.text).is_not(None),
                )
                .values(text=None)
            )
        )
        counts["inbox"] += _rowcount(
            session.execute(
                sa.update(InboxEvent)
                .where(
                    col(InboxEvent.store_id) == settings.store_id,
                    col(InboxEvent.received_at) < inbox_before,
                    col(InboxEvent.status) != InboxStatus.PENDING,
                    col(InboxEvent.payload).is_not(None),
                )
                .values(payload=None)
            )
        )
    return counts


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
