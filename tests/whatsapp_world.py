"""A store's WhatsApp webhooks as Meta (and the sandbox, our stand-in for Meta) sends them,
on messages the store sent: shared by the batch tests and the status-batch measurement.

Payloads are the captured samples (../shared/whatsapp/samples) with the store's number, the
store's wamids and a timestamp put in, and the sandbox's own status webhook builder. Each store
gets its own wamids (`tag`): wamids and phone number ids are unique across stores.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.models import RollupState
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.statuses import message_ref
from plugin.events import install
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxSource
from plugin.stores.models import PlanUsage
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.sandbox.records import SentMessage
from plugin.whatsapp.sandbox.render import Rendered
from plugin.whatsapp.sandbox.state import Sandbox
from tests.factories import make_contact, make_store
from tests.support import WHATSAPP_SAMPLES

PERIOD_USED = 50  # marketing units the month had used before the webhooks


@dataclass
class World:
    store_id: int
    tag: str  # the store's wamid prefix
    pnid: str
    waba: str
    phones: list[str] = field(default_factory=list)  # wa_id digits, by contact index
    wamids: list[str] = field(default_factory=list)  # sent messages, two per contact
    adopt_id: int = 0  # a send whose answer never came (no wamid): a status names it by ref

    def wa_id(self, index: int) -> str:
        return self.phones[index % len(self.phones)]


def make_world(session: Session, tag: str, contacts: int = 12) -> World:
    """A dev-mode store (sandbox number, starter templates) with consented contacts and two
    sent messages each (a marketing one holding a quota unit, a transactional one), a third
    of them sent yesterday on a day whose rollups are built, and one send left `unknown`."""
    store = make_store(session)
    install.run_steps(session=session, store=store, skip=install.SALEOR_STEPS)
    assert store.id is not None
    account = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.store_id == store.id)
    ).one()
    world = World(store.id, tag, account.phone_number_id, account.waba_id)
    now = clock.now()
    period = now.strftime("%Y-%m")
    session.add(PlanUsage(store_id=store.id, period=period, used=PERIOD_USED))
    session.add(RollupState(store_id=store.id, built_through=(now - timedelta(days=1)).date()))
    for i in range(contacts):
        phone = f"+9053212{i:05d}"
        contact = make_contact(session, store, phone)
        assert contact.id is not None
        last_contact = contact.id
        world.phones.append(phone.removeprefix("+"))
        session.add(
            ConsentEvent(
                store_id=store.id,
                contact_id=contact.id,
                purpose=Purpose.MARKETING,
                action=ConsentAction.GRANTED,
                source=ConsentSource.CHECKOUT,
            )
        )
        for k, marketing in enumerate((True, False)):
            wamid = f"{tag}.wamid.{i}.{k}"
            session.add(
                OutboundMessage(
                    store_id=store.id,
                    contact_id=contact.id,
                    account_id=account.id,
                    purpose=MessagePurpose.MARKETING if marketing else MessagePurpose.TRANSACTIONAL,
                    kind=MessageKind.CAMPAIGN if marketing else MessageKind.ORDER_UPDATE,
                    idempotency_key=f"m{i}.{k}",
                    template_name="cart_promo" if marketing else "order_update",
                    template_language="tr",
                    status=MessageStatus.SENT,
                    wamid=wamid,
                    quota_period=period if marketing else None,
                    created_at=now - timedelta(days=1) if i % 3 == 0 else now,
                )
            )
            world.wamids.append(wamid)
    lost = OutboundMessage(
        store_id=store.id,
        contact_id=last_contact,
        account_id=account.id,
        purpose=MessagePurpose.MARKETING,
        kind=MessageKind.CAMPAIGN,
        idempotency_key="lost",
        template_name="cart_promo",
        template_language="tr",
        status=MessageStatus.UNKNOWN,
        quota_period=period,
    )
    session.add(lost)
    session.commit()
    assert lost.id is not None
    world.adopt_id = lost.id
    return world


def record(session: Session, world: World, bodies: list[bytes]) -> list[int]:
    ids = inbox_service.record_many(
        session,
        [
            inbox_service.Delivery(world.store_id, InboxSource.WHATSAPP, "messages", body)
            for body in bodies
        ],
    )
    session.commit()
    return [i for i in ids if i is not None]


# ------------------------------------------------------------------ captured samples


def _sample(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((WHATSAPP_SAMPLES / f"{name}.json").read_text())
    return body


_SAMPLES: dict[str, dict[str, Any]] = {}


def sample_status(
    world: World,
    name: str,
    wamid: str,
    to: int,
    at: int,
    *,
    status: str | None = None,
    ref: str | None = None,
    pnid: str | None = None,
    **pricing: Any,
) -> bytes:
    """A captured status webhook, for this store's number and message."""
    body = copy.deepcopy(_SAMPLES.setdefault(name, _sample(name)))
    entry = body["entry"][0]
    entry["id"] = world.waba
    value = entry["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = pnid or world.pnid
    item = value["statuses"][0]
    item.update(id=wamid, timestamp=str(at), recipient_id=world.wa_id(to))
    if status is not None:
        item["status"] = status
    if ref is not None:
        item["biz_opaque_callback_data"] = ref
    else:
        item.pop("biz_opaque_callback_data", None)
    if pricing:
        item["pricing"] = {**item.get("pricing", {}), **pricing}
    for person in value.get("contacts", []):
        person["wa_id"] = world.wa_id(to)
    return json.dumps(body).encode()


def sample_text(world: World, wamid: str, sender: int, at: int, text: str) -> bytes:
    """A customer's text message (the captured inbound_text), from a contact of the store."""
    body = _sample("inbound_text")
    entry = body["entry"][0]
    entry["id"] = world.waba
    value = entry["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = world.pnid
    value["contacts"][0]["wa_id"] = world.wa_id(sender)
    value["messages"][0].update({"from": world.wa_id(sender), "id": wamid, "timestamp": str(at)})
    value["messages"][0]["text"]["body"] = text
    return json.dumps(body).encode()


def ref_of(world: World) -> str:
    return message_ref(world.adopt_id)


# ------------------------------------------------------------------ the sandbox's builder

_SANDBOX = Sandbox()


def sandbox_status(
    world: World, wamid: str, to: int, status: str, at: int, *, error: int | None = None
) -> bytes:
    """One status webhook as the sandbox posts it during a campaign (its own builder)."""
    message = SentMessage(
        wamid=wamid,
        phone_number_id=world.pnid,
        waba_id=world.waba,
        to=world.wa_id(to),
        rendered=Rendered(type="template", template_name="cart_promo", category="marketing"),
        time=float(at),
        endpoint="messages",
    )
    failure = (
        None
        if error is None
        else {"code": error, "title": "failed", "message": "failed", "error_data": {}}
    )
    item = _SANDBOX._status_json(message, status, failure)
    item["timestamp"] = str(at)
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "905550000000", "phone_number_id": world.pnid},
        "statuses": [item],
    }
    return json.dumps(_SANDBOX._envelope(world.waba, "messages", value)).encode()


def campaign_statuses(world: World, count: int, start: int) -> list[bytes]:
    """`count` status webhooks for the store's sent messages as a campaign's arrive: each
    message's sent, delivered and read, a few seconds apart, interleaved across messages."""
    bodies: list[bytes] = []
    for n in range(count):
        message, step = divmod(n, 3)
        index = message % len(world.wamids)
        status = ("sent", "delivered", "read")[step]
        bodies.append(
            sandbox_status(world, world.wamids[index], index // 2, status, start + n + 5 * step)
        )
    return bodies


def account_update(world: World, event: str, ban_state: str) -> bytes:
    """Meta's `account_update` for the store's WABA (a ban, its lifting)."""
    value = {"event": event, "ban_info": {"waba_ban_state": ban_state, "waba_ban_date": "now"}}
    return json.dumps(_SANDBOX._envelope(world.waba, "account_update", value)).encode()
