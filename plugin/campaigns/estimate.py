"""What the merchant sees before launch: audience, consented share, cost and Meta's daily tier."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from plugin import clock
from plugin.campaigns.config import audience_of, get_campaign
from plugin.campaigns.models import CampaignStatus
from plugin.consent import state as consent_state
from plugin.consent.models import Purpose
from plugin.contacts.models import Contact
from plugin.segments.service import audience_condition
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.plans import CAMPAIGN_MAX_RECIPIENTS

ESTIMATE_FRESH_FOR = timedelta(minutes=15)  # launch reuses the estimate the merchant just saw


# Meta's per-message rates (USD) used when the store has no rate table: Turkey's card.
DEFAULT_RATES: dict[str, dict[str, str]] = {
    "MARKETING": {"TR": "0.0109"},
    "UTILITY": {"TR": "0.0053"},
    "AUTHENTICATION": {"TR": "0.0083"},
}


DEFAULT_RATE_COUNTRY = "TR"


def rate_for(settings: StoreSettings, category: str, country: str | None) -> Decimal:
    """Meta's price of one message of `category` to `country`, from the store's rate table
    ({"MARKETING": {"TR": 0.0109, "*": ...}}), else Turkey's rate."""
    category = category.upper()
    table = {k.upper(): v for k, v in (settings.rate_table or {}).items()}
    for source in (
        table.get(category) or {},
        DEFAULT_RATES.get(category, DEFAULT_RATES["MARKETING"]),
    ):
        for key in (country or "", "*", DEFAULT_RATE_COUNTRY):
            if key in source:
                return Decimal(str(source[key]))
    return Decimal(DEFAULT_RATES["MARKETING"][DEFAULT_RATE_COUNTRY])


def estimate_campaign(session: Session, *, store_id: int, campaign_id: int) -> dict[str, Any]:
    """What the merchant sees before launch: audience, consented share, cost, Meta's daily tier."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    settings = stores_service.get_settings(session, store_id)
    where = audience_condition(session, settings=settings, audience=audience_of(campaign))
    consented = consent_state.allows(Purpose.MARKETING)  # the delivery engine's own rule
    rows = session.execute(
        sa.select(
            col(Contact.country),
            sa.func.count().label("n"),
            sa.func.count(sa.case((consented, 1))).label("consented"),
        )
        .where(where)
        .group_by(Contact.country)
    ).all()
    audience = sum(r.n for r in rows)
    send_share = Decimal(100 - campaign.holdout_percent) / 100
    category = (campaign.variants[0].get("category") if campaign.variants else None) or "MARKETING"
    cost = sum(
        (Decimal(r.consented) * send_share * rate_for(settings, category, r.country) for r in rows),
        Decimal("0"),
    )
    messages = math.floor(sum(r.consented for r in rows) * send_share)
    tier = settings.daily_recipient_tier
    limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    if campaign.status == CampaignStatus.DRAFT:  # what the merchant saw; launch reuses it
        campaign.estimated_cost, campaign.cost_currency = (
            cost.quantize(Decimal("0.0001")),
            settings.cost_currency,
        )
        campaign.estimated_messages, campaign.estimated_at = messages, clock.now()
        session.add(campaign)
    return {
        "audience": audience,
        "holdout": audience - math.floor(audience * send_share),
        "consented": sum(r.consented for r in rows),
        "messages": messages,
        "cost": cost.quantize(Decimal("0.0001")),
        "cost_currency": settings.cost_currency,
        "by_country": {r.country or "": {"audience": r.n, "consented": r.consented} for r in rows},
        "daily_tier": tier,
        "exceeds_daily_tier": tier is not None and messages > tier,
        "days_needed": 1 if tier is None or messages == 0 else math.ceil(messages / tier),
        "plan_limit": limit,
        "within_plan_limit": limit is None or audience <= limit,
    }
