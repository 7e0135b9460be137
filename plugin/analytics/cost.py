"""What a message costs: Meta's pricing category and billable flag, priced with a rate table.

`pricing_from_status` is the one mapping from a status webhook to the outbox columns
(pricing_category, pricing_type, billable); the delivery engine's `apply_statuses` reuses it.
"""

from __future__ import annotations

from typing import Any

from plugin.pricing.ratecards import card_on, normalise, rate_for
from plugin.whatsapp.payloads.webhook import Status

__all__ = ["DEFAULT_RATE_TABLE", "pricing_from_status", "rate_for", "rate_table_or_default"]

# The shipped card in force today, in the one schema (plugin/pricing/ratecards.py has the
# dated cards and their sources).
DEFAULT_RATE_TABLE: dict[str, Any] = card_on()

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
    """The store's table in the one schema (empty rates when it has none: `rate_for` then
    prices from the shipped card of the message's day)."""
    return normalise(table)
