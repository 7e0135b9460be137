"""The outbox's one door: every outbox row is created, held, released, cancelled or suppressed
here, and nowhere else (DESIGN.md, "Layers the build checks": delivery owns the outbox).

Flows, consent messages, manual and campaign test sends call `enqueue_message` (one row); a
campaign's fan-out hands outbox_fanout's `fanout_rows` a SELECT of its recipients and runs
`insert_rows`' single INSERT … SELECT (a million rows in seconds, docs/benchmarks.md); a run
of events keeps its rows and writes them in one INSERT when it ends (`deferred_rows`). One
idempotency-key scheme for all of them: `idempotency_key(source, *parts)`, "source:part:part",
unique per store; a second write with the same key inserts nothing.

Life of a row: scheduled (due later) -> queued (a queue message carries its id) -> sending ->
sent -> delivered -> read; or suppressed / failed, cancelled, unknown (plugin.delivery.claims).
This module imports no domain above delivery's own models, so any layer may call it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin import broker, clock
from plugin.delivery import locks, outbox_memo, outbox_pending, outbox_waiting
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.rows import insert_rows

SEND_ACTOR = "send_messages"
BATCH_SIZE = 500  # ids per queue message
T = OutboundMessage.__table__  # type: ignore[attr-defined]
WAITING = MessageStatus.sql(MessageStatus.waiting())


def idempotency_key(source: str, *parts: object) -> str:
    """The one key scheme: what caused the row, then the ids that make it unique."""
    return ":".join([source, *(str(p) for p in parts)])


def unique_key(source: str, *parts: object) -> str:
    """A key for a row that is new on every call (a test send, a staff reply)."""
    return idempotency_key(source, *parts, uuid.uuid4().hex)


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


def exists(
    session: Session,
    *,
    store_id: int,
    idempotency_key: str,
    checkout_id: str | None = None,
    order_id: str | None = None,
) -> bool:
    """Whether a row already holds this key (lets a caller skip building its parameters).
    `checkout_id` / `order_id`: the row the key would name; in a batch that read its keys up
    front (`outbox_memo.prefetch_keys`) the answer needs no query."""
    known = outbox_memo.known_key(
        session,
        store_id=store_id,
        idempotency_key=idempotency_key,
        checkout_id=checkout_id,
        order_id=order_id,
    )
    if known is not None:
        return known
    found = session.execute(
        sa.select(T.c.id).where(T.c.store_id == store_id, T.c.idempotency_key == idempotency_key)
    ).first()
    return found is not None


def find(session: Session, *, store_id: int, idempotency_key: str) -> OutboundMessage | None:
    """The row holding this key, if any (a run's kept row too)."""
    kept = outbox_pending.find(session, store_id=store_id, idempotency_key=idempotency_key)
    if kept is not None:
        return kept
    found = session.execute(
        sa.select(T.c.id).where(T.c.store_id == store_id, T.c.idempotency_key == idempotency_key)
    ).first()
    return None if found is None else session.get(OutboundMessage, int(found[0]))


def enqueue_message(
    session: Session,
    *,
    store_id: int,
    contact_id: int,
    purpose: MessagePurpose | str,
    kind: MessageKind | str,
    idempotency_key: str,
    source_type: str,
    due_at: datetime | None = None,
    template_id: int | None = None,
    template_name: str | None = None,
    template_language: str | None = None,
    parameters: dict[str, Any] | None = None,
    text: str | None = None,
    account_id: int | None = None,
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
    values = _row_values(
        clock.now(),
        store_id=store_id,
        contact_id=contact_id,
        purpose=purpose,
        kind=kind,
        idempotency_key=idempotency_key,
        source_type=source_type,
        due_at=due_at,
        template_id=template_id,
        template_name=template_name,
        template_language=template_language,
        parameters=parameters,
        text=text,
        account_id=account_id,
        source_id=source_id,
        flow_key=flow_key,
        flow_step=flow_step,
        campaign_id=campaign_id,
        variant=variant,
        checkout_id=checkout_id,
        order_id=order_id,
    )
    deferring, kept = outbox_pending.add(session, values)
    if deferring:  # a run of events: written with the run's other rows when it ends
        return kept
    # the new row comes back as the ORM object in the same statement (no second read)
    # the values go as parameters: the statement stays the same (its compiled form is cached)
    stmt = (
        _insert(session)(OutboundMessage)
        .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
        .returning(OutboundMessage)
    )
    row: OutboundMessage | None = session.scalars(stmt, [values]).first()
    if row is None:
        return None
    assert row.id is not None
    outbox_waiting.note_written(session, [row])
    outbox_memo.note_keys(session, store_id, [idempotency_key])
    if values["status"] == MessageStatus.QUEUED.value:
        broker.enqueue_after_commit(session, SEND_ACTOR, [row.id])
    return row


def bulk_enqueue(
    session: Session, *, messages: Sequence[dict[str, Any]], chunk_size: int = 1000
) -> list[int]:
    """Insert many messages (each dict takes `enqueue_message`'s keyword arguments), thousands
    per statement, skipping idempotency keys already there. Returns the new ids; the due ones
    are queued in batches when the caller's transaction commits."""
    write_pending(session)
    outbox_waiting.forget(session)  # its rows are not noted one by one
    now = clock.now()
    new_ids: list[int] = []
    due_ids: list[int] = []
    for m in messages:  # every key is taken once the insert ran (new or already there)
        outbox_memo.note_keys(session, int(m["store_id"]), [str(m["idempotency_key"])])
    for start in range(0, len(messages), chunk_size):
        rows = [_row_values(now, **m) for m in messages[start : start + chunk_size]]
        keys = sorted({k for row in rows for k in row})
        rows = [{k: row.get(k) for k in keys} for row in rows]
        # one statement text for any chunk (plugin.rows.insert_rows): executemany's multi-row
        # VALUES was parsed anew by psycopg for every chunk, 61 % of an enqueuer's CPU (py-spy,
        # bench_delivery)
        stmt = (
            _insert(session)(T)
            .on_conflict_do_nothing(index_elements=["store_id", "idempotency_key"])
            .returning(T.c.id, T.c.status)
        )
        for message_id, status in insert_rows(session, stmt, rows).all():
            new_ids.append(int(message_id))
            if status == MessageStatus.QUEUED.value:
                due_ids.append(int(message_id))
    queue_ids(session, due_ids)
    return new_ids


@contextmanager
def deferred_rows(session: Session) -> Iterator[None]:
    """In a batch: the block's rows are kept and written in one INSERT when it ends."""
    with outbox_pending.deferring(session):
        yield
        write_pending(session)


def write_pending(session: Session) -> None:
    """Write the rows a run of events kept (outbox_pending) and queue the due ones: before
    any other change of the outbox, which must find them stored."""
    queue_ids(session, outbox_pending.write(session))


def queue_ids(session: Session, ids: Sequence[int]) -> None:
    """Hand rows to the send queue, BATCH_SIZE ids per queue message, after commit."""
    for start in range(0, len(ids), BATCH_SIZE):
        broker.enqueue_after_commit(session, SEND_ACTOR, list(ids[start : start + BATCH_SIZE]))


# ---------------------------------------------------------------------------- hold, release, cancel

_FILTERS = ("checkout_id", "order_id", "kind", "campaign_id", "contact_id", "flow_key", "purpose")
_KNOWN = frozenset(_FILTERS)


def _check(filters: dict[str, Any]) -> None:
    """An outbox change names known filters, at least one of them given."""
    if not filters.keys() <= _KNOWN:
        raise TypeError(f"unknown outbox filters: {sorted(filters.keys() - _KNOWN)}")
    if all(value is None for value in filters.values()):
        raise ValueError("an outbox change needs at least one filter besides the store")


def _where(store_id: int, filters: dict[str, Any]) -> list[Any]:
    _check(filters)
    where = [
        T.c[name] == str(value) if name in ("kind", "purpose") else T.c[name] == value
        for name, value in filters.items()
        if value is not None
    ]
    return [T.c.store_id == store_id, *where]


def _set(session: Session, where: list[Any], **values: Any) -> int:
    write_pending(session)
    outbox_waiting.forget(session)  # the batch's cancellations first; then rows may change
    result = session.execute(
        sa.update(T).where(*locks.locked(session, *where)).values(updated_at=clock.now(), **values)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cancel_messages(
    session: Session, *, store_id: int, reason: str = "cancelled", **filters: Any
) -> int:
    """Cancel the store's waiting rows (scheduled or queued) matching every given filter
    (checkout_id, order_id, kind, campaign_id, contact_id, flow_key, purpose), e.g. a
    checkout's cart recovery steps. Returns the count; a claimed (sending) row is past it."""
    where = [*_where(store_id, filters), T.c.status.in_(WAITING)]
    return _set(session, where, status=MessageStatus.CANCELLED.value, status_reason=reason)


def cancel_returning(
    session: Session,
    *,
    store_id: int,
    reason: str = "cancelled",
    stored: bool = True,
    **filters: Any,
) -> list[OutboundMessage]:
    """`cancel_messages`, returning the rows it cancelled as they are now, oldest first, in
    the same statement (UPDATE … RETURNING); a run's kept rows are cancelled in memory and
    come last. `stored=False`: the caller knows no stored row waits, only kept ones are. In a
    batch that read the rows the filters name (outbox_waiting), they are cancelled in memory
    too, and written when the batch ends (no statement is built for them)."""
    _check(filters)
    kept = outbox_pending.cancel(session, store_id=store_id, reason=reason, filters=filters)
    if not stored:
        return kept
    known = outbox_waiting.cancel(session, store_id=store_id, reason=reason, filters=filters)
    if known is not None:
        return [*known, *kept]
    outbox_waiting.write(session)  # what the batch cancelled so far is not returned again
    rows = session.scalars(
        sa.update(OutboundMessage)
        .where(*locks.locked(session, *_where(store_id, filters), T.c.status.in_(WAITING)))
        .values(updated_at=clock.now(), status=MessageStatus.CANCELLED.value, status_reason=reason)
        .returning(OutboundMessage),
        execution_options={"populate_existing": True, "synchronize_session": False},
    ).all()
    outbox_waiting.drop(session, [r.id for r in rows if r.id is not None])
    return [*sorted(rows, key=lambda r: r.id or 0), *kept]


def hold_messages(session: Session, *, store_id: int, reason: str, **filters: Any) -> int:
    """Hold the waiting rows matching the filters (a paused campaign): they stay cancelled
    with `reason` until `release_messages` or `cancel_held`."""
    return cancel_messages(session, store_id=store_id, reason=reason, **filters)


def release_messages(session: Session, *, store_id: int, reason: str, **filters: Any) -> int:
    """Rows held with `reason` wait again (scheduled; the tick queues the due ones)."""
    where = [
        *_where(store_id, filters),
        T.c.status == MessageStatus.CANCELLED.value,
        T.c.status_reason == reason,
    ]
    return _set(session, where, status=MessageStatus.SCHEDULED.value, status_reason=None)


def cancel_held(
    session: Session, *, store_id: int, held_reason: str, reason: str, **filters: Any
) -> int:
    """Rows held with `held_reason` are cancelled for good with `reason`."""
    where = [
        *_where(store_id, filters),
        T.c.status == MessageStatus.CANCELLED.value,
        T.c.status_reason == held_reason,
    ]
    return _set(session, where, status_reason=reason)


def suppress_messages(session: Session, *, store_id: int, reason: str, **filters: Any) -> int:
    """Waiting rows matching the filters become suppressed with `reason` at once (a
    revocation, an erasure); the send path would refuse them anyway."""
    where = [*_where(store_id, filters), T.c.status.in_(WAITING)]
    return _set(session, where, status=MessageStatus.SUPPRESSED.value, status_reason=reason)


def suppress_revoked_marketing(session: Session, *, store_id: int, contact_id: int) -> int:
    """A marketing revocation holds at once for the contact's waiting marketing (the send path
    re-checks anyway). Called by whoever records the revocation: the journeys, the admin's
    journeys and delivery's own 131050 effect — consent records facts and touches no outbox."""
    return suppress_messages(
        session,
        store_id=store_id,
        contact_id=contact_id,
        purpose=MessagePurpose.MARKETING.value,
        reason="consent_revoked",
    )


def forget_bodies(
    session: Session,
    *,
    store_id: int,
    contact_id: int | None = None,
    created_before: datetime | None = None,
) -> int:
    """Blank message bodies and parameters (erasure of one contact, or retention) while the
    rows stay as the record of what was sent."""
    where = [T.c.store_id == store_id]
    if contact_id is not None:
        where.append(T.c.contact_id == contact_id)
    if created_before is not None:
        where += [
            T.c.created_at < created_before,
            sa.or_(T.c.text.is_not(None), sa.cast(T.c.parameters, sa.Text) != "{}"),
        ]
    result = session.execute(
        sa.update(T).where(*locks.locked(session, *where)).values(text=None, parameters={})
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
