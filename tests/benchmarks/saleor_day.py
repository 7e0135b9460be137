"""A store's day of Saleor events, made from the captured payloads in ../shared/saleor/payloads.

Each shopper is a journey: sometimes an account first (CUSTOMER_CREATED, now and then
CUSTOMER_UPDATED), then a checkout that is created and updated a few times (Saleor fires
CHECKOUT_UPDATED on every checkout mutation), and about a third of them end in an order
(ORDER_CREATED, ORDER_FULLY_PAID, often ORDER_FULFILLED, rarely ORDER_CANCELLED). Journeys
overlap in time and are merged by their timestamps, so the events of one checkout or one order
keep their order while other shoppers' events fall between them. A fifth of the shoppers come
back (same number); consent metadata is on most checkouts, marketing on some.

Used by bench_events and by the batch-equals-one-at-a-time tests (same shapes, seeded).
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[3] / "shared" / "saleor" / "payloads"
ORDER_EVENTS = (
    "ORDER_CREATED",
    "ORDER_FULLY_PAID",
    "ORDER_FULFILLED",
    "ORDER_CANCELLED",
)
CHECKOUT_EVENTS = ("CHECKOUT_CREATED", "CHECKOUT_UPDATED")
CUSTOMER_EVENTS = ("CUSTOMER_CREATED",)


@dataclass(frozen=True, slots=True)
class SaleorEvent:
    event: str  # e.g. ORDER_CREATED
    body: bytes  # the webhook body as Saleor sends it
    at: datetime


def _template(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())  # type: ignore[no-any-return]


_TEMPLATES: dict[str, dict[str, Any]] = {}


def template(name: str) -> dict[str, Any]:
    if name not in _TEMPLATES:
        _TEMPLATES[name] = _template(name)
    return copy.deepcopy(_TEMPLATES[name])


def _iso(at: datetime) -> str:
    return at.isoformat()


def _address(phone: str, first: str, last: str) -> dict[str, Any]:
    return {
        "firstName": first,
        "lastName": last,
        "companyName": "",
        "streetAddress1": "Bağdat Cd. 1",
        "streetAddress2": "",
        "city": "İSTANBUL",
        "postalCode": "34710",
        "country": {"code": "TR"},
        "countryArea": "",
        "phone": phone,
    }


def _consent(rng: random.Random) -> list[dict[str, str]]:
    roll = rng.random()
    if roll < 0.25:
        return []
    value = {
        "marketing": roll < 0.55,
        "transactional": True,
        "text_version": "v1",
        "text": "WhatsApp ile bilgilendirme almayı kabul ediyorum.",
    }
    return [{"key": "ulak.consent", "value": json.dumps(value)}]


FIRST = ["Ayşe", "Mehmet", "Zeynep", "Can", "Elif", "Emre", "Jane", "John"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Doe", "Smith"]


def _journey(rng: random.Random, start: datetime, phone: str, n: int) -> list[SaleorEvent]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = f"shopper{n}@example.com"
    address = _address(phone, first, last)
    events: list[SaleorEvent] = []
    at = start
    user_ref = None
    if rng.random() < 0.15:
        body = template("CUSTOMER_CREATED")
        user_id = f"VXNlcjo{n}"
        user_ref = {"id": user_id, "email": email}
        body["issuedAt"] = _iso(at)
        body["user"].update(
            id=user_id,
            email=email,
            firstName=first,
            lastName=last,
            languageCode=rng.choice(["TR", "EN"]),
            dateJoined=_iso(at),
            defaultBillingAddress=address,
            metadata=_consent(rng),
        )
        events.append(SaleorEvent("CUSTOMER_CREATED", json.dumps(body).encode(), at))
    checkout_id = f"Q2hlY2tvdXQ6{uuid.UUID(int=rng.getrandbits(128))}"
    token = str(uuid.UUID(int=rng.getrandbits(128)))
    consent = _consent(rng)
    price = float(rng.choice([40, 120, 349.9, 1299]))
    created = at
    for k in range(1 + rng.randint(2, 6)):
        at += timedelta(seconds=rng.uniform(5, 90))
        name = "CHECKOUT_CREATED" if k == 0 else "CHECKOUT_UPDATED"
        body = template(name)
        checkout = body["checkout"]
        checkout.update(
            id=checkout_id,
            token=token,
            email=email if k > 0 or rng.random() < 0.5 else None,
            created=_iso(created),
            updatedAt=_iso(at),
            lastChange=_iso(at),
            user=user_ref,
            billingAddress=address if k > 0 else None,
            shippingAddress=address if k > 1 else None,
            metadata=consent if k > 0 else [],
        )
        checkout["totalPrice"] = {"gross": {"amount": price * (1 + k % 2), "currency": "TRY"}}
        checkout["lines"][0]["quantity"] = 1 + k % 2
        body["issuedAt"] = _iso(at)
        events.append(SaleorEvent(name, json.dumps(body).encode(), at))
    if rng.random() >= 0.35:
        return events
    order_id = f"T3JkZXI6{uuid.UUID(int=rng.getrandbits(128))}"
    ordered = at + timedelta(seconds=rng.uniform(10, 120))
    steps = [("ORDER_CREATED", "UNFULFILLED"), ("ORDER_FULLY_PAID", "UNFULFILLED")]
    if rng.random() < 0.05:
        steps.append(("ORDER_CANCELLED", "CANCELED"))
    elif rng.random() < 0.5:
        steps.append(("ORDER_FULFILLED", "FULFILLED"))
    at = ordered
    for name, status in steps:
        body = template(name)
        order = body["order"]
        order.update(
            id=order_id,
            number=str(1000 + n),
            token=str(uuid.UUID(int=rng.getrandbits(128))),
            checkoutId=checkout_id,
            created=_iso(ordered),
            updatedAt=_iso(at),
            status=status,
            userEmail=email,
            user=user_ref,
            billingAddress=address,
            shippingAddress=address,
            metadata=consent,
        )
        order["total"] = {
            "gross": {"amount": price, "currency": "TRY"},
            "net": {"amount": price, "currency": "TRY"},
        }
        for fulfillment in order.get("fulfillments") or []:
            fulfillment["id"] = f"RnVsZmlsbG1lbnQ6{n}"
        body["issuedAt"] = _iso(at)
        events.append(SaleorEvent(name, json.dumps(body).encode(), at))
        at += timedelta(seconds=rng.uniform(1, 20) if name == "ORDER_CREATED" else 600)
    return events


def store_day(count: int, *, seed: int = 21, end: datetime | None = None) -> list[SaleorEvent]:
    """About `count` events of overlapping shoppers, oldest first, ending before `end`."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    span = timedelta(seconds=max(600, count * 2))
    phones: list[str] = []
    events: list[SaleorEvent] = []
    n = 0
    while len(events) < count:
        if phones and rng.random() < 0.2:
            phone = rng.choice(phones)  # a returning customer
        else:
            phone = f"+90532{rng.randrange(10**7):07d}"
            phones.append(phone)
        start = (
            end
            - span
            - timedelta(hours=1)
            + timedelta(seconds=rng.uniform(0, span.total_seconds()))
        )
        events.extend(_journey(rng, start, phone, n))
        n += 1
    events.sort(key=lambda e: e.at)
    return events[:count]


def mix(events: list[SaleorEvent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in events:
        counts[e.event] = counts.get(e.event, 0) + 1
    return dict(sorted(counts.items()))
