"""Meta's per-message rates: dated rate cards shipped with the app, one table schema, one lookup.

Schema (a store's `StoreSettings.rate_table` and every shipped card):
    {"currency": "USD", "effective": "YYYY-MM-DD",
     "rates": {"TR": {"marketing": "0.0109"}, "*": {...}}}
Countries are ISO alpha-2 regions of the recipient's calling code (plugin.pricing.country), "*"
is a store's own default row; categories are Meta's PMP categories in lower case. The older
per-category shape {"MARKETING": {"TR": ...}} is read as the same table.

Rules, from Meta's "Pricing on the WhatsApp Business Platform"
(developers.facebook.com/documentation/business-messaging/whatsapp/pricing, page updated
2025-12-10, mirrored at whatsapp-docs.kap.so/documentation/whatsapp/pricing): since 2025-07-01
Meta charges per delivered template message, by category and the recipient's calling code;
non-template (service) messages are free; utility templates inside an open customer service
window are free; everything inside a 72 h free entry point window is free. Those free cases
reach us as `pricing.type` free_customer_service / free_entry_point with billable false
(plugin.analytics.cost.pricing_from_status), so only billable rows are priced.

Shipped figures and their sources (USD, Meta's list price, no BSP fee). Looked up 2026-12-04
and again 2026-12-06 (search of Meta's pricing pages, BSP docs and peers' code); where a figure
could not be found it is absent, never guessed:
- 2025-07-01 (docs.sent.dm/docs/guides/whatsapp-pricing, "Complete Country Pricing Table ...
  effective July 1, 2025", a republication of Meta's card by ISO code):
  Turkey marketing 0.0109, utility 0.0053, authentication 0.0083 (recorded 2026-11-24);
  Azerbaijan marketing 0.0860, utility 0.0212, authentication 0.0212 (row "Azerbaijan AZ AZE",
  read 2026-12-06; the same figures as its neighbours Albania and Armenia, one regional rate).
- 2026-01-01, Argentina, Brazil, Chile (wappbiz.com/blogs/whatsapp-business-latest-pricing-
  update, "effective January 1, 2026").
- 2026-04-01 (formbeep.pages.dev/whatsapp-api-pricing, "updated April 3, 2026, rates effective
  April 1, 2026"): Turkey marketing 0.0109 (the card's lowest marketing rate), Netherlands
  marketing 0.1597 (its highest), Colombia utility 0.0008 (its lowest).
- Service messages: 0. BSP changelogs (ChakraHQ, YCloud) report service messages becoming
  chargeable from 2026-10-01; not confirmed on Meta's page, so not shipped.

Known changes without a figure (STALE below): Turkey's utility and authentication rates went
DOWN on 2026-04-01 (formbeep.pages.dev lists "Turkey - utility & auth" with a down arrow among
its 2026-04-01 changes; typebot.io PR #2537, 2026-06-25: "major decreases in Turkey (>80%)"),
but no source read gives the new figures. The 2025-07-01 figures stay in force, flagged by
`stale_since`, so a Turkish utility or authentication cost from 2026-04-01 on is an upper bound
until a merchant or a later card sets it.

Searched for and NOT found as a dated per-message figure (so not shipped; a store sets its own
row): Germany, United Kingdom, United States / North America, France, Saudi Arabia, United Arab
Emirates, and Netherlands utility / authentication. What was found instead: 2024 conversation-
based rates (typebot.io blog, Germany 0.1365 / UK 0.0529 marketing per conversation - another
billing model), BSP pages whose US utility figures disagree (0.0034, 0.0040, 0.006), and dated
changes without figures (North America utility and authentication down 2026-01-01, Wati;
Saudi Arabia marketing up 2026-04-01, formbeep; UK marketing up 2026-07-01, typebot.io PR #2537).

Volume tiers: Meta lowers utility and authentication rates above monthly volume thresholds per
market and reports a move with an `account_update` VOLUME_BASED_PRICING_TIER_UPDATE webhook
(`volume_tier_info`: effective_month, pricing_category, region, tier "25000001:50000000",
tier_update_time; partner-docs.gupshup.io/docs/tier-based-pricing, 2025-11-07). Meta's tier
table (bands and rates per market) was not found - 360dialog's summary (10 % / 20 % off) and the
shape of Meta's "Tier Pricing.csv" (bands at 0 to -25 %, github.com/OJoshuaCG/meta-whatsapp-
pricing) disagree and give no per-market figures - so tiers are not priced: cards hold list
prices, an upper bound for a store above the first tier. The tier Meta reports is recorded
(plugin/whatsapp/volume_tiers.py) and shown beside each cost with that note.

Categories without their own figure: marketing_lite (Marketing Messages API "lite" delivery)
takes the marketing rate; authentication_international takes the authentication rate;
referral_conversion (reported for free entry point conversions) costs 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from plugin import clock

CATEGORIES = (
    "marketing",
    "marketing_lite",
    "utility",
    "authentication",
    "authentication_international",
    "service",
    "referral_conversion",
)
# Every shipped card is in USD, and so is the one schema a store's own table follows: every
# cost Ulak computes is in it, whatever currency Meta bills the account in (basis.py says both).
CARD_CURRENCY = "USD"
FREE_CATEGORIES = {"service": "0", "referral_conversion": "0"}
FALLBACK_CATEGORY = {
    "marketing_lite": "marketing",
    "authentication_international": "authentication",
}

CARDS: tuple[dict[str, Any], ...] = (
    {
        "effective": "2025-07-01",
        "currency": "USD",
        "source": "docs.sent.dm (Meta card of 2025-07-01)",
        "rates": {
            "TR": {"marketing": "0.0109", "utility": "0.0053", "authentication": "0.0083"},
            "AZ": {"marketing": "0.0860", "utility": "0.0212", "authentication": "0.0212"},
        },
    },
    {
        "effective": "2026-01-01",
        "currency": "USD",
        "source": "wappbiz.com (Meta card effective 2026-01-01)",
        "rates": {
            "AR": {"marketing": "0.0773", "utility": "0.0325", "authentication": "0.0325"},
            "BR": {"marketing": "0.0782", "utility": "0.0085", "authentication": "0.0085"},
            "CL": {"marketing": "0.1112", "utility": "0.0250", "authentication": "0.0250"},
        },
    },
    {
        "effective": "2026-04-01",
        "currency": "USD",
        "source": "formbeep.pages.dev/whatsapp-api-pricing (Meta card effective 2026-04-01)",
        "rates": {
            "TR": {"marketing": "0.0109"},
            "NL": {"marketing": "0.1597"},
            "CO": {"utility": "0.0008"},
        },
    },
)

# Figures Meta changed on `since` whose new value no source gave: the older figure stays in force
# and `stale_since` says from when it is only an upper bound (see the module docstring).
STALE: tuple[dict[str, Any], ...] = (
    {
        "since": "2026-04-01",
        "country": "TR",
        "categories": ("utility", "authentication"),
        "bound": "upper",  # the rates went down: the older figure is more than Meta bills
        "source": "formbeep.pages.dev (2026-04-01 changes), typebot.io PR #2537",
    },
)


def normalise(table: dict[str, Any] | None) -> dict[str, Any]:
    """A table in the one schema (empty rates when there is none); reads the older
    {"MARKETING": {"TR": rate}} shape too."""
    if not table:
        return {"rates": {}}
    if isinstance(table.get("rates"), dict):
        rates = table["rates"]
        head = {k: v for k, v in table.items() if k != "rates"}
        return {
            **head,
            "rates": {
                str(country).upper(): {str(c).lower(): v for c, v in (row or {}).items()}
                for country, row in rates.items()
            },
        }
    by_country: dict[str, dict[str, Any]] = {}
    for category, row in table.items():
        if isinstance(row, dict):
            for country, value in row.items():
                by_country.setdefault(str(country).upper(), {})[str(category).lower()] = value
    head = {k: v for k, v in table.items() if not isinstance(v, dict)}
    return {**head, "rates": by_country}


@lru_cache(maxsize=64)
def _card_on(day: date) -> tuple[str | None, dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(latest card date, merged rates, the date of the card each figure came from)."""
    effective: str | None = None
    merged: dict[str, dict[str, str]] = {}
    dated: dict[str, dict[str, str]] = {}
    for card in CARDS:
        if date.fromisoformat(card["effective"]) > day:
            break
        effective = card["effective"]
        for country, row in card["rates"].items():
            merged.setdefault(country, {}).update(row)
            dated.setdefault(country, {}).update({c: card["effective"] for c in row})
    return effective, merged, dated


def card_on(day: date | None = None) -> dict[str, Any]:
    """The shipped rate card in force on `day` (today by default): later cards override earlier
    ones country by country and category by category."""
    effective, merged, _ = _card_on(day or clock.now().date())
    return {
        "currency": CARD_CURRENCY,
        "effective": effective,
        "rates": {k: dict(v) for k, v in merged.items()},
    }


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _lookup(rows: list[dict[str, Any]], category: str) -> Decimal | None:
    for row in rows:
        found = _decimal(row.get(category))
        if found is not None:
            return found
    return None


def rate_for(
    table: dict[str, Any] | None,
    *,
    country: str | None,
    category: str | None,
    on: date | None = None,
) -> Decimal:
    """Price of one billable message of `category` to `country` on `on`: the store's own row for
    the country, then its "*" row, then the shipped card of that day. A category with no
    figure anywhere costs 0 (shown as uncosted, not guessed)."""
    store = normalise(table)["rates"]
    shipped = _card_on(on or clock.now().date())[1]
    key = (country or "").upper()
    rows = [store.get(key) or {}, store.get("*") or {}, shipped.get(key) or {}]
    wanted = (category or "").strip().lower()
    found = _lookup(rows, wanted)
    if found is None and wanted in FALLBACK_CATEGORY:
        found = _lookup(rows, FALLBACK_CATEGORY[wanted])
    if found is None and wanted in FREE_CATEGORIES:
        found = Decimal(FREE_CATEGORIES[wanted])
    return found if found is not None else Decimal("0")


def card_date(table: dict[str, Any] | None, on: date | None = None) -> str | None:
    """The date the merchant sees next to a cost: the store table's own, else the shipped
    card's in force on `on`."""
    own = normalise(table)
    if own["rates"] and own.get("effective"):
        return str(own["effective"])
    return _card_on(on or clock.now().date())[0]


def figure_date(country: str | None, category: str | None, on: date | None = None) -> str | None:
    """The effective date of the shipped card whose figure prices `category` to `country` on
    `on` (a later card that left the figure alone does not date it); None when no card has it."""
    dated = _card_on(on or clock.now().date())[2]
    row = dated.get((country or "").upper()) or {}
    wanted = (category or "").strip().lower()
    return row.get(wanted) or row.get(FALLBACK_CATEGORY.get(wanted, ""))


def stale_since(country: str | None, category: str | None, on: date | None = None) -> str | None:
    """The date from which Meta is known to have changed the shipped figure for `country` /
    `category` without a source for the new one (the figure is then an upper or lower bound),
    else None."""
    day = on or clock.now().date()
    key, wanted = (country or "").upper(), (category or "").strip().lower()
    wanted = FALLBACK_CATEGORY.get(wanted, wanted)
    dated = figure_date(key, wanted, day)
    found = None
    for gap in STALE:
        since = gap["since"]
        applies = gap["country"] == key and wanted in gap["categories"]
        if applies and date.fromisoformat(since) <= day and dated is not None and dated < since:
            found = since
    return found
