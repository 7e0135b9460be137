"""A LOCATION-header template send, checked by the sandbox as Meta documents it: latitude,
longitude, name and address are all given at send time (Meta, "Location templates"), a
missing one is 131008 and a coordinate off the globe 131009."""

from typing import Any

import httpx
import pytest

from tests.whatsapp.conftest import CUSTOMER, PHONE_NUMBER_ID, TOKEN, WABA_ID

PICKUP = {
    "latitude": 41.0256,
    "longitude": 28.9742,
    "name": "Ulak Mağaza",
    "address": "Galata, Beyoğlu, İstanbul",
}


@pytest.fixture()
def location_template(sandbox_server: Any) -> Any:
    sandbox_server.sandbox.add_template(
        waba_id=WABA_ID,
        name="pickup_ready",
        language="tr",
        category="UTILITY",
        components=[
            {"type": "HEADER", "format": "LOCATION"},
            {"type": "BODY", "text": "Siparişiniz mağazamızda hazır."},
        ],
    )
    return sandbox_server


def _send(server: Any, location: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{server.graph_url}/v23.0/{PHONE_NUMBER_ID}/messages",
        headers={"authorization": f"Bearer {TOKEN}"},
        json={
            "messaging_product": "whatsapp",
            "to": CUSTOMER,
            "type": "template",
            "template": {
                "name": "pickup_ready",
                "language": {"code": "tr"},
                "components": [
                    {
                        "type": "header",
                        "parameters": [{"type": "location", "location": location}],
                    }
                ],
            },
        },
    )


def test_a_full_location_header_reaches_the_phone(location_template: Any) -> None:
    # when the template is sent with the pickup point
    response = _send(location_template, PICKUP)
    # then it is accepted and the phone shows the map's place
    assert response.status_code == 200, response.text
    [shown] = httpx.get(
        f"{location_template.url}/sandbox/api/messages", params={"to": CUSTOMER}
    ).json()
    assert shown["header"] == {"type": "location", **PICKUP}


@pytest.mark.parametrize("missing", ["latitude", "longitude", "name", "address"])
def test_a_location_header_without_one_of_its_four_fields_is_refused(
    location_template: Any, missing: str
) -> None:
    response = _send(location_template, {k: v for k, v in PICKUP.items() if k != missing})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 131008


@pytest.mark.parametrize(("field", "value"), [("latitude", 91), ("longitude", "east")])
def test_a_location_off_the_globe_is_refused(
    location_template: Any, field: str, value: Any
) -> None:
    response = _send(location_template, {**PICKUP, field: value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 131009
