"""What the merchant sees before launch: audience, consented share, cost and Meta's daily tier."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import clock
from plugin.campaigns.config import audience_of, get_campaign
from plugin.campaigns.models import CampaignStatus
from plugin.consent import state as consent_state
from plugin.consent.models import Purpose
from plugin.delivery.window import marketing_share
from plugin.pricing.basis import cost_basis
from plugin.pricing.country import country_of, pricing_key_sql
from plugin.pricing.estimate import by_country, expected_groups, price_audience, reachable
from plugin.pricing.ratecards import CARD_CURRENCY, card_date
from plugin.segments.service import audience_budget, audience_condition
from plugin.stores import service as stores_service
from plugin.stores.plans import CAMPAIGN_MAX_RECIPIENTS
from plugin.whatsapp.accounts import default_account

ESTIMATE_FRESH_FOR = timedelta(minutes=15)  # launch reuses the estimate the merchant just saw


@dataclass
class _Group:
    """One pricing key's audience, consented and deliverable (consented and addressable)."""

    key: str | None
    n: int = 0
    consented: int = 0
    deliverable: int = 0


def _per_key(found: Sequence[Any]) -> list[_Group]:
    groups: dict[str | None, _Group] = {}
    for r in found:
        group = groups.setdefault(r.key, _Group(r.key))
        group.n += r.n
        group.consented += r.consented
        group.deliverable += r.consented if r.addressable else 0
    return list(groups.values())


def estimate_campaign(session: Session, *, store_id: int, campaign_id: int) -> dict[str, Any]:
    """What the merchant sees before launch: audience, consented share, cost, Meta's daily tier."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    settings = stores_service.get_settings(session, store_id)
    where = audience_condition(session, settings=settings, audience=audience_of(campaign))
    consented = consent_state.allows(Purpose.MARKETING)  # the delivery engine's own rule
    key: Any = sa.literal_column(pricing_key_sql("contact")).label("key")
    addressable: Any = reachable().label("addressable")
    # grouped by addressable too, so each contact's consent is read once (a second CASE over
    # `consented` would make PostgreSQL probe the ledger twice per contact)
    with audience_budget(session, campaign=True):  # JIT off, as for every audience read
        found = session.execute(
            sa.select(
                key,
                addressable,
                sa.func.count().label("n"),
                sa.func.count(sa.case((consented, 1))).label("consented"),
            )
            .where(where)
            .group_by(key, addressable)
        ).all()
    rows = _per_key(found)
    audience = sum(r.n for r in rows)
    send_share = Decimal(100 - campaign.holdout_percent) / 100
    category = (campaign.variants[0].get("category") if campaign.variants else None) or "MARKETING"
    groups = expected_groups([(r.key, r.deliverable) for r in rows], category)
    cost = sum(price_audience(settings, category, groups, send_share).values(), Decimal("0"))
    messages = math.floor(sum(n for _, n in groups) * send_share)
    # campaigns get Meta's limit less the reserve kept for order updates (delivery/window.py)
    tier = marketing_share(settings.daily_recipient_tier, settings.tier_reserve_percent)
    limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    if campaign.status == CampaignStatus.DRAFT:  # what the merchant saw; launch reuses it
        campaign.estimated_cost, campaign.cost_currency = (
            cost.quantize(Decimal("0.0001")),
            CARD_CURRENCY,
        )
        campaign.estimated_messages, campaign.estimated_at = messages, clock.now()
        session.add(campaign)
    return {
        "audience": audience,
        "holdout": audience - math.floor(audience * send_share),
        "consented": sum(r.consented for r in rows),
        "messages": messages,
        "cost": cost.quantize(Decimal("0.0001")),
        "cost_currency": CARD_CURRENCY,
        "by_country": by_country(rows),
        "cost_by_category": {category.lower(): cost.quantize(Decimal("0.0001"))},
        "rate_card": card_date(settings.rate_table),
        "basis": cost_basis(
            settings,
            cost=cost,
            pairs=[(country_of(k) or settings.default_region, category) for k, _ in groups],
            on=clock.now().date(),
            account=default_account(session, store_id),
        ),
        "daily_tier": tier,
        "exceeds_daily_tier": tier is not None and messages > tier,
        "days_needed": 1 if tier is None or messages == 0 else math.ceil(messages / tier),
        "plan_limit": limit,
        "within_plan_limit": limit is None or audience <= limit,
    }
