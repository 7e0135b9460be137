"""The inbox's dedupe key is the store, the event and the body: a redelivery is one row, but
two events that happen to carry identical bodies are two deliveries (issue 19, point 11)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from plugin.inbox.models import InboxEvent
from tests.support import saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite


def _post(client, route: str, body: bytes, headers: dict[str, str], api_url: str):
    return client.post(
        f"/api/webhooks/saleor/{route}",
        content=body,
        headers={
            "content-type": "application/json",
            "saleor-signature": headers["saleor-signature"],
            "saleor-api-url": api_url,
        },
    )


def test_two_events_with_identical_bodies_are_two_deliveries(client, installed_store, session):
    # given one signed body, as Saleor sends it for an order
    body, headers = saleor_body("ORDER_CREATED"), saleor_headers("ORDER_CREATED")
    api_url = installed_store["api_url"]
    # when the same bytes arrive as ORDER_CREATED and as ORDER_CONFIRMED
    created = _post(client, "order-created", body, headers, api_url)
    updated = _post(client, "order-confirmed", body, headers, api_url)
    # then each is recorded: neither is taken for a redelivery of the other
    assert created.status_code == updated.status_code == 200, (created.text, updated.text)
    assert "duplicate" not in created.json() and "duplicate" not in updated.json()
    session.expire_all()
    rows = session.exec(select(InboxEvent.event).order_by(InboxEvent.id)).all()
    assert rows == ["order_created", "order_confirmed"]
    # and a real redelivery of one of them is still one row
    again = _post(client, "order-confirmed", body, headers, api_url)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    session.expire_all()
    assert len(session.exec(select(InboxEvent)).all()) == 2
