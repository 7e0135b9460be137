"""Real-shaped Saleor payloads for the flow tests, the signed route helper, and the outbox
expectations — kept apart from the tests so the sandbox end-to-end variant (once the delivery
engine is on main) can drive the same payloads and check the same rows."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from plugin.delivery.models import OutboundMessage
from tests.support import PAYLOADS, SigningKey, drain_queue

PHONE = "+905321234567"
CONSENT = {
    "marketing": True,
    "transactional": True,
    "text_version": "2026-11",
    "text": "WhatsApp ile kampanya mesajları almak istiyorum.",
}
CHECKOUT_ID = "Q2hlY2tvdXQ6MTkyOWRhMGMtMDk5MS00MzAxLTllMDAtYWRiMWMyNTE0MGE3"
CHECKOUT_TOKEN = "1929da0c-0991-4301-9e00-adb1c25140a7"
ORDER_ID = "T3JkZXI6MTY2MzQzNjMtMTk3NC00ZDUxLTg0YTEtN2VmZmUwYjdjYzAx"
FULFILLMENT_ID = "RnVsZmlsbG1lbnQ6MTI="


def iso(at: datetime) -> str:
    return at.isoformat()


def _load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def _turkish_address(address: dict[str, Any]) -> dict[str, Any]:
    return {
        **address,
        "firstName": "Ayşe",
        "lastName": "Yılmaz",
        "streetAddress1": "Bağdat Caddesi 12",
        "city": "İSTANBUL",
        "postalCode": "34710",
        "country": {"code": "TR"},
        "countryArea": "",
        "phone": PHONE,
    }


def checkout_event(
    *,
    last_change: datetime,
    created: datetime | None = None,
    lines: int = 1,
    checkout_id: str = CHECKOUT_ID,
    consent: dict[str, Any] | None = CONSENT,
) -> dict[str, Any]:
    """Saleor's captured CHECKOUT_UPDATED, made Turkish (TRY, TR, +90) with our fields."""
    payload = _load("CHECKOUT_UPDATED")
    checkout = payload["checkout"]
    checkout["id"] = checkout_id
    checkout["languageCode"] = "TR"
    checkout["created"] = iso(created or last_change)
    checkout["updatedAt"] = iso(last_change)
    checkout["lastChange"] = iso(last_change)
    checkout["channel"] = {"id": "Q2hhbm5lbDoy", "slug": "turkiye", "currencyCode": "TRY"}
    checkout["billingAddress"] = _turkish_address(checkout["billingAddress"])
    checkout["shippingAddress"] = _turkish_address(checkout["shippingAddress"])
    checkout["totalPrice"] = {"gross": {"amount": 1249.9, "currency": "TRY"}}
    line = checkout["lines"][0]
    line["variant"]["product"]["name"] = "Mavi Tişört"
    line["quantity"] = 1
    checkout["lines"] = [copy.deepcopy(line) for _ in range(lines)]
    checkout["metafields"] = {"ulak.consent": json.dumps(consent) if consent else None}
    return payload


def order_event(
    name: str = "ORDER_CREATED",
    *,
    created: datetime,
    issued_at: datetime | None = None,
    status: str | None = None,
    checkout_id: str | None = CHECKOUT_ID,
    order_id: str = ORDER_ID,
    metafields: dict[str, str | None] | None = None,
    gateway: str | None = None,
    tracking_number: str = "",
) -> dict[str, Any]:
    """A captured ORDER_* body (same order, Saleor 3.23), made Turkish, with the fields our
    subscription asks for (checkoutId, fulfillments' tracking numbers, payments, metafields)."""
    captured = {"FULFILLMENT_CREATED": "ORDER_FULFILLED", "ORDER_CONFIRMED": "ORDER_CREATED"}
    captured["ORDER_REFUNDED"] = "ORDER_CANCELLED"
    payload = _load(captured.get(name, name))
    order = payload["order"]
    payload["issuedAt"] = iso(issued_at or created)
    order["id"] = order_id
    order["number"] = "21"
    order["checkoutId"] = checkout_id
    order["created"] = iso(created)
    order["languageCodeEnum"] = "TR"
    order["channel"] = {"id": "Q2hhbm5lbDoy", "slug": "turkiye", "currencyCode": "TRY"}
    order["billingAddress"] = _turkish_address(order["billingAddress"])
    order["shippingAddress"] = _turkish_address(order["shippingAddress"])
    order["total"] = {
        "gross": {"amount": 1249.9, "currency": "TRY"},
        "net": {"amount": 1041.58, "currency": "TRY"},
    }
    order["totalRefunded"] = {"amount": 0.0, "currency": "TRY"}
    order["lines"][0]["productName"] = "Mavi Tişört"
    order["lines"][0]["quantity"] = 1
    order["payments"] = [{"gateway": gateway}] if gateway else []
    order["metafields"] = {"ulak.consent": json.dumps(CONSENT), **(metafields or {})}
    for fulfillment in order["fulfillments"]:
        fulfillment["trackingNumber"] = tracking_number
        fulfillment["created"] = iso(issued_at or created)
    if name == "ORDER_CANCELLED":
        order["fulfillments"] = []
    if name == "ORDER_REFUNDED":
        order["totalRefunded"] = {"amount": 1249.9, "currency": "TRY"}
    if name == "FULFILLMENT_CREATED":
        payload["fulfillment"] = copy.deepcopy(order["fulfillments"][0])
    if status is not None:
        order["status"] = status
    return payload


def post_event(
    client: Any, api_url: str, key: SigningKey, event: str, payload: dict[str, Any]
) -> None:
    """POST a payload to its signed route as Saleor would, then run the queued work."""
    body = json.dumps(payload).encode()
    response = client.post(
        f"/api/webhooks/saleor/{event.lower().replace('_', '-')}",
        content=body,
        headers={
            "content-type": "application/json",
            "saleor-event": event.lower(),
            "saleor-signature": key.sign_body(body),
            "saleor-api-url": api_url,
        },
    )
    assert response.status_code == 200, response.text
    drain_queue(queues=("default",))  # flows write the outbox; sending is the engine's


@dataclass(frozen=True)
class Expected:
    """One flow message as the outbox must hold it."""

    key: str
    template: str
    language: str
    body: list[str]
    due_at: datetime
    status: str = "scheduled"
    reason: str | None = None


def flow_rows(session: Session) -> list[OutboundMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.source_type == "flow")
            .order_by(col(OutboundMessage.id))
        ).all()
    )


def body_texts(row: OutboundMessage) -> list[str]:
    """The body parameters as the customer reads them (currency: its fallback text)."""
    body = next(c for c in row.parameters["components"] if c["type"] == "body")
    out = []
    for p in body["parameters"]:
        out.append(p["text"] if p["type"] == "text" else p[p["type"]]["fallback_value"])
    return out


def button_params(row: OutboundMessage) -> dict[str, dict[str, Any]]:
    return {
        c["index"]: c["parameters"][0]
        for c in row.parameters["components"]
        if c["type"] == "button"
    }


def seen(row: OutboundMessage) -> Expected:
    """The row as flows wrote it; "queued" (handed to the delivery queue) still means waiting."""
    status = str(row.status)
    return Expected(
        key=row.idempotency_key,
        template=row.template_name or "",
        language=row.template_language or "",
        body=body_texts(row),
        due_at=row.due_at,
        status="scheduled" if status == "queued" else status,
        reason=row.status_reason,
    )


def whatsapp_inbound(
    phone_number_id: str,
    *,
    wamid: str,
    at: datetime,
    text: str | None = None,
    button_payload: str | None = None,
    button_text: str = "",
    context_wamid: str | None = None,
) -> bytes:
    """A Meta `messages` webhook from the customer (text, or a quick-reply button answer)."""
    message: dict[str, Any] = {
        "from": PHONE.lstrip("+"),
        "id": wamid,
        "timestamp": str(int(at.timestamp())),
    }
    if button_payload is not None:
        message.update(type="button", button={"payload": button_payload, "text": button_text})
    else:
        message.update(type="text", text={"body": text})
    if context_wamid:
        message["context"] = {"from": "905550000101", "id": context_wamid}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "905550000101", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Ayşe"}, "wa_id": PHONE.lstrip("+")}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()
