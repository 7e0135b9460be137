"""What a message costs: Meta's pricing category and billable flag, priced with a rate table.

`pricing_from_status` is the one mapping from a status webhook to the outbox columns
(pricing_category, pricing_type, billable); the delivery engine's `apply_statuses` reuses it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from plugin.whatsapp.payloads.webhook import Status

# Meta's per-message list prices for recipients in Turkey (+90), USD per delivered template.
# Source: Meta's WhatsApp Business Platform rate card ("Pricing on the WhatsApp Business
# Platform", developers.facebook.com/docs/whatsapp/pricing), as republished on
# formbeep.pages.dev/whatsapp-api-pricing (updated 2026-04-03, rates effective 2026-04-01:
# $0.0109 is the lowest marketing rate on the card, Turkey's) and docs.sent.dm (card of
# 2025-07-01). Looked up 2026-11-24. Meta announced lower Turkey utility/authentication rates
# from 2026-04-01 and may change rates each quarter: a store sets its own table in
# StoreSettings.rate_table; this is the example the product ships.
# Service (free-form inside the customer service window) is free on the per-message model.
DEFAULT_RATE_TABLE: dict[str, Any] = {
    "currency": "USD",
    "effective": "2026-04-01",
    "rates": {
        "TR": {
            "marketing": "0.0109",
            "utility": "0.0053",
            "authentication": "0.0083",
            "service": "0",
        },
    },
}

# Pricing types Meta reports for messages it does not charge (per-message pricing).
FREE_PRICING_TYPES = {"free_customer_service", "free_entry_point"}
CONVERSATION_PRICING = "conversation"  # legacy CBP: priced per conversation, reported per message


def pricing_from_status(status: Status) -> tuple[str | None, str | None, bool | None]:
    """(category, type, billable) for the outbox from one status webhook, or Nones when the
    status carries no pricing (read, failed): callers then keep what they had.

    Per-message pricing (PMP) gives category and type ("regular", "free_customer_service",
    "free_entry_point"); the legacy conversation model (CBP) gives only a category, so its type
    is "conversation"."""
    pricing = status.pricing
    if pricing is None:
        return None, None, None
    category = (pricing.category or "").strip().lower() or None
    model = (pricing.pricing_model or "").strip().upper()
    if pricing.type:
        pricing_type: str | None = pricing.type.strip().lower()
    elif model == "CBP":
        pricing_type = CONVERSATION_PRICING
    else:
        pricing_type = None
    billable = pricing.billable
    if billable is None and pricing_type is not None:
        billable = pricing_type not in FREE_PRICING_TYPES
    return category, pricing_type, billable


def rate_table_or_default(table: dict[str, Any] | None) -> dict[str, Any]:
    """The store's table when it has rates, else the shipped example."""
    if table and isinstance(table.get("rates"), dict) and table["rates"]:
        return table
    return DEFAULT_RATE_TABLE


def rate_for(table: dict[str, Any], *, country: str | None, category: str | None) -> Decimal:
    """Price of one billable message; unknown country falls back to the "*" row, unknown
    category to 0 (reported as uncosted rather than guessed)."""
    rates: dict[str, Any] = table.get("rates") or {}
    row = rates.get((country or "").upper()) or rates.get("*") or {}
    value = row.get((category or "").lower())
    if value is None:
        return Decimal("0")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal("0")
