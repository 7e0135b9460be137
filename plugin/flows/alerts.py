"""Alerts: a switched-on flow that skips or fails messages says so, with the fix, and stops
saying so once it is fixed — never a silent `missing_variables`.

The scheduler tick (`refresh`) reads what happened since its last pass — the journal's skips
(by id) and the flow rows the send path failed or suppressed (by `updated_at`, on a partial
index) — and opens one alert per flow and reason the merchant can act on
(`plugin.delivery.reasons`, `alerts=True`). The same pass clears an open alert when its flow
is off, when the cause is gone (the checkout URL is set, the template is approved again), or
when the flow has since delivered a message. A store-level condition that stops a flow before
any event (cart recovery without a checkout URL) is reported at read time too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from plugin import clock
from plugin.delivery import reasons
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.flows.config import all_configs, checkout_url_set, template_keys, template_name
from plugin.flows.models import (
    FlowAlert,
    FlowAlertCursor,
    FlowConfig,
    FlowEvent,
    FlowKey,
    JournalAction,
)
from plugin.flows.recovery import CHECKOUT_URL_MISSING
from plugin.stores.service import get_settings
from plugin.templates.models import MessageTemplate, TemplateStatus

SLACK = timedelta(seconds=10)  # a row committed late with an earlier updated_at is still read
MAX_EVENTS = 10_000
FIRST_LOOK = timedelta(days=1)
TEMPLATE_REASONS = frozenset(
    {
        "template_not_approved",
        "template_missing",
        "template_paused",
        "template_disabled",
        "template_category_changed",
        "template_problem",
    }
)


@dataclass(frozen=True, slots=True)
class Problem:
    store_id: int
    flow_key: str
    reason: str
    at: datetime
    template_name: str | None = None
    order_id: str | None = None
    checkout_id: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """What the admin shows: the flow, the reason's code and texts, since when, an example."""

    flow_key: str
    reason: reasons.Reason
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    template_name: str | None = None
    order_id: str | None = None
    checkout_id: str | None = None


def _cursor(session: Session) -> FlowAlertCursor:
    row = session.get(FlowAlertCursor, 1)
    if row is None:  # the first pass reads the journal from its start, the outbox's last day
        row = FlowAlertCursor(id=1, last_event_id=0, outbox_since=clock.now() - FIRST_LOOK)
        session.add(row)
        session.flush()
    return row


def _journal_problems(session: Session, cursor: FlowAlertCursor) -> list[Problem]:
    rows = session.execute(
        sa.select(
            col(FlowEvent.id),
            col(FlowEvent.store_id),
            col(FlowEvent.flow_key),
            col(FlowEvent.reason),
            col(FlowEvent.occurred_at),
            col(FlowEvent.order_id),
            col(FlowEvent.checkout_id),
            col(FlowEvent.action),
        )
        .where(col(FlowEvent.id) > cursor.last_event_id)
        .order_by(col(FlowEvent.id))
        .limit(MAX_EVENTS)
    ).all()
    if rows:
        cursor.last_event_id = int(rows[-1][0])
    return [
        Problem(store_id, flow_key, reason, at, order_id=order_id, checkout_id=checkout_id)
        for _, store_id, flow_key, reason, at, order_id, checkout_id, action in rows
        if action == JournalAction.SKIPPED and reasons.alerts(reason)
    ]


def _outbox_problems(session: Session, cursor: FlowAlertCursor, now: datetime) -> list[Problem]:
    since = (cursor.outbox_since or now) - SLACK
    table = OutboundMessage.__table__  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
    rows = session.execute(
        sa.select(
            table.c.store_id,
            table.c.flow_key,
            table.c.status_reason,
            table.c.updated_at,
            table.c.template_name,
            table.c.order_id,
            table.c.checkout_id,
        ).where(
            # the partial index's own condition, so the planner uses it
            table.c.flow_key.isnot(None),
            table.c.status.in_(MessageStatus.sql(MessageStatus.refused())),
            table.c.updated_at > since,
        )
    ).all()
    cursor.outbox_since = now
    return [
        Problem(r[0], r[1], r[2], r[3], template_name=r[4], order_id=r[5], checkout_id=r[6])
        for r in rows
        if reasons.alerts(r[2])
    ]


def _raise(session: Session, problem: Problem) -> None:
    alert = session.exec(
        select(FlowAlert).where(
            FlowAlert.store_id == problem.store_id,
            FlowAlert.flow_key == problem.flow_key,
            FlowAlert.reason == problem.reason,
        )
    ).first()
    if alert is None:
        alert = FlowAlert(
            store_id=problem.store_id,
            flow_key=problem.flow_key,
            reason=problem.reason,
            first_seen_at=problem.at,
            last_seen_at=problem.at,
        )
    elif alert.cleared_at is not None:
        if problem.at <= alert.cleared_at:
            return  # seen again through the slack window: the fix came after it
        alert.cleared_at = None
        alert.first_seen_at = problem.at
    alert.last_seen_at = max(alert.last_seen_at, problem.at)
    alert.template_name = problem.template_name or alert.template_name
    alert.order_id = problem.order_id or alert.order_id
    alert.checkout_id = problem.checkout_id or alert.checkout_id
    session.add(alert)
    session.flush()


def _templates_approved(session: Session, store_id: int, names: set[str]) -> bool:
    """Each of these template names has an approved language at Meta."""
    approved = set(
        session.exec(
            select(MessageTemplate.name).where(
                MessageTemplate.store_id == store_id,
                col(MessageTemplate.name).in_(names),
                MessageTemplate.status == TemplateStatus.APPROVED,
            )
        ).all()
    )
    return names <= approved


def _delivered_since(session: Session, alert: FlowAlert) -> bool:
    """The flow wrote a message after the last problem, and it went out."""
    return (
        session.exec(
            select(FlowEvent.id)
            .join(OutboundMessage, col(OutboundMessage.id) == col(FlowEvent.message_id))
            .where(
                FlowEvent.store_id == alert.store_id,
                FlowEvent.flow_key == alert.flow_key,
                FlowEvent.action == JournalAction.SCHEDULED,
                col(FlowEvent.occurred_at) > alert.last_seen_at,
                col(OutboundMessage.status).in_(MessageStatus.sql(MessageStatus.sent())),
            )
            .limit(1)
        ).first()
        is not None
    )


def _fixed(session: Session, alert: FlowAlert, config: FlowConfig | None) -> bool:
    if config is None or not config.enabled:
        return True  # switched off: nothing to warn about
    if alert.reason == CHECKOUT_URL_MISSING:
        return checkout_url_set(get_settings(session, alert.store_id))
    if alert.reason in TEMPLATE_REASONS:  # fixed when the flow's templates are approved
        names = (
            {alert.template_name}
            if alert.template_name
            else {template_name(config, key) for key in template_keys(config)}
        )
        return _templates_approved(session, alert.store_id, names)
    return _delivered_since(session, alert)


def refresh(*, session: Session) -> None:
    """Tick: open alerts for what went wrong since the last pass, clear the fixed ones."""
    now = clock.now()
    cursor = _cursor(session)
    problems = [*_journal_problems(session, cursor), *_outbox_problems(session, cursor, now)]
    stores = {p.store_id for p in problems}
    open_alerts = list(session.exec(select(FlowAlert).where(col(FlowAlert.cleared_at).is_(None))))
    stores |= {a.store_id for a in open_alerts}
    configs = {
        (c.store_id, str(c.flow_key)): c
        for c in session.exec(select(FlowConfig).where(col(FlowConfig.store_id).in_(stores)))
    }
    for problem in sorted(problems, key=lambda p: p.at):
        config = configs.get((problem.store_id, problem.flow_key))
        if config is not None and config.enabled:
            _raise(session, problem)
    for alert in session.exec(select(FlowAlert).where(col(FlowAlert.cleared_at).is_(None))):
        if _fixed(session, alert, configs.get((alert.store_id, alert.flow_key))):
            alert.cleared_at = now
            session.add(alert)
    session.add(cursor)
    session.flush()


def _static(session: Session, store_id: int, configs: list[FlowConfig]) -> list[Alert]:
    """Conditions that stop a switched-on flow before any event shows it."""
    found: list[Alert] = []
    recovery = next(c for c in configs if c.flow_key == FlowKey.CART_RECOVERY)
    if recovery.enabled and not checkout_url_set(get_settings(session, store_id)):
        found.append(
            Alert(FlowKey.CART_RECOVERY.value, reasons.reason(CHECKOUT_URL_MISSING), None, None)
        )
    return found


def current(session: Session, *, store_id: int) -> list[Alert]:
    """The store's open alerts (only for flows that are on), oldest first."""
    configs = all_configs(session, store_id=store_id)
    enabled = {str(c.flow_key) for c in configs if c.enabled}
    stored = [
        Alert(
            a.flow_key,
            reasons.reason(a.reason),
            a.first_seen_at,
            a.last_seen_at,
            a.template_name,
            a.order_id,
            a.checkout_id,
        )
        for a in session.exec(
            select(FlowAlert)
            .where(FlowAlert.store_id == store_id, col(FlowAlert.cleared_at).is_(None))
            .order_by(col(FlowAlert.first_seen_at))
        )
        if a.flow_key in enabled
    ]
    seen = {(a.flow_key, a.reason.code) for a in stored}
    extra = [
        a for a in _static(session, store_id, configs) if (a.flow_key, a.reason.code) not in seen
    ]
    return [*extra, *stored]
