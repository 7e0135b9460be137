"""The test send before launch: each variant to one of the store's staff test numbers."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from plugin import clock
from plugin.campaigns.config import (
    CampaignError,
    account_id_for,
    get_campaign,
    invalid,
    prepare_variants,
    require_status,
)
from plugin.campaigns.models import CampaignStatus
from plugin.campaigns.personalise import PERSONAL_FIELDS, build_components
from plugin.consent import service as consent
from plugin.consent.models import Purpose
from plugin.contacts import staff_numbers
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery import outbox
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.segments.service import STAFF_TAG
from plugin.segments.tags import record_tags
from plugin.stores import service as stores_service


def send_test(
    session: Session,
    *,
    store_id: int,
    campaign_id: int,
    phone_e164: str,
    variant: str | None = None,
    staff_user_id: str | None = None,
) -> list[OutboundMessage]:
    """Queue each variant (or one) to one of the store's staff test numbers before launch (kind
    `test`, sent as marketing at once: plugin.delivery.policy). Records no consent, so an admin
    revocation of that number stays and campaigns keep honouring it."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    require_status(campaign, CampaignStatus.DRAFT)
    if not re.fullmatch(r"\+[1-9]\d{6,14}", phone_e164):
        raise invalid(
            "Use the international format, e.g. +905551112233.",
            "Uluslararası biçimi kullanın, örneğin +905551112233.",
        )
    if not staff_numbers.is_staff_test_number(
        stores_service.get_settings(session, store_id), phone_e164
    ):
        raise CampaignError(
            staff_numbers.NOT_STAFF_NUMBER,
            *staff_numbers.not_staff_text(phone_e164),
            status_code=400,
        )
    contact = session.exec(
        select(Contact).where(Contact.store_id == store_id, Contact.phone_e164 == phone_e164)
    ).first()
    if contact is None:
        contact = Contact(
            store_id=store_id,
            phone_e164=phone_e164,
            phone_raw=phone_e164,
            phone_status=PhoneStatus.VALID,
        )
        session.add(contact)
        session.flush()
    assert contact.id is not None
    try:
        consent.refuse_opted_out_test(session, contact=contact, purpose=Purpose.MARKETING)
    except consent.OptedOutNumber as exc:
        raise invalid(
            "This number's owner opted out; it cannot receive tests.",
            "Bu numaranın sahibi izni geri aldı; test mesajı gönderilemez.",
        ) from exc
    record_tags(
        session, store_id=store_id, contact_id=contact.id, tags=[STAFF_TAG], source="system"
    )
    values = {f: getattr(contact, f) for f in PERSONAL_FIELDS}
    prepare_variants(session, campaign)
    rows = []
    for v in campaign.variants:
        if variant is not None and v["key"] != variant:
            continue
        row = outbox.enqueue_message(
            session,
            store_id=store_id,
            contact_id=contact.id,
            account_id=account_id_for(session, campaign),
            purpose=MessagePurpose.MARKETING,
            kind=MessageKind.TEST,
            idempotency_key=outbox.unique_key("campaign-test", campaign_id, v["key"]),
            template_id=v["template_id"],
            template_name=v["template_name"],
            template_language=v["template_language"],
            parameters={"components": build_components(v, values)},
            source_type="test",
            source_id=str(campaign_id),
            variant=v["key"],
        )
        assert row is not None  # a fresh key always inserts
        rows.append(row)
    if not rows:
        raise invalid("No such variant.", "Böyle bir varyant yok.")
    campaign.test_sent_at = clock.now()
    session.add(campaign)
    session.flush()
    return rows
