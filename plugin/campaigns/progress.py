"""The campaign tick (start due campaigns, pick due winners, finish settled ones, restart a
lost loop) and the live progress the admin shows.

`figures` is the one count of a campaign's messages by outcome: the admin's campaign list and
its live panel both read it, so the two can never disagree (issue 20 point 7)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from plugin import broker, clock
from plugin.campaigns.ab import pick_winner
from plugin.campaigns.config import LOOP_ACTOR, PAUSED_REASON, get_campaign
from plugin.campaigns.fanout import winner_group_pending
from plugin.campaigns.lifecycle import start_campaign
from plugin.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from plugin.delivery.models import MessageKind, MessageStatus, OutboundMessage
from plugin.delivery.policy import QUIET_HOURS
from plugin.stores import service as stores_service


def tick(*, session: Session) -> None:
    """Scheduler task: start due campaigns, pick due A/B winners, finish campaigns whose
    every message is settled, and re-enqueue a loop whose message was lost."""
    now = clock.now()
    lost_after = broker.lost_after()  # a running loop silent this long is re-enqueued
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
            if not (main_done and waiting_for_winner) and now - campaign.updated_at > lost_after:
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


@dataclass(frozen=True)
class Figures:
    """A campaign's messages by outcome (MessageStatus's groups), and when sending starts."""

    to_send: int  # recipients minus the holdout: the messages the campaign means to send
    handled: int  # final: sent (delivered, read), skipped, failed or cancelled
    waiting: int  # not final yet: waiting for their time, queued or in flight
    held: int  # held by a pause (released on resume)
    sent: int
    delivered: int
    read: int
    failed: int
    skipped: int
    cancelled: int
    quiet_hours: int  # waiting for the end of quiet hours (deferred, never dropped)
    # The instant the next message goes out when nothing can go before it: a scheduled
    # campaign's start, or the earliest end of quiet hours when every waiting message waits
    # for it. None while messages are going out (or nothing is left).
    starts_at: datetime | None


NO_FIGURES = Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None)  # a campaign that is gone


def figures(session: Session, *, store_id: int, campaign_ids: Iterable[int]) -> dict[int, Figures]:
    """The figures of several of the store's campaigns in two grouped queries (a page of the
    list); an id of another store, or of none, gets no entry."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    c: Any = Campaign
    campaigns = {
        row.id: row
        for row in session.exec(select(Campaign).where(c.store_id == store_id, c.id.in_(ids)))
        if row.id is not None
    }
    ob: Any = OutboundMessage
    counted: dict[int, dict[tuple[str, str | None], tuple[int, datetime | None]]] = {}
    for campaign_id, status, reason, n, first_due in session.execute(
        sa.select(
            ob.campaign_id, ob.status, ob.status_reason, sa.func.count(), sa.func.min(ob.due_at)
        )
        .where(
            ob.store_id == store_id,
            ob.campaign_id.in_(list(campaigns)),
            ob.kind == MessageKind.CAMPAIGN.value,
        )
        .group_by(ob.campaign_id, ob.status, ob.status_reason)
    ).all():
        counted.setdefault(campaign_id, {})[(status, reason)] = (int(n), first_due)
    return {i: _figures(row, counted.get(i, {})) for i, row in campaigns.items()}


def _figures(
    campaign: Campaign, rows: dict[tuple[str, str | None], tuple[int, datetime | None]]
) -> Figures:
    def count(statuses: frozenset[MessageStatus], reason: str | None = None) -> int:
        return sum(
            n
            for (s, r), (n, _) in rows.items()
            if s in statuses and (reason is None or r == reason)
        )

    cancelled = frozenset({MessageStatus.CANCELLED})
    held = count(cancelled, PAUSED_REASON)
    waiting = count(MessageStatus.unfinished())
    quiet = count(MessageStatus.waiting(), QUIET_HOURS)
    quiet_end = min(
        (
            due
            for (s, r), (_, due) in rows.items()
            if s in MessageStatus.waiting() and r == QUIET_HOURS and due is not None
        ),
        default=None,
    )
    status = CampaignStatus(str(campaign.status))
    starts_at: datetime | None = None
    if status == CampaignStatus.SCHEDULED:
        starts_at = campaign.send_at
    elif status == CampaignStatus.RUNNING and quiet and quiet == waiting:
        starts_at = quiet_end
    return Figures(
        to_send=max(campaign.recipients_total - campaign.holdout_total, 0),
        handled=count(MessageStatus.final()) - held,
        waiting=waiting,
        held=held,
        sent=count(MessageStatus.sent()),
        delivered=count(MessageStatus.delivered()),
        read=count(frozenset({MessageStatus.READ})),
        failed=count(MessageStatus.failed()),
        skipped=count(frozenset({MessageStatus.SUPPRESSED})),
        cancelled=count(cancelled) - held,
        quiet_hours=quiet,
        starts_at=starts_at,
    )


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
