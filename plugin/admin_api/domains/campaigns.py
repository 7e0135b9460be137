"""Campaigns: list with live counts, configure a draft, test-send, estimate, launch, pause,
resume, cancel, delete a draft and progress. Refusals are typed errors with the campaign's code
(INVALID_CAMPAIGN, INVALID_TRANSITION, TEST_SEND_REQUIRED, DAILY_TIER_EXCEEDED, PLAN_LIMIT)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlmodel import select
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.domains.campaign_types import (
    AbMetric,
    Campaign,
    CampaignEstimate,
    CampaignProgress,
    CampaignStatus,
    SendMode,
)
from plugin.admin_api.domains.cost_basis import basis_fields
from plugin.admin_api.errors import AdminError, domain_errors, int_id, not_found
from plugin.admin_api.pagination import DESC, Connection, paginate
from plugin.admin_api.permissions import Allowed
from plugin.campaigns import service
from plugin.campaigns.models import Campaign as CampaignRow
from plugin.errors import InvalidPayload
from plugin.segments.service import Audience
from plugin.stores.plans import PlanLimitError

NO_CAMPAIGN = ("No such campaign.", "Böyle bir kampanya yok.")
REFUSALS = (service.CampaignError, InvalidPayload, PlanLimitError)


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type
class EstimateCampaignPayload:
    estimate: CampaignEstimate | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.input
class CampaignVariantInput:
    template_name: str
    template_language: str
    key: str | None = None
    share: int | None = None
    body_fields: list[str] | None = None
    fallbacks: JSON | None = None
    header: JSON | None = None
    buttons: JSON | None = None


@strawberry.input(description="The audience is exactly one of builtinSegment, segmentId, rule.")
class CampaignInput:
    name: str
    variants: list[CampaignVariantInput]
    builtin_segment: str | None = None
    segment_id: strawberry.ID | None = None
    rule: JSON | None = None
    holdout_percent: int = 0
    send_mode: SendMode = SendMode.NOW
    send_at: datetime | None = None
    local_date: str | None = None
    local_time: str | None = None
    ab_metric: AbMetric = AbMetric.REPLY
    ab_decide_after_hours: int = 4
    account_id: strawberry.ID | None = None


def _run(info: Info, id: strawberry.ID, action: Callable[..., Any]) -> CampaignPayload:
    """One lifecycle step on one of this store's campaigns; refusals change nothing."""
    ctx = info.context
    row = ctx.get_owned(CampaignRow, int_id(id))
    if row is None:
        return CampaignPayload(errors=not_found("id", *NO_CAMPAIGN))
    try:
        with ctx.session.begin_nested():
            action(ctx.session, store_id=ctx.store_id, campaign_id=row.id)
    except REFUSALS as exc:
        ctx.session.refresh(row)
        return CampaignPayload(campaign=Campaign.from_row(row), errors=domain_errors(exc))
    return CampaignPayload(campaign=Campaign.from_row(row))


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed], description="Newest first.")
    def campaigns(
        self,
        info: Info,
        status: CampaignStatus | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Campaign]:
        ctx = info.context
        stmt = ctx.scoped(select(CampaignRow))
        if status is not None:
            stmt = stmt.where(CampaignRow.status == status.value)
        return paginate(
            ctx,
            stmt,
            order=[(CampaignRow.created_at, DESC), (CampaignRow.id, DESC)],
            node=Campaign.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @strawberry.field(permission_classes=[Allowed])
    def campaign(self, info: Info, id: strawberry.ID) -> Campaign | None:
        row = info.context.get_owned(CampaignRow, int_id(id))
        return Campaign.from_row(row) if row is not None else None

    @strawberry.field(permission_classes=[Allowed], description="Live; null for an unknown id.")
    def campaign_progress(self, info: Info, id: strawberry.ID) -> CampaignProgress | None:
        ctx = info.context
        row = ctx.get_owned(CampaignRow, int_id(id))
        if row is None:
            return None
        p = service.campaign_progress(ctx.session, store_id=ctx.store_id, campaign_id=row.id)  # type: ignore[arg-type]
        return CampaignProgress(
            status=CampaignStatus(p["status"]),
            recipients=p["recipients"],
            holdout=p["holdout"],
            queued=p["queued"],
            snapshot_done=p["snapshot_done"],
            fanout_done=p["fanout_done"],
            waiting_for_winner=p["waiting_for_winner"],
            winner_variant=p["winner_variant"],
            by_status=p["by_status"],
            by_reason=p["by_reason"],
            by_variant=p["by_variant"],
            batches=p["batches"],
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Create a draft, or change one (`id`); a change needs a new test send.",
    )
    def save_campaign(
        self, info: Info, input: CampaignInput, id: strawberry.ID | None = None
    ) -> CampaignPayload:
        ctx = info.context
        if id is not None and ctx.get_owned(CampaignRow, int_id(id)) is None:
            return CampaignPayload(errors=not_found("id", *NO_CAMPAIGN))
        rule = input.rule if input.rule is None or isinstance(input.rule, dict) else {"invalid": 1}
        try:
            with ctx.session.begin_nested():
                row = service.configure_campaign(
                    ctx.session,
                    store_id=ctx.store_id,
                    campaign_id=int_id(id) if id is not None else None,
                    name=input.name,
                    audience=Audience(
                        builtin=input.builtin_segment,
                        segment_id=int_id(input.segment_id) if input.segment_id else None,
                        rule=rule,
                    ),
                    variants=[
                        {
                            "key": v.key,
                            "template_name": v.template_name,
                            "template_language": v.template_language,
                            "share": v.share,
                            "body_fields": v.body_fields or [],
                            "fallbacks": v.fallbacks if isinstance(v.fallbacks, dict) else {},
                            "header": v.header,
                            "buttons": v.buttons,
                        }
                        for v in input.variants
                    ],
                    holdout_percent=input.holdout_percent,
                    send_mode=input.send_mode.value,
                    send_at=input.send_at,
                    local_date=input.local_date,
                    local_time=input.local_time,
                    ab_metric=input.ab_metric.value,
                    ab_decide_after_hours=input.ab_decide_after_hours,
                    account_id=int_id(input.account_id) if input.account_id else None,
                )
        except REFUSALS as exc:
            return CampaignPayload(errors=domain_errors(exc))
        return CampaignPayload(campaign=Campaign.from_row(row))

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Queue each variant (or `variant`) to a staff number; needed before launch.",
    )
    def send_campaign_test(
        self, info: Info, id: strawberry.ID, phone: str, variant: str | None = None
    ) -> CampaignPayload:
        return _run(
            info,
            id,
            lambda session, **kw: service.send_test(
                session,
                phone_e164=phone,
                variant=variant,
                staff_user_id=info.context.claims.get("user_id"),
                **kw,
            ),
        )

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Audience, consent, cost and Meta's daily tier (remembered for launch).",
    )
    def estimate_campaign(self, info: Info, id: strawberry.ID) -> EstimateCampaignPayload:
        ctx = info.context
        row = ctx.get_owned(CampaignRow, int_id(id))
        if row is None or row.id is None:
            return EstimateCampaignPayload(errors=not_found("id", *NO_CAMPAIGN))
        try:
            with ctx.session.begin_nested():
                e = service.estimate_campaign(
                    ctx.session, store_id=ctx.store_id, campaign_id=row.id
                )
        except REFUSALS as exc:
            return EstimateCampaignPayload(errors=domain_errors(exc))
        return EstimateCampaignPayload(
            estimate=CampaignEstimate(
                audience=e["audience"],
                holdout=e["holdout"],
                consented=e["consented"],
                messages=e["messages"],
                cost=str(Decimal(e["cost"])),
                cost_currency=e["cost_currency"],
                by_country=e["by_country"],
                daily_tier=e["daily_tier"],
                exceeds_daily_tier=e["exceeds_daily_tier"],
                days_needed=e["days_needed"],
                plan_limit=e["plan_limit"],
                within_plan_limit=e["within_plan_limit"],
                **basis_fields(e["basis"]),
            )
        )

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Draft -> running or scheduled. DAILY_TIER_EXCEEDED unless acceptDailyTier.",
    )
    def launch_campaign(
        self, info: Info, id: strawberry.ID, accept_daily_tier: bool = False
    ) -> CampaignPayload:
        return _run(
            info,
            id,
            lambda session, **kw: service.launch_campaign(
                session, accept_daily_tier=accept_daily_tier, **kw
            ),
        )

    @strawberry.mutation(permission_classes=[Allowed], description="Hold every unsent message.")
    def pause_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return _run(info, id, service.pause_campaign)

    @strawberry.mutation(permission_classes=[Allowed], description="Continue from the checkpoint.")
    def resume_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return _run(info, id, service.resume_campaign)

    @strawberry.mutation(permission_classes=[Allowed], description="Stop for good.")
    def cancel_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        return _run(info, id, service.cancel_campaign)

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Delete a draft for good (returns it as it was); a launched campaign is "
        "kept (INVALID_TRANSITION): cancel it instead.",
    )
    def delete_campaign(self, info: Info, id: strawberry.ID) -> CampaignPayload:
        ctx = info.context
        row = ctx.get_owned(CampaignRow, int_id(id))
        if row is None:
            return CampaignPayload(errors=not_found("id", *NO_CAMPAIGN))
        gone = Campaign.from_row(row)
        try:
            with ctx.session.begin_nested():
                service.delete_draft(ctx.session, store_id=ctx.store_id, campaign_id=row.id)  # type: ignore[arg-type]
        except REFUSALS as exc:
            ctx.session.refresh(row)
            return CampaignPayload(campaign=Campaign.from_row(row), errors=domain_errors(exc))
        return CampaignPayload(campaign=gone)
