"""Sending health: the open alerts Meta's word on a number or a template raised (a red or
flagged number, a template paused for quality, an impending recategorisation). The rules and
the alerts are delivery's (plugin/delivery/quality.py); this translates them for the admin."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.permissions import Allowed
from plugin.admin_api.reasons import ReasonText
from plugin.delivery import quality, reasons


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


@strawberry.type
class Query:
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
