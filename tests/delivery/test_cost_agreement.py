"""Issue 18, point 3 end to end: with the sandbox delivering every message, a campaign's
estimated cost equals the analytics cost of what was delivered, category by category, both
priced by the recipient's calling code from the same dated rate card."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import select

from plugin import clock
from plugin.analytics.rollups import TODAY_EVERY, build_rollups
from plugin.analytics.service import Dimension, cost_report
from plugin.campaigns import service as campaigns
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery import service as delivery
from plugin.delivery.models import OutboundMessage
from plugin.delivery.service import StatusUpdate
from plugin.events.tick import run_tick
from plugin.segments.service import Audience
from plugin.segments.tags import add_tags
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.payloads.webhook import parse_webhook
from plugin.whatsapp.statuses import status_update
from tests.delivery.conftest import PROMO_TEMPLATE, WABA, add_contacts
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

CONSENTED = {"field": "marketing_consent_at", "op": "within_days", "value": 3650}


def _dutch_customers(session, store_id: int, n: int, first: int) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for i in range(first, first + n):
        contact = Contact(
            store_id=store_id, phone_e164=f"+3161234{i:04d}", phone_status=PhoneStatus.VALID
        )
        session.add(contact)
        session.flush()
        session.add(
            ConsentEvent(
                store_id=store_id,
                contact_id=contact.id,  # type: ignore[arg-type]
                purpose=Purpose.MARKETING,
                action=ConsentAction.GRANTED,
                source=ConsentSource.CHECKOUT,
            )
        )
        ids.append(contact.id)
    session.commit()
    return ids


def _deliver_everything(sandbox) -> list[StatusUpdate]:  # type: ignore[no-untyped-def]
    """Meta's `delivered` status for every message the sandbox accepted, carrying the sandbox's
    PMP `pricing` object, applied as the webhook endpoint would."""
    sb = sandbox.sandbox
    statuses = [sb._status_json(m, "delivered", None) for m in list(sb.by_wamid.values())]
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    }
    payload = parse_webhook(json.dumps(body))
    return [status_update(s) for e in payload.entry for c in e.changes for s in c.value.statuses]


def test_with_every_message_delivered_the_estimate_equals_the_delivered_cost_by_category(
    world, sandbox
):
    session = world.session
    store_id = world.store_id
    # given two groups of customers with marketing consent: Turkish numbers (one with a Dutch
    # address: priced as Turkey all the same) and Dutch numbers; the promotion goes to the
    # first group, a utility template to the second (a day's marketing cap allows one each)
    groups = {
        "cart_promo": add_contacts(session, store_id, 3, first=700)
        + add_contacts(session, store_id, 1, first=710, country="NL")
        + _dutch_customers(session, store_id, 2, first=0),
        "stock_note": add_contacts(session, store_id, 2, first=720)
        + _dutch_customers(session, store_id, 1, first=10),
    }
    for tag, ids in groups.items():
        for contact_id in ids:
            add_tags(session, store_id=store_id, contact_id=contact_id, tags=[tag])
    session.commit()
    sandbox.sandbox.add_template(
        waba_id=WABA,
        name="stock_note",
        language="tr",
        category="UTILITY",
        components=PROMO_TEMPLATE,
    )
    session.add(
        MessageTemplate(
            store_id=store_id,
            name="stock_note",
            language="tr",
            category=TemplateCategory.UTILITY,
            status=TemplateStatus.APPROVED,
            components=PROMO_TEMPLATE,
        )
    )
    session.commit()
    estimates: dict[str, dict] = {}
    for template in ("cart_promo", "stock_note"):
        campaign = campaigns.configure_campaign(
            session,
            store_id=store_id,
            name=template,
            audience=Audience(
                rule={"all": [{"field": "tags", "op": "has", "value": template}, CONSENTED]}
            ),
            variants=[
                {
                    "template_name": template,
                    "template_language": "tr",
                    "body_fields": ["first_name"],
                }
            ],
        )
        campaign.test_sent_at = clock.now()
        session.commit()
        estimates[str(campaign.id)] = campaigns.estimate_campaign(
            session, store_id=store_id, campaign_id=campaign.id
        )
        # when it is launched and the engine runs
        campaigns.launch_campaign(session, store_id=store_id, campaign_id=campaign.id)
        session.commit()
        while campaigns.run_batch(session, campaign_id=campaign.id):
            session.commit()
        session.commit()
        run_tick(wait=True)
        drain_queue()
    # and Meta (the sandbox) reports every message delivered, with its pricing
    delivery.apply_statuses(session, updates=_deliver_everything(sandbox))
    session.commit()
    # and the analytics roll the day up, as the scheduler does a few minutes later
    day = clock.now().date()
    clock.advance(TODAY_EVERY.total_seconds())
    build_rollups(session=session)
    session.commit()
    report = cost_report(
        session, store_id=store_id, start=day, end=clock.now().date(), by=Dimension.CAMPAIGN
    )
    assert {r.source: r.cost for r in report} == {k: e["cost"] for k, e in estimates.items()}
    categories = {
        (str(source), category)
        for source, category in session.exec(
            select(OutboundMessage.source_id, OutboundMessage.pricing_category).where(
                OutboundMessage.store_id == store_id, OutboundMessage.source_type == "campaign"
            )
        )
    }
    by_category = {k: e["cost_by_category"] for k, e in estimates.items()}
    assert categories == {(k, c) for k, costs in by_category.items() for c in costs}
    # 4 Turkish numbers at 0.0109 and 2 Dutch at 0.1597 (Meta's 2026-04-01 card) for marketing;
    # utility: 2 x 0.0053 (Turkey), the Netherlands has no shipped utility figure (uncosted)
    assert sorted(c for costs in by_category.values() for c in costs.items()) == [
        ("marketing", Decimal("4") * Decimal("0.0109") + Decimal("2") * Decimal("0.1597")),
        ("utility", Decimal("2") * Decimal("0.0053")),
    ]
