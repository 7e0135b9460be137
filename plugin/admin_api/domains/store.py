"""The store, its settings, and its plan and usage."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from enum import Enum

import strawberry

from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, admin_errors
from plugin.admin_api.permissions import Allowed
from plugin.delivery import service as delivery
from plugin.errors import InvalidInput
from plugin.stores import plans, service, usage
from plugin.stores.models import PLAN_MONTHLY_QUOTA, PLAN_PRICE_TRY
from plugin.stores.models import Plan as PlanValue
from plugin.stores.models import StoreSettings as StoreSettingsRow


@strawberry.enum
class Plan(Enum):
    FREE = "free"
    SILVER = "silver"
    GOLD = "gold"


@strawberry.type(description="The staff user behind the token.")
class Viewer:
    email: str | None
    user_id: str | None
    is_staff: bool
    user_permissions: list[str]


@strawberry.type(description="This Saleor installation of Ulak.")
class Store:
    name: str
    domain: str
    saleor_api_url: str
    status: str
    installed_at: datetime
    plan: Plan


@strawberry.type
class StoreSettings:
    timezone: str
    default_region: str
    default_locale: str
    quiet_hours_start: str
    quiet_hours_end: str
    quiet_hours_transactional: bool
    marketing_cap_24h: int
    marketing_cap_7d: int
    recovery_pause_after_order_hours: int
    optout_keywords: list[str]
    optin_keywords: list[str]
    resume_keywords: list[str]
    optin_lapse_days: int
    message_retention_days: int
    inbox_retention_days: int
    attribution_window_hours: int
    storefront_url: str | None
    checkout_url_template: str | None
    storefront_origins: list[str] = strawberry.field(
        description="Sites that may call POST /api/storefront/opt-in from a browser."
    )
    optin_daily_limit: int = strawberry.field(
        description="Storefront opt-in requests accepted per UTC day (each may send a "
        "message billed to the store); past it the storefront gets a 429."
    )
    tier_reserve_percent: int = strawberry.field(
        description="Share of Meta's messaging limit campaigns leave for order updates "
        "(at least 50 recipients, at most half the limit; 0 turns it off)."
    )
    updated_at: datetime

    @classmethod
    def from_row(cls, row: StoreSettingsRow) -> StoreSettings:
        names = [f.name for f in fields(service.SettingsChanges)] + ["updated_at"]
        return cls(**{name: getattr(row, name) for name in names})


@strawberry.input(description="Only the fields given change.")
class StoreSettingsInput:
    timezone: str | None = None
    default_region: str | None = None
    default_locale: str | None = None
    quiet_hours_start: str | None = strawberry.field(default=None, description="HH:MM")
    quiet_hours_end: str | None = strawberry.field(default=None, description="HH:MM")
    quiet_hours_transactional: bool | None = None
    marketing_cap_24h: int | None = None
    marketing_cap_7d: int | None = None
    recovery_pause_after_order_hours: int | None = None
    optout_keywords: list[str] | None = None
    optin_keywords: list[str] | None = None
    resume_keywords: list[str] | None = None
    optin_lapse_days: int | None = None
    message_retention_days: int | None = None
    inbox_retention_days: int | None = None
    attribution_window_hours: int | None = None
    storefront_url: str | None = None
    checkout_url_template: str | None = None
    storefront_origins: list[str] | None = strawberry.field(
        default=None, description="e.g. https://shop.example.com; [] allows server calls only."
    )
    optin_daily_limit: int | None = strawberry.field(
        default=None, description="0 to 100000; default 500."
    )
    tier_reserve_percent: int | None = strawberry.field(default=None, description="0 to 50.")

    def to_changes(self) -> service.SettingsChanges:
        return service.SettingsChanges(
            **{f.name: getattr(self, f.name) for f in fields(service.SettingsChanges)}
        )


@strawberry.type
class StoreSettingsPayload:
    settings: StoreSettings | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type(
    description="The plan's monthly marketing quota: the one counter the send-time policy "
    "enforces. Transactional messages are never counted nor held."
)
class PlanUsage:
    plan: Plan
    monthly_quota: int = strawberry.field(description="Marketing messages a month.")
    used_this_month: int = strawberry.field(
        description="Marketing messages counted this month (the store's time zone): sent, in "
        "flight or of unknown outcome; failed and unbilled messages are not counted."
    )
    remaining: int
    period_start: datetime
    price_try: str = strawberry.field(description="Monthly price in Turkish lira.")
    warning_level: int = strawberry.field(
        description="100 when the quota is used up, 80 from 80 % on, else 0: the admin warns."
    )
    resets_at: datetime = strawberry.field(
        description="The next month's first instant: the counter starts again and marketing "
        "held for the quota goes out (at once after an upgrade)."
    )
    resets_on: date = strawberry.field(
        description="resetsAt as a date of the store's calendar (its time zone)."
    )
    held_messages: int = strawberry.field(
        description="Marketing messages waiting for the quota (reason quota_exceeded)."
    )


@strawberry.type
class ChangePlanPayload:
    usage: PlanUsage | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.type(description="A feature a plan may include, named in English and Turkish.")
class PlanFeature:
    code: str = strawberry.field(description="e.g. ab_testing, own_segments, scheduling.")
    label: str
    label_tr: str
    required_plan: Plan = strawberry.field(description="The cheapest plan that includes it.")
    included: bool = strawberry.field(description="The store's current plan includes it.")


@strawberry.type(description="One plan of the comparison (plugin/stores/plans.py).")
class PlanOffer:
    plan: Plan
    price_try: str = strawberry.field(description="Monthly price in Turkish lira.")
    monthly_quota: int
    campaign_max_recipients: int | None = strawberry.field(description="Null: no limit of ours.")
    features: list[str] = strawberry.field(description="Codes of the features it includes.")
    current: bool


@strawberry.type
class PlanCatalogue:
    current: Plan
    plans: list[PlanOffer] = strawberry.field(description="Cheapest first.")
    features: list[PlanFeature]


def _catalogue(info: Info) -> PlanCatalogue:
    ctx = info.context
    current = PlanValue(service.get_settings(ctx.session, ctx.store_id).plan)
    return PlanCatalogue(
        current=Plan(current.value),
        plans=[
            PlanOffer(
                plan=Plan(o.plan.value),
                price_try=str(o.price_try),
                monthly_quota=o.monthly_quota,
                campaign_max_recipients=o.campaign_max_recipients,
                features=[f.value for f in o.features],
                current=o.plan == current,
            )
            for o in plans.catalogue()
        ],
        features=[
            PlanFeature(
                code=f.value,
                label=plans.FEATURE_LABELS[f][0],
                label_tr=plans.FEATURE_LABELS[f][1],
                required_plan=Plan(plans.FEATURE_PLAN[f].value),
                included=plans.has_feature(current, f),
            )
            for f in plans.Feature
        ],
    )


def _usage(info: Info) -> PlanUsage:
    ctx = info.context
    current = usage.usage(session=ctx.session, store_id=ctx.store_id)
    return PlanUsage(
        plan=Plan(current.plan.value),
        monthly_quota=current.monthly_quota,
        used_this_month=current.used,
        remaining=current.remaining,
        period_start=current.period_start,
        price_try=str(PLAN_PRICE_TRY[current.plan]),
        warning_level=current.warning,
        resets_at=current.resets_at,
        resets_on=current.resets_on,
        held_messages=delivery.held_messages(ctx.session, store_id=ctx.store_id),
    )


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[Allowed])
    def viewer(self, info: Info) -> Viewer:
        claims = info.context.claims
        return Viewer(
            email=claims.get("email"),
            user_id=claims.get("user_id"),
            is_staff=info.context.is_staff,
            user_permissions=sorted(info.context.user_permissions),
        )

    @strawberry.field(permission_classes=[Allowed])
    def store(self, info: Info) -> Store:
        ctx = info.context
        row = ctx.store
        settings = service.get_settings(ctx.session, ctx.store_id)
        return Store(
            name=row.name,
            domain=row.domain,
            saleor_api_url=row.saleor_api_url,
            status=str(row.status),
            installed_at=row.installed_at,
            plan=Plan(PlanValue(settings.plan).value),
        )

    @strawberry.field(permission_classes=[Allowed])
    def store_settings(self, info: Info) -> StoreSettings:
        ctx = info.context
        return StoreSettings.from_row(service.get_settings(ctx.session, ctx.store_id))

    @strawberry.field(permission_classes=[Allowed])
    def plan_usage(self, info: Info) -> PlanUsage:
        return _usage(info)

    @strawberry.field(
        permission_classes=[Allowed],
        description="The plans compared (price, quota, features) and which one is the store's.",
    )
    def plan_catalogue(self, info: Info) -> PlanCatalogue:
        return _catalogue(info)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[Allowed])
    def update_store_settings(self, info: Info, input: StoreSettingsInput) -> StoreSettingsPayload:
        ctx = info.context
        try:
            row = service.update_settings(
                session=ctx.session, store_id=ctx.store_id, changes=input.to_changes()
            )
        except InvalidInput as exc:
            return StoreSettingsPayload(errors=admin_errors(exc))
        return StoreSettingsPayload(settings=StoreSettings.from_row(row))

    @strawberry.mutation(permission_classes=[Allowed])
    def change_plan(self, info: Info, plan: Plan) -> ChangePlanPayload:
        ctx = info.context
        service.change_plan(session=ctx.session, store_id=ctx.store_id, plan=PlanValue(plan.value))
        return ChangePlanPayload(usage=_usage(info))


assert set(PLAN_MONTHLY_QUOTA) == {PlanValue(p.value) for p in Plan}
