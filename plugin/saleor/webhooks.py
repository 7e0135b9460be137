"""The one registry of Saleor webhooks: the manifest, the routes and the dispatch read it.

Each entry is one stem: `graphql/subscriptions/<stem>.graphql` (its payload), the route
`/api/webhooks/saleor/<slug>`, and the service in plugin/<domain>/ that acts on it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugin.saleor import documents


@dataclass(frozen=True)
class WebhookDefinition:
    event: str  # Saleor's async event enum, e.g. ORDER_CREATED
    payload: str  # name of the pydantic model in plugin.saleor.payloads
    service: str | None  # "module:function" that acts on it; None = kept unhandled in the inbox

    @property
    def stem(self) -> str:
        return self.event.lower()

    @property
    def slug(self) -> str:
        return self.stem.replace("_", "-")

    @property
    def query(self) -> str:
        return documents.load(f"subscriptions/{self.stem}.graphql")

    @property
    def path(self) -> str:
        return f"/api/webhooks/saleor/{self.slug}"

    def resolve_service(self) -> Callable[..., Any] | None:
        if self.service is None:
            return None
        module, _, name = self.service.partition(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


_EVENTS = "plugin.contacts.events"
_CUSTOMER = f"{_EVENTS}:on_customer_event"

WEBHOOKS: tuple[WebhookDefinition, ...] = (
    WebhookDefinition("ORDER_CREATED", "OrderEvent", f"{_EVENTS}:on_order_created"),
    WebhookDefinition("ORDER_CONFIRMED", "OrderEvent", f"{_EVENTS}:on_order_confirmed"),
    WebhookDefinition("ORDER_FULLY_PAID", "OrderEvent", f"{_EVENTS}:on_order_fully_paid"),
    WebhookDefinition("ORDER_FULFILLED", "OrderEvent", f"{_EVENTS}:on_order_fulfilled"),
    WebhookDefinition("ORDER_CANCELLED", "OrderEvent", f"{_EVENTS}:on_order_cancelled"),
    WebhookDefinition("ORDER_REFUNDED", "OrderEvent", f"{_EVENTS}:on_order_refunded"),
    WebhookDefinition(
        "FULFILLMENT_CREATED", "FulfillmentEvent", f"{_EVENTS}:on_fulfillment_created"
    ),
    WebhookDefinition("CHECKOUT_CREATED", "CheckoutEvent", f"{_EVENTS}:on_checkout_created"),
    WebhookDefinition("CHECKOUT_UPDATED", "CheckoutEvent", f"{_EVENTS}:on_checkout_updated"),
    WebhookDefinition("CHECKOUT_FULLY_PAID", "CheckoutEvent", f"{_EVENTS}:on_checkout_fully_paid"),
    WebhookDefinition("CUSTOMER_CREATED", "CustomerEvent", _CUSTOMER),
    WebhookDefinition("CUSTOMER_UPDATED", "CustomerEvent", _CUSTOMER),
    WebhookDefinition("APP_DELETED", "AppDeletedEvent", "plugin.saleor.service:handle_app_deleted"),
)

BY_SLUG: dict[str, WebhookDefinition] = {w.slug: w for w in WEBHOOKS}
BY_EVENT: dict[str, WebhookDefinition] = {w.event: w for w in WEBHOOKS}
