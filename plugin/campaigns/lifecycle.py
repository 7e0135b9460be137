"""Launch, pause, resume, cancel and delete: a paused campaign's unsent rows are held by
delivery's outbox and released on resume; a cancelled one's are cancelled there; only a draft,
which never wrote a row, can be deleted."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from plugin import broker, clock
from plugin.campaigns.audience_sql import local_instants
from plugin.campaigns.config import (
    CANCELLED_REASON,
    LOOP_ACTOR,
    PAUSED_REASON,
    CampaignError,
    audience_of,
    check_plan,
    get_campaign,
    prepare_variants,
    require_status,
)
from plugin.campaigns.estimate import ESTIMATE_FRESH_FOR, estimate_campaign
from plugin.campaigns.models import Campaign, CampaignStatus, SendMode
from plugin.delivery import outbox
from plugin.delivery.models import MessageKind
from plugin.delivery.window import marketing_share
from plugin.segments.service import (
    audience_budget,
    audience_condition,
    count_select,
    get_segment,
)
from plugin.stores import service as stores_service
from plugin.stores.models import StoreSettings
from plugin.stores.plans import (
    CAMPAIGN_MAX_RECIPIENTS,
    Feature,
    require_feature,
    require_recipient_limit,
)


def launch_campaign(
    session: Session, *, store_id: int, campaign_id: int, accept_daily_tier: bool = False
) -> Campaign:
    """Draft -> running (send now) or scheduled. Refuses, in both languages, without a test
    send, over the plan's limits, or over Meta's daily tier unless the merchant accepted it."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    require_status(campaign, CampaignStatus.DRAFT)
    settings = stores_service.get_settings(session, store_id)
    check_plan(session, settings, campaign)
    if campaign.test_sent_at is None:
        raise CampaignError(
            "TEST_SEND_REQUIRED",
            "Send a test to a staff number first.",
            "Önce bir personel numarasına test mesajı gönderin.",
        )
    prepare_variants(session, campaign)
    limit = CAMPAIGN_MAX_RECIPIENTS[settings.plan]
    if limit is not None:
        where = audience_condition(session, settings=settings, audience=audience_of(campaign))
        with audience_budget(session, campaign=True):
            count = session.execute(count_select(where)).scalar_one()
        require_recipient_limit(settings, int(count))
    tier = marketing_share(settings.daily_recipient_tier, settings.tier_reserve_percent)
    if tier is not None and not accept_daily_tier:
        fresh = (
            campaign.estimated_at is not None
            and clock.now() - campaign.estimated_at < ESTIMATE_FRESH_FOR
        )
        if not fresh:
            estimate_campaign(session, store_id=store_id, campaign_id=campaign_id)
        messages = campaign.estimated_messages or 0
        if messages > tier:
            days = math.ceil(messages / tier)
            raise CampaignError(
                "DAILY_TIER_EXCEEDED",
                f"{messages} messages exceed the {tier} people a day campaigns may reach under "
                f"Meta's limit (the rest is kept for order updates); sending would take {days} "
                "days. Confirm to continue.",
                f"{messages} mesaj, kampanyaların Meta sınırı içinde günde ulaşabileceği {tier} "
                f"kişiyi aşıyor (kalanı sipariş bildirimlerine ayrılır); gönderim {days} gün "
                "sürer. Devam etmek için onaylayın.",
            )
    now = clock.now()
    campaign.launched_at = now
    if campaign.send_mode == SendMode.NOW:
        start_campaign(session, campaign, settings)
    else:
        require_feature(settings, Feature.SCHEDULING)
        if campaign.send_mode == SendMode.LOCAL_TIME:
            instants = local_instants(session, campaign, settings)
            campaign.send_at = min(instants.values()) if instants else now
        campaign.status = CampaignStatus.SCHEDULED
    campaign.updated_at = now
    session.add(campaign)
    session.flush()
    return campaign


def start_campaign(session: Session, campaign: Campaign, settings: StoreSettings) -> None:
    """Running from now: the audience is evaluated as of this instant and snapshotted."""
    now = clock.now()
    audience = audience_of(campaign)
    if audience.segment_id is not None:
        campaign.audience_rule = get_segment(
            session, store_id=campaign.store_id, segment_id=audience.segment_id
        ).rule
    elif audience.rule is not None:
        campaign.audience_rule = audience.rule
    else:
        campaign.audience_rule = {"builtin": audience.builtin}
    campaign.status = CampaignStatus.RUNNING
    campaign.started_at = campaign.audience_as_of = now
    if len(campaign.variants) > 1:
        campaign.ab_decide_at = now + timedelta(hours=campaign.ab_decide_after_hours)
    campaign.updated_at = now
    session.add(campaign)
    broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)


def pause_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Stop the loop and hold every not-yet-sent outbox row (status cancelled, reason
    campaign_paused) so nothing more goes out until resumed."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    require_status(campaign, CampaignStatus.RUNNING, CampaignStatus.SCHEDULED)
    now = clock.now()
    outbox.hold_messages(session, reason=PAUSED_REASON, **_rows_of(campaign))
    campaign.status, campaign.paused_at, campaign.updated_at = CampaignStatus.PAUSED, now, now
    session.add(campaign)
    session.flush()
    return campaign


def resume_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Release the held rows and continue from the checkpoint: nobody is queued twice."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    require_status(campaign, CampaignStatus.PAUSED)
    now = clock.now()
    campaign.paused_at, campaign.updated_at = None, now
    if campaign.started_at is None:
        campaign.status = CampaignStatus.SCHEDULED
    else:
        campaign.status = CampaignStatus.RUNNING
        outbox.release_messages(session, reason=PAUSED_REASON, **_rows_of(campaign))
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    session.add(campaign)
    session.flush()
    return campaign


def cancel_campaign(session: Session, *, store_id: int, campaign_id: int) -> Campaign:
    """Stop for good: the loop ends and the campaign's unsent outbox rows are cancelled."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    require_status(
        campaign,
        CampaignStatus.DRAFT,
        CampaignStatus.SCHEDULED,
        CampaignStatus.RUNNING,
        CampaignStatus.PAUSED,
    )
    now = clock.now()
    rows = _rows_of(campaign)
    outbox.cancel_messages(session, reason=CANCELLED_REASON, **rows)
    outbox.cancel_held(session, held_reason=PAUSED_REASON, reason=CANCELLED_REASON, **rows)
    campaign.status, campaign.cancelled_at, campaign.updated_at = CampaignStatus.CANCELLED, now, now
    session.add(campaign)
    session.flush()
    return campaign


def delete_draft(session: Session, *, store_id: int, campaign_id: int) -> None:
    """Delete a draft for good. A launched campaign is a record (its messages, recipients and
    results point at it), so only a draft goes; its test sends stay in the contact's history."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id, lock=True)
    require_status(campaign, CampaignStatus.DRAFT)
    session.delete(campaign)
    session.flush()


def _rows_of(campaign: Campaign) -> dict[str, Any]:
    """The campaign's own outbox rows (its test sends are not among them)."""
    return {
        "store_id": campaign.store_id,
        "campaign_id": campaign.id,
        "kind": MessageKind.CAMPAIGN,
    }
