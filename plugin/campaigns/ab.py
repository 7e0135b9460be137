"""A/B tests and the holdout: each variant's rate, the winner the waiting group gets, and the
lift against the holdout group fixed at launch."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import broker, clock
from plugin.analytics.attribution import HoldoutLift
from plugin.analytics.attribution import holdout_lift as lift_of_groups
from plugin.analytics.models import LinkClick
from plugin.campaigns.config import LOOP_ACTOR
from plugin.campaigns.fanout import winner_group_pending
from plugin.campaigns.models import AbMetric, Campaign, CampaignRecipient, CampaignStatus
from plugin.delivery.models import InboundMessage, MessageKind, MessageStatus, OutboundMessage


def variant_rates(
    session: Session, *, campaign: Campaign, metric: str
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Per variant: messages sent and the metric's hits — a message counts once however often
    it was clicked (bots and link previews excluded, as everywhere) or answered."""
    ob: Any = OutboundMessage
    used = AbMetric.CLICK.value if metric == AbMetric.CLICK.value else AbMetric.REPLY.value
    if used == AbMetric.CLICK.value:
        lc: Any = LinkClick
        hit: Any = sa.case(
            (sa.exists().where(lc.message_id == ob.id, lc.filtered == sa.false()), 1)
        )
    else:
        im: Any = InboundMessage
        replied = sa.exists().where(
            im.contact_id == ob.contact_id,
            ob.sent_at.is_not(None),
            im.received_at >= ob.sent_at,
        )
        hit = sa.case((replied, 1))
    rows = session.execute(
        sa.select(ob.variant, sa.func.count().label("sent"), sa.func.count(hit).label("hits"))
        .where(
            ob.campaign_id == campaign.id,
            ob.kind == MessageKind.CAMPAIGN.value,
            ob.status.in_(MessageStatus.sql(MessageStatus.sent())),
        )
        .group_by(ob.variant)
    ).all()
    stats = {v["key"]: {"sent": 0, "hits": 0, "rate": 0.0} for v in campaign.variants}
    for row in rows:
        if row.variant in stats:
            stats[row.variant] = {
                "sent": row.sent,
                "hits": row.hits,
                "rate": row.hits / row.sent if row.sent else 0.0,
            }
    return used, stats


def pick_winner(session: Session, *, campaign: Campaign) -> str:
    """The variant with the best rate (ties: the earlier key); the waiting group gets it."""
    used, stats = variant_rates(session, campaign=campaign, metric=campaign.ab_metric)
    best = max(campaign.variants, key=lambda v: (stats[v["key"]]["rate"], -ord(v["key"])))
    campaign.winner_variant = best["key"]
    campaign.winner_metric_used = used
    campaign.winner_picked_at = clock.now()
    session.add(campaign)
    if campaign.status == CampaignStatus.RUNNING and winner_group_pending(campaign):
        campaign.fanout_done_at = None
        broker.enqueue_after_commit(session, LOOP_ACTOR, campaign.id)
    return str(best["key"])


def holdout_lift(session: Session, *, store_id: int, campaign_id: int) -> HoldoutLift:
    """Lift against the campaign's holdout group as fixed at launch (campaigns owns the group;
    analytics owns the conversion figures)."""
    group = [
        int(contact_id)
        for (contact_id,) in session.execute(
            sa.select(CampaignRecipient.contact_id).where(  # type: ignore[call-overload]
                CampaignRecipient.campaign_id == campaign_id,
                CampaignRecipient.holdout == sa.true(),
            )
        )
    ]
    return lift_of_groups(
        session, store_id=store_id, campaign_id=campaign_id, holdout_contact_ids=group
    )
