"""The one registry of Saleor webhooks: the manifest, the routes and the dispatch read it.

Each entry is one stem: `graphql/subscriptions/<stem>.graphql` (its payload) and the route
`/api/webhooks/saleor/<slug>`; the journeys layer (plugin/events/saleor.py HANDLERS) says
which coordinator acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugin.saleor import documents


@dataclass(frozen=True)
class WebhookDefinition:
    event: str  # Saleor's async event enum, e.g. ORDER_CREATED
    payload: str  # name of the pydantic model in plugin.saleor.payloads

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


WEBHOOKS: tuple[WebhookDefinition, ...] = (
    WebhookDefinition("ORDER_CREATED", "OrderEvent"),
    WebhookDefinition("ORDER_CONFIRMED", "OrderEvent"),
    WebhookDefinition("ORDER_FULLY_PAID", "OrderEvent"),
    WebhookDefinition("ORDER_FULFILLED", "OrderEvent"),
    WebhookDefinition("ORDER_CANCELLED", "OrderEvent"),
    WebhookDefinition("ORDER_REFUNDED", "OrderEvent"),
    WebhookDefinition("FULFILLMENT_CREATED", "FulfillmentEvent"),
    WebhookDefinition("CHECKOUT_CREATED", "CheckoutEvent"),
    WebhookDefinition("CHECKOUT_UPDATED", "CheckoutEvent"),
    WebhookDefinition("CHECKOUT_FULLY_PAID", "CheckoutEvent"),
    WebhookDefinition("CUSTOMER_CREATED", "CustomerEvent"),
    WebhookDefinition("CUSTOMER_UPDATED", "CustomerEvent"),
    WebhookDefinition("APP_DELETED", "AppDeletedEvent"),
)

BY_SLUG: dict[str, WebhookDefinition] = {w.slug: w for w in WEBHOOKS}
BY_EVENT: dict[str, WebhookDefinition] = {w.event: w for w in WEBHOOKS}
