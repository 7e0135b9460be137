"""Cash on delivery (kapıda ödeme): ask the customer to confirm, nudge up to twice, and write
the answer back to the order in Saleor (metadata `ulak.cod_confirmed` and an order note).

An order is cash on delivery when one of its payments used a configured gateway (the store's
`cod_gateways` plus the flow's `gateways`) or its metadata `ulak.cod` is true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from plugin import broker, clock
from plugin.contacts.models import Contact
from plugin.delivery.models import InboundMessage, MessageKind, MessagePurpose, OutboundMessage
from plugin.delivery.outbox import idempotency_key as outbox_key
from plugin.errors import ConfigurationError
from plugin.flows import journal, outbox
from plugin.flows.config import option
from plugin.flows.messages import Step, write_step
from plugin.flows.models import CodConfirmation, CodStatus, FlowConfig, FlowKey, JournalAction
from plugin.saleor import documents
from plugin.saleor.models import Store
from plugin.saleor.payloads import Order
from plugin.saleor.service import gateway_for
from plugin.settings import get_settings as app_settings
from plugin.stores.models import StoreSettings
from plugin.templates.variables import COD_CANCEL, COD_CONFIRM

FLOW = FlowKey.COD_CONFIRMATION.value
WRITE_BACK_ACTOR = "write_back_cod_answer"
METADATA_KEY = "ulak.cod_confirmed"
TRUE_VALUES = {"true", "1", "yes", "evet"}
NOTES = {
    CodStatus.CONFIRMED: "Ulak: Müşteri kapıda ödemeli siparişi WhatsApp üzerinden onayladı. / "
    "The customer confirmed this cash-on-delivery order on WhatsApp.",
    CodStatus.CANCELLED: "Ulak: Müşteri kapıda ödemeli siparişi WhatsApp üzerinden iptal etmek "
    "istedi. / The customer asked on WhatsApp to cancel this cash-on-delivery order.",
}


def is_cash_on_delivery(order: Order, *, config: FlowConfig, settings: StoreSettings) -> bool:
    gateways = {*settings.cod_gateways, *(option(config, "gateways") or [])}
    if any(p.gateway in gateways for p in order.payments if p.gateway):
        return True
    flag = order.meta(str(option(config, "metadata_key") or "ulak.cod"))
    return flag is not None and flag.strip().lower() in TRUE_VALUES


def start(
    session: Session,
    *,
    store: Store,
    settings: StoreSettings,
    config: FlowConfig,
    contact: Contact,
    order: Order,
    context: dict[str, Any],
    due_at: datetime,
) -> None:
    """The question at `due_at` (now), the nudges later (cancelled once answered), and the
    record the merchant reads (pending until answered; no answer after the last deadline)."""
    assert store.id is not None and contact.id is not None
    if not is_cash_on_delivery(order, config=config, settings=settings):
        return
    base = order.created or clock.now()
    nudges: Sequence[int] = option(config, "nudge_hours") or []
    times = [due_at, *(base + timedelta(hours=int(h)) for h in nudges[:2])]
    deadline = times[-1] + timedelta(hours=int(option(config, "answer_hours") or 24))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(CodConfirmation.__table__)  # type: ignore[attr-defined]  # SQLModel leaves __table__ undeclared
        .values(
            store_id=store.id,
            order_id=order.id,
            order_number=order.number,
            contact_id=contact.id,
            status=CodStatus.PENDING.value,
            deadline_at=deadline,
            created_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["store_id", "order_id"])
    )
    for number, due in enumerate(times, start=1):
        write_step(
            session,
            store=store,
            settings=settings,
            config=config,
            contact=contact,
            payload_language=order.language_code,
            step=Step(
                flow_key=FLOW,
                template_key=FLOW,
                idempotency_key=outbox_key("cod", order.id, number),
                kind=MessageKind.COD_CONFIRMATION,
                purpose=MessagePurpose.TRANSACTIONAL,
                step=number,
                due_at=due,
                order_id=order.id,
                context=context,
            ),
        )


def _confirmation_for(
    session: Session, *, store_id: int, contact_id: int, context_wamid: str | None
) -> CodConfirmation | None:
    """The order the answer is about: the message it replies to, else the latest pending one."""
    if context_wamid:
        order_id = session.exec(
            select(OutboundMessage.order_id).where(
                OutboundMessage.store_id == store_id,
                OutboundMessage.wamid == context_wamid,
                OutboundMessage.flow_key == FLOW,
            )
        ).first()
        if order_id:
            return session.exec(
                select(CodConfirmation).where(
                    CodConfirmation.store_id == store_id, CodConfirmation.order_id == order_id
                )
            ).first()
    return session.exec(
        select(CodConfirmation)
        .where(
            CodConfirmation.store_id == store_id,
            CodConfirmation.contact_id == contact_id,
            CodConfirmation.status == CodStatus.PENDING,
        )
        .order_by(col(CodConfirmation.id).desc())
    ).first()


def record_answer(
    session: Session, *, store: Store, contact: Contact, inbound: InboundMessage
) -> CodConfirmation | None:
    """A Confirm / Cancel button answer: recorded once (the first answer counts), nudges
    cancelled, the write-back to Saleor queued after commit."""
    answers = {COD_CONFIRM: CodStatus.CONFIRMED, COD_CANCEL: CodStatus.CANCELLED}
    status = answers.get(inbound.button_payload or "")
    if status is None or store.id is None or contact.id is None:
        return None
    row = _confirmation_for(
        session, store_id=store.id, contact_id=contact.id, context_wamid=inbound.context_wamid
    )
    if row is None or row.status not in (CodStatus.PENDING, CodStatus.NO_ANSWER):
        return None
    row.status = status
    row.answered_at = inbound.received_at
    session.add(row)
    rows = outbox.cancel(
        session, store_id=store.id, order_id=row.order_id, flow_key=FLOW, reason="answered"
    )
    journal.cancelled(session, rows, reason="answered")
    journal.record(
        session,
        store_id=store.id,
        flow_key=FLOW,
        action=JournalAction.ANSWERED,
        order_id=row.order_id,
        contact_id=contact.id,
        reason=status.value,
    )
    session.flush()
    broker.enqueue_after_commit(session, WRITE_BACK_ACTOR, row.id)
    return row


def write_back(session: Session, *, confirmation_id: int) -> bool:
    """Put the answer on the Saleor order; once (True when it was written now). Saleor
    unreachable or 5xx → RetryableError (the actor retries); a refusal → ConfigurationError."""
    row = session.get(CodConfirmation, confirmation_id)
    if row is None or row.written_back_at is not None or row.status not in NOTES:
        return False
    store = session.get(Store, row.store_id)
    if store is None or not store.is_active:
        return False
    result = gateway_for(store, app_settings()).execute(
        documents.load("mutations/CodAnswerWriteBack.graphql"),
        {
            "id": row.order_id,
            "metadata": [
                {"key": METADATA_KEY, "value": str(row.status == CodStatus.CONFIRMED).lower()}
            ],
            "note": NOTES[row.status],
        },
    )
    errors = [
        e
        for field in ("updateMetadata", "orderNoteAdd")
        for e in (result.get(field) or {}).get("errors") or []
    ]
    if errors:
        raise ConfigurationError(
            "Saleor refused the cash-on-delivery write-back: "
            + "; ".join(str(e.get("code") or e.get("message")) for e in errors),
            code="COD_WRITE_BACK_REFUSED",
        )
    row.written_back_at = clock.now()
    session.add(row)
    journal.record(
        session,
        store_id=row.store_id,
        flow_key=FLOW,
        action=JournalAction.WRITTEN_BACK,
        order_id=row.order_id,
        contact_id=row.contact_id,
        reason=str(row.status),
    )
    return True


def statuses(session: Session, *, store_id: int, order_ids: Sequence[str]) -> dict[str, CodStatus]:
    """Confirmed / cancelled / pending / no answer per order (one query, for the admin list)."""
    rows = session.exec(
        select(CodConfirmation).where(
            CodConfirmation.store_id == store_id, col(CodConfirmation.order_id).in_(list(order_ids))
        )
    ).all()
    now = clock.now()
    return {
        r.order_id: (
            CodStatus.NO_ANSWER
            if r.status == CodStatus.PENDING and now > r.deadline_at
            else r.status
        )
        for r in rows
    }
