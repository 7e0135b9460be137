"""A LOCATION-header template gets its place from where the template says: the store's
pickup point (a setting, set through the admin API) or the order's shipping address; the one
message builder fills it, and without a place the step is skipped with its reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.flows.models import FlowEvent
from plugin.templates.models import MessageTemplate
from tests.admin_api_support import ok, token_for
from tests.flows.support import flow_rows, order_event, post_event

pytestmark = pytest.mark.sqlite

PICKUP = {
    "latitude": 41.0256,
    "longitude": 28.9742,
    "name": "Ulak Mağaza Galata",
    "address": "Galata, Beyoğlu, İstanbul",
}


def _map_location(session: Session, source: str) -> None:
    """The paid-order template turned into a LOCATION-header one mapped to `source`."""
    template = session.exec(
        select(MessageTemplate).where(
            MessageTemplate.name == "ulak_order_paid", MessageTemplate.language == "tr"
        )
    ).one()
    template.components = [
        {"type": "HEADER", "format": "LOCATION"},
        *[c for c in template.components if c["type"] != "HEADER"],
    ]
    template.variable_mapping = {**template.variable_mapping, "header": [source]}
    session.add(template)
    session.commit()


def _paid(client: Any, flow_store: dict, saleor_key: Any, **metafields: str) -> None:
    created = clock.now() - timedelta(hours=2)  # paid later than placed: the paid update
    payload = order_event("ORDER_FULLY_PAID", created=created, issued_at=clock.now())
    if metafields:
        payload["order"]["shippingAddress"]["metafields"] = metafields
    post_event(client, flow_store["api_url"], saleor_key, "ORDER_FULLY_PAID", payload)


def _header(session: Session) -> dict[str, Any]:
    [row] = flow_rows(session)
    [header] = [c for c in row.parameters["components"] if c["type"] == "header"]
    [parameter] = header["parameters"]
    assert parameter["type"] == "location"
    return dict(parameter["location"])


def test_the_pickup_point_set_in_the_admin_fills_a_location_header(
    client: Any, flow_store: dict, session: Session, saleor_key: Any
) -> None:
    # given the store's pickup point, set on the admin page
    token = token_for(saleor_key, flow_store["api_url"])
    saved = ok(
        client,
        token,
        "mutation { setPickupPoint(latitude: 41.0256, longitude: 28.9742, "
        'name: "Ulak Mağaza Galata", address: "Galata,  Beyoğlu, İstanbul") '
        "{ pickupPoint { name address } errors { field code } } }",
    )["setPickupPoint"]
    assert saved == {
        "pickupPoint": {"name": "Ulak Mağaza Galata", "address": "Galata, Beyoğlu, İstanbul"},
        "errors": [],
    }
    _map_location(session, "pickup_location")
    # when an order is paid
    _paid(client, flow_store, saleor_key)
    # then its message's map shows the pickup point
    assert _header(session) == PICKUP


def test_a_cleared_pickup_point_is_gone_and_its_template_is_not_sent_with_an_old_place(
    client: Any, flow_store: dict, session: Session, saleor_key: Any
) -> None:
    # given a pickup point the merchant set, then cleared on the admin page
    token = token_for(saleor_key, flow_store["api_url"])
    ok(
        client,
        token,
        'mutation { setPickupPoint(latitude: 41, longitude: 29, name: "Eski", address: "X") '
        "{ errors { code } } }",
    )
    cleared = ok(
        client, token, "mutation { clearPickupPoint { pickupPoint { name } errors { code } } }"
    )
    assert cleared["clearPickupPoint"] == {"pickupPoint": None, "errors": []}
    assert ok(client, token, "{ pickupPoint { name } }")["pickupPoint"] is None
    # when an order is paid with a template mapped to the pickup point
    _map_location(session, "pickup_location")
    _paid(client, flow_store, saleor_key)
    # then no message carries the old place, and the journal says why
    assert flow_rows(session) == []
    reasons = session.exec(select(FlowEvent.reason).where(FlowEvent.reason.is_not(None))).all()  # type: ignore[union-attr]
    assert "missing_variables" in reasons


def test_a_pickup_point_off_the_globe_is_refused(
    client: Any, flow_store: dict, saleor_key: Any
) -> None:
    token = token_for(saleor_key, flow_store["api_url"])
    refused = ok(
        client,
        token,
        'mutation { setPickupPoint(latitude: 95, longitude: 29, name: "x", address: "") '
        "{ pickupPoint { name } errors { field code messageTr } } }",
    )["setPickupPoint"]
    assert refused["pickupPoint"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("latitude", "OUT_OF_RANGE"),
        ("address", "INVALID"),
    ]
    assert ok(client, token, "{ pickupPoint { name } }")["pickupPoint"] is None


def test_the_shipping_address_fills_a_location_header_chosen_per_template(
    client: Any, flow_store: dict, session: Session, saleor_key: Any
) -> None:
    # given the template maps the order's shipping address
    _map_location(session, "shipping_location")
    # when an order is paid whose address the storefront's map picker located
    _paid(client, flow_store, saleor_key, latitude="40.9632", longitude="29.0632")
    # then the map shows the customer's address
    assert _header(session) == {
        "latitude": 40.9632,
        "longitude": 29.0632,
        "name": "Ayşe Yılmaz",
        "address": "Bağdat Caddesi 12, 34710, İSTANBUL",
    }


def test_without_a_place_the_step_is_skipped_with_its_reason(
    client: Any, flow_store: dict, session: Session, saleor_key: Any
) -> None:
    # given a location template and no pickup point
    _map_location(session, "pickup_location")
    # when an order is paid
    _paid(client, flow_store, saleor_key)
    # then nothing is queued and the journal says why
    assert flow_rows(session) == []
    reasons = session.exec(select(FlowEvent.reason).where(FlowEvent.reason.is_not(None))).all()  # type: ignore[union-attr]
    assert "missing_variables" in reasons
