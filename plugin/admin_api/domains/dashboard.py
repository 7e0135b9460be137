"""The dashboard (any staff user): headline cards, what is set up, a daily series with top
failure and skip reasons (good outcomes apart), funnels,
performance and cost per flow / step / campaign / variant / template, CSV exports; and, on a
contact, "why didn't she get it?" (MANAGE_USERS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from plugin.admin_api.context import Info
from plugin.admin_api.domains.cost_basis import CostBasisFields, basis_object
from plugin.admin_api.domains.dashboard_cards import (
    DashboardHeadline,
    DashboardSetup,
    range_bases,
    range_basis,
    setup,
)
from plugin.admin_api.domains.figures import Engagement
from plugin.admin_api.errors import InvalidArgument, int_id
from plugin.admin_api.permissions import Allowed
from plugin.admin_api.reasons import ReasonText, reason_text
from plugin.analytics import service as analytics
from plugin.analytics.aggregate import engagement
from plugin.analytics.headline import headline
from plugin.contacts.models import Contact
from plugin.delivery import service as delivery
from plugin.stores.service import get_settings

MAX_DAYS = 366
TOP_REASONS = 5


@strawberry.enum(description="What a report is grouped by (MONTH: the cost report only).")
class AnalyticsDimension(Enum):
    FLOW = "flow"
    FLOW_STEP = "flow_step"
    CAMPAIGN = "campaign"
    VARIANT = "variant"
    TEMPLATE = "template"
    MONTH = "month"


@strawberry.enum
class AnalyticsExport(Enum):
    FUNNEL = "funnel"
    PERFORMANCE = "performance"
    COST = "cost"
    DAILY = "daily"


@strawberry.type
class ReasonCount:
    reason: str
    count: int


@strawberry.type(description="One UTC day; money as decimal text.")
class DailyMetric(Engagement):
    date: date
    orders: int
    revenue: str = strawberry.field(description="In the store's currency (the first if many).")
    revenue_by_currency: JSON
    cost: str


@strawberry.type
class DashboardMetrics:
    start: date
    end: date
    daily: list[DailyMetric]
    headline: DashboardHeadline
    setup: DashboardSetup
    top_skip_reasons: list[ReasonCount] = strawberry.field(
        description="Problems only: why messages were held or cancelled, outcomes excluded."
    )
    top_reached_reasons: list[ReasonCount] = strawberry.field(
        description="Good outcomes: messages not needed because their goal came first (the "
        "cart was ordered, the customer replied)."
    )
    top_failure_reasons: list[ReasonCount]


@strawberry.type
class FunnelRow(Engagement):
    source: str
    queued: int
    failed: int
    skipped: int
    failed_reasons: JSON
    skipped_reasons: JSON


@strawberry.type
class PerformanceRow:
    source: str
    sent: int
    delivered: int
    orders: int
    revenue: JSON = strawberry.field(description="Currency -> net amount (text).")
    conversion_rate: str | None
    revenue_per_message: JSON
    cost: str
    cost_currency: str
    cost_per_order: str | None
    basis: CostBasisFields = strawberry.field(description="What the row's cost rests on.")


@strawberry.type
class CostRow:
    source: str
    sent: int
    billable: int
    cost: str
    cost_currency: str
    orders: int
    cost_per_order: str | None
    basis: CostBasisFields = strawberry.field(description="What the row's cost rests on.")


@strawberry.type(description="One message to the contact: its status and why.")
class DeliveryExplanation:
    id: strawberry.ID
    kind: str
    purpose: str
    template_name: str | None
    status: str
    status_reason: str | None
    status_reason_text: ReasonText | None
    error_code: str | None
    due_at: datetime | None
    sent_at: datetime | None
    created_at: datetime


def _money(values: dict[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in values.items()}


def _range(start: date | None, end: date | None, days: int = 30) -> tuple[date, date]:
    """[start, end] in UTC days; the last `days` days by default; at most a year."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidArgument(f"days must be 1 to {MAX_DAYS} / days 1 ile {MAX_DAYS} arası olmalı")
    default_start, default_end = analytics.last_days(days)
    start, end = start or default_start, end or default_end
    if start > end or (end - start) > timedelta(days=MAX_DAYS):
        raise InvalidArgument(
            f"start must be before end, at most {MAX_DAYS} days / başlangıç bitişten önce ve en "
            f"fazla {MAX_DAYS} gün olmalı"
        )
    return start, end


def _plain(row: Any) -> dict[str, Any]:
    """A report row's fields for its GraphQL type: decimals (and those in dicts) as text."""

    def text(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {k: text(v) for k, v in value.items()}
        return value

    return {f.name: text(getattr(row, f.name)) for f in fields(row)}


def _report(
    info: Info,
    report: Callable[..., list[Any]],
    by: AnalyticsDimension,
    start: date | None,
    end: date | None,
) -> list[Any]:
    ctx = info.context
    start, end = _range(start, end)
    return report(
        ctx.session,
        store_id=ctx.store_id,
        start=start,
        end=end,
        by=analytics.Dimension(by.value),
    )


def _top(reasons: dict[str, int]) -> list[ReasonCount]:
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
    return [ReasonCount(reason=r, count=int(n)) for r, n in ranked]


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed], description="The last `days` UTC days, today included."
    )
    def dashboard_metrics(self, info: Info, days: int = 30) -> DashboardMetrics:
        ctx = info.context
        start, end = _range(None, None, days)
        currency = get_settings(ctx.session, ctx.store_id).default_currency
        series = analytics.daily_series(ctx.session, store_id=ctx.store_id, start=start, end=end)
        cards = headline(ctx.session, store_id=ctx.store_id, start=start, end=end)

        def revenue(values: dict[str, Decimal]) -> str:
            if not values:
                return "0"
            return str(values.get(currency or "", next(iter(values.values()))))

        return DashboardMetrics(
            start=start,
            end=end,
            daily=[
                DailyMetric(
                    date=d.day,
                    **engagement(d),
                    orders=d.orders,
                    revenue=revenue(d.revenue),
                    revenue_by_currency=JSON(_money(d.revenue)),
                    cost=str(d.cost),
                )
                for d in series
            ],
            headline=DashboardHeadline.of(cards, range_basis(info, cards.cost, end)),
            setup=setup(info),
            top_skip_reasons=_top(cards.problems),
            top_reached_reasons=_top(cards.reached),
            top_failure_reasons=_top(cards.failed_reasons),
        )

    @strawberry.field(permission_classes=[Allowed], description="Default: the last 30 days.")
    def analytics_funnel(
        self, info: Info, by: AnalyticsDimension, start: date | None = None, end: date | None = None
    ) -> list[FunnelRow]:
        return [FunnelRow(**_plain(r)) for r in _report(info, analytics.funnel, by, start, end)]

    @strawberry.field(permission_classes=[Allowed], description="Revenue is net of refunds.")
    def analytics_performance(
        self, info: Info, by: AnalyticsDimension, start: date | None = None, end: date | None = None
    ) -> list[PerformanceRow]:
        rows = _report(info, analytics.performance, by, start, end)
        basis = range_bases(info, _range(start, end)[1])
        return [PerformanceRow(**_plain(r), basis=basis_object(basis(r.cost))) for r in rows]

    @strawberry.field(permission_classes=[Allowed], description="Meta's charges.")
    def analytics_cost(
        self, info: Info, by: AnalyticsDimension, start: date | None = None, end: date | None = None
    ) -> list[CostRow]:
        rows = _report(info, analytics.cost_report, by, start, end)
        basis = range_bases(info, _range(start, end)[1])
        return [CostRow(**_plain(r), basis=basis_object(basis(r.cost))) for r in rows]

    @strawberry.field(permission_classes=[Allowed], description="The report as CSV text.")
    def analytics_csv(
        self,
        info: Info,
        kind: AnalyticsExport,
        by: AnalyticsDimension = AnalyticsDimension.FLOW,
        start: date | None = None,
        end: date | None = None,
    ) -> str:
        ctx = info.context
        start, end = _range(start, end)
        return analytics.export_csv(
            kind.value,
            session=ctx.session,
            store_id=ctx.store_id,
            start=start,
            end=end,
            by=analytics.Dimension(by.value),
        )

    @strawberry.field(
        permission_classes=[Allowed],
        description="\"Why didn't she get it?\": the contact's latest messages, newest first.",
    )
    def delivery_explanation(
        self, info: Info, contact_id: strawberry.ID, limit: int = 50
    ) -> list[DeliveryExplanation]:
        ctx = info.context
        contact = ctx.get_owned(Contact, int_id(contact_id))
        if contact is None:
            return []
        rows = delivery.explain(
            ctx.session,
            store_id=ctx.store_id,
            contact_id=contact.id,  # type: ignore[arg-type]
            limit=max(1, min(limit, 100)),
        )
        return [
            DeliveryExplanation(
                id=strawberry.ID(str(r["id"])),
                kind=str(r["kind"]),
                purpose=str(r["purpose"]),
                template_name=r["template_name"],
                status=str(r["status"]),
                status_reason=r["status_reason"],
                status_reason_text=reason_text(r["status_reason"]),
                error_code=r["error_code"],
                due_at=r["due_at"],
                sent_at=r["sent_at"],
                created_at=r["created_at"],
            )
            for r in rows
        ]
