"""The scheduler's quality guard: a running campaign on a RED number, or using a template Meta
paused for quality, is paused within one tick with a reason and an admin alert; flagged numbers
keep their alert current. The rules and alerts are delivery's (plugin/delivery/quality.py,
sources there); pausing a campaign is the campaigns' own act, so the guard lives here."""

from __future__ import annotations

from typing import Any

import structlog
from sqlmodel import Session, col, select

from plugin.campaigns.models import Campaign, CampaignStatus
from plugin.campaigns.service import pause_campaign
from plugin.delivery.quality import (
    FLAGGED_SHARE,
    NUMBER_FLAGGED,
    NUMBER_RED,
    TEMPLATE_PAUSED,
    clear_alerts,
    marketing_share,
    open_alert,
)
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount, default_account

log = structlog.get_logger(__name__)


def _pause(session: Session, campaign: Campaign, reason: str, detail: dict[str, Any]) -> None:
    assert campaign.id is not None
    pause_campaign(session, store_id=campaign.store_id, campaign_id=campaign.id)
    open_alert(
        session,
        store_id=campaign.store_id,
        reason=reason,
        subject=f"campaign:{campaign.id}",
        detail={"campaign": campaign.name, **detail},
    )
    log.warning("campaign_paused_for_quality", campaign_id=campaign.id, reason=reason)


def _quality_reason(
    account: WhatsAppAccount | None, campaign: Campaign, paused: dict[int, str]
) -> tuple[str, dict[str, Any]] | None:
    if account is not None and marketing_share(account.quality_rating) == 0.0:
        return NUMBER_RED, {"phone": account.display_phone}
    for variant in campaign.variants or []:
        name = paused.get(int(variant.get("template_id") or 0))
        if name is not None:
            return TEMPLATE_PAUSED, {"template": name}
    return None


def guard(*, session: Session) -> None:
    """Scheduler task: pause running campaigns on a red number or with a paused template,
    and keep each store's flagged-number alerts current."""
    running = list(
        session.exec(
            select(Campaign).where(
                col(Campaign.status).in_(
                    [CampaignStatus.RUNNING.value, CampaignStatus.SCHEDULED.value]
                )
            )
        ).all()
    )
    accounts: dict[int, WhatsAppAccount | None] = {}
    for campaign in running:
        if campaign.store_id not in accounts:
            accounts[campaign.store_id] = default_account(session, campaign.store_id)
        template_ids = [int(v.get("template_id") or 0) for v in campaign.variants or []]
        paused = {
            t.id: t.name
            for t in session.exec(
                select(MessageTemplate).where(
                    col(MessageTemplate.id).in_(template_ids),
                    MessageTemplate.status == TemplateStatus.PAUSED,
                )
            )
            if t.id is not None
        }
        found = _quality_reason(accounts[campaign.store_id], campaign, paused)
        if found is not None:
            _pause(session, campaign, *found)
    flagged: dict[int, set[str]] = {}
    for account in session.exec(select(WhatsAppAccount)):
        share = marketing_share(account.quality_rating)
        keep = flagged.setdefault(account.store_id, set())
        if share == FLAGGED_SHARE:
            keep.add(f"account:{account.id}")
            open_alert(
                session,
                store_id=account.store_id,
                reason=NUMBER_FLAGGED,
                subject=f"account:{account.id}",
                detail={"phone": account.display_phone},
            )
    for store_id, keep in flagged.items():
        clear_alerts(session, store_id=store_id, reason=NUMBER_FLAGGED, keep=keep)
