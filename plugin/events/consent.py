"""What newly recorded consent facts call for, wherever they were recorded (a storefront or
checkout, a WhatsApp reply, Meta's preference webhook, the admin, a CSV import): consent
records the facts and sends nothing; the replies they ask for go out through flows, and a
marketing revocation holds at once for the person's queued marketing through delivery, which
owns the outbox (the send path re-checks anyway). One place, so no caller forgets either.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from plugin.consent import answers as consent_answers
from plugin.consent import importer
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentAction, ConsentEvent, Purpose
from plugin.contacts.models import Contact
from plugin.delivery import outbox as delivery_outbox
from plugin.flows import consent_notices


def revokes_marketing(event: ConsentEvent) -> bool:
    return event.purpose == Purpose.MARKETING and event.action == ConsentAction.REVOKED


def opted_out(session: Session, *, contact: Contact) -> None:
    """The person stopped marketing: nothing queued for them goes out."""
    assert contact.id is not None
    delivery_outbox.suppress_revoked_marketing(
        session, store_id=contact.store_id, contact_id=contact.id
    )


def settle(session: Session, *, contact: Contact, events: list[ConsentEvent]) -> None:
    """Facts captured from a storefront, checkout or account: the replies they ask for (the
    double opt-in request, the confirmation of a "no"), and a revocation's suppression.
    (Most captures record nothing: a checkout's later events repeat its first's value.)"""
    if not events:
        return
    consent_notices.send_all(
        session, contact=contact, notices=consent_answers.capture_notices(events)
    )
    if any(revokes_marketing(e) for e in events):
        opted_out(session, contact=contact)


def record_by_admin(*, session: Session, **fact: Any) -> ConsentEvent:
    """The admin's "record consent": the fact, then what a revocation calls for."""
    event = consent_service.record_by_admin(session=session, **fact)
    if revokes_marketing(event):
        delivery_outbox.suppress_revoked_marketing(
            session, store_id=event.store_id, contact_id=event.contact_id
        )
    return event


def import_csv(**kwargs: Any) -> importer.ImportReport:
    """The consent CSV import; a row that revokes marketing suppresses that person's queue."""
    return importer.import_csv(
        on_marketing_revoked=delivery_outbox.suppress_revoked_marketing, **kwargs
    )
