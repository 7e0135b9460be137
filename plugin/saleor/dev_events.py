"""Dev mode's stand-in for a Saleor store's events: the `/dev` page plays Saleor, so it also
sends what Saleor sends when a shopper orders, an order ships or a cart is left — the same
bodies our subscriptions ask for (graphql/subscriptions, graphql/fragments: Saleor 3.23, shaped
like the captured deliveries in shared/saleor/payloads), signed the way Saleor signs them
(RS256 detached JWS, unencoded payload) with the demo store's dev-only key, and POSTed by the
page to the app's real webhook routes. Nothing here runs outside dev mode (`require_dev`).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import jwt

from plugin.saleor.dev_dashboard import DEMO_API_URL, DEMO_APP_ID, DEMO_DOMAIN, signing_key
from plugin.saleor.jwks import DEV_KID

SALEOR_VERSION = "3.23.28"
CHANNEL = {"id": "Q2hhbm5lbDoy", "slug": "turkiye", "currencyCode": "TRY"}
PRODUCT = {"name": "Keten Gömlek", "sku": "KG-1042", "slug": "keten-gomlek", "price": "749.90"}
CARRIER = "yurtici"  # one of the carrier table's keys (plugin/flows carriers)


@dataclass(frozen=True)
class Shopper:
    """A demo customer as Saleor knows them: the name, number and e-mail on their address."""

    first_name: str
    last_name: str
    phone: str
    email: str
    country: str
    language: str  # Saleor's LanguageCodeEnum, e.g. "TR", "EN"


def _gid(kind: str, key: str) -> str:
    """Saleor's global ids: base64 of "<Type>:<key>"."""
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def _address(shopper: Shopper) -> dict[str, Any]:
    turkish = shopper.country == "TR"
    return {
        "firstName": shopper.first_name,
        "lastName": shopper.last_name,
        "companyName": "",
        "streetAddress1": "Bağdat Caddesi 12" if turkish else "10 Downing Street",
        "streetAddress2": "",
        "city": "İSTANBUL" if turkish else "LONDON",
        "postalCode": "34710" if turkish else "SW1A 2AA",
        "country": {"code": shopper.country},
        "countryArea": "",
        "phone": shopper.phone,
    }


def _meta(at: datetime) -> dict[str, Any]:
    return {
        "issuedAt": at.isoformat(),
        "version": SALEOR_VERSION,
        "issuingPrincipal": None,
        "recipient": {"id": DEMO_APP_ID, "name": "Ulak"},
    }


def _money(amount: Decimal) -> dict[str, Any]:
    return {"amount": float(amount), "currency": CHANNEL["currencyCode"]}


def new_order_id() -> str:
    return _gid("Order", str(uuid.uuid4()))


def order_event(
    shopper: Shopper,
    *,
    order_id: str,
    number: int,
    at: datetime,
    tracking_number: str | None = None,
) -> dict[str, Any]:
    """ORDER_CREATED (no fulfilment) or, with a tracking number, ORDER_FULFILLED of the same
    order: one line, paid, its fulfilment carrying the carrier in `ulak.carrier`."""
    token = base64.b64decode(order_id).decode().split(":", 1)[1]
    quantity = 1
    total = Decimal(PRODUCT["price"]) * quantity
    fulfillments = []
    if tracking_number is not None:
        fulfillments.append(
            {
                "id": _gid("Fulfillment", str(number)),
                "status": "FULFILLED",
                "trackingNumber": tracking_number,
                "created": at.isoformat(),
                "metafields": {"ulak.carrier": CARRIER},
            }
        )
    return {
        **_meta(at),
        "order": {
            "id": order_id,
            "number": str(number),
            "token": token,
            "checkoutId": None,
            "created": at.isoformat(),
            "updatedAt": at.isoformat(),
            "status": "FULFILLED" if fulfillments else "UNFULFILLED",
            "origin": "CHECKOUT",
            "languageCodeEnum": shopper.language,
            "userEmail": shopper.email,
            "user": None,
            "channel": CHANNEL,
            "billingAddress": _address(shopper),
            "shippingAddress": _address(shopper),
            "shippingMethodName": "Standart kargo",
            "total": {"gross": _money(total), "net": _money(total)},
            "totalRefunded": _money(Decimal(0)),
            "chargeStatus": "FULL",
            "paymentStatus": "FULLY_CHARGED",
            "isPaid": True,
            "lines": [
                {
                    "id": _gid("OrderLine", f"{token}-1"),
                    "productName": PRODUCT["name"],
                    "variantName": "M",
                    "productSku": PRODUCT["sku"],
                    "productVariantId": _gid("ProductVariant", "1042"),
                    "quantity": quantity,
                    "variant": {
                        "product": {
                            "id": _gid("Product", "1042"),
                            "slug": PRODUCT["slug"],
                            "category": {"slug": "gomlek"},
                        }
                    },
                }
            ],
            "fulfillments": fulfillments,
            "payments": [{"gateway": "mirumee.payments.dummy"}],
            "metafields": {},
        },
    }


def checkout_event(shopper: Shopper, *, at: datetime, key: str | None = None) -> dict[str, Any]:
    """CHECKOUT_UPDATED of a cart the shopper filled and left at `at` (its `lastChange`); `key`
    names the checkout (its token) when it must be the same cart each time, a new one if not."""
    key = key or str(uuid.uuid4())
    total = Decimal(PRODUCT["price"])
    return {
        **_meta(at),
        "checkout": {
            "id": _gid("Checkout", key),
            "token": key,
            "email": shopper.email,
            "created": at.isoformat(),
            "updatedAt": at.isoformat(),
            "lastChange": at.isoformat(),
            "languageCode": shopper.language,
            "user": None,
            "channel": CHANNEL,
            "billingAddress": _address(shopper),
            "shippingAddress": _address(shopper),
            "totalPrice": {"gross": _money(total)},
            "lines": [
                {
                    "id": _gid("CheckoutLine", key),
                    "quantity": 1,
                    "variant": {
                        "id": _gid("ProductVariant", "1042"),
                        "sku": PRODUCT["sku"],
                        "name": "M",
                        "product": {
                            "id": _gid("Product", "1042"),
                            "name": PRODUCT["name"],
                            "slug": PRODUCT["slug"],
                            "category": {"slug": "gomlek"},
                        },
                    },
                }
            ],
            "metafields": {},
        },
    }


def signed_delivery(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What Saleor POSTs for `event` (e.g. "ORDER_CREATED"): the route, its headers and the
    exact body the signature covers."""
    body = json.dumps(payload, ensure_ascii=False)
    signature = jwt.api_jws.encode(
        body.encode(),
        signing_key(),
        algorithm="RS256",
        headers={"kid": DEV_KID},
        is_payload_detached=True,
    )
    return {
        "path": f"/api/webhooks/saleor/{event.lower().replace('_', '-')}",
        "headers": {
            "content-type": "application/json",
            "saleor-event": event.lower(),
            "saleor-domain": DEMO_DOMAIN,
            "saleor-api-url": DEMO_API_URL,
            "saleor-signature": signature,
        },
        "body": body,
    }
