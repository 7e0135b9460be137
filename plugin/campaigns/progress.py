"""The campaign tick (start due campaigns, pick due winners, finish settled ones, restart a
lost loop) and the live progress the admin shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from plugin import broker, clock
from plugin.campaigns.ab import pick_winner
from plugin.campaigns.config import LOOP_ACTOR, get_campaign
from plugin.campaigns.fanout import winner_group_pending
from plugin.campaigns.lifecycle import start_campaign
from plugin.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.stores import service as stores_service

STALL_AFTER = timedelta(seconds=30)  # a running loop silent this long is re-enqueued


def tick(*, session: Session) -> None:
    """Scheduler task: start due campaigns, pick due A/B winners, finish campaigns whose
    every message is settled, and re-enqueue a loop whose message was lost."""
    now = clock.now()
    c: Any = Campaign
    for campaign in session.exec(
        select(Campaign).where(c.status == CampaignStatus.SCHEDULED.value, c.send_at <= now)
    ):
        start_campaign(session, campaign, stores_service.get_settings(session, campaign.store_id))
    for campaign in session.exec(
        select(Campaign).where(
            c.status.in_([CampaignStatus.RUNNING.value, CampaignStatus.PAUSED.value]),
            c.winner_variant.is_(None),
            c.ab_decide_at.is_not(None),
            c.ab_decide_at <= now,
        )
    ):
        pick_winner(session, campaign=campaign)
    ob: Any = OutboundMessage
    for campaign in session.exec(select(Campaign).where(c.status == CampaignStatus.RUNNING.value)):
        waiting_for_winner = winner_group_pending(campaign) and campaign.winner_variant is None
        if campaign.fanout_done_at is None:
            main_done = (
                campaign.snapshot_done and campaign.send_checkpoint >= campaign.snapshot_checkpoint
            )
            if not (main_done and waiting_for_winner) and now - campaign.updated_at > STALL_AFTER:
                broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
            continue
        if waiting_for_winner:
            continue
        unfinished = session.execute(
            sa.select(
                sa.exists().where(
                    ob.campaign_id == campaign.id,
                    ob.status.in_(MessageStatus.sql(MessageStatus.unfinished())),
                )
            )
        ).scalar()
        if not unfinished:
            campaign.status, campaign.completed_at, campaign.updated_at = (
                CampaignStatus.COMPLETED,
                now,
                now,
            )
            session.add(campaign)
    session.flush()


def campaign_progress(session: Session, *, store_id: int, campaign_id: int) -> dict[str, Any]:
    """Live progress: the loop's checkpoints and the outbox's counts by status and reason."""
    campaign = get_campaign(session, store_id=store_id, campaign_id=campaign_id)
    ob: Any = OutboundMessage
    rows = session.execute(
        sa.select(ob.variant, ob.status, ob.status_reason, sa.func.count().label("n"))
        .where(
            ob.store_id == store_id,
            ob.campaign_id == campaign.id,
            ob.kind == MessageKind.CAMPAIGN.value,
        )
        .group_by(ob.variant, ob.status, ob.status_reason)
    ).all()
    by_status: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    by_variant: dict[str, dict[str, int]] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + row.n
        if row.status_reason:
            by_reason[row.status_reason] = by_reason.get(row.status_reason, 0) + row.n
        per = by_variant.setdefault(row.variant or "", {})
        per[row.status] = per.get(row.status, 0) + row.n
    waiting = 0
    if winner_group_pending(campaign) and campaign.winner_variant is None:
        r: Any = CampaignRecipient
        waiting = int(
            session.execute(
                sa.select(sa.func.count()).where(
                    r.campaign_id == campaign.id, r.variant.is_(None), r.holdout.is_(False)
                )
            ).scalar_one()
        )
    return {
        "id": campaign.id,
        "status": campaign.status.value if hasattr(campaign.status, "value") else campaign.status,
        "recipients": campaign.recipients_total,
        "holdout": campaign.holdout_total,
        "queued": campaign.queued_total,
        "snapshot_done": campaign.snapshot_done,
        "fanout_done": campaign.fanout_done_at is not None,
        "waiting_for_winner": waiting,
        "winner_variant": campaign.winner_variant,
        "by_status": by_status,
        "by_reason": by_reason,
        "by_variant": by_variant,
        "batches": campaign.batches,
        "estimated_cost": campaign.estimated_cost,
        "cost_currency": campaign.cost_currency,
    }
