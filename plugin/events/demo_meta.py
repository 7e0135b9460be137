"""Meta's side of the dev demo's history (issue 20, point 1): what the delivery engine does with
the messages that are due, and what WhatsApp then reports about them, for a past the demo
writes with its thread's clock pinned (plugin.clock.pinned).

Sending goes through delivery's own claim, policy and write-back (plugin.delivery.claims and
policy, as `sender.send_batch` runs them); only Meta's answer is a stand-in, a wamid of ours, so
the demo sends nothing out. What customers do comes back as the webhook bodies Meta posts
(statuses with pricing, a text, a quick-reply tap: Meta's "Status messages webhook reference"
and messages webhook reference, developers.facebook.com/documentation/business-messaging/
whatsapp/webhooks/reference/messages/, as in shared/whatsapp/samples) handed to the same
processor as a received webhook (plugin.events.inbound.process_webhook).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from plugin import clock
from plugin.delivery import claims, policy
from plugin.delivery.claims import SendOutcome
from plugin.delivery.models import OutboundMessage
from plugin.delivery.outbox import WAITING
from plugin.delivery.pace import get_pacer
from plugin.events.inbound import process_webhook
from plugin.inbox.models import InboxEvent, InboxSource
from plugin.saleor.models import Store
from plugin.whatsapp.accounts import WhatsAppAccount

WAMID_PREFIX = "wamid.DEMO"  # the stand-in for Meta's message id: never a real one
ARRIVAL = timedelta(seconds=2)  # a webhook reaches the app a moment after Meta's timestamp


def deliver_due(session: Session, *, store_id: int) -> list[OutboundMessage]:
    """Send what is due now (the pinned instant): claimed, decided by the policy (consent,
    quiet hours, caps, quota) and written back as sent, as the delivery worker would. Returns
    the messages sent."""
    now = clock.now()
    ids = session.exec(
        select(OutboundMessage.id).where(
            OutboundMessage.store_id == store_id,
            col(OutboundMessage.status).in_(WAITING),
            OutboundMessage.due_at <= now,
        )
    ).all()
    rows = claims.claim(session, ids=[i for i in ids if i is not None], now=now)
    if not rows:
        return []
    decisions = policy.evaluate(session, rows, now=now, pacer=get_pacer())
    claims.record_decisions(session, decisions, now=now)
    sends = [
        SendOutcome(d, wamid=f"{WAMID_PREFIX}{d.row.id:012d}")
        for d in decisions
        if d.outcome == "send"
    ]
    claims.record_results(session, sends, now=now)
    sent_ids = [o.row.id for o in sends]
    return list(
        session.exec(
            select(OutboundMessage)
            .where(col(OutboundMessage.id).in_(sent_ids))
            .order_by(col(OutboundMessage.id))
        ).all()
    )


def _epoch(at: datetime) -> str:
    return str(int(at.timestamp()))


def _wa_id(phone: str | None) -> str:
    return (phone or "").lstrip("+").replace(" ", "")


def _report(
    session: Session, store: Store, account: WhatsAppAccount, value: dict[str, Any]
) -> None:
    """One `messages` change as Meta posts it, processed like a received webhook when it
    arrives (a moment after what it reports happened)."""
    metadata = {
        "display_phone_number": _wa_id(account.display_phone),
        "phone_number_id": account.phone_number_id,
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": account.waba_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": metadata,
                            **value,
                        },
                    }
                ],
            }
        ],
    }
    assert store.id is not None
    inbox = InboxEvent(
        store_id=store.id,
        source=InboxSource.WHATSAPP,
        event="messages",
        dedupe_key="demo",
        payload=json.dumps(body, ensure_ascii=False),
    )
    with clock.pinned(clock.now() + ARRIVAL):
        process_webhook(session=session, store=store, inbox=inbox)


def report_statuses(
    session: Session,
    store: Store,
    account: WhatsAppAccount,
    messages: Sequence[OutboundMessage],
    status: str,
    phones: dict[int, str],
) -> None:
    """Meta's `sent` / `delivered` / `read` for `messages`, now; sent and delivered carry the
    pricing of Meta's per-message model (billable, by the message's category)."""
    now = clock.now()
    statuses: list[dict[str, Any]] = []
    for message in messages:
        item: dict[str, Any] = {
            "id": message.wamid,
            "status": status,
            "timestamp": _epoch(now),
            "recipient_id": _wa_id(phones.get(message.contact_id)),
        }
        if status in ("sent", "delivered"):
            item["pricing"] = {
                "billable": True,
                "pricing_model": "PMP",
                "type": "regular",
                "category": "marketing" if message.purpose == "marketing" else "utility",
            }
        statuses.append(item)
    if statuses:
        _report(session, store, account, {"statuses": statuses})


def customer_writes(
    session: Session,
    store: Store,
    account: WhatsAppAccount,
    *,
    phone: str,
    name: str,
    answering: OutboundMessage,
    text: str | None = None,
    button: tuple[str, str] | None = None,
) -> None:
    """A customer's answer to `answering`, now: a text, or a quick-reply tap (title, payload)."""
    now = clock.now()
    message: dict[str, Any] = {
        "context": {"from": _wa_id(account.display_phone), "id": answering.wamid},
        "from": _wa_id(phone),
        "id": f"{WAMID_PREFIX}IN{answering.id:012d}",
        "timestamp": _epoch(now),
    }
    if button is not None:
        message |= {"type": "button", "button": {"text": button[0], "payload": button[1]}}
    else:
        message |= {"type": "text", "text": {"body": text or ""}}
    contacts = [{"profile": {"name": name}, "wa_id": _wa_id(phone)}]
    _report(session, store, account, {"contacts": contacts, "messages": [message]})
