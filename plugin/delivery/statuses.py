"""Meta's status webhooks applied to the outbox: sent -> delivered -> read, or failed with
the reason the send path would have written; a status that arrives before its send result is
kept as pending and applied by the tick."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin import clock, db_cte
from plugin.delivery import locks, quota
from plugin.delivery.effects import apply_error_effects, failure_reason
from plugin.delivery.models import PendingStatus
from plugin.delivery.outbox import T as _T
from plugin.metrics import MESSAGES_FAILED
from plugin.rows import OneOf
from plugin.whatsapp.errors import classify
from plugin.whatsapp.statuses import StatusUpdate

log = structlog.get_logger(__name__)

PENDING_STATUS_TTL = timedelta(hours=1)


MESSAGE_REF_PREFIX = "ulak:"


def message_ref(message_id: int) -> str:
    """What the sender puts in `biz_opaque_callback_data`: Meta echoes it on every status of
    the message (Cloud API messages reference; "Any app with webhook field on the WhatsApp
    Business Account can get this string": an outbox id, nothing personal), so a status can
    find its row even when the send's answer never came (a timeout left it `unknown`)."""
    return f"{MESSAGE_REF_PREFIX}{message_id}"


def _ref_of(update: StatusUpdate) -> int | None:
    data = update.biz_opaque_callback_data or ""
    number = data.removeprefix(MESSAGE_REF_PREFIX)
    return int(number) if data.startswith(MESSAGE_REF_PREFIX) and number.isdigit() else None


def _refs_of(updates: list[StatusUpdate]) -> set[int]:
    return {ref for ref in map(_ref_of, updates) if ref is not None}


def _to_json(update: StatusUpdate) -> dict[str, Any]:
    data = asdict(update)
    data["timestamp"] = update.timestamp.isoformat()
    return data


def _from_json(data: dict[str, Any]) -> StatusUpdate:
    known = {f.name for f in fields(StatusUpdate)}
    values = {k: v for k, v in data.items() if k in known}
    return StatusUpdate(**{**values, "timestamp": datetime.fromisoformat(data["timestamp"])})


@dataclass(frozen=True, slots=True)
class StatusResult:
    applied: int
    pending: int  # wamid not known yet: kept and applied by the tick
    # (store id, UTC day) of the written rows created before today: days whose built rollups
    # the write may have changed (today's rollup is rebuilt every few minutes anyway)
    past_days: frozenset[tuple[int, date]] = frozenset()


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


# the write-back's values by row, and their SQL types (plugin.db_cte.update_each)
_STATUS_TYPES = {
    "b_id": _T.c.id.type,
    "b_status": _T.c.status.type,
    "b_rank": sa.Integer(),
    "b_sent": _T.c.sent_at.type,
    "b_delivered": _T.c.delivered_at.type,
    "b_read": _T.c.read_at.type,
    "b_failed": _T.c.failed_at.type,
    "b_code": _T.c.error_code.type,
    "b_reason": _T.c.status_reason.type,
    "b_message": _T.c.error_message.type,
    "b_pcat": _T.c.pricing_category.type,
    "b_ptype": _T.c.pricing_type.type,
    "b_billable": _T.c.billable.type,
}

_ROW_COLUMNS = (
    _T.c.id,
    _T.c.wamid,
    _T.c.status,
    _T.c.store_id,
    _T.c.contact_id,
    _T.c.template_name,
    _T.c.template_language,
    _T.c.account_id,
    _T.c.created_at,
)


def _adopt_wamids(session: Session, refs: dict[int, str], rows: Sequence[Any]) -> dict[str, Any]:
    """Rows whose send got no answer (a timeout: `unknown`, or still `sending`) learn their
    wamid from the status that names them in `biz_opaque_callback_data`; a row that already
    has a wamid, or belongs to another store, is never re-keyed."""
    adopted = [r for r in rows if r.wamid is None and r.id in refs]
    if not adopted:
        return {}
    session.execute(
        sa.update(_T)
        .where(_T.c.id == sa.bindparam("b_id"), _T.c.wamid.is_(None))
        .values(wamid=sa.bindparam("b_wamid")),
        [{"b_id": r.id, "b_wamid": refs[r.id]} for r in adopted],
    )
    return {refs[r.id]: r for r in adopted}


def apply_statuses(
    session: Session,
    *,
    updates: Sequence[StatusUpdate],
    keep_unmatched: bool = True,
    store_id: int | None = None,
) -> StatusResult:
    """Apply Meta's statuses: idempotent and order-independent. The status only climbs
    (sent < failed < delivered < read), each timestamp keeps its earliest value, pricing is
    kept. A message Meta reports failed or not billable gives its plan-quota unit back (once).
    A status for a wamid not written yet (the webhook beat the send result) is stored
    and applied by the tick. `store_id`: the store whose number received the statuses; they
    touch only its messages (a signed webhook of one store cannot write another's). The
    result names the earlier days of the rows written (`past_days`, from the rows already
    read: no extra statement), so the caller can have their rollups rebuilt."""
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
    of_store = [_T.c.store_id == store_id] if store_id is not None else []
    # every row this call writes, read and locked in one statement (plugin/delivery/locks.py):
    # those Meta's wamids name, and those a status names by ref that have no wamid yet
    reach: Any = OneOf(_T.c.wamid, "reach_wamids")
    named = {ref for item in folded.values() for ref in _refs_of(item["updates"])}
    if named:
        reach = sa.or_(reach, sa.and_(OneOf(_T.c.id, "reach_ids"), _T.c.wamid.is_(None)))
    rows = session.execute(
        locks.locking(sa.select(*_ROW_COLUMNS).where(reach, *of_store)),
        {"reach_wamids": list(folded), "reach_ids": sorted(named)},
    ).all()
    known = {r.wamid: r for r in rows if r.wamid in folded}
    refs = {
        ref: wamid
        for wamid, item in folded.items()
        if wamid not in known
        for ref in _refs_of(item["updates"])
    }
    if refs:
        known.update(_adopt_wamids(session, refs, rows))
    now = clock.now()
    today = now.astimezone(UTC).date()
    rank_now = _rank_sql()
    params: list[dict[str, Any]] = []
    past_days: set[tuple[int, date]] = set()
    effects: list[tuple[Any, StatusUpdate]] = []
    unbilled: list[int] = []  # failed, or priced as free: the quota unit goes back
    for wamid, item in folded.items():
        row = known.get(wamid)
        if row is None:
            continue
        error: StatusUpdate | None = item.get("error")
        pricing: StatusUpdate | None = item.get("pricing")
        times = item["times"]
        created = row.created_at.astimezone(UTC).date()
        if created < today:
            past_days.add((row.store_id, created))
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
        failed = item["status"] == "failed" and STATUS_RANK.get(row.status, 0) < item["rank"]
        if failed or (pricing is not None and pricing.billable is False):
            unbilled.append(row.id)
    if params:
        params.sort(key=lambda p: p["b_id"])  # (the rows are locked already, in this order)

        def write(value: Any) -> Any:
            def earliest(column: str, name: str) -> Any:
                given = value(name)
                return sa.case(
                    (given.is_(None), _T.c[column]),
                    (_T.c[column].is_(None), given),
                    (given < _T.c[column], given),
                    else_=_T.c[column],
                )

            later = rank_now < value("b_rank")
            return (
                sa.update(_T)
                .where(_T.c.id == value("b_id"))
                .values(
                    status=sa.case((later, value("b_status")), else_=_T.c.status),
                    sent_at=earliest("sent_at", "b_sent"),
                    delivered_at=earliest("delivered_at", "b_delivered"),
                    read_at=earliest("read_at", "b_read"),
                    failed_at=earliest("failed_at", "b_failed"),
                    error_code=sa.func.coalesce(value("b_code"), _T.c.error_code),
                    # a failure Meta reports later gets its reason (a delivered row keeps none)
                    status_reason=sa.case((later, value("b_reason")), else_=_T.c.status_reason),
                    error_message=sa.func.coalesce(value("b_message"), _T.c.error_message),
                    pricing_category=sa.func.coalesce(value("b_pcat"), _T.c.pricing_category),
                    pricing_type=sa.func.coalesce(value("b_ptype"), _T.c.pricing_type),
                    billable=sa.func.coalesce(value("b_billable"), _T.c.billable),
                    lease_until=None,
                    updated_at=now,
                )
            )

        db_cte.update_each(session, params, types=_STATUS_TYPES, statement=write)
    quota.give_back(session, message_ids=unbilled)
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
                    "update": {**_to_json(u), "store_id": store_id},
                    "received_at": now,
                }
                for u in unmatched
            ],
        )
    return StatusResult(applied=len(params), pending=len(unmatched), past_days=frozenset(past_days))


def apply_pending_statuses(session: Session) -> StatusResult:
    """Tick: apply the statuses that arrived before their wamid was written."""
    table = PendingStatus.__table__  # type: ignore[attr-defined]
    now = clock.now()
    session.execute(sa.delete(table).where(table.c.received_at < now - PENDING_STATUS_TTL))
    rows = session.execute(
        sa.select(table.c.id, table.c.wamid, table.c.update).order_by(table.c.id).limit(5000)
    ).all()
    if not rows:
        return StatusResult(0, 0)
    wamids = {r.wamid for r in rows}
    # the rows of every store's statuses locked at once, in id order (plugin/delivery/locks.py)
    found = locks.locking(sa.select(_T.c.wamid).where(OneOf(_T.c.wamid, "pending_wamids")))
    known = {w for (w,) in session.execute(found, {"pending_wamids": sorted(wamids)}).all()}
    ready = [r for r in rows if r.wamid in known]
    if not ready:
        return StatusResult(0, 0)
    by_store: dict[int | None, list[StatusUpdate]] = {}
    for r in ready:
        data = dict(r.update)
        by_store.setdefault(data.pop("store_id", None), []).append(_from_json(data))
    past_days: set[tuple[int, date]] = set()
    for store_id, updates in by_store.items():
        result = apply_statuses(session, updates=updates, keep_unmatched=False, store_id=store_id)
        past_days |= result.past_days
    session.execute(
        sa.delete(table).where(OneOf(table.c.id, "ready_ids")), {"ready_ids": [r.id for r in ready]}
    )
    return StatusResult(applied=len(ready), pending=0, past_days=frozenset(past_days))
