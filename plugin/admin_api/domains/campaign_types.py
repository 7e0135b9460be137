"""The admin API's campaign output types: a campaign with its variants, live counts (one
grouped query per page through a dataloader), its message as the phone shows it, results,
holdout lift, estimate and progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from plugin import clock
from plugin.admin_api.context import Info
from plugin.admin_api.domains.cost_basis import CostBasisFields, basis_fields
from plugin.admin_api.domains.dashboard_cards import range_basis
from plugin.admin_api.domains.figures import Engagement
from plugin.admin_api.domains.template_types import TemplatePreview, preview_of
from plugin.analytics import service as analytics
from plugin.analytics.aggregate import engagement
from plugin.analytics.attribution import LIFT_CONFIDENCE, NOT_ENOUGH_DATA_TEXTS
from plugin.campaigns import ab, models, progress
from plugin.campaigns.models import Campaign as CampaignRow
from plugin.campaigns.preview import preview_variants
from plugin.pricing.ratecards import CARD_CURRENCY

# The domain's own enums: strawberry.enum marks the class itself with its GraphQL name, so the
# aliases are the classes and mypy sees real types in annotations.
CampaignStatus = models.CampaignStatus
SendMode = models.SendMode
AbMetric = models.AbMetric
strawberry.enum(CampaignStatus, name="CampaignStatus")
strawberry.enum(SendMode, name="CampaignSendMode")
strawberry.enum(AbMetric, name="AbMetric")


@strawberry.type
class CampaignVariant:
    key: str
    template_name: str
    template_language: str
    share: int
    body_fields: list[str]
    fallbacks: JSON
    header: JSON | None = strawberry.field(
        default=None,
        description='The header value: [{"link": url}] (image, video, document), '
        '["pickup_location"] (location) or [{"text": ...}].',
    )
    buttons: JSON | None = strawberry.field(
        default=None,
        description='Button values by index: {"url": destination} (tracked when the button '
        'address is <APP_URL>/r/{{1}}), {"code": coupon}, {"tag": question}, {"payload": ...}.',
    )


@strawberry.type(
    description="A campaign's messages by outcome: the list and the live panel both read these "
    "(plugin/campaigns/progress.py; one grouped query per page)."
)
class CampaignCounts:
    to_send: int = strawberry.field(
        description="Recipients minus the holdout: the messages the campaign means to send."
    )
    handled: int = strawberry.field(description="Final: sent, skipped, failed or cancelled.")
    queued: int = strawberry.field(description="Not final yet: waiting, queued or in flight.")
    held: int = strawberry.field(description="Held by a pause; released on resume.")
    sent: int = strawberry.field(description="Sent, delivered or read.")
    delivered: int = strawberry.field(description="Delivered or read.")
    read: int
    failed: int
    skipped: int = strawberry.field(description="Not sent by policy (consent, caps...).")
    cancelled: int
    quiet_hours: int = strawberry.field(description="Waiting for the end of quiet hours.")
    starts_at: datetime | None = strawberry.field(
        description="When the next message goes out if none can go before: a scheduled "
        "campaign's start, or the earliest end of quiet hours when every waiting message "
        "waits for it. Null while messages are going out."
    )

    @classmethod
    def of(cls, f: progress.Figures) -> CampaignCounts:
        return cls(
            to_send=f.to_send,
            handled=f.handled,
            queued=f.waiting,
            held=f.held,
            sent=f.sent,
            delivered=f.delivered,
            read=f.read,
            failed=f.failed,
            skipped=f.skipped,
            cancelled=f.cancelled,
            quiet_hours=f.quiet_hours,
            starts_at=f.starts_at,
        )


@strawberry.type(
    description="What the campaign's messages added: contacts who ordered among those sent a "
    "message (treated) against the holdout, over the attribution window from the first send. "
    "The interval is Newcombe's hybrid score 95 % interval of the difference of the rates."
)
class CampaignHoldoutLift:
    started_at: datetime | None = strawberry.field(description="The first send.")
    window_hours: int
    treated: int = strawberry.field(description="Contacts sent a message of the campaign.")
    holdout: int = strawberry.field(description="Holdout contacts (no message).")
    treated_conversions: int = strawberry.field(
        description="Treated contacts with an order (not cancelled) in the window."
    )
    holdout_conversions: int = strawberry.field(
        description="Holdout contacts with an order (not cancelled) in the window."
    )
    treated_rate: float
    holdout_rate: float
    absolute_lift: float = strawberry.field(description="treatedRate - holdoutRate.")
    relative_lift: float | None = strawberry.field(
        description="treatedRate / holdoutRate - 1; null while the holdout has no conversion."
    )
    interval_low: float | None = strawberry.field(description="Null without enough data.")
    interval_high: float | None = strawberry.field(description="Null without enough data.")
    confidence: float
    method: str
    enough_data: bool
    not_enough_data: str | None = strawberry.field(
        description="no_recipients, no_holdout or group_too_small (under 30 in a group)."
    )
    note: str | None = strawberry.field(description="Why there is no interval (English).")
    note_tr: str | None = strawberry.field(description="Why there is no interval (Turkish).")

    @classmethod
    def of(cls, lift: analytics.HoldoutLift) -> CampaignHoldoutLift:
        interval = lift.interval
        reason = lift.not_enough_data
        note, note_tr = NOT_ENOUGH_DATA_TEXTS[reason] if reason else (None, None)
        return cls(
            started_at=lift.started_at,
            window_hours=lift.window_hours,
            treated=lift.recipients,
            holdout=lift.holdout,
            treated_conversions=lift.recipients_converted,
            holdout_conversions=lift.holdout_converted,
            treated_rate=lift.recipient_rate,
            holdout_rate=lift.holdout_rate,
            absolute_lift=lift.absolute_lift,
            relative_lift=lift.relative_lift,
            interval_low=interval[0] if interval else None,
            interval_high=interval[1] if interval else None,
            confidence=LIFT_CONFIDENCE,
            method="newcombe",
            enough_data=reason is None,
            not_enough_data=reason,
            note=note,
            note_tr=note_tr,
        )


@strawberry.type(
    description="A campaign's figures since its start, from the dashboard's own reports "
    "(plugin/analytics: the same rollups and attribution; revenue net of refunds)."
)
class CampaignResults(Engagement, CostBasisFields):
    since: datetime = strawberry.field(description="The campaign's start.")
    orders: int = strawberry.field(description="Orders attributed to the campaign's messages.")
    revenue: JSON = strawberry.field(description="Currency -> net amount (text).")
    cost: str = strawberry.field(description="Meta's charges at the rate card's prices.")
    cost_currency: str


@strawberry.type(description="One variant's message as a recipient's phone shows it.")
class CampaignMessagePreview:
    variant: str
    template_name: str
    template_language: str
    preview: TemplatePreview | None = strawberry.field(
        description="Filled as launch fills it, for the catalogue's sample contact; null when "
        "the variant cannot be sent (see problem)."
    )
    problem: str | None
    problem_tr: str | None


@strawberry.type
class Campaign:
    id: strawberry.ID
    name: str
    status: CampaignStatus
    builtin_segment: str | None
    segment_id: strawberry.ID | None
    rule: JSON | None
    variants: list[CampaignVariant]
    holdout_percent: int
    send_mode: SendMode
    scheduled_at: datetime | None = strawberry.field(description="When `send_mode` is AT.")
    local_date: str | None
    local_time: str | None
    ab_metric: AbMetric
    ab_decide_after_hours: int
    winner_variant: str | None
    test_sent_at: datetime | None
    estimated_cost: str | None
    estimated_messages: int | None
    cost_currency: str | None
    recipients: int = strawberry.field(description="Snapshotted at start (0 before).")
    launched_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    async def _counts(self, info: Info) -> CampaignCounts:
        return await info.context.loaders.get("campaign_counts", _counts(info)).load(int(self.id))

    @strawberry.field
    async def counts(self, info: Info) -> CampaignCounts:
        return await self._counts(info)

    @strawberry.field(description="Sent, delivered or read.")
    async def sent(self, info: Info) -> int:
        return (await self._counts(info)).sent

    @strawberry.field(description="Delivered or read.")
    async def delivered(self, info: Info) -> int:
        return (await self._counts(info)).delivered

    @strawberry.field
    async def read(self, info: Info) -> int:
        return (await self._counts(info)).read

    @strawberry.field
    async def failed(self, info: Info) -> int:
        return (await self._counts(info)).failed

    @strawberry.field(description="Lift against the holdout (a few queries: ask per campaign).")
    def holdout_lift(self, info: Info) -> CampaignHoldoutLift:
        ctx = info.context
        return CampaignHoldoutLift.of(
            ab.holdout_lift(ctx.session, store_id=ctx.store_id, campaign_id=int(self.id))
        )

    @strawberry.field(description="Each variant rendered by the one message builder.")
    def message_previews(self, info: Info) -> list[CampaignMessagePreview]:
        ctx = info.context
        found = preview_variants(ctx.session, store_id=ctx.store_id, campaign_id=int(self.id))
        return [
            CampaignMessagePreview(
                variant=p.key,
                template_name=p.template_name,
                template_language=p.template_language,
                preview=preview_of(p.message, []) if p.message is not None else None,
                problem=p.problem[0] if p.problem else None,
                problem_tr=p.problem[1] if p.problem else None,
            )
            for p in found
        ]

    @strawberry.field(description="Null before the campaign starts (ask per campaign).")
    def results(self, info: Info) -> CampaignResults | None:
        if self.started_at is None:
            return None
        ctx = info.context
        b = analytics.campaign_totals(
            ctx.session,
            store_id=ctx.store_id,
            campaign_id=int(self.id),
            since=self.started_at.date(),
        )
        revenue = cast(dict[str, Decimal], b.revenue)  # a Counter of Decimals (see Bucket)
        last = (self.completed_at or self.cancelled_at or clock.now()).date()
        shared: dict[str, Any] = {**engagement(b), **basis_fields(range_basis(info, b.cost, last))}
        return CampaignResults(
            since=self.started_at,
            **shared,
            orders=b.orders,
            revenue=JSON({k: str(v.quantize(Decimal("0.01"))) for k, v in sorted(revenue.items())}),
            cost=str(b.cost.quantize(Decimal("0.0001"))),
            cost_currency=CARD_CURRENCY,
        )

    @classmethod
    def from_row(cls, row: CampaignRow) -> Campaign:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            status=CampaignStatus(str(row.status)),
            builtin_segment=row.builtin_segment,
            segment_id=strawberry.ID(str(row.segment_id)) if row.segment_id else None,
            rule=cast("JSON | None", row.rule),
            variants=[
                CampaignVariant(
                    key=v["key"],
                    template_name=v["template_name"],
                    template_language=v["template_language"],
                    share=int(v.get("share") or 0),
                    body_fields=list(v.get("body_fields") or []),
                    fallbacks=JSON(dict(v.get("fallbacks") or {})),
                    header=v.get("header"),
                    buttons=v.get("buttons"),
                )
                for v in row.variants or []
            ],
            holdout_percent=row.holdout_percent,
            send_mode=SendMode(str(row.send_mode)),
            scheduled_at=row.send_at,
            local_date=row.local_date,
            local_time=row.local_time,
            ab_metric=AbMetric(str(row.ab_metric)),
            ab_decide_after_hours=row.ab_decide_after_hours,
            winner_variant=row.winner_variant,
            test_sent_at=row.test_sent_at,
            estimated_cost=str(row.estimated_cost) if row.estimated_cost is not None else None,
            estimated_messages=row.estimated_messages,
            cost_currency=row.cost_currency,
            recipients=row.recipients_total,
            launched_at=row.launched_at,
            started_at=row.started_at,
            completed_at=row.completed_at,
            cancelled_at=row.cancelled_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def _counts(info: Info) -> Callable[[list[int]], list[CampaignCounts]]:
    ctx = info.context

    def batch(ids: list[int]) -> list[CampaignCounts]:
        found = progress.figures(ctx.session, store_id=ctx.store_id, campaign_ids=ids)
        return [CampaignCounts.of(found.get(i, progress.NO_FIGURES)) for i in ids]

    return batch


@strawberry.type
class CampaignEstimate(CostBasisFields):
    audience: int
    holdout: int
    consented: int
    messages: int
    cost: str
    cost_currency: str
    by_country: JSON
    daily_tier: int | None
    exceeds_daily_tier: bool
    days_needed: int
    plan_limit: int | None
    within_plan_limit: bool


@strawberry.type
class CampaignProgress:
    status: CampaignStatus
    recipients: int
    holdout: int
    queued: int
    snapshot_done: bool
    fanout_done: bool
    waiting_for_winner: int
    winner_variant: str | None
    by_status: JSON
    by_reason: JSON
    by_variant: JSON
    batches: int
