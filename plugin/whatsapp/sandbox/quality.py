"""The sandbox's quality and category webhooks, shaped as Meta's references document them.

- phone_number_quality_update: {"display_phone_number", "event", "old_limit" (limit changes
  only), "current_limit" (removed in February 2026), "max_daily_conversations_per_business"};
  events FLAGGED / UNFLAGGED / UPGRADE / DOWNGRADE / ONBOARDING / THROUGHPUT_UPGRADE.
  Source: developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/
  reference/phone_number_quality_update (updated 2026-05-21); FLAGGED/UNFLAGGED as transcribed
  by 8x8 (developer.8x8.com, WhatsApp phone number quality change webhook).
- message_template_status_update: {"event": "PAUSED", "message_template_id",
  "message_template_name", "message_template_language", "reason", "other_info": {"title",
  "description"}} (Meta's template pausing: FIRST_PAUSE / SECOND_PAUSE, then DISABLED).
- message_template_quality_update: {"previous_quality_score", "new_quality_score",
  "message_template_id", "message_template_name", "message_template_language"}
  (reference updated 2026-05-21).
- template_category_update, impending form: {"message_template_id", "message_template_name",
  "message_template_language", "correct_category", "new_category" (the current one),
  "category_update_timestamp"} (reference updated 2025-11-11).

- business_capability_update: {"max_daily_conversations_per_business": 250 | 2000 | 10000 |
  100000 | -1 (unlimited), "max_phone_numbers_per_business", "max_phone_numbers_per_waba"}
  (reference updated 2026-05-21). "Messaging limits": an increase triggers it, and the limit
  belongs to the business portfolio, so every number of the WABA answers the new limit in the
  Graph API's `whatsapp_business_manager_messaging_limit`.
- Throughput ("Throughput", updated 2026-05-21): 80 mps by default, upgraded automatically to
  1,000 mps; a phone_number_quality_update with event THROUGHPUT_UPGRADE (and
  `max_daily_conversations_per_business` TIER_UNLIMITED, as the reference's example) says so,
  and the number's `throughput.level` reads HIGH. The sandbox upgrades a number's throughput
  when its portfolio reaches the unlimited tier (AWS End User Messaging's "Increase message
  throughput": 1,000 mps needs an unlimited limit and a quality of medium or higher).

A number's quality *rating* (GREEN / YELLOW / RED) is not in any webhook: it is read from the
Graph API phone number node (`quality_rating`), which `set_number_quality` changes; a number
whose quality falls to low is FLAGGED, and UNFLAGGED when it recovers (the same reference).

- account_update with event MM_LITE_TERMS_SIGNED and `waba_info` {"waba_id",
  "owner_business_id"}: the business signed the Marketing Messages API terms, so its WABA may
  send marketing through /marketing_messages (Meta's "Onboard" page for the MM API for
  WhatsApp, where the WABA's Graph field `marketing_messages_onboarding_status` then reads
  ONBOARDED, served by plugin/whatsapp/sandbox/nodes.py; the webhook as 360dialog's
  "Onboarding and Sending Messages" shows it).
- account_update with event VOLUME_BASED_PRICING_TIER_UPDATE and `volume_tier_info`
  {"effective_month": "YYYY-MM", "pricing_category", "region" (Meta's market name), "tier"
  ("25000001:50000000"), "tier_update_time"}: the WABA moved to another volume pricing tier
  in a market (Gupshup's "Tier Based Pricing", partner-docs.gupshup.io/docs/tier-based-pricing,
  which republishes Meta's payload; Meta sends it since 2025-10-01).
"""

from __future__ import annotations

import time
from typing import Any

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.state import Sandbox
from plugin.whatsapp.sandbox.template_rules import SandboxTemplate

PAUSE_TITLES = {1: "FIRST_PAUSE", 2: "SECOND_PAUSE"}


def _envelope(sandbox: Sandbox, waba_id: str, field: str, value: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "id": waba_id,
        "time": int(sandbox.now()),
        "changes": [{"value": value, "field": field}],
    }
    return {"object": "whatsapp_business_account", "entry": [entry]}


def set_number_quality(number: SandboxNumber, rating: str) -> None:
    """What the Graph API's `quality_rating` answers for the number from now on."""
    number.quality_rating = rating.upper()  # type: ignore[assignment]


def phone_quality_update(
    sandbox: Sandbox, number: SandboxNumber, event: str, tier: str | None = None
) -> dict[str, Any]:
    """A phone_number_quality_update webhook for `number` (FLAGGED, UNFLAGGED, or UPGRADE /
    DOWNGRADE to `tier`, which becomes the number's limit on the Graph API too)."""
    if tier is not None:
        number.messaging_limit_tier = tier.upper()
    digits = "".join(c for c in number.display_phone_number if c.isdigit())
    value = {
        "display_phone_number": digits,
        "event": event.upper(),
        "max_daily_conversations_per_business": number.messaging_limit_tier,
    }
    return _envelope(sandbox, number.waba_id, "phone_number_quality_update", value)


_CAPABILITY = {"TIER_UNLIMITED": -1, "TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000}
_CAPABILITY |= {"TIER_2K": 2000, "TIER_10K": 10_000, "TIER_100K": 100_000}


def raise_limit(sandbox: Sandbox, number: SandboxNumber, tier: str) -> list[dict[str, Any]]:
    """Meta raises the portfolio's messaging limit to `tier`: every number of the WABA reads
    it from now on and a business_capability_update goes out; reaching the unlimited tier
    with a quality above red also upgrades the number's throughput (THROUGHPUT_UPGRADE)."""
    tier = tier.upper()
    if tier not in _CAPABILITY:
        raise ValueError(f"unknown tier {tier!r}")
    for other in sandbox.numbers.values():
        if other.waba_id == number.waba_id:
            other.messaging_limit_tier = tier
    value = {
        "max_daily_conversations_per_business": _CAPABILITY[tier],
        "max_phone_numbers_per_business": 2,
        "max_phone_numbers_per_waba": 2,
    }
    payloads = [_envelope(sandbox, number.waba_id, "business_capability_update", value)]
    if tier == "TIER_UNLIMITED" and number.quality_rating != "RED":
        payloads.append(throughput_upgrade(sandbox, number))
    return payloads


def throughput_upgrade(sandbox: Sandbox, number: SandboxNumber) -> dict[str, Any]:
    """Meta moves the number to 1,000 mps: `throughput.level` HIGH and the reference's
    THROUGHPUT_UPGRADE event."""
    number.throughput_level = "HIGH"
    digits = "".join(c for c in number.display_phone_number if c.isdigit())
    value = {
        "display_phone_number": digits,
        "event": "THROUGHPUT_UPGRADE",
        "max_daily_conversations_per_business": number.messaging_limit_tier,
    }
    return _envelope(sandbox, number.waba_id, "phone_number_quality_update", value)


def _rank(tier: str) -> int:
    """Limits in Meta's order, unlimited highest (an unknown tier ranks lowest)."""
    order = ["TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K"]
    return len(order) if tier == "TIER_UNLIMITED" else (order.index(tier) if tier in order else -1)


def mm_terms_signed(sandbox: Sandbox, number: SandboxNumber) -> dict[str, Any]:
    """The business signed the MM API terms: account_update MM_LITE_TERMS_SIGNED."""
    value = {
        "event": "MM_LITE_TERMS_SIGNED",
        "waba_info": {"waba_id": number.waba_id, "owner_business_id": "100000000000000"},
    }
    return _envelope(sandbox, number.waba_id, "account_update", value)


def volume_tier_update(
    sandbox: Sandbox, number: SandboxNumber, *, category: str, region: str, tier: str
) -> dict[str, Any]:
    """The WABA moved to `tier` of `category` in `region` for the current month (UTC)."""
    if not tier:
        raise ValueError("a tier is needed, e.g. 25000001:50000000")
    now = int(sandbox.now())
    info = {
        "effective_month": time.strftime("%Y-%m", time.gmtime(now)),
        "pricing_category": category.upper(),
        "region": region.upper(),
        "tier": tier,
        "tier_update_time": now,
    }
    value = {"event": "VOLUME_BASED_PRICING_TIER_UPDATE", "volume_tier_info": info}
    return _envelope(sandbox, number.waba_id, "account_update", value)


def number_changed(
    sandbox: Sandbox, before: SandboxNumber, after: SandboxNumber
) -> list[dict[str, Any]]:
    """The webhooks Meta sends when a number's settings change as `POST /sandbox/api/numbers`
    changed them (DESIGN.md): a higher limit is a business_capability_update (and, unlimited,
    a throughput upgrade), a lower one a DOWNGRADE; quality falling to RED is FLAGGED, leaving
    RED UNFLAGGED; signing the MM API terms an account_update. Other changes send nothing."""
    payloads: list[dict[str, Any]] = []
    old_tier, new_tier = before.messaging_limit_tier.upper(), after.messaging_limit_tier.upper()
    if _rank(new_tier) > _rank(old_tier):
        payloads += raise_limit(sandbox, after, new_tier)
    elif _rank(new_tier) < _rank(old_tier):
        payloads.append(phone_quality_update(sandbox, after, "DOWNGRADE", new_tier))
    if after.quality_rating == "RED" and before.quality_rating != "RED":
        payloads.append(phone_quality_update(sandbox, after, "FLAGGED"))
    elif before.quality_rating == "RED" and after.quality_rating != "RED":
        payloads.append(phone_quality_update(sandbox, after, "UNFLAGGED"))
    if after.mm_api_onboarded and not before.mm_api_onboarded:
        payloads.append(mm_terms_signed(sandbox, after))
    return payloads


def _template_ids(template: SandboxTemplate) -> dict[str, Any]:
    return {
        "message_template_id": int(template.id),
        "message_template_name": template.name,
        "message_template_language": template.language,
    }


def pause_template(sandbox: Sandbox, template: SandboxTemplate, pause: int = 1) -> dict[str, Any]:
    """Meta pauses a template for low quality: sends with it now fail (132015) and a
    message_template_status_update PAUSED goes out."""
    template.status = "PAUSED"
    value = {
        "event": "PAUSED",
        **_template_ids(template),
        "reason": "NONE",
        "other_info": {
            "title": PAUSE_TITLES.get(pause, "SECOND_PAUSE"),
            "description": "Your template has been paused due to low quality.",
        },
    }
    return _envelope(sandbox, template.waba_id, "message_template_status_update", value)


def template_quality_update(
    sandbox: Sandbox, template: SandboxTemplate, previous: str, new: str
) -> dict[str, Any]:
    value = {
        "previous_quality_score": previous,
        "new_quality_score": new,
        **_template_ids(template),
    }
    return _envelope(sandbox, template.waba_id, "message_template_quality_update", value)


def impending_recategorisation(
    sandbox: Sandbox, template: SandboxTemplate, correct_category: str, at: int
) -> dict[str, Any]:
    """Meta will move the template to `correct_category` at `at` (epoch seconds)."""
    value = {
        **_template_ids(template),
        "correct_category": correct_category.upper(),
        "new_category": template.category.upper(),
        "category_update_timestamp": at,
    }
    return _envelope(sandbox, template.waba_id, "template_category_update", value)


async def emit(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """POST /sandbox/api/quality: {"kind": "flagged" | "unflagged" | "limit" (+ "tier": a
    limit increase, `raise_limit`) | "throughput_upgrade" | "volume_tier" (+ "category",
    "region", "tier") | "upgrade" | "downgrade" (+ "tier",
    the older phone_number_quality_update form) | "rating" | "pause_template"
    | "template_quality" | "recategorise", "phone_number_id" | "template" (+ "language"), ...}.
    Changes the sandbox's state as Meta would and posts the webhook(s) to the app."""
    kind = str(body.get("kind", ""))
    numbers = list(sandbox.numbers.values())
    number = sandbox.numbers.get(str(body.get("phone_number_id", ""))) or (
        numbers[0] if numbers else None
    )
    if number is None:
        raise ValueError("no such number")
    if kind == "rating":
        set_number_quality(number, str(body.get("rating", "GREEN")))
        return {"quality_rating": number.quality_rating}
    if kind == "limit":
        payloads = raise_limit(sandbox, number, str(body.get("tier", "")))
        statuses = [await sandbox.post_webhook(p, retries=3) for p in payloads]
        return {"webhooks": payloads, "statuses": statuses}
    if kind == "throughput_upgrade":
        payload = throughput_upgrade(sandbox, number)
    elif kind == "volume_tier":
        payload = volume_tier_update(
            sandbox,
            number,
            category=str(body.get("category", "UTILITY")),
            region=str(body.get("region", "TURKEY")),
            tier=str(body.get("tier", "")),
        )
    elif kind in ("flagged", "unflagged"):
        payload = phone_quality_update(sandbox, number, kind.upper())
    elif kind in ("upgrade", "downgrade"):
        payload = phone_quality_update(sandbox, number, kind.upper(), str(body.get("tier")))
    else:
        key = (str(body.get("template", "")), str(body.get("language", "tr")))
        template = sandbox.templates.get(number.waba_id, {}).get(key)
        if template is None:
            raise ValueError("no such template")
        if kind == "pause_template":
            payload = pause_template(sandbox, template, int(body.get("pause", 1)))
        elif kind == "template_quality":
            new = str(body.get("new", "RED"))
            payload = template_quality_update(
                sandbox, template, str(body.get("previous", "GREEN")), new
            )
        elif kind == "recategorise":
            at = int(body.get("at") or sandbox.now() + 86_400)
            payload = impending_recategorisation(
                sandbox, template, str(body.get("correct_category", "MARKETING")), at
            )
        else:
            raise ValueError(f"unknown kind {kind!r}")
    status = await sandbox.post_webhook(payload, retries=3)
    return {"webhook": payload, "status": status}


async def register_or_change_number(sandbox: Sandbox, data: dict[str, Any]) -> SandboxNumber:
    """`POST /sandbox/api/numbers`: a new number, or a partial change of a known one (as Meta
    sets a business: `messaging_limit` (alias of `messaging_limit_tier`), `quality_rating`,
    `marketing_on_cloud_api`, `mm_api_onboarded`...), whose webhooks then go to the app.
    Raises ValidationError / ValueError for a body that is not a number."""
    data = dict(data)
    if "messaging_limit" in data:
        data["messaging_limit_tier"] = str(data.pop("messaging_limit")).upper()
    known = sandbox.numbers.get(str(data.get("phone_number_id", "")))
    merged = {**known.model_dump(), **data} if known is not None else data
    number = SandboxNumber.model_validate(merged)
    if number.messaging_limit_tier.upper() not in _CAPABILITY:
        raise ValueError(f"unknown messaging limit {number.messaging_limit_tier!r}")
    before = known.model_copy() if known is not None else None
    sandbox.register_number(number)
    if before is None or sandbox.config.faults.lost_account_webhooks:
        return number  # a webhook lost for good: the app learns it from the Graph API only
    for payload in number_changed(sandbox, before, number):
        await sandbox.post_webhook(payload, retries=3)
    return number
