"""Meta's reported pricing on a status webhook, read once: (category, type, billable) for the
outbox columns, used by delivery when it applies statuses and by analytics.

Source: Meta's pricing docs (developers.facebook.com/docs/whatsapp/pricing, per-message
pricing since 2025-07-01: `pricing_model` "PMP", `type` regular / free_customer_service /
free_entry_point) and the status webhook reference (statuses[].pricing)."""

from __future__ import annotations

from plugin.whatsapp.payloads.webhook import Status

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
