"""The outbox: every message is first a row; the database is the truth, Redis only carries work.

Flows and campaigns call `enqueue_message` / `bulk_enqueue` / `cancel_messages`; the status
webhook calls `apply_statuses`; the scheduler tick calls `dispatch_due`, `expire_leases` and
`apply_pending_statuses`. The send path itself is `plugin.delivery.sender.send_batch`.

Life of a row: scheduled (due later) -> queued (a queue message carries its id) -> sending
(claimed with a lease, the API call may be in flight) -> sent -> delivered -> read; or
suppressed / failed (with a reason), cancelled, unknown (the worker died mid-call: never
resent automatically — at-most-once).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin import broker, clock
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentSource
from plugin.contacts.models import Contact
from plugin.db import get_engine
from plugin.delivery import policy, reasons
from plugin.delivery.models import (
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
    PendingStatus,
)
from plugin.delivery.policy import Decision, Row
from plugin.metrics import MESSAGES_DEFERRED, MESSAGES_FAILED, MESSAGES_SENT, MESSAGES_SUPPRESSED
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.errors import Disposition, ErrorClass, classify
from plugin.whatsapp.pricing import pricing_from_status

log = structlog.get_logger(__name__)

SEND_ACTOR = "send_messages"
BATCH_SIZE = 500  # ids per queue message
LEASE = timedelta(minutes=2)  # a claimed chunk must be sent and written within this
ORPHAN_AFTER = timedelta(seconds=30)  # queued this long without progress: the message was lost
# ... unless the queue still holds enough messages to carry every queued row: a paced campaign's
# rows wait their turn for minutes, and re-sending them every 30 s cost a row update and a queue
# id per row per 30 s (the soak benchmark: 340,000 updates in 2.5 minutes for 100,000 rows).
ORPHAN_AFTER_BUSY = timedelta(minutes=10)
MAX_PER_TICK = 20_000
MAX_ATTEMPTS = 8  # backoff 2 s doubling (jitter x0.5-1.5): at least ~4 min of retries
PENDING_STATUS_TTL = timedelta(hours=1)

_T = OutboundMessage.__table__  # type: ignore[attr-defined]
WAITING = (MessageStatus.SCHEDULED.value, MessageStatus.QUEUED.value)
# Failure reasons besides the policy codes (docs/delivery.md):
REJECTED = "rejected"  # Meta refused the request as built (our bug, unclassified code)
RETRIES_EXHAUSTED = "retries_exhausted"
INVALID_PAYLOAD = "invalid_payload"
OUTCOME_UNKNOWN = "outcome_unknown"  # no answer after the request went out
LEASE_EXPIRED = "lease_expired"  # the worker died (or hung) while the row was claimed
NOT_DELIVERED_TODAY = "not_delivered_today"  # 131049: Meta chose not to deliver
MARKETING_EXPERIMENT = "marketing_experiment"  # 130472: the user is in Meta's experiment
COUNTRY_RESTRICTED = "country_restricted"  # 130497: the business may not message that country
BSUID_NOT_SUPPORTED = "bsuid_not_supported"  # 131062: this message needs a phone number
MARKETING_OFF_CLOUD_API = "marketing_off_cloud_api"  # 131063 with no MM API send possible


# ---------------------------------------------------------------------------- enqueue


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _row_values(now: datetime, **fields: Any) -> dict[str, Any]:
    due_at = fields.pop("due_at", None) or now
    parameters = fields.pop("parameters", None)
    return {
        **fields,
        "purpose": str(fields["purpose"]),
        "kind": str(fields["kind"]),
        "parameters": parameters or {},
        "due_at": due_at,
        "status": (MessageStatus.QUEUED.value if due_at <= now else MessageStatus.SCHEDULED.value),
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


def enqueue_message(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    purpose: MessagePurpose | str,
    kind: MessageKind | str,
    idempotency_key: str,
    template_name: str | None = None,
    template_language: str | None = None,
    parameters: dict[str, Any] | None = None,
    text: str | None = None,
    due_at: datetime | None = None,
    source_type: str,
    source_id: str | None = None,
    flow_key: str | None = None,
    flow_step: int | None = None,
    campaign_id: int | None = None,
    variant: str | None = None,
    checkout_id: str | None = None,
    order_id: str | None = None,
) -> OutboundMessage | None:
    """Put one message in the outbox, once: a second call with the same idempotency key (a
    redelivered webhook) inserts nothing and returns None. `parameters` holds the Cloud API
    template components ready to send ({"components": [...]}). A message due now is handed to
    the queue when the caller's transaction commits; a later one waits for the tick."""
    now = clock.now()
    values = _row_values(
        now,
        store_id=store_id,
        contact_id=contact_id,
        purpose=purpose,
        kind=kind,
        idempotency_key=idempotency_key,
        template_name=template_name,
        template_language=template_language,
        parameters=parameters,
        text=text,
        due_at=due_at,
        source_type=source_type,
        source_id=source_id,
        flow_key=flow_key,
        flow_step=flow_step,
        campaign_id=campaign_id,
        variant=variant,
        checkout_id=checkout_id,
        order_id=order_id,
    )
    stmt = (
        _insert(session)(_T)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
        .returning(_T.c.id)
    )
    inserted = session.execute(stmt).first()
    if inserted is None:
        return None
    message_id = int(inserted[0])
    if values["status"] == MessageStatus.QUEUED.value:
        broker.enqueue_after_commit(session, SEND_ACTOR, [message_id])
    return session.get(OutboundMessage, message_id)


def bulk_enqueue(
    session: Session, *, messages: Sequence[dict[str, Any]], chunk_size: int = 1000
) -> list[int]:
    """Insert many messages (each dict takes `enqueue_message`'s keyword arguments), thousands
    per statement, skipping idempotency keys already there. Returns the new ids; the due ones
    are queued in batches when the caller's transaction commits."""
    now = clock.now()
    new_ids: list[int] = []
    due_ids: list[int] = []
    for start in range(0, len(messages), chunk_size):
        rows = [_row_values(now, **m) for m in messages[start : start + chunk_size]]
        keys = sorted({k for row in rows for k in row})
        rows = [{k: row.get(k) for k in keys} for row in rows]
        # executemany with RETURNING: SQLAlchemy's "insertmanyvalues" batches it into a few
        # multi-row statements with a cached compiled form (a literal .values(rows) recompiles
        # a thousands-of-binds statement every chunk)
        stmt = (
            _insert(session)(_T)
            .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
            .returning(_T.c.id, _T.c.status)
        )
        for message_id, status in session.execute(stmt, rows).all():
            new_ids.append(int(message_id))
            if status == MessageStatus.QUEUED.value:
                due_ids.append(int(message_id))
    for start in range(0, len(due_ids), BATCH_SIZE):
        broker.enqueue_after_commit(session, SEND_ACTOR, due_ids[start : start + BATCH_SIZE])
    return new_ids


def cancel_messages(
    session: Session,
    *,
    store_id: int,
    checkout_id: str | None = None,
    order_id: str | None = None,
    kind: MessageKind | str | None = None,
    campaign_id: int | None = None,
    contact_id: int | None = None,
    flow_key: str | None = None,
    reason: str = "cancelled",
) -> int:
    """Cancel the store's messages that have not gone out yet (scheduled or queued) matching
    every given filter, e.g. a checkout's cart recovery steps or a campaign. Returns the count.
    A claimed (sending) row is past cancelling."""
    filters = {
        "checkout_id": checkout_id,
        "order_id": order_id,
        "kind": str(kind) if kind is not None else None,
        "campaign_id": campaign_id,
        "contact_id": contact_id,
        "flow_key": flow_key,
    }
    where = [_T.c[name] == value for name, value in filters.items() if value is not None]
    if not where:
        raise ValueError("cancel_messages needs at least one filter besides the store")
    result = session.execute(
        sa.update(_T)
        .where(_T.c.store_id == store_id, _T.c.status.in_(WAITING), *where)
        .values(status=MessageStatus.CANCELLED.value, status_reason=reason, updated_at=clock.now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- claim & record

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
    eligible = sa.and_(_T.c.id.in_(list(ids)), _T.c.status.in_(WAITING), _T.c.due_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        locked = sa.select(_T.c.id).where(eligible).with_for_update(skip_locked=True)
        where = _T.c.id.in_(locked.scalar_subquery())
    else:
        where = eligible
    stmt = (
        sa.update(_T)
        .where(where)
        .values(
            status=MessageStatus.SENDING.value,
            lease_until=now + LEASE,
            updated_at=now,
        )
        .returning(*(_T.c[name] for name in _ROW_COLUMNS))
    )
    rows = [Row(**dict(r._mapping)) for r in session.execute(stmt).all()]
    rows.sort(key=lambda r: r.id)
    return rows


def record_decisions(session: Session, decisions: Iterable[Decision], *, now: datetime) -> None:
    """Write what the policy refused (suppressed, final) or put off (deferred, scheduled)."""
    suppressed: list[dict[str, Any]] = []
    deferred: list[dict[str, Any]] = []
    for d in decisions:
        if d.outcome == "suppressed":
            suppressed.append({"b_id": d.row.id, "b_reason": d.reason})
            MESSAGES_SUPPRESSED.labels(d.reason or "").inc()
        elif d.outcome == "deferred":
            deferred.append({"b_id": d.row.id, "b_reason": d.reason, "b_due": d.due_at})
            MESSAGES_DEFERRED.labels(d.reason or "").inc()
    if suppressed:
        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"))
            .values(
                status=MessageStatus.SUPPRESSED.value,
                status_reason=sa.bindparam("b_reason"),
                lease_until=None,
                updated_at=now,
            ),
            suppressed,
        )
    if deferred:
        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"))
            .values(
                status=MessageStatus.SCHEDULED.value,
                status_reason=sa.bindparam("b_reason"),
                due_at=sa.bindparam("b_due"),
                lease_until=None,
                updated_at=now,
            ),
            deferred,
        )


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
    """Write a chunk's send results in a few bulk statements and perform the error effects."""
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
    for batch in (sent, final, later):
        batch.sort(key=lambda p: p["b_id"])  # one lock order for every writer: no deadlocks
    # (no IN here: an expanding parameter cannot be used with executemany)
    claimed = sa.or_(
        _T.c.status == MessageStatus.SENDING.value, _T.c.status == MessageStatus.UNKNOWN.value
    )
    if sent:
        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"), claimed)
            .values(
                status=MessageStatus.SENT.value,
                status_reason=None,
                wamid=sa.bindparam("b_wamid"),
                account_id=sa.bindparam("b_account"),
                template_id=sa.bindparam("b_template"),
                attempts=_T.c.attempts + 1,
                sent_at=now,
                lease_until=None,
                updated_at=now,
            ),
            sent,
        )
    common = {
        "status": sa.bindparam("b_status"),
        "status_reason": sa.bindparam("b_reason"),
        "error_code": sa.bindparam("b_code"),
        "error_message": sa.bindparam("b_message"),
        "attempts": _T.c.attempts + sa.bindparam("b_attempts"),
        "lease_until": None,
        "updated_at": now,
    }
    if final:
        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"), claimed)
            .values(**common, failed_at=now),
            final,
        )
    if later:
        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"), claimed)
            .values(**common, due_at=sa.bindparam("b_due")),
            later,
        )
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


_FAILED_BY_DISPOSITION = {
    Disposition.MARKETING_OPT_OUT: policy.CONSENT_REVOKED,
    Disposition.UNDELIVERABLE: policy.UNDELIVERABLE,
    Disposition.WINDOW_CLOSED: policy.WINDOW_CLOSED,
    Disposition.ACCOUNT_PROBLEM: policy.ACCOUNT_INACTIVE,
    Disposition.NOT_TODAY: NOT_DELIVERED_TODAY,
}


def failure_reason(code: int | None) -> str:
    """The reason of a failure Meta reports in a status webhook (131050 -> consent_revoked,
    132012 -> template_param_format...): the same codes the send path writes."""
    error = classify(code or 0)
    if error.disposition is Disposition.TEMPLATE_PROBLEM:
        return reasons.template_reason(code)
    return _FAILED_BY_DISPOSITION.get(error.disposition, REJECTED)


# Template codes that say what became of the template itself.
_TEMPLATE_STATUS_BY_CODE = {
    132001: TemplateStatus.DELETED,  # does not exist (in this language)
    132015: TemplateStatus.PAUSED,
    132016: TemplateStatus.DISABLED,
}


def apply_error_effects(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    template_name: str | None,
    template_language: str | None,
    account_id: int | None,
    error: ErrorClass,
    now: datetime,
) -> None:
    """What a Meta error means beyond the one message (the taxonomy's flags)."""
    if error.limits_marketing:  # 131049: targeting leaves the contact out for a while
        session.execute(
            sa.update(Contact.__table__)  # type: ignore[attr-defined]
            .where(Contact.__table__.c.id == contact_id)  # type: ignore[attr-defined]
            .values(marketing_limited_at=now, updated_at=now)
        )
    if error.marks_number_undeliverable:
        session.execute(
            sa.update(Contact.__table__)  # type: ignore[attr-defined]
            .where(Contact.__table__.c.id == contact_id)  # type: ignore[attr-defined]
            .values(undeliverable_at=now, updated_at=now)
        )
    if error.records_opt_out:
        revoke_marketing(
            session,
            store_id=store_id,
            contact_id=contact_id,
            source=ConsentSource.META_ERROR,
            evidence={"error_code": error.code},
        )
    if error.marks_template and template_name:
        new_status = _TEMPLATE_STATUS_BY_CODE.get(error.code or 0)
        log.warning(
            "template_problem",
            store_id=store_id,
            template=template_name,
            language=template_language,
            code=error.code,
            alert=True,
        )
        if new_status is not None:
            table = MessageTemplate.__table__  # type: ignore[attr-defined]
            session.execute(
                sa.update(table)
                .where(
                    table.c.store_id == store_id,
                    table.c.name == template_name,
                    table.c.language == (template_language or ""),
                )
                .values(status=new_status.value, updated_at=now)
            )
    if error.stops_store and account_id is not None:
        table = WhatsAppAccount.__table__  # type: ignore[attr-defined]
        session.execute(
            sa.update(table)
            .where(table.c.id == account_id, table.c.status == AccountStatus.ACTIVE.value)
            .values(
                status=AccountStatus.SUSPENDED.value,
                status_reason=f"Meta error {error.code}: {error.details or ''}"[:300],
                updated_at=now,
            )
        )
        log.error(
            "whatsapp_account_suspended",
            store_id=store_id,
            account_id=account_id,
            code=error.code,
            alert=True,
        )


def revoke_marketing(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    source: ConsentSource,
    evidence: dict[str, Any] | None = None,
) -> None:
    """A Meta error that means "stop marketing" (131050): the consent ledger records it and
    suppresses the contact's waiting marketing messages (one rule, in plugin/consent)."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.store_id != store_id:
        return
    consent_service.revoke_marketing(
        session, contact=contact, source=source, evidence=evidence or {}, confirm=False
    )


# ---------------------------------------------------------------------------- statuses


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """One status from Meta's webhook, parsed at the edge."""

    wamid: str
    status: str  # sent | delivered | read | failed (others are ignored)
    timestamp: datetime
    error_code: int | None = None
    error_title: str | None = None
    pricing_category: str | None = None
    pricing_type: str | None = None
    billable: bool | None = None
    conversation_id: str | None = None
    conversation_category: str | None = None

    @classmethod
    def from_webhook(cls, status: Any) -> StatusUpdate:
        """From `plugin.whatsapp.payloads.webhook.Status`."""
        error = status.errors[0] if status.errors else None
        category, pricing_type, billable = pricing_from_status(status)  # the one mapping
        conversation = status.conversation
        return cls(
            wamid=status.id,
            status=status.status,
            timestamp=datetime.fromtimestamp(int(status.timestamp), UTC),
            error_code=error.code if error else None,
            error_title=(error.title or error.message) if error else None,
            pricing_category=category,
            pricing_type=pricing_type,
            billable=billable,
            conversation_id=conversation.id if conversation else None,
            conversation_category=(
                conversation.origin.type if conversation and conversation.origin else None
            ),
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["timestamp"] = self.timestamp.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatusUpdate:
        return cls(**{**data, "timestamp": datetime.fromisoformat(data["timestamp"])})


@dataclass(frozen=True, slots=True)
class StatusResult:
    applied: int
    pending: int  # wamid not known yet: kept and applied by the tick


# Meta's statuses only move forward; failed ranks above sent (a failure after `sent` is real)
# and below delivered (a message that was delivered did not fail).
STATUS_RANK = {"sent": 1, "failed": 2, "delivered": 3, "read": 4}
_TIME_COLUMN = {
    "sent": "sent_at",
    "failed": "failed_at",
    "delivered": "delivered_at",
    "read": "read_at",
}


def _rank_sql() -> Any:
    return sa.case(
        *((_T.c.status == status, rank) for status, rank in STATUS_RANK.items()), else_=0
    )


def apply_statuses(
    session: Session,
    *,
    updates: Sequence[StatusUpdate],
    keep_unmatched: bool = True,
    store_id: int | None = None,
) -> StatusResult:
    """Apply Meta's statuses: idempotent and order-independent. The status only climbs
    (sent < failed < delivered < read), each timestamp keeps its earliest value, pricing is
    kept. A status for a wamid not written yet (the webhook beat the send result) is stored
    and applied by the tick. `store_id`: the store whose number received the statuses; they
    touch only its messages (a signed webhook of one store cannot write another's)."""
    folded: dict[str, dict[str, Any]] = {}
    for update in updates:
        if update.status not in STATUS_RANK:
            continue
        item = folded.setdefault(update.wamid, {"rank": 0, "times": {}, "updates": []})
        item["updates"].append(update)
        rank = STATUS_RANK[update.status]
        if rank > item["rank"]:
            item["rank"], item["status"] = rank, update.status
        column = _TIME_COLUMN[update.status]
        if column not in item["times"] or update.timestamp < item["times"][column]:
            item["times"][column] = update.timestamp
        if update.status == "failed":
            item["error"] = update
        if update.pricing_category or update.billable is not None:
            item["pricing"] = update
    if not folded:
        return StatusResult(0, 0)
    known = {
        r.wamid: r
        for r in session.execute(
            sa.select(
                _T.c.id,
                _T.c.wamid,
                _T.c.status,
                _T.c.store_id,
                _T.c.contact_id,
                _T.c.template_name,
                _T.c.template_language,
                _T.c.account_id,
            ).where(
                _T.c.wamid.in_(list(folded)),
                *([_T.c.store_id == store_id] if store_id is not None else []),
            )
        ).all()
    }
    now = clock.now()
    rank_now = _rank_sql()
    params: list[dict[str, Any]] = []
    effects: list[tuple[Any, StatusUpdate]] = []
    for wamid, item in folded.items():
        row = known.get(wamid)
        if row is None:
            continue
        error: StatusUpdate | None = item.get("error")
        pricing: StatusUpdate | None = item.get("pricing")
        times = item["times"]
        params.append(
            {
                "b_id": row.id,
                "b_status": item["status"],
                "b_rank": item["rank"],
                "b_sent": times.get("sent_at"),
                "b_delivered": times.get("delivered_at"),
                "b_read": times.get("read_at"),
                "b_failed": times.get("failed_at"),
                "b_code": error.error_code if error else None,
                "b_reason": (
                    failure_reason(error.error_code)
                    if error and item["status"] == "failed"
                    else None
                ),
                "b_message": (error.error_title or "")[:500] or None if error else None,
                "b_pcat": pricing.pricing_category if pricing else None,
                "b_ptype": pricing.pricing_type if pricing else None,
                "b_billable": pricing.billable if pricing else None,
            }
        )
        if error is not None and error.error_code and STATUS_RANK.get(row.status, 0) < 2:
            effects.append((row, error))
    if params:
        params.sort(key=lambda p: p["b_id"])  # one lock order for every writer: no deadlocks

        def earliest(column: str, param: str) -> Any:
            value = sa.bindparam(param, type_=_T.c[column].type)
            return sa.case(
                (value.is_(None), _T.c[column]),
                (_T.c[column].is_(None), value),
                (value < _T.c[column], value),
                else_=_T.c[column],
            )

        session.execute(
            sa.update(_T)
            .where(_T.c.id == sa.bindparam("b_id"))
            .values(
                status=sa.case(
                    (rank_now < sa.bindparam("b_rank"), sa.bindparam("b_status")),
                    else_=_T.c.status,
                ),
                sent_at=earliest("sent_at", "b_sent"),
                delivered_at=earliest("delivered_at", "b_delivered"),
                read_at=earliest("read_at", "b_read"),
                failed_at=earliest("failed_at", "b_failed"),
                error_code=sa.func.coalesce(sa.bindparam("b_code"), _T.c.error_code),
                # a failure Meta reports later gets its reason (a delivered row keeps none)
                status_reason=sa.case(
                    (rank_now < sa.bindparam("b_rank"), sa.bindparam("b_reason")),
                    else_=_T.c.status_reason,
                ),
                error_message=sa.func.coalesce(sa.bindparam("b_message"), _T.c.error_message),
                pricing_category=sa.func.coalesce(sa.bindparam("b_pcat"), _T.c.pricing_category),
                pricing_type=sa.func.coalesce(sa.bindparam("b_ptype"), _T.c.pricing_type),
                billable=sa.func.coalesce(sa.bindparam("b_billable"), _T.c.billable),
                lease_until=None,
                updated_at=now,
            ),
            params,
        )
    for row, error in effects:
        error_class = classify(error.error_code or 0)
        MESSAGES_FAILED.labels(str(error.error_code)).inc()
        apply_error_effects(
            session,
            store_id=row.store_id,
            contact_id=row.contact_id,
            template_name=row.template_name,
            template_language=row.template_language,
            account_id=row.account_id,
            error=error_class,
            now=now,
        )
    unmatched = [u for wamid, item in folded.items() if wamid not in known for u in item["updates"]]
    if unmatched and keep_unmatched:
        session.execute(
            sa.insert(PendingStatus.__table__),  # type: ignore[attr-defined]
            [
                {
                    "wamid": u.wamid,
                    "update": {**u.to_json(), "store_id": store_id},
                    "received_at": now,
                }
                for u in unmatched
            ],
        )
    return StatusResult(applied=len(params), pending=len(unmatched))


# ---------------------------------------------------------------------------- the tick


def dispatch_due(session: Session) -> int:
    """Tick: due scheduled rows become queued, and queued rows whose queue message was lost
    (Redis flushed, worker killed before claiming) are queued again: after 30 s, or after
    10 minutes while the queue holds enough messages to carry every queued row, or
    `broker.LONG_QUEUE` messages or more (they are waiting their turn, not lost). Duplicated
    queue messages are harmless: the claim takes a row once."""
    now = clock.now()
    postgres = session.get_bind().dialect.name == "postgresql"
    due = (
        sa.select(_T.c.id)
        .where(_T.c.status == MessageStatus.SCHEDULED.value, _T.c.due_at <= now)
        .order_by(_T.c.due_at)
        .limit(MAX_PER_TICK)
    )
    orphan_after = ORPHAN_AFTER
    held = broker.queue_size(broker.QUEUES.get(SEND_ACTOR, "delivery"))
    if held and held >= broker.LONG_QUEUE:
        orphan_after = ORPHAN_AFTER_BUSY
    elif held:
        queued = session.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(_T.c.id)
                .where(_T.c.status == MessageStatus.QUEUED.value)
                .limit(held * BATCH_SIZE + 1)
                .subquery()
            )
        ).scalar_one()
        if queued <= held * BATCH_SIZE:
            orphan_after = ORPHAN_AFTER_BUSY
    orphans = (
        sa.select(_T.c.id)
        .where(
            _T.c.status == MessageStatus.QUEUED.value,
            _T.c.updated_at < now - orphan_after,
            _T.c.due_at <= now,
        )
        .order_by(_T.c.id)
        .limit(MAX_PER_TICK)
    )
    if postgres:
        due = due.with_for_update(skip_locked=True)
        orphans = orphans.with_for_update(skip_locked=True)
    ids = [int(i) for (i,) in session.execute(due).all()]
    orphan_ids = [int(i) for (i,) in session.execute(orphans).all()]
    if ids:
        session.execute(
            sa.update(_T)
            .where(_T.c.id.in_(ids), _T.c.status == MessageStatus.SCHEDULED.value)
            .values(status=MessageStatus.QUEUED.value, updated_at=now)
        )
    if orphan_ids:
        session.execute(sa.update(_T).where(_T.c.id.in_(orphan_ids)).values(updated_at=now))
        log.info("outbox_orphans_requeued", count=len(orphan_ids))
    every = sorted(ids + orphan_ids)
    for start in range(0, len(every), BATCH_SIZE):
        broker.enqueue_after_commit(session, SEND_ACTOR, every[start : start + BATCH_SIZE])
    return len(every)


def expire_leases(session: Session) -> int:
    """Tick: a row still `sending` after its lease belongs to a dead (or hung) worker. It may
    have reached Meta, so it becomes `unknown` and is never resent automatically — marketing
    and transactional alike, since a lost lease is no proof the request never left."""
    now = clock.now()
    result = session.execute(
        sa.update(_T)
        .where(_T.c.status == MessageStatus.SENDING.value, _T.c.lease_until < now)
        .values(
            status=MessageStatus.UNKNOWN.value,
            status_reason=LEASE_EXPIRED,
            lease_until=None,
            updated_at=now,
        )
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if count:
        MESSAGES_FAILED.labels(LEASE_EXPIRED).inc(count)
        log.warning("outbox_leases_expired", count=count)
    return count


def apply_pending_statuses(session: Session) -> int:
    """Tick: apply the statuses that arrived before their wamid was written."""
    table = PendingStatus.__table__  # type: ignore[attr-defined]
    now = clock.now()
    session.execute(sa.delete(table).where(table.c.received_at < now - PENDING_STATUS_TTL))
    rows = session.execute(
        sa.select(table.c.id, table.c.wamid, table.c.update).order_by(table.c.id).limit(5000)
    ).all()
    if not rows:
        return 0
    wamids = {r.wamid for r in rows}
    known = {
        w for (w,) in session.execute(sa.select(_T.c.wamid).where(_T.c.wamid.in_(wamids))).all()
    }
    ready = [r for r in rows if r.wamid in known]
    if not ready:
        return 0
    by_store: dict[int | None, list[StatusUpdate]] = {}
    for r in ready:
        data = dict(r.update)
        by_store.setdefault(data.pop("store_id", None), []).append(StatusUpdate.from_json(data))
    for store_id, updates in by_store.items():
        apply_statuses(session, updates=updates, keep_unmatched=False, store_id=store_id)
    session.execute(sa.delete(table).where(table.c.id.in_([r.id for r in ready])))
    return len(ready)


# ---------------------------------------------------------------------------- reading


def explain(
    session: Session, *, store_id: int, contact_id: int, limit: int = 50
) -> list[dict[str, Any]]:
    """ "Why didn't she get it?": the contact's latest messages with status and reason."""
    rows = session.execute(
        sa.select(
            _T.c.id,
            _T.c.kind,
            _T.c.purpose,
            _T.c.template_name,
            _T.c.status,
            _T.c.status_reason,
            _T.c.error_code,
            _T.c.due_at,
            _T.c.sent_at,
            _T.c.created_at,
        )
        .where(_T.c.store_id == store_id, _T.c.contact_id == contact_id)
        .order_by(_T.c.id.desc())
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


def queue_lag() -> tuple[float, dict[str, int]]:
    """(seconds the oldest due row has waited, rows per waiting status), for /metrics."""
    now = clock.now()
    with get_engine().connect() as conn:
        oldest = conn.execute(
            sa.select(sa.func.min(_T.c.due_at)).where(_T.c.status.in_(WAITING), _T.c.due_at <= now)
        ).scalar()
        counts = conn.execute(
            sa.select(_T.c.status, sa.func.count())
            .where(_T.c.status.in_([*WAITING, MessageStatus.SENDING.value]))
            .group_by(_T.c.status)
        ).all()
    if isinstance(oldest, str):  # SQLite returns the raw text for an aggregate
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
    lag = (now - oldest).total_seconds() if oldest is not None else 0.0
    return max(0.0, lag), {str(s): int(c) for s, c in counts}
