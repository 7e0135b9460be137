"""Meta's messaging limit, read from what Meta says rather than kept by hand.

Since 2026 the limit belongs to the business portfolio (250 / 2K / 10K / 100K / unlimited
unique users in a moving 24 h); `phone_number_quality_update` carries it as
`max_daily_conversations_per_business` (its old `current_limit` was removed in February 2026).
Source: Meta's phone_number_quality_update webhook reference (updated 2026-05-21), values
TIER_50, TIER_250, TIER_2K, TIER_10K, TIER_100K, TIER_NOT_SET, TIER_UNLIMITED.
"""

from __future__ import annotations

from sqlmodel import Session

from plugin.stores.models import StoreSettings

UNLIMITED = "TIER_UNLIMITED"
_TIERS = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
}


def apply_tier(session: Session, *, store_id: int, tier: str) -> bool:
    """The store's daily unique-recipient limit from Meta's tier name (None: unlimited);
    an unknown or unset tier (TIER_NOT_SET) changes nothing."""
    name = tier.strip().upper()
    if name != UNLIMITED and name not in _TIERS:
        return False
    settings = session.get(StoreSettings, store_id)
    if settings is None:
        return False
    settings.daily_recipient_tier = None if name == UNLIMITED else _TIERS[name]
    session.add(settings)
    return True
