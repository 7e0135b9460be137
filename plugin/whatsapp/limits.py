"""Meta's messaging limit and throughput, read from what Meta says rather than kept by hand.

The limit is the number of unique WhatsApp users a business may deliver messages to outside a
customer service window in a moving 24 h; since 2025-10-07 it belongs to the business
portfolio and every number of the portfolio shares it (250, 2K, 10K, 100K, unlimited).
Sources (developers.facebook.com/documentation/business-messaging/whatsapp/):
- "Messaging limits": the definition above; `messaging_limit_tier` on the phone number is
  deprecated, read `whatsapp_business_manager_messaging_limit`; an increase triggers
  `business_capability_update` with `max_daily_conversations_per_business` (v24.0+).
- "Upcoming changes to messaging limits" (now live): portfolio-level limits from 2025-10-07.
- webhook reference `business_capability_update` (2026-05-21): `max_daily_conversations_per_
  business`, an integer 250 / 2000 / 10000 / 100000, -1 for unlimited
  (`max_daily_conversation_per_phone`, the same figure, removed in February 2026).
- webhook reference `phone_number_quality_update` (2026-05-21): `max_daily_conversations_per_
  business` as TIER_50 / TIER_250 / TIER_2K / TIER_10K / TIER_100K / TIER_NOT_SET /
  TIER_UNLIMITED (`current_limit` removed in February 2026); event THROUGHPUT_UPGRADE: the
  number now has higher throughput.
- "Throughput": 80 messages per second by default, 1,000 after Meta's automatic upgrade; the
  phone number's `throughput.level` is STANDARD or HIGH (peers' typed models of the node:
  zernio's `GetWhatsAppNumberInfo200ResponsePhoneThroughput`, api-evangelist's PhoneNumber).
Peers: 360dialog "Messaging Limits" (portfolio level, only conversations initiated outside the
service window count), YCloud "Messaging limits and throughput" (not a calendar-day counter).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
import structlog
from sqlmodel import Session, col, select

from plugin import broker, clock
from plugin.settings import get_settings
from plugin.stores.models import StoreSettings
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import WhatsAppError
from plugin.whatsapp.payloads.graph import BusinessAccountInfo, PhoneNumberInfo
from plugin.whatsapp.waba_info import apply_waba_info

log = structlog.get_logger(__name__)

UNLIMITED = "TIER_UNLIMITED"
_TIERS = {
    "TIER_50": 50,
    "TIER_250": 250,
    "TIER_1K": 1_000,  # older numbers' tier, still seen in peers' payloads
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
}
_BY_LIMIT = {limit: name for name, limit in _TIERS.items()}
THROUGHPUT_MPS = {"STANDARD": 80, "HIGH": 1_000}  # "Throughput"
THROUGHPUT_UPGRADE = "THROUGHPUT_UPGRADE"
REFRESH_EVERY = timedelta(hours=6)  # Meta applies upgrades "within 6 hours" (portfolio limits)
RETRY_AFTER = timedelta(minutes=30)  # a failed read is tried again after this
REFRESH_PER_TICK = 20
REFRESH_ACTOR = "refresh_number_limits"


@dataclass(frozen=True, slots=True)
class Tier:
    """A messaging limit as Meta names it, and its figure (None: unlimited)."""

    name: str
    limit: int | None


def parse_tier(value: str | int | None) -> Tier | None:
    """Meta's tier in either form it uses ("TIER_2K" in phone-number fields, 2000 or -1 in
    business_capability_update); None for TIER_NOT_SET, empty or unknown values."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().upper()
    if text.lstrip("-").isdigit():
        number = int(text)
        if number < 0:
            return Tier(UNLIMITED, None)
        return Tier(_BY_LIMIT.get(number, f"TIER_{number}"), number) if number > 0 else None
    if text == UNLIMITED:
        return Tier(UNLIMITED, None)
    if text in _TIERS:
        return Tier(text, _TIERS[text])
    return None


def apply_limits(
    session: Session,
    account: WhatsAppAccount,
    *,
    tier: Tier | None = None,
    throughput_level: str | None = None,
) -> bool:
    """Record what Meta said on the number and the store: the tier (the store's
    `daily_recipient_tier`, which the send-time window reads) and the throughput the pacer
    uses. Values Meta did not give (or gave as unknown) leave the last known ones."""
    changed = False
    if tier is not None:
        account.messaging_limit_tier = tier.name[:40]
        settings = session.get(StoreSettings, account.store_id)
        if settings is not None and settings.daily_recipient_tier != tier.limit:
            settings.daily_recipient_tier = tier.limit
            session.add(settings)
        changed = True
    mps = THROUGHPUT_MPS.get((throughput_level or "").upper())
    if mps is not None:
        account.throughput_mps = mps
        changed = True
    if changed:
        account.updated_at = clock.now()
        session.add(account)
    return changed


def apply_phone_info(session: Session, account: WhatsAppAccount, info: PhoneNumberInfo) -> None:
    """The Graph API's answer for the number: the portfolio's limit (the deprecated per-number
    field only when the new one is absent), the throughput level and the quality rating."""
    tier = parse_tier(info.whatsapp_business_manager_messaging_limit) or parse_tier(
        info.messaging_limit_tier
    )
    level = info.throughput.level if info.throughput is not None else None
    apply_limits(session, account, tier=tier, throughput_level=level)
    if info.quality_rating:
        account.quality_rating = info.quality_rating
    now = clock.now()
    account.limits_read_at = account.limits_checked_at = now
    session.add(account)


def read_at_next_tick(account: WhatsAppAccount) -> None:
    """A number connected without reading Meta (the dev sandbox's, made at install) is read by
    the next scheduler tick through the same Graph API path as any other, instead of
    REFRESH_EVERY after it was made: its billing currency and onboarding status are known
    within seconds, as a real number's are at connect."""
    account.limits_checked_at = clock.now() - REFRESH_EVERY


def refresh_due(*, session: Session) -> int:
    """Scheduler task: numbers whose limits were last read (or connected) more than
    REFRESH_EVERY ago are read again from the Graph API, each by an actor after commit (the
    tick never waits on Meta). A failed read is retried after RETRY_AFTER."""
    now = clock.now()
    last = sa.func.coalesce(col(WhatsAppAccount.limits_checked_at), col(WhatsAppAccount.created_at))
    due = session.exec(
        select(WhatsAppAccount)
        .where(col(WhatsAppAccount.status) == AccountStatus.ACTIVE, last <= now - REFRESH_EVERY)
        .order_by(last)
        .limit(REFRESH_PER_TICK)
    ).all()
    for account in due:
        account.limits_checked_at = now - REFRESH_EVERY + RETRY_AFTER  # claimed; retried if lost
        session.add(account)
        broker.enqueue_after_commit(session, REFRESH_ACTOR, account.id)
    return len(due)


def read_limits(session: Session, *, account_id: int, graph_url: str | None = None) -> bool:
    """Read one number's limit, throughput and quality, and its WABA's Marketing Messages API
    onboarding status and billing currency (plugin/whatsapp/waba_info.py), from the Graph API
    and record them.
    When Meta cannot be read the last known values stay (a failed WABA read alone keeps the
    number's figures); the failure is logged with ids and Meta's code only (no number, no
    token)."""
    account = session.get(WhatsAppAccount, account_id)
    if account is None or account.status != AccountStatus.ACTIVE:
        return False
    settings = get_settings()
    base = graph_url or settings.whatsapp_graph_url or "https://graph.facebook.com"
    credentials = Credentials(
        phone_number_id=account.phone_number_id,
        access_token=account.access_token(),
        waba_id=account.waba_id,
    )
    asked_at = clock.now()

    async def main() -> tuple[PhoneNumberInfo, BusinessAccountInfo | None]:
        from plugin.whatsapp.client import CloudApiClient

        async with CloudApiClient(base, graph_version=settings.whatsapp_graph_version) as client:
            info = await client.get_phone_number(credentials=credentials)
            try:
                return info, await client.get_business_account(credentials=credentials)
            except WhatsAppError as exc:
                _log_failure("whatsapp_mm_status_read_failed", account, exc)
                return info, None

    try:
        info, waba = asyncio.run(main())
    except WhatsAppError as exc:
        _log_failure("whatsapp_limits_read_failed", account, exc)
        return False
    apply_phone_info(session, account, info)
    apply_waba_info(session, account, waba, asked_at=asked_at)
    log.info(
        "whatsapp_limits_read",
        store_id=account.store_id,
        account_id=account.id,
        tier=account.messaging_limit_tier,
        throughput_mps=account.throughput_mps,
        mm_api_status=account.mm_api_status,
        billing_currency=account.billing_currency,
    )
    return True


def _log_failure(event: str, account: WhatsAppAccount, exc: WhatsAppError) -> None:
    log.warning(
        event,
        store_id=account.store_id,
        account_id=account.id,
        code=exc.error_class.code,
        disposition=str(exc.error_class.disposition),
    )
