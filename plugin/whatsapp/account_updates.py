"""What Meta tells us about a store's numbers and account: quality, limits, bans."""

from __future__ import annotations

from sqlmodel import Session

from plugin import clock
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.limits import apply_tier
from plugin.whatsapp.payloads.webhook import AccountUpdate, PhoneNumberQualityUpdate
from plugin.whatsapp.quality import quality_after_event

# account_update events / ban states that stop sending, and those that lift it.
SUSPENDING_EVENTS = {"DISABLED_UPDATE", "ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION"}
SUSPENDING_BAN_STATES = {"DISABLE", "SCHEDULE_FOR_DISABLE"}
REINSTATING_BAN_STATES = {"REINSTATE"}


def _digits(value: str | None) -> str:
    return "".join(c for c in value or "" if c.isdigit())


def _matches(account: WhatsAppAccount, phone: str | None) -> bool:
    """Meta names the number by its display form; no number means the whole WABA."""
    return not phone or _digits(account.display_phone) == _digits(phone)


def apply_quality_update(
    session: Session, *, accounts: list[WhatsAppAccount], update: PhoneNumberQualityUpdate
) -> int:
    """New messaging limit tier and, for FLAGGED / UNFLAGGED, the number's flag
    (plugin.delivery.quality: a flag halves marketing, it is not a red rating)."""
    touched = 0
    targets = [a for a in accounts if _matches(a, update.display_phone_number)] or (
        accounts if len(accounts) == 1 else []
    )
    for account in targets:
        limit = update.max_daily_conversations_per_business or update.current_limit
        if limit:
            account.messaging_limit_tier = limit[:40]
            apply_tier(session, store_id=account.store_id, tier=limit)
        account.quality_rating = quality_after_event(account.quality_rating, update.event)
        account.updated_at = clock.now()
        session.add(account)
        touched += 1
    return touched


def apply_account_update(
    session: Session, *, accounts: list[WhatsAppAccount], update: AccountUpdate
) -> int:
    """A ban, restriction or violation suspends sending; a reinstatement lifts it."""
    event = update.event.upper()
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
