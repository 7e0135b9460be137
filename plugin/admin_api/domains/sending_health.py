"""Sending health: the open alerts Meta's word on a number or a template raised (a red or
flagged number, a template paused for quality, an impending recategorisation), and Meta's
messaging limit with its 24 h window. The rules and the alerts are delivery's
(plugin/delivery/quality.py, plugin/delivery/window.py); this translates them for the admin."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from plugin import clock
from plugin.admin_api.context import Info
from plugin.admin_api.permissions import Allowed
from plugin.admin_api.reasons import ReasonText
from plugin.delivery import quality, reasons, window
from plugin.whatsapp.accounts import default_account


@strawberry.type(description="An open sending-health alert, with its reason and fix (TR/EN).")
class SendingAlert:
    reason: ReasonText = strawberry.field(description="The code, its text and its fix (EN/TR).")
    subject: str = strawberry.field(
        description='What it is about: "account:<id>", "template:<id>" or "campaign:<id>".'
    )
    detail: JSON = strawberry.field(
        description="Meta's figures: the number, the template, the new category and its date."
    )
    opened_at: datetime


@strawberry.type(
    description="Meta's messaging limit as it stands: unique recipients of business-initiated "
    "messages in the last 24 hours (moving), and the share campaigns may still use."
)
class MessagingLimit:
    tier_name: str | None = strawberry.field(description='Meta\'s name, e.g. "TIER_2K".')
    tier: int | None = strawberry.field(description="Recipients per 24 h; null: unlimited.")
    used: int = strawberry.field(description="Recipients counted in the last 24 hours.")
    reserve: int = strawberry.field(description="Kept for order updates (campaigns stop short).")
    available: int | None = strawberry.field(description="New recipients order updates may reach.")
    marketing_available: int | None = strawberry.field(
        description="New recipients campaigns and cart recovery may still reach."
    )
    next_free_at: datetime | None = strawberry.field(
        description="When the earliest counted recipient leaves the window."
    )
    throughput_mps: int | None = strawberry.field(description="Messages per second (Meta).")
    read_at: datetime | None = strawberry.field(description="When Meta's figures were read.")


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed],
        description="Meta's messaging limit for the store's number and its 24-hour window.",
    )
    def messaging_limit(self, info: Info) -> MessagingLimit:
        ctx = info.context
        use = window.store_window(ctx.session, store_id=ctx.store_id, now=clock.now())
        account = default_account(ctx.session, ctx.store_id)
        return MessagingLimit(
            tier_name=account.messaging_limit_tier if account else None,
            tier=use.tier,
            used=use.used,
            reserve=use.reserve,
            available=use.available,
            marketing_available=use.marketing_available,
            next_free_at=use.next_free_at,
            throughput_mps=account.throughput_mps if account else None,
            read_at=account.limits_read_at if account else None,
        )

    @strawberry.field(
        permission_classes=[Allowed],
        description="Open sending-health alerts, newest first (empty: every number and "
        "template is in good standing).",
    )
    def sending_alerts(self, info: Info) -> list[SendingAlert]:
        ctx = info.context
        return [
            SendingAlert(
                reason=ReasonText.of(reasons.reason(row.reason)),
                subject=row.subject,
                detail=JSON(dict(row.detail or {})),
                opened_at=row.opened_at,
            )
            for row in quality.open_alerts(ctx.session, store_id=ctx.store_id)
        ]
