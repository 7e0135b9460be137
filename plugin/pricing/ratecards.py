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
(plugin.analytics.cost.pricing_from_status), so only billable rows are priced. Volume tiers for
utility and authentication are not modelled: the cards hold list prices (an upper bound).

Shipped figures and their sources (USD, Meta's list price, no BSP fee). Looked up 2026-12-04;
where a figure could not be found it is absent, never guessed:
- 2025-07-01, Turkey: marketing 0.0109, utility 0.0053, authentication 0.0083 (card of
  2025-07-01 as republished on docs.sent.dm; recorded by the team on 2026-11-24).
- 2026-01-01, Argentina, Brazil, Chile (wappbiz.com/blogs/whatsapp-business-latest-pricing-
  update, "effective January 1, 2026").
- 2026-04-01 (formbeep.pages.dev/whatsapp-api-pricing, "updated April 3, 2026, rates effective
  April 1, 2026"): Turkey marketing 0.0109 (the card's lowest marketing rate), Netherlands
  marketing 0.1597 (its highest), Colombia utility 0.0008 (its lowest). The same page says
  Turkey's utility and authentication rates went DOWN on 2026-04-01 but its readable text does
  not give the new figures: until a merchant or a later card sets them, Turkish utility and
  authentication keep the 2025-07-01 figures, so they are over- rather than under-estimated.
- Service messages: 0. BSP changelogs (ChakraHQ, YCloud) report service messages becoming
  chargeable from 2026-10-01; not confirmed on Meta's page, so not shipped.
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
        "rates": {"TR": {"marketing": "0.0109", "utility": "0.0053", "authentication": "0.0083"}},
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
def _card_on(day: date) -> tuple[str | None, dict[str, dict[str, str]]]:
    effective: str | None = None
    merged: dict[str, dict[str, str]] = {}
    for card in CARDS:
        if date.fromisoformat(card["effective"]) > day:
            break
        effective = card["effective"]
        for country, row in card["rates"].items():
            merged.setdefault(country, {}).update(row)
    return effective, merged


def card_on(day: date | None = None) -> dict[str, Any]:
    """The shipped rate card in force on `day` (today by default): later cards override earlier
    ones country by country and category by category."""
    effective, merged = _card_on(day or clock.now().date())
    return {
        "currency": "USD",
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
