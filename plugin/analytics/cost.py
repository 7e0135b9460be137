"""What a message costs: Meta's pricing category and billable flag, priced with a rate table.

`pricing_from_status` (plugin/whatsapp/pricing.py, where the channel reads status webhooks) is
the one mapping from a status webhook to the outbox columns; re-exported here for analytics.
"""

from __future__ import annotations

from typing import Any

from plugin.pricing.ratecards import card_on, normalise, rate_for
from plugin.whatsapp.pricing import pricing_from_status

__all__ = ["DEFAULT_RATE_TABLE", "pricing_from_status", "rate_for", "rate_table_or_default"]

# The shipped card in force today, in the one schema (plugin/pricing/ratecards.py has the
# dated cards and their sources).
DEFAULT_RATE_TABLE: dict[str, Any] = card_on()


def rate_table_or_default(table: dict[str, Any] | None) -> dict[str, Any]:
    """The store's table in the one schema (empty rates when it has none: `rate_for` then
    prices from the shipped card of the message's day)."""
    return normalise(table)
