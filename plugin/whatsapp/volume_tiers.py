"""Meta's volume pricing tiers as Meta reports them: recorded per WABA, never priced.

Since 2025-07-01 Meta lowers utility and authentication rates above monthly volume thresholds
per market, and since 2025-10-01 it tells the business with an `account_update` webhook, event
VOLUME_BASED_PRICING_TIER_UPDATE, whose `volume_tier_info` is
{"effective_month": "2025-11", "pricing_category": "UTILITY", "region": "INDIA",
 "tier": "25000001:50000000", "tier_update_time": 1743451903}: the month the tier applies to,
the category, Meta's market name (not an ISO code), the band of monthly messages ("low:high",
the top band open-ended) and when Meta moved the business. Source: Gupshup's "Tier Based
Pricing" (partner-docs.gupshup.io/docs/tier-based-pricing, 2025-11-07), which republishes
Meta's payload; Meta's "Pricing on the WhatsApp Business Platform" describes the tiers.

Meta's rates per tier were not found (plugin/pricing/ratecards.py), so a tier only says that
the list price Ulak uses is an upper bound: the admin shows the current month's tiers next to
each cost with that note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from plugin import clock
from plugin.whatsapp.accounts import WhatsAppAccount

EVENT = "VOLUME_BASED_PRICING_TIER_UPDATE"


@dataclass(frozen=True)
class VolumeTier:
    """One category's tier in one market for one month, as Meta reported it."""

    category: str  # UTILITY, AUTHENTICATION (Meta's upper-case names)
    region: str  # Meta's market name, e.g. "INDIA"
    effective_month: str  # "YYYY-MM"
    tier: str  # "25000001:50000000"
    updated_at: datetime | None

    @property
    def above_first_tier(self) -> bool:
        """The band starts above the first message of the month: a discount applies, so
        the list price is an upper bound (the first band starts at 0 or 1)."""
        low = self.tier.split(":", 1)[0].strip()
        return low.isdigit() and int(low) > 1


def _parse(info: dict[str, Any] | None) -> VolumeTier | None:
    info = info or {}
    category = str(info.get("pricing_category") or "").strip().upper()[:40]
    month = str(info.get("effective_month") or "").strip()[:7]
    tier = str(info.get("tier") or "").strip()[:40]
    if not category or len(month) != 7 or not tier:
        return None
    moved = str(info.get("tier_update_time") or "")
    at = datetime.fromtimestamp(int(moved), UTC) if moved.isdigit() else None
    region = str(info.get("region") or "").strip().upper()[:40]
    return VolumeTier(category, region, month, tier, at)


def record_tier_update(
    session: Session, *, accounts: list[WhatsAppAccount], info: dict[str, Any] | None
) -> int:
    """Keep the reported tier on every number of the WABA (the tier is the business's), the
    newest per category and market; an older or malformed report changes nothing."""
    found = _parse(info)
    if found is None:
        return 0
    key = f"{found.category}:{found.region}"
    entry = {
        "category": found.category,
        "region": found.region,
        "effective_month": found.effective_month,
        "tier": found.tier,
        "updated_at": found.updated_at.isoformat() if found.updated_at else None,
    }
    touched = 0
    for account in accounts:
        tiers = dict(account.volume_tiers or {})
        known = tiers.get(key) or {}
        if str(known.get("effective_month") or "") > found.effective_month:
            continue
        tiers[key] = entry
        account.volume_tiers = tiers
        flag_modified(account, "volume_tiers")
        account.updated_at = clock.now()
        session.add(account)
        touched += 1
    return touched


def current_tiers(account: WhatsAppAccount | None, *, month: str) -> list[VolumeTier]:
    """The tiers Meta reported for `month` ("YYYY-MM"): tiers count a month's volume, so an
    older month's tier no longer applies."""
    out = []
    for raw in (account.volume_tiers or {}).values() if account else []:
        if isinstance(raw, dict) and raw.get("effective_month") == month:
            moved = raw.get("updated_at")
            out.append(
                VolumeTier(
                    category=str(raw.get("category") or ""),
                    region=str(raw.get("region") or ""),
                    effective_month=month,
                    tier=str(raw.get("tier") or ""),
                    updated_at=datetime.fromisoformat(moved) if moved else None,
                )
            )
    return sorted(out, key=lambda t: (t.category, t.region))
