"""Flows: each flow's settings and its funnel, switching on/off, changing steps, templates and
options, and a checkout's journey ("what did recovery do for this cart?")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from plugin import clock
from plugin.admin_api.context import Info
from plugin.admin_api.errors import AdminError, AdminErrorCode, admin_errors, not_found
from plugin.admin_api.permissions import Allowed
from plugin.admin_api.reasons import ReasonText, all_reasons, reason_text
from plugin.analytics import service as analytics
from plugin.flows import alerts as flow_alerts
from plugin.flows import carriers as flow_carriers
from plugin.flows import config as flow_config
from plugin.flows.figures import flow_figures
from plugin.flows.journal import JourneyEntry as JourneyRow
from plugin.flows.journal import checkout_journey
from plugin.flows.models import ORDER_UPDATE_FLOWS, FlowConfig, FlowKey

FUNNEL_DAYS = 30
NO_FLOW = ("No such flow.", "Böyle bir akış yok.")
StepList = list[Mapping[str, Any]]  # what flow_config.step_errors takes (list is invariant)


@strawberry.type(description="One step of cart recovery.")
class FlowStep:
    position: int = strawberry.field(description="1 for the first message.")
    delay_minutes: int
    template_name: str
    discount_code: str | None


@strawberry.type(description="The flow's figures over the last 30 days.")
class FlowFunnel:
    entered: int
    sent: int
    delivered: int
    read: int
    clicked: int
    converted: int
    stopped_by_reason: JSON
    skipped_by_reason: JSON
    recovered_revenue: JSON = strawberry.field(description="Currency -> amount (text).")


@strawberry.type(
    description="A switched-on flow skips or fails messages for a reason the merchant can fix."
)
class FlowAlert:
    flow_key: str
    reason: ReasonText = strawberry.field(description="The code, its text and its fix (EN/TR).")
    first_seen_at: datetime | None = strawberry.field(
        description="The first skip or failure (null: a setting stops the flow before any)."
    )
    last_seen_at: datetime | None
    template_name: str | None
    order_id: str | None = strawberry.field(description="The latest example, if an order.")
    checkout_id: str | None = strawberry.field(description="The latest example, if a checkout.")

    @classmethod
    def from_alert(cls, a: flow_alerts.Alert) -> FlowAlert:
        return cls(
            flow_key=a.flow_key,
            reason=ReasonText.of(a.reason),
            first_seen_at=a.first_seen_at,
            last_seen_at=a.last_seen_at,
            template_name=a.template_name,
            order_id=a.order_id,
            checkout_id=a.checkout_id,
        )


@strawberry.type(description="A shipping carrier the shipped message can link to.")
class Carrier:
    key: str = strawberry.field(description="The value of the order_fulfilled option `carrier`.")
    name: str
    tracking_url: str = strawberry.field(description="{tracking_number} marks the number.")
    confirmed: bool = strawberry.field(
        description="False: public sources disagree on the link's form; it may open the "
        "carrier's search page."
    )


@strawberry.type(description="One automated flow of the store (id = its key).")
class Flow:
    id: strawberry.ID
    key: str
    enabled: bool
    channels: list[str] = strawberry.field(description="Empty: every channel.")
    templates: JSON = strawberry.field(description="Starter key -> template name.")
    order_update: bool = strawberry.field(
        description="One of the order updates (created, paid, shipped, cancelled, refunded): "
        "the admin shows them as one group with one main switch."
    )
    template_names: list[str] = strawberry.field(
        description="The templates it may send, its main message first (the admin's preview)."
    )
    variable_mappings: JSON
    steps: list[FlowStep]
    options: JSON
    updated_at: datetime | None
    funnel: FlowFunnel | None = strawberry.field(
        default=None, description="Last 30 days; null in mutation payloads."
    )
    alerts: list[FlowAlert] = strawberry.field(
        default_factory=list,
        description="Open alerts (in a mutation payload: what stops the flow at once, such as "
        "cart recovery without a checkout URL).",
    )

    @classmethod
    def from_row(
        cls,
        row: FlowConfig,
        funnel: FlowFunnel | None = None,
        alerts: list[FlowAlert] | None = None,
    ) -> Flow:
        return cls(
            id=strawberry.ID(str(row.flow_key)),
            key=str(row.flow_key),
            enabled=row.enabled,
            channels=list(row.channels or []),
            templates=JSON(dict(row.templates or {})),
            order_update=row.flow_key in ORDER_UPDATE_FLOWS,
            template_names=[
                flow_config.template_name(row, k) for k in flow_config.template_keys(row)
            ],
            variable_mappings=JSON(dict(row.variable_mappings or {})),
            steps=[
                FlowStep(
                    position=i,
                    delay_minutes=int(s.get("delay_minutes") or 0),
                    template_name=flow_config.template_name(row, str(s.get("template") or "")),
                    discount_code=s.get("discount_code"),
                )
                for i, s in enumerate(row.steps or [], start=1)
            ],
            options=JSON(
                {**flow_config.DEFAULT_OPTIONS.get(row.flow_key, {}), **(row.options or {})}
            ),
            updated_at=row.updated_at if row.id is not None else None,
            funnel=funnel,
            alerts=alerts or [],
        )


@strawberry.type
class FlowPayload:
    flow: Flow | None = None
    errors: list[AdminError] = strawberry.field(default_factory=list)


@strawberry.input
class FlowStepInput:
    delay_minutes: int
    template: str = strawberry.field(
        description="A template key: `templates` maps it to a name, else ulak_<key>."
    )
    discount_code: str | None = None


@strawberry.input(description="Null keeps a value.")
class FlowInput:
    channels: list[str] | None = None
    templates: JSON | None = None
    variable_mappings: JSON | None = None
    steps: list[FlowStepInput] | None = None
    options: JSON | None = None


@strawberry.type(description="One line of a checkout's story, oldest first.")
class JourneyEntry:
    at: datetime
    flow_key: str
    action: str
    sequence: int | None
    step: int | None
    reason: str | None
    reason_text: ReasonText | None
    message_id: strawberry.ID | None
    template_name: str | None
    due_at: datetime | None

    @classmethod
    def from_entry(cls, e: JourneyRow) -> JourneyEntry:
        return cls(
            at=e.at,
            flow_key=e.flow_key,
            action=e.action,
            sequence=e.sequence,
            step=e.step,
            reason=e.reason,
            reason_text=reason_text(e.reason),
            message_id=strawberry.ID(str(e.message_id)) if e.message_id is not None else None,
            template_name=e.template_name,
            due_at=e.due_at,
        )


def _key(id: str) -> FlowKey | None:
    try:
        return FlowKey(id)
    except ValueError:
        return None


def _funnels(info: Info) -> dict[str, FlowFunnel]:
    """Every flow's funnel in a few grouped queries (never one per flow)."""
    ctx = info.context
    until = clock.now()
    since = until - timedelta(days=FUNNEL_DAYS)
    start, end = analytics.last_days(FUNNEL_DAYS)
    sent = {
        r.source: r
        for r in analytics.funnel(
            ctx.session, store_id=ctx.store_id, start=start, end=end, by=analytics.Dimension.FLOW
        )
    }
    out = {}
    for key, f in flow_figures(
        ctx.session, store_id=ctx.store_id, since=since, until=until
    ).items():
        row = sent.get(key)
        out[key] = FlowFunnel(
            entered=f.entered,
            sent=row.sent if row else sum(f.sent_by_step.values()),
            delivered=row.delivered if row else 0,
            read=row.read if row else 0,
            clicked=row.clicked if row else 0,
            converted=f.converted,
            stopped_by_reason=JSON(dict(f.stopped_by_reason)),
            skipped_by_reason=JSON(dict(f.skipped_by_reason)),
            recovered_revenue=JSON({k: str(v) for k, v in f.recovered_revenue.items()}),
        )
    return out


def _alerts(info: Info) -> list[FlowAlert]:
    ctx = info.context
    return [
        FlowAlert.from_alert(a) for a in flow_alerts.current(ctx.session, store_id=ctx.store_id)
    ]


def _carrier_error(options: dict[str, Any] | None) -> list[AdminError]:
    """An `options.carrier` that names no carrier of the table."""
    value = (options or {}).get("carrier")
    if value is None or (isinstance(value, str) and flow_carriers.find(value) is not None):
        return []
    keys = ", ".join(c.key for c in flow_carriers.CARRIERS)
    return [
        AdminError(
            field="options.carrier",
            code=AdminErrorCode.INVALID,
            message=f"Unknown carrier; use one of: {keys}.",
            message_tr=f"Bilinmeyen kargo firması; şunlardan birini kullanın: {keys}.",
        )
    ]


def _dict(value: object) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[Allowed], description="Every flow, in a fixed order, with its funnel."
    )
    def flows(self, info: Info) -> list[Flow]:
        ctx = info.context
        funnels = _funnels(info)
        alerts = _alerts(info)
        return [
            Flow.from_row(
                row,
                funnels.get(str(row.flow_key)),
                [a for a in alerts if a.flow_key == str(row.flow_key)],
            )
            for row in flow_config.all_configs(ctx.session, store_id=ctx.store_id)
        ]

    @strawberry.field(permission_classes=[Allowed], description="Null for an unknown key.")
    def flow(self, info: Info, id: strawberry.ID) -> Flow | None:
        key = _key(id)
        if key is None:
            return None
        ctx = info.context
        row = flow_config.flow_config(ctx.session, store_id=ctx.store_id, flow_key=key)
        alerts = [a for a in _alerts(info) if a.flow_key == key.value]
        return Flow.from_row(row, _funnels(info).get(key.value), alerts)

    @strawberry.field(
        permission_classes=[Allowed],
        description="What switched-on flows skip or fail, why and how to fix it; oldest first.",
    )
    def flow_alerts(self, info: Info) -> list[FlowAlert]:
        return _alerts(info)

    @strawberry.field(
        permission_classes=[Allowed],
        description="The carriers the shipped message links to (option `carrier`).",
    )
    def carriers(self, info: Info) -> list[Carrier]:
        return [
            Carrier(key=c.key, name=c.name, tracking_url=c.url, confirmed=c.confirmed)
            for c in flow_carriers.CARRIERS
        ]

    @strawberry.field(
        permission_classes=[Allowed],
        description="Every reason code a message can carry, with its text and fix (EN/TR).",
    )
    def reason_codes(self, info: Info) -> list[ReasonText]:
        return all_reasons()

    @strawberry.field(
        permission_classes=[Allowed],
        description="What the flows did about one Saleor checkout, oldest first.",
    )
    def checkout_journey(self, info: Info, checkout_id: str) -> list[JourneyEntry]:
        ctx = info.context
        return [
            JourneyEntry.from_entry(e)
            for e in checkout_journey(ctx.session, store_id=ctx.store_id, checkout_id=checkout_id)
        ]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[Allowed], description="Switch a flow on or off.")
    def set_flow_enabled(self, info: Info, id: strawberry.ID, enabled: bool) -> FlowPayload:
        key = _key(id)
        if key is None:
            return FlowPayload(errors=not_found("id", *NO_FLOW))
        ctx = info.context
        if enabled and (
            why := flow_config.cannot_enable(ctx.session, store_id=ctx.store_id, flow_key=key)
        ):
            return FlowPayload(errors=admin_errors([why]))
        row = flow_config.save_config(
            ctx.session, store_id=ctx.store_id, flow_key=key, enabled=enabled
        )
        alerts = [a for a in _alerts(info) if a.flow_key == key.value]
        return FlowPayload(flow=Flow.from_row(row, alerts=alerts))

    @strawberry.mutation(
        permission_classes=[Allowed],
        description="Change a flow's channels, templates, mappings, recovery steps or options.",
    )
    def update_flow(self, info: Info, id: strawberry.ID, input: FlowInput) -> FlowPayload:
        key = _key(id)
        if key is None:
            return FlowPayload(errors=not_found("id", *NO_FLOW))
        steps: list[dict[str, Any]] | None = (
            [
                {
                    "delay_minutes": s.delay_minutes,
                    "template": s.template,
                    "discount_code": s.discount_code,
                }
                for s in input.steps
            ]
            if input.steps is not None
            else None
        )
        if steps is not None and (problems := flow_config.step_errors(cast(StepList, steps))):
            return FlowPayload(
                errors=[
                    AdminError(
                        field=p.split(":", 1)[0],
                        code=AdminErrorCode.INVALID,
                        message=p,
                        message_tr="Kurtarma adımları geçersiz: " + p,
                    )
                    for p in problems
                ]
            )
        if errors := _carrier_error(_dict(input.options)):
            return FlowPayload(errors=errors)
        ctx = info.context
        row = flow_config.save_config(
            ctx.session,
            store_id=ctx.store_id,
            flow_key=key,
            channels=input.channels,
            templates=_dict(input.templates),
            variable_mappings=_dict(input.variable_mappings),
            steps=steps,
            options=_dict(input.options),
        )
        return FlowPayload(flow=Flow.from_row(row))
