"""A/B tests: each variant's rate, and the winner the waiting group gets."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import broker, clock
from plugin.campaigns.config import LOOP_ACTOR
from plugin.campaigns.fanout import winner_group_pending
from plugin.campaigns.models import AbMetric, Campaign, CampaignStatus
from plugin.delivery.models import InboundMessage, MessageKind, MessageStatus, OutboundMessage


def variant_rates(
    session: Session, *, campaign: Campaign, metric: str
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Per variant: messages sent and the metric's hits. Clicks are read from an outbox
    `clicked_at` column when the measurement work has added one; until then, replies."""
    ob: Any = OutboundMessage
    clicked = getattr(OutboundMessage, "clicked_at", None)
    used = (
        AbMetric.CLICK.value
        if metric == AbMetric.CLICK.value and clicked is not None
        else AbMetric.REPLY.value
    )
    im: Any = InboundMessage
    if used == AbMetric.CLICK.value:
        hit: Any = sa.case((clicked.is_not(None), 1))  # type: ignore[union-attr]
    else:
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
