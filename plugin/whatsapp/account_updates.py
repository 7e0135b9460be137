"""What Meta tells us about a store's numbers and account: quality, limits, bans."""

from __future__ import annotations

from sqlmodel import Session

from plugin import clock
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount, switch_marketing_to_mm_api
from plugin.whatsapp.limits import THROUGHPUT_UPGRADE, apply_limits, parse_tier
from plugin.whatsapp.payloads.webhook import (
    AccountUpdate,
    BusinessCapabilityUpdate,
    PhoneNumberQualityUpdate,
)
from plugin.whatsapp.quality import quality_after_event
from plugin.whatsapp.volume_tiers import EVENT as VOLUME_TIER_UPDATE
from plugin.whatsapp.volume_tiers import record_tier_update

# account_update events / ban states that stop sending, and those that lift it.
SUSPENDING_EVENTS = {"DISABLED_UPDATE", "ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION"}
SUSPENDING_BAN_STATES = {"DISABLE", "SCHEDULE_FOR_DISABLE"}
REINSTATING_BAN_STATES = {"REINSTATE"}
# Source: Meta's MM API for WhatsApp "Onboard" page; the payload as 360dialog documents it.
MM_TERMS_SIGNED = "MM_LITE_TERMS_SIGNED"


def _digits(value: str | None) -> str:
    return "".join(c for c in value or "" if c.isdigit())


def _matches(account: WhatsAppAccount, phone: str | None) -> bool:
    """Meta names the number by its display form; no number means the whole WABA."""
    return not phone or _digits(account.display_phone) == _digits(phone)


def apply_quality_update(
    session: Session, *, accounts: list[WhatsAppAccount], update: PhoneNumberQualityUpdate
) -> int:
    """The portfolio's messaging limit (`max_daily_conversations_per_business`, else the
    removed `current_limit`), higher throughput on THROUGHPUT_UPGRADE, and for FLAGGED /
    UNFLAGGED the number's flag (plugin.delivery.quality: a flag halves marketing, it is not
    a red rating). Sources in plugin/whatsapp/limits.py."""
    touched = 0
    targets = [a for a in accounts if _matches(a, update.display_phone_number)] or (
        accounts if len(accounts) == 1 else []
    )
    for account in targets:
        tier = parse_tier(update.max_daily_conversations_per_business) or parse_tier(
            update.current_limit
        )
        upgraded = update.event.upper() == THROUGHPUT_UPGRADE
        apply_limits(session, account, tier=tier, throughput_level="HIGH" if upgraded else None)
        account.quality_rating = quality_after_event(account.quality_rating, update.event)
        account.updated_at = clock.now()
        session.add(account)
        touched += 1
    return touched


def apply_capability_update(
    session: Session, *, accounts: list[WhatsAppAccount], update: BusinessCapabilityUpdate
) -> int:
    """The business portfolio's new messaging limit, shared by every number of the WABA."""
    tier = parse_tier(update.max_daily_conversations_per_business) or parse_tier(
        update.max_daily_conversation_per_phone
    )
    if tier is None:
        return 0
    return sum(apply_limits(session, account, tier=tier) for account in accounts)


def apply_account_update(
    session: Session, *, accounts: list[WhatsAppAccount], update: AccountUpdate
) -> int:
    """A ban, restriction or violation suspends sending; a reinstatement lifts it; signing the
    Marketing Messages API terms (MM_LITE_TERMS_SIGNED, for the WABA in `waba_info`) routes
    the WABA's marketing through /marketing_messages from now on; a volume pricing tier
    update is recorded for the admin (plugin/whatsapp/volume_tiers.py), never a ban."""
    event = update.event.upper()
    if event == VOLUME_TIER_UPDATE:
        return record_tier_update(session, accounts=accounts, info=update.volume_tier_info)
    if event == MM_TERMS_SIGNED:
        waba = str((update.waba_info or {}).get("waba_id", ""))
        onboarded = [a for a in accounts if not waba or a.waba_id == waba]
        switch_marketing_to_mm_api(session, {a.id for a in onboarded if a.id is not None})
        return len(onboarded)
    ban_state = str((update.ban_info or {}).get("waba_ban_state", "")).upper()
    if ban_state in REINSTATING_BAN_STATES:
        status, reason = AccountStatus.ACTIVE, None
    elif event in SUSPENDING_EVENTS or ban_state in SUSPENDING_BAN_STATES:
        status, reason = AccountStatus.SUSPENDED, (f"{event} {ban_state}".strip())[:300]
    else:
        return 0
    touched = 0
    for account in accounts:
        if not _matches(account, update.phone_number):
            continue
        if account.status == AccountStatus.DISCONNECTED:
            continue
        account.status, account.status_reason = status, reason
        account.updated_at = clock.now()
        session.add(account)
        touched += 1
    return touched
