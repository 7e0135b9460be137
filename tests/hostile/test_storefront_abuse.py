"""The storefront opt-in cannot be turned into WhatsApp messages billed to the merchant: limits
count per store and per client network (an IPv6 /64, an IPv4 /24), a per-store daily ceiling
the merchant sets, origins the merchant sets; past a limit a clear 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from plugin import ratelimit
from plugin.consent import service as consent_service
from plugin.consent.models import ConsentEvent
from plugin.stores.service import get_settings
from tests import test_storefront_optin as storefront_tests
from tests.admin_api_support import ok, token_for
from tests.factories import make_store

pytestmark = pytest.mark.sqlite

PATH = storefront_tests.PATH
ORIGIN = storefront_tests.ORIGIN
SETTINGS = """mutation($input: StoreSettingsInput!) {
  updateStoreSettings(input: $input) {
    settings { storefrontOrigins optinDailyLimit }
    errors { field code message messageTr }
  }
}"""


# the store with a storefront key and ORIGIN allowed (tests/test_storefront_optin.py)
store_key = storefront_tests.store_key


@pytest.fixture(autouse=True)
def mid_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits count in fixed ten-minute windows: a test whose requests straddled a window's
    end saw its counts restart (seen once in CI). The limiter's clock stands still mid-window
    (the tests count in process: no Redis, counters reset per store fixture)."""
    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit, "_now", lambda: (now // 600) * 600 + 300.0)


def shopper(app: Any, ip: str) -> TestClient:
    """A browser at this address (the ASGI client address the route sees)."""
    return TestClient(app, client=(ip, 50000))


def opt_in(app: Any, ip: str, key: str, n: int, origin: str = ORIGIN) -> Any:
    return shopper(app, ip).post(
        f"{PATH}?key={key}",
        json={"phone": f"0532 300 {n // 100:02d} {n % 100:02d}", "marketing": True},
        headers={"origin": origin},
    )


def assert_clear_429(response: Any, code: str) -> None:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert " / " in error["message"]  # Turkish / English, shown to the shopper
    assert 1 <= int(response.headers["retry-after"]) <= 86_400
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_an_ipv6_client_cannot_rotate_addresses_inside_its_64(app, store_key):
    # given twenty opt-ins, each from a fresh address of one /64
    codes = [opt_in(app, f"2001:db8:7:1::{n + 1:x}", store_key, n).status_code for n in range(20)]
    assert codes == [202] * 20
    # when the same subscriber takes yet another address of its /64
    response = opt_in(app, "2001:db8:7:1:ffff:ffff:ffff:fffe", store_key, 99)
    # then it is limited like one client, and told when to come back
    assert_clear_429(response, "RATE_LIMITED")
    # while a neighbouring /64 is a different client
    assert opt_in(app, "2001:db8:7:2::1", store_key, 98).status_code == 202


def test_an_ipv4_24_counts_as_one_client(app, store_key):
    assert [opt_in(app, f"203.0.113.{n + 1}", store_key, n).status_code for n in range(20)] == [
        202
    ] * 20
    assert_clear_429(opt_in(app, "203.0.113.250", store_key, 50), "RATE_LIMITED")
    assert opt_in(app, "203.0.114.1", store_key, 51).status_code == 202


def test_one_stores_traffic_does_not_block_another_stores_shoppers(app, store_key, session):
    # given another store on the same Ulak, whose shoppers share the busy address
    other = make_store(session)
    other_key = consent_service.storefront_key(session, store_id=other.id)
    get_settings(session, other.id).storefront_origins = [ORIGIN]
    session.commit()
    for n in range(20):
        assert opt_in(app, "198.51.100.7", store_key, n).status_code == 202
    assert opt_in(app, "198.51.100.7", store_key, 20).status_code == 429
    # when a shopper of the other store posts from that address
    response = opt_in(app, "198.51.100.7", other_key, 21)
    # then the first store's traffic did not use up the other store's limit
    assert response.status_code == 202, response.text


def test_the_merchant_sets_a_daily_ceiling_on_opt_in_requests(
    app, client, store_key, installed_store, saleor_key, session
):
    token = token_for(saleor_key, installed_store["api_url"])
    # the default is 500 a day
    data = ok(client, token, "{ storeSettings { optinDailyLimit } }")
    assert data["storeSettings"]["optinDailyLimit"] == 500
    # given the merchant lowers it to 3
    result = ok(client, token, SETTINGS, {"input": {"optinDailyLimit": 3}})
    assert result["updateStoreSettings"]["errors"] == []
    # when requests come from three different networks, then a fourth
    codes = [opt_in(app, f"192.0.{n}.10", store_key, n).status_code for n in range(3)]
    fourth = opt_in(app, "192.0.200.10", store_key, 3)
    # then the fourth is refused until the next day, and nothing of it is recorded
    assert codes == [202, 202, 202]
    assert_clear_429(fourth, "DAILY_LIMIT_REACHED")
    assert "yarın" in fourth.json()["error"]["message"]
    events = session.exec(select(ConsentEvent)).all()
    assert len({e.contact_id for e in events}) == 3
    # and a ceiling out of range is refused with a bilingual error
    bad = ok(client, token, SETTINGS, {"input": {"optinDailyLimit": -1}})
    [error] = bad["updateStoreSettings"]["errors"]
    assert (error["field"], error["code"]) == ("optinDailyLimit", "OUT_OF_RANGE")


def test_the_merchant_sets_the_storefront_origins(
    app, client, store_key, installed_store, saleor_key
):
    token = token_for(saleor_key, installed_store["api_url"])
    new_origin = "https://www.magaza.example"
    # before: the new site is refused
    assert opt_in(app, "192.0.2.1", store_key, 1, origin=new_origin).status_code == 403
    # when the merchant lists it in the admin
    data = ok(client, token, SETTINGS, {"input": {"storefrontOrigins": [new_origin + "/"]}})
    assert data["updateStoreSettings"]["settings"]["storefrontOrigins"] == [new_origin]
    # then browsers on it may subscribe, and the old one no longer
    preflight = shopper(app, "192.0.2.1").options(
        f"{PATH}?key={store_key}",
        headers={"origin": new_origin, "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 204
    assert opt_in(app, "192.0.2.1", store_key, 2, origin=new_origin).status_code == 202
    assert opt_in(app, "192.0.2.1", store_key, 3, origin=ORIGIN).status_code == 403
    # and something that is not an origin is refused
    bad = ok(client, token, SETTINGS, {"input": {"storefrontOrigins": ["javascript:alert(1)"]}})
    assert [e["code"] for e in bad["updateStoreSettings"]["errors"]] == ["INVALID"]


def test_network_of_groups_addresses_by_prefix():
    assert ratelimit.network_of("2001:db8:7:1::5") == "2001:db8:7:1::/64"
    assert ratelimit.network_of("203.0.113.9") == "203.0.113.0/24"
    assert ratelimit.network_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert ratelimit.network_of("testclient") == "testclient"
