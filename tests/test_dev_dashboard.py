"""The dev dashboard (issue 20, point 1): `GET /dev` signs dashboard tokens for a local demo
store with a dev-only key, the admin API accepts them in dev mode, and production serves no
`/dev` and refuses a token signed with that key even for a store that lists it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_settings

pytestmark = pytest.mark.sqlite

CONTACTS = "{ contacts(first: 20) { edges { node { firstName consents { purpose action } } } } }"


def _token_from(page: str) -> str:
    found = re.search(r'"token": "([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_the_dev_page_opens_the_admin_on_a_demo_store_with_its_people(db_url: str) -> None:
    from plugin.app import create_app

    app = create_app(make_settings(db_url), embedded_worker=False)
    with TestClient(app) as dev:
        # when a developer opens /dev
        page = dev.get("/dev", params={"locale": "en"})
        # then it frames the admin page for the demo store, with the sandbox phone one tap away
        assert page.status_code == 200
        assert (
            'id="app"' in page.text and "saleorApiUrl=http%3A%2F%2Fdemo.ulak.invalid" in page.text
        )
        assert 'href="/sandbox/phone?lang=en"' in page.text
        # and its token opens the admin API as the demo store's staff
        token = _token_from(page.text)
        headers = {"Authorization": f"Bearer {token}"}
        # and the first visit seeded the demo people, once: `ulak demo` (or opening /dev
        # again) refreshes and adds nothing twice
        assert dev.post("/dev/demo").json()["contacts_added"] == 0
        assert dev.get("/dev").status_code == 200
        # then the admin lists Turkish and English customers with their consent history
        data = dev.post("/graphql", json={"query": CONTACTS}, headers=headers).json()["data"]
        people = {e["node"]["firstName"]: e["node"]["consents"] for e in data["contacts"]["edges"]}
        assert {"Ayşe", "Zeynep", "John", "Olivia"} <= set(people)
        marketing = {
            n: next(c["action"] for c in cs if c["purpose"] == "MARKETING")
            for n, cs in people.items()
        }
        assert marketing["Ayşe"] == "GRANTED" and marketing["Zeynep"] == "REVOKED"
        assert marketing["Emre"] == "REQUESTED" and marketing["Can"] is None
        # and the refreshed token endpoint answers a token the API accepts too
        fresh = dev.get("/dev/token").json()["token"]
        again_ok = dev.post(
            "/graphql", json={"query": CONTACTS}, headers={"Authorization": f"Bearer {fresh}"}
        )
        assert again_ok.status_code == 200


def test_production_serves_no_dev_page_and_refuses_the_dev_key(db_url: str) -> None:
    from plugin.app import create_app

    # given a demo store made in dev mode, and a token its dev page handed out
    dev_app = create_app(make_settings(db_url), embedded_worker=False)
    with TestClient(dev_app) as dev:
        token = _token_from(dev.get("/dev").text)
    # when the same database is served in production
    prod_settings = make_settings(
        db_url,
        ulak_env="production",
        secret_key="prod-test-key-7f3a9c1e5b2d8f4a6c0e9b3d",
        whatsapp_app_secret="meta-secret",
        allowed_saleor_urls="https://shop.example/graphql/",
    )
    prod_app = create_app(prod_settings, embedded_worker=False)
    with TestClient(prod_app) as prod:
        # then there is no dev page, no token endpoint and no seeding
        assert prod.get("/dev").status_code == 404
        assert prod.get("/dev/token").status_code == 404
        assert prod.post("/dev/demo").status_code == 404
        assert prod.post("/dev/event", json={"event": "order_created"}).status_code == 404
        # and the dev key's token is refused although the store row lists that key
        refused = prod.post(
            "/graphql", json={"query": CONTACTS}, headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 401, refused.text


def test_the_dev_page_plays_the_stores_saleor_with_signed_deliveries(db_url: str) -> None:
    from plugin.app import create_app

    app = create_app(make_settings(db_url), embedded_worker=False)
    with TestClient(app) as dev:
        dev.get("/dev")
        # when the page asks for a demo shopper's order, as the demo store's Saleor would send it
        asked = dev.post("/dev/event", json={"event": "order_created", "phone": "+905321110001"})
        assert asked.status_code == 200
        delivery = asked.json()
        assert delivery["path"] == "/api/webhooks/saleor/order-created"
        # then the app's own webhook route takes it as a genuine, signed Saleor delivery
        taken = dev.post(delivery["path"], content=delivery["body"], headers=delivery["headers"])
        assert taken.status_code == 200, taken.text
        # and a tampered body is refused like any forged webhook
        forged = delivery["body"].replace("Keten Gömlek", "Bedava Gömlek")
        refused = dev.post(delivery["path"], content=forged, headers=delivery["headers"])
        assert refused.status_code == 401
        # and only the demo store's shoppers, and only an order it placed, can be played
        stranger = {"event": "order_created", "phone": "+905550000000"}
        assert dev.post("/dev/event", json=stranger).status_code == 404
        no_order = {"event": "order_fulfilled", "phone": "+905321110001"}
        assert dev.post("/dev/event", json=no_order).status_code == 422


def test_a_pinned_clock_is_this_threads_alone_and_comes_back() -> None:
    """The dev demo writes last week through the real code with its thread's clock pinned;
    the app's other threads (requests, workers) keep real time."""
    import threading
    from datetime import UTC, datetime

    from plugin import clock

    past = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    seen: list[datetime] = []
    with clock.pinned(past):
        assert clock.now() == past
        with clock.pinned(past.replace(hour=11)):
            assert clock.now().hour == 11
        assert clock.now() == past  # an inner pin gives the outer one back
        other = threading.Thread(target=lambda: seen.append(clock.now()))
        other.start()
        other.join()
    assert seen[0] > past and clock.now() > past
    with pytest.raises(ValueError):
        with clock.pinned(datetime(2026, 1, 5)):  # naive: refused
            pass
