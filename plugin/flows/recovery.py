"""Cart recovery: Saleor has no "checkout abandoned" event, so the timer is ours — one outbox
row per step, due at the checkout's `lastChange` (as Saleor reports it) plus the step's delay.

A checkout with a phone number and at least one line starts a sequence; a newer `lastChange`
cancels the waiting steps and starts the next sequence number. It stops for good when an order
is created from it or it is paid (ORDERED / PAID never go back to OPEN, whatever arrives late),
and stops for now when it is emptied, consent is missing, the customer replies or placed
another order in the last `recovery_pause_after_order_hours`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from plugin import clock
from plugin.consent.models import ConsentAction, Purpose
from plugin.consent.state import state as consent_state
from plugin.contacts.figures import ordered_since
from plugin.contacts.models import Contact
from plugin.db import batch_memo, dialect_name, set_deferred, write_deferred
from plugin.delivery.models import MessageKind, MessagePurpose, OutboundMessage
from plugin.delivery.outbox import idempotency_key as outbox_key
from plugin.flows import journal, outbox
from plugin.flows.config import applies, checkout_url, flow_config
from plugin.flows.messages import Step, checkout_context, write_step
from plugin.flows.models import CheckoutState, FlowKey, JournalAction, TrackedCheckout
from plugin.saleor.models import Store
from plugin.saleor.payloads import Checkout, Order
from plugin.stores.service import get_settings

FLOW = FlowKey.CART_RECOVERY.value
FINISHED = (CheckoutState.ORDERED, CheckoutState.PAID)
CHECKOUT_URL_MISSING = "checkout_url_missing"
ACTIVE_CONSENT = (ConsentAction.GRANTED, ConsentAction.REQUESTED)  # the engine re-checks at send


def _locked(session: Session) -> dict[tuple[int, str], TrackedCheckout] | None:
    """In a batch: the checkout rows this transaction has locked (it holds them to its end)."""
    memo = batch_memo(session)
    if memo is None:
        return None
    rows: dict[tuple[int, str], TrackedCheckout] = memo.setdefault("recovery.tracked", {})
    return rows


def track_all(
    session: Session, *, store_id: int, checkout_ids: Iterable[str]
) -> dict[str, TrackedCheckout]:
    """The checkouts' rows, created when unknown, locked for this transaction (PostgreSQL) so
    two events about one checkout are decided one after the other: one statement for any
    number of checkouts (an insert whose conflicts "update" a column to its own value, so the
    stored rows are locked and every row comes back), locked in checkout id order (two batches
    that share checkouts wait for each other instead of deadlocking). In a batch they are kept
    locked in its memo, so `tracked` reads nothing again."""
    asked = list(checkout_ids)
    wanted = sorted(set(asked))
    locked = _locked(session)
    if locked is not None:
        wanted = [c for c in wanted if (store_id, c) not in locked]
    if wanted:
        write_deferred(session)  # the statement below reloads the rows it returns
        rows: list[TrackedCheckout] = list(
            session.scalars(
                _upsert(session, store_id, wanted),
                execution_options={"populate_existing": True},
            )
        )
        if locked is None:
            return {r.checkout_id: r for r in rows}
        locked.update(((store_id, r.checkout_id), r) for r in rows)
    return {c: locked[(store_id, c)] for c in asked} if locked is not None else {}


def _upsert(session: Session, store_id: int, checkout_ids: list[str]) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING of the checkouts' rows, in checkout id order.
    PostgreSQL: the ids are one array parameter (a VALUES row per checkout cost the worker
    more CPU to compile and send than the rest of the batch's reads of them)."""
    now = clock.now()
    table = TrackedCheckout.__table__  # type: ignore[attr-defined]  # SQLModel: undeclared
    new = {
        "lines_count": 0,
        "state": CheckoutState.OPEN.value,
        "sequence": 0,
        "created_at": now,
        "updated_at": now,
    }
    stmt: Any
    if dialect_name(session) == "postgresql":
        ids = sa.bindparam("ids", checkout_ids, type_=postgresql.ARRAY(sa.String()))
        wanted = sa.func.unnest(ids).table_valued("checkout_id").render_derived()
        source = sa.select(
            sa.literal(store_id, type_=table.c.store_id.type),
            wanted.c.checkout_id,
            *(sa.literal(value, type_=table.c[key].type) for key, value in new.items()),
        ).order_by(wanted.c.checkout_id)
        stmt = postgresql.insert(TrackedCheckout).from_select(
            ["store_id", "checkout_id", *new], source
        )
    else:
        stmt = sqlite.insert(TrackedCheckout).values(
            [{"store_id": store_id, "checkout_id": c, **new} for c in checkout_ids]
        )
    return stmt.on_conflict_do_update(
        index_elements=["store_id", "checkout_id"],
        set_={"updated_at": table.c.updated_at},  # unchanged: the stored row is locked, returned
    ).returning(TrackedCheckout)


def tracked(session: Session, *, store_id: int, checkout_id: str) -> TrackedCheckout:
    """One checkout's row, created when unknown and locked (`track_all`)."""
    locked = _locked(session)
    if locked is not None and (tc := locked.get((store_id, checkout_id))) is not None:
        return tc  # a batch's row, locked when it was prepared
    return track_all(session, store_id=store_id, checkout_ids=[checkout_id])[checkout_id]


def _set(session: Session, tc: TrackedCheckout, **values: Any) -> None:
    """Change the checkout's row: in a run of events straight into the run's one UPDATE
    (plugin.db.set_deferred; setting a model's attributes cost more than the decision),
    otherwise as any model change, written at the next flush."""
    if not set_deferred(session, tc, values):
        for key, value in values.items():
            setattr(tc, key, value)
        session.add(tc)


def _record(
    session: Session,
    tc: TrackedCheckout,
    action: JournalAction,
    *,
    reason: str | None = None,
    once: bool = False,
) -> None:
    journal.record(
        session,
        store_id=tc.store_id,
        flow_key=FLOW,
        action=action,
        checkout_id=tc.checkout_id,
        contact_id=tc.contact_id,
        sequence=tc.sequence or None,
        reason=reason,
        once=once,
    )


def _cancelled(
    session: Session, tc: TrackedCheckout, rows: list[OutboundMessage], reason: str
) -> None:
    journal.cancelled(session, rows, reason=reason, sequence=tc.sequence or None)


def stop(
    session: Session, tc: TrackedCheckout, *, reason: str, state: CheckoutState | None = None
) -> None:
    """Cancel the waiting steps; journal the stop once per sequence (and the state change)."""
    rows = outbox.cancel(
        session, store_id=tc.store_id, checkout_id=tc.checkout_id, flow_key=FLOW, reason=reason
    )
    _cancelled(session, tc, rows, reason)
    changes: dict[str, Any] = {"updated_at": clock.now()}
    if tc.sequence and tc.stop_reason is None:
        _record(session, tc, JournalAction.STOPPED, reason=reason)
        changes["stop_reason"] = reason
    if state is not None:
        changes["state"] = state
    _set(session, tc, **changes)


def _update(tc: TrackedCheckout, checkout: Checkout, contact: Contact | None) -> dict[str, Any]:
    """The row's values from the checkout as Saleor reports it."""
    gross = checkout.total_price.gross if checkout.total_price else None
    channel = checkout.channel
    now = clock.now()
    return {
        "token": checkout.token or tc.token,
        "contact_id": contact.id if contact is not None else tc.contact_id,
        "channel_slug": channel.slug if channel else tc.channel_slug,
        "lines_count": sum(1 for line in checkout.lines if line.quantity > 0),
        "total_amount": Decimal(str(gross.amount)) if gross else None,
        "currency": gross.currency if gross else None,
        "last_change": checkout.last_change or checkout.updated_at or now,
        "updated_at": now,
    }


def recent_order(session: Session, *, contact_id: int, hours: int) -> bool:
    """An order of the contact (not cancelled) within the pause window."""
    return ordered_since(session, contact_id=contact_id, since=clock.now() - timedelta(hours=hours))


def on_checkout(
    session: Session, *, store: Store, contact: Contact | None, checkout: Checkout, paid: bool
) -> None:
    """CHECKOUT_CREATED / CHECKOUT_UPDATED / CHECKOUT_FULLY_PAID (`paid`)."""
    assert store.id is not None
    tc = tracked(session, store_id=store.id, checkout_id=checkout.id)
    if tc.state in FINISHED:
        return  # an order (or payment) already ended it: late or out-of-order events change nothing
    reported = checkout.last_change or checkout.updated_at
    if paid:
        stop(session, tc, reason="paid", state=CheckoutState.PAID)
        return
    if tc.last_change is not None and (reported is None or reported <= tc.last_change):
        return  # a redelivery or an older view of the checkout
    changes = _update(tc, checkout, contact)
    if changes["lines_count"] == 0:
        _set(session, tc, **changes)
        stop(session, tc, reason="emptied", state=CheckoutState.EMPTY)
        return
    _set(session, tc, **changes, state=CheckoutState.OPEN)
    start(session, store=store, contact=contact, checkout=checkout, tc=tc)


def start(
    session: Session,
    *,
    store: Store,
    contact: Contact | None,
    checkout: Checkout,
    tc: TrackedCheckout,
) -> None:
    """(Re)start the sequence from this lastChange, unless something says not to."""
    assert store.id is not None
    config = flow_config(session, store_id=store.id, flow_key=FlowKey.CART_RECOVERY)
    if not applies(config, tc.channel_slug):
        return
    settings = get_settings(session, store.id)
    if contact is None or contact.id is None or not contact.phone_e164:
        _record(session, tc, JournalAction.SKIPPED, reason="no_phone", once=True)
        return
    if tc.sequence:
        rows = outbox.cancel(
            session, store_id=store.id, checkout_id=tc.checkout_id, flow_key=FLOW, reason="reset"
        )
        _cancelled(session, tc, rows, "reset")
    url = checkout_url(settings, tc.token)
    if url is None:  # the merchant has not told us where the storefront's checkout is
        _record(session, tc, JournalAction.SKIPPED, reason=CHECKOUT_URL_MISSING, once=True)
        return
    consent = consent_state(
        session, store_id=contact.store_id, contact_id=contact.id, purpose=Purpose.MARKETING
    )
    if consent.action not in ACTIVE_CONSENT:
        stop(session, tc, reason="no_consent")
        _record(session, tc, JournalAction.SKIPPED, reason="no_consent", once=True)
        return
    if recent_order(
        session, contact_id=contact.id, hours=settings.recovery_pause_after_order_hours
    ):
        stop(session, tc, reason="recent_order")
        _record(session, tc, JournalAction.SKIPPED, reason="recent_order", once=True)
        return
    _set(session, tc, sequence=tc.sequence + 1, stop_reason=None)
    _record(session, tc, JournalAction.RESET if tc.sequence > 1 else JournalAction.ENTERED)
    assert tc.last_change is not None
    context = {
        **checkout_context(store=store, checkout=checkout, contact=contact),
        "checkout_url": url,
    }
    for number, spec in enumerate(config.steps, start=1):
        write_step(
            session,
            store=store,
            settings=settings,
            config=config,
            contact=contact,
            payload_language=checkout.language_code,
            step=Step(
                flow_key=FLOW,
                template_key=str(spec["template"]),
                idempotency_key=outbox_key("recovery", tc.checkout_id, tc.sequence, number),
                kind=MessageKind.CART_RECOVERY,
                purpose=MessagePurpose.MARKETING,
                step=number,
                sequence=tc.sequence,
                due_at=tc.last_change + timedelta(minutes=int(spec["delay_minutes"])),
                checkout_id=tc.checkout_id,
                context={**context, "discount_code": spec.get("discount_code")},
            ),
        )


def track_contacts_checkouts(
    session: Session, *, store_id: int, contact_ids: Sequence[int]
) -> None:
    """In a batch with orders: lock now, in one statement, the checkouts an order of these
    contacts stops (`_stop_for_contact`: those with waiting steps, as the batch read them),
    instead of one upsert each, and a write of the run's kept changes, when an order gets there."""
    track_all(
        session,
        store_id=store_id,
        checkout_ids=outbox.contacts_checkouts(session, store_id=store_id, contact_ids=contact_ids),
    )


def _stop_for_contact(session: Session, *, store_id: int, contact_id: int, reason: str) -> None:
    """Stop every checkout the contact has waiting steps for."""
    rows = outbox.cancel(
        session, store_id=store_id, contact_id=contact_id, flow_key=FLOW, reason=reason
    )
    by_checkout: dict[str, list[OutboundMessage]] = defaultdict(list)
    for row in rows:
        if row.checkout_id:
            by_checkout[row.checkout_id].append(row)
    for checkout_id, cancelled in by_checkout.items():
        tc = tracked(session, store_id=store_id, checkout_id=checkout_id)
        _cancelled(session, tc, cancelled, reason)
        stop(session, tc, reason=reason)


def order_placed(session: Session, *, store: Store, contact: Contact | None, order: Order) -> None:
    """Any order event: the checkout it came from is finished for good, and the contact's
    other checkouts pause when the order is recent."""
    assert store.id is not None
    if order.checkout_id:
        tc = tracked(session, store_id=store.id, checkout_id=order.checkout_id)
        if tc.state != CheckoutState.ORDERED:
            gross = order.total.gross if order.total else None
            _set(
                session,
                tc,
                order_id=order.id,
                ordered_at=order.created or clock.now(),
                order_total=Decimal(str(gross.amount)) if gross else None,
                order_currency=gross.currency if gross else None,
                contact_id=tc.contact_id or (contact.id if contact else None),
            )
            stop(session, tc, reason="ordered", state=CheckoutState.ORDERED)
    if contact is not None and contact.id is not None:
        settings = get_settings(session, store.id)
        window = timedelta(hours=settings.recovery_pause_after_order_hours)
        if order.created is None or clock.now() - order.created <= window:
            _stop_for_contact(
                session, store_id=store.id, contact_id=contact.id, reason="recent_order"
            )


def replied(session: Session, *, store: Store, contact: Contact) -> None:
    """A conversational reply: the customer is talking to the store, no more reminders."""
    assert store.id is not None and contact.id is not None
    _stop_for_contact(session, store_id=store.id, contact_id=contact.id, reason="replied")
