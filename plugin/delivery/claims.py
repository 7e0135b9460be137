"""Claiming due rows for sending and writing what became of them: the policy's refusals and
deferrals, the send results, retries with backoff (at-most-once: an unknown outcome is never
resent). The send path itself is `plugin.delivery.sender.send_batch`."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from plugin import db_cte
from plugin.delivery import locks, policy, quota, reasons
from plugin.delivery.effects import (
    BSUID_NOT_SUPPORTED,
    COUNTRY_RESTRICTED,
    MARKETING_EXPERIMENT,
    MARKETING_OFF_CLOUD_API,
    NOT_DELIVERED_TODAY,
    OUTCOME_UNKNOWN,
    REJECTED,
    RETRIES_EXHAUSTED,
    apply_error_effects,
)
from plugin.delivery.models import MessageStatus
from plugin.delivery.outbox import WAITING
from plugin.delivery.outbox import T as _T
from plugin.delivery.policy import Decision, Row
from plugin.metrics import MESSAGES_DEFERRED, MESSAGES_FAILED, MESSAGES_SENT, MESSAGES_SUPPRESSED
from plugin.rows import OneOf
from plugin.whatsapp.errors import Disposition, ErrorClass

# the values of the result writes by row, and their SQL types (plugin.db_cte.update_each)
_SENT_TYPES = {
    "b_id": _T.c.id.type,
    "b_wamid": _T.c.wamid.type,
    "b_account": _T.c.account_id.type,
    "b_template": _T.c.template_id.type,
}
_DECIDED_TYPES = {"b_id": _T.c.id.type, "b_reason": _T.c.status_reason.type}
_UNSENT_TYPES = {
    "b_id": _T.c.id.type,
    "b_status": _T.c.status.type,
    "b_reason": _T.c.status_reason.type,
    "b_code": _T.c.error_code.type,
    "b_message": _T.c.error_message.type,
    "b_attempts": _T.c.attempts.type,
}
# A row's status where the rows are named by id: the ids drive the plan. `status || ''` cannot
# use ix_outbound_status_due, whose estimate comes from statistics taken before a campaign's
# fan-out wrote its rows: the planner took it and scanned every queued (or sending) row for each
# chunk of 200 (auto_explain, bench_delivery: 25-45 ms a claim, 15 ms a result write).
# 200 primary-key probes cost the same however stale the statistics are.
_STATUS = _T.c.status + ""
LEASE = timedelta(minutes=2)  # a claimed chunk must be sent and written within this
MAX_ATTEMPTS = 8  # backoff 2 s doubling (jitter x0.5-1.5): at least ~4 min of retries


_ROW_COLUMNS = (
    "id",
    "store_id",
    "contact_id",
    "purpose",
    "kind",
    "template_name",
    "template_language",
    "parameters",
    "text",
    "attempts",
)


def claim(session: Session, *, ids: Sequence[int], now: datetime) -> list[Row]:
    """Take due rows for sending: `sending` with a lease, in one statement. A row another
    worker holds (or already sent, or rescheduled for later) is simply not returned, so a
    duplicated queue message can never send twice."""
    if not ids:
        return []
    eligible = (OneOf(_T.c.id, "claim_ids"), _STATUS.in_(WAITING), _T.c.due_at <= now)
    stmt = (
        sa.update(_T)
        .where(*locks.locked(session, *eligible, skip_locked=True))
        .values(
            status=MessageStatus.SENDING.value,
            lease_until=now + LEASE,
            updated_at=now,
        )
        .returning(*(_T.c[name] for name in _ROW_COLUMNS))
    )
    result = session.execute(stmt, {"claim_ids": list(ids)})
    rows = [Row(**dict(r._mapping)) for r in result.all()]
    rows.sort(key=lambda r: r.id)
    return rows


def record_decisions(session: Session, decisions: Iterable[Decision], *, now: datetime) -> None:
    """Write what the policy refused (suppressed, final) or put off (deferred, scheduled), and
    mark the sends Meta's messaging limit counts and those that hold a unit of the plan's quota
    (in the transaction that reserved it)."""
    suppressed: list[dict[str, Any]] = []
    deferred: list[dict[str, Any]] = []
    counted: list[int] = []  # sends Meta's messaging limit counts (plugin/delivery/window.py)
    units: dict[str, list[int]] = {}
    for d in decisions:
        if d.outcome == "send" and d.business_initiated:
            counted.append(d.row.id)
        if d.outcome == "send" and d.quota_period is not None:
            units.setdefault(d.quota_period, []).append(d.row.id)
        if d.outcome == "send":
            continue
        elif d.outcome == "suppressed":
            suppressed.append({"b_id": d.row.id, "b_reason": d.reason})
            MESSAGES_SUPPRESSED.labels(d.reason or "").inc()
        elif d.outcome == "deferred":
            deferred.append({"b_id": d.row.id, "b_reason": d.reason, "b_due": d.due_at})
            MESSAGES_DEFERRED.labels(d.reason or "").inc()
    # (rows this transaction claimed, so locked already: the join's order cannot wait on them)
    db_cte.update_each(
        session,
        suppressed,
        types=_DECIDED_TYPES,
        statement=lambda value: (
            sa.update(_T)
            .where(_T.c.id == value("b_id"))
            .values(
                status=MessageStatus.SUPPRESSED.value,
                status_reason=value("b_reason"),
                lease_until=None,
                updated_at=now,
            )
        ),
    )
    db_cte.update_each(
        session,
        deferred,
        types={**_DECIDED_TYPES, "b_due": _T.c.due_at.type},
        statement=lambda value: (
            sa.update(_T)
            .where(_T.c.id == value("b_id"))
            .values(
                status=MessageStatus.SCHEDULED.value,
                status_reason=value("b_reason"),
                due_at=value("b_due"),
                lease_until=None,
                updated_at=now,
            )
        ),
    )
    if counted:  # claimed by this transaction: visible to the window's next count as `sending`
        session.execute(
            sa.update(_T).where(OneOf(_T.c.id, "counted_ids")).values(business_initiated=True),
            {"counted_ids": sorted(counted)},
        )
    for period, ids in units.items():
        quota.mark_units(session, ids=ids, period=period)


@dataclass(slots=True)
class SendOutcome:
    """The result of one API call for a claimed row."""

    decision: Decision
    wamid: str | None = None
    error: ErrorClass | None = None
    error_message: str | None = None

    @property
    def row(self) -> Row:
        return self.decision.row


def _backoff(attempt: int, *, base: float = 2.0, cap: float = 300.0) -> timedelta:
    """Exponential backoff with full jitter (half to one and a half of the step)."""
    step = min(cap, base * 2**attempt)
    return timedelta(seconds=step * random.uniform(0.5, 1.5))


def record_results(session: Session, outcomes: Sequence[SendOutcome], *, now: datetime) -> None:
    """Write a chunk's send results in a few bulk statements and perform the error effects. A
    send that failed, or waits for another try (which reserves again), gives its quota unit
    back; an unknown outcome keeps it (Meta may have billed the message)."""
    sent: list[dict[str, Any]] = []
    final: list[dict[str, Any]] = []  # failed / unknown
    later: list[dict[str, Any]] = []  # back to scheduled
    effects: list[SendOutcome] = []
    for outcome in outcomes:
        row = outcome.row
        if outcome.wamid is not None:
            sent.append(
                {
                    "b_id": row.id,
                    "b_wamid": outcome.wamid,
                    "b_account": outcome.decision.account.id if outcome.decision.account else None,
                    "b_template": outcome.decision.template_id,
                }
            )
            MESSAGES_SENT.labels(row.purpose, row.kind).inc()
            continue
        error = outcome.error or ErrorClass(Disposition.OUTCOME_UNKNOWN)
        status, reason, due_at, counts = _after_error(row, error, now)
        params = {
            "b_id": row.id,
            "b_status": status.value,
            "b_reason": reason,
            "b_code": error.code,
            "b_message": (outcome.error_message or error.details or "")[:500] or None,
            "b_attempts": 1 if counts else 0,
        }
        if status is MessageStatus.SCHEDULED:
            later.append({**params, "b_due": due_at})
            MESSAGES_DEFERRED.labels(reason).inc()
        else:
            final.append(params)
            MESSAGES_FAILED.labels(reason).inc()
        if error.records_opt_out or error.marks_number_undeliverable or error.limits_marketing:
            effects.append(outcome)
        elif error.marks_template or error.stops_store:
            effects.append(outcome)
    batches = [batch for batch in (sent, final, later) if batch]
    for batch in batches:
        batch.sort(key=lambda p: p["b_id"])
    # each write joins its rows (plugin.db_cte.update_each), in no set order: lock them first
    locks.lock(session, (p["b_id"] for batch in batches for p in batch))
    unsent = [p["b_id"] for p in (*final, *later) if p["b_status"] != MessageStatus.UNKNOWN.value]
    # (no IN here: an expanding parameter cannot be used with executemany, SQLite's form)
    claimed = sa.or_(_STATUS == MessageStatus.SENDING.value, _STATUS == MessageStatus.UNKNOWN.value)

    def sent_rows(value: Any) -> Any:
        return (
            sa.update(_T)
            .where(_T.c.id == value("b_id"), claimed)
            .values(
                status=MessageStatus.SENT.value,
                status_reason=None,
                wamid=value("b_wamid"),
                account_id=value("b_account"),
                template_id=value("b_template"),
                attempts=_T.c.attempts + 1,
                sent_at=now,
                lease_until=None,
                updated_at=now,
            )
        )

    def unsent_rows(value: Any, **more: Any) -> Any:
        return (
            sa.update(_T)
            .where(_T.c.id == value("b_id"), claimed)
            .values(
                status=value("b_status"),
                status_reason=value("b_reason"),
                error_code=value("b_code"),
                error_message=value("b_message"),
                attempts=_T.c.attempts + value("b_attempts"),
                lease_until=None,
                updated_at=now,
                **more,
            )
        )

    db_cte.update_each(session, sent, types=_SENT_TYPES, statement=sent_rows)
    db_cte.update_each(
        session,
        final,
        types=_UNSENT_TYPES,
        statement=lambda value: unsent_rows(value, failed_at=now),
    )
    db_cte.update_each(
        session,
        later,
        types={**_UNSENT_TYPES, "b_due": _T.c.due_at.type},
        statement=lambda value: unsent_rows(value, due_at=value("b_due")),
    )
    held = {o.row.id for o in outcomes if o.decision.quota_period is not None}
    quota.give_back(session, message_ids=[i for i in unsent if i in held])
    for outcome in effects:
        assert outcome.error is not None
        apply_error_effects(
            session,
            store_id=outcome.row.store_id,
            contact_id=outcome.row.contact_id,
            template_name=outcome.row.template_name,
            template_language=outcome.row.template_language,
            account_id=outcome.decision.account.id if outcome.decision.account else None,
            error=outcome.error,
            now=now,
        )


_RETRYABLE = (Disposition.RETRY_SOON, Disposition.NEVER_REACHED)
_FINAL_REASON = {
    Disposition.NOT_TODAY: NOT_DELIVERED_TODAY,
    Disposition.MARKETING_EXPERIMENT: MARKETING_EXPERIMENT,
    Disposition.COUNTRY_RESTRICTED: COUNTRY_RESTRICTED,
    Disposition.BSUID_NOT_SUPPORTED: BSUID_NOT_SUPPORTED,
    Disposition.MARKETING_OFF_CLOUD_API: MARKETING_OFF_CLOUD_API,
}


def _after_error(
    row: Row, error: ErrorClass, now: datetime
) -> tuple[MessageStatus, str, datetime | None, bool]:
    """(new status, reason, due_at, counts as an attempt) for a failed call, by disposition.

    An HTTP error answer proves Meta did not accept the message, so a retry is safe even for
    marketing; only OUTCOME_UNKNOWN (the request went out, no answer) may have been sent.
    """
    d = error.disposition
    failed = MessageStatus.FAILED
    attempt = row.attempts + 1
    if d in _RETRYABLE:
        if attempt >= MAX_ATTEMPTS:
            # a Graph API never reached says so (wrong WHATSAPP_GRAPH_URL, no network)
            gave_up = d.value if d is Disposition.NEVER_REACHED else RETRIES_EXHAUSTED
            return failed, gave_up, None, True
        return MessageStatus.SCHEDULED, d.value, now + _backoff(attempt), True
    if d is Disposition.PAIR_RATE:
        delay = timedelta(seconds=policy.PAIR_SPACING_SECONDS + random.uniform(0, 2))
        return MessageStatus.SCHEDULED, policy.PAIR_RATE, now + delay, False
    if d in _FINAL_REASON:
        return failed, _FINAL_REASON[d], None, True
    if d is Disposition.MARKETING_OPT_OUT:
        return failed, policy.CONSENT_REVOKED, None, True
    if d is Disposition.UNDELIVERABLE:
        return failed, policy.UNDELIVERABLE, None, True
    if d is Disposition.WINDOW_CLOSED:
        return failed, policy.WINDOW_CLOSED, None, True
    if d is Disposition.TEMPLATE_PROBLEM:
        return failed, reasons.template_reason(error.code), None, True
    if d is Disposition.ACCOUNT_PROBLEM:
        return MessageStatus.SCHEDULED, policy.ACCOUNT_INACTIVE, now + policy.ACCOUNT_RECHECK, False
    if d is Disposition.OUTCOME_UNKNOWN:
        return MessageStatus.UNKNOWN, OUTCOME_UNKNOWN, None, True
    return failed, REJECTED, None, True
