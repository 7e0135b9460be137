"""What a cost figure rests on, for the merchant to read beside it: the currency Meta bills in
(read from Meta, else the store's setting: plugin/pricing/billing.py) and the rate card's
currency the figure is in (USD), the rate card's date, which figures are stale
(plugin/pricing/ratecards.py STALE: Meta changed them and no source gave the new value),
Meta's volume tiers of the month (list prices are then an upper bound), and the amount in the
store's currency at the merchant's own dated rate.

One function for every cost the admin shows, so the dashboard and the campaign estimate say
the same thing about the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from plugin.pricing.billing import Billing, billing_currency
from plugin.pricing.exchange import Converted, convert
from plugin.pricing.ratecards import (
    CARD_CURRENCY,
    CATEGORIES,
    FALLBACK_CATEGORY,
    STALE,
    card_date,
    normalise,
    stale_since,
)
from plugin.stores.models import StoreSettings
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.volume_tiers import VolumeTier, current_tiers


@dataclass(frozen=True)
class StaleFigure:
    """A shipped figure Meta changed on `since` without a known new value."""

    country: str
    category: str
    since: str
    upper_bound: bool  # the change was a decrease: the figure is more than Meta bills


@dataclass(frozen=True)
class CostBasis:
    billing: Billing
    rate_card_date: str | None
    stale: list[StaleFigure] = field(default_factory=list)
    in_store_currency: Converted | None = None
    volume_tiers: list[VolumeTier] = field(default_factory=list)
    rate_card_currency: str = CARD_CURRENCY  # the figure's currency

    @property
    def stale_since(self) -> str | None:
        """The earliest date from which part of the figure is only a bound."""
        return min((s.since for s in self.stale), default=None)


def _own_figure(rows: list[dict[str, Any]], category: str) -> bool:
    wanted = {category, FALLBACK_CATEGORY.get(category, category)}
    return any(row.get(c) is not None for row in rows for c in wanted)


def stale_figures(
    table: dict[str, Any] | None, pairs: Iterable[tuple[str | None, str]], on: date
) -> list[StaleFigure]:
    """The (country, category) pairs priced on `on` by a stale shipped figure; a figure the
    store's own table sets (its country row or its "*" row) is the store's, never stale."""
    own = normalise(table)["rates"]
    found: dict[tuple[str, str], StaleFigure] = {}
    for country, category in pairs:
        key, wanted = (country or "").upper(), category.strip().lower()
        if not key or _own_figure([own.get(key) or {}, own.get("*") or {}], wanted):
            continue
        since = stale_since(key, wanted, on)
        if since is None:
            continue
        gap = next(g for g in STALE if g["country"] == key and g["since"] == since)
        found[(key, wanted)] = StaleFigure(key, wanted, since, gap.get("bound") == "upper")
    return sorted(found.values(), key=lambda s: (s.country, s.category))


def cost_basis(
    settings: StoreSettings,
    *,
    cost: Decimal,
    pairs: Iterable[tuple[str | None, str]],
    on: date,
    account: WhatsAppAccount | None,
) -> CostBasis:
    """What `cost` (priced on `on`, over the `pairs` of country and category) rests on."""
    return CostBasis(
        billing=billing_currency(settings, account),
        rate_card_date=card_date(settings.rate_table, on),
        stale=stale_figures(settings.rate_table, pairs, on),
        in_store_currency=convert(settings, cost),
        volume_tiers=current_tiers(account, month=on.isoformat()[:7]),
    )


def home_market_pairs(settings: StoreSettings) -> list[tuple[str | None, str]]:
    """Every category to the store's own region: what a range's total cost is read against
    (the rollups keep no country, and a store's recipients are mostly at home)."""
    return [(settings.default_region, category) for category in CATEGORIES]
