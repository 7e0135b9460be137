"""Bad input is the client's error (4xx), never a 500, and never harms its neighbours
(issue 17, point 7): deeply nested JSON, UTF-16/UTF-32 bodies, NUL characters, numbers beyond
a column's range, one undecodable delivery in a group commit, two first installs at once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from plugin.inbox import writer
from plugin.inbox.models import InboxEvent, InboxSource
from plugin.inbox.service import Delivery
from plugin.saleor.models import Store
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from tests.admin_api_support import gql, token_for
from tests.hostile.support import row_counts
from tests.support import saleor_body
from tests.test_storefront_optin import ORIGIN, store_key  # noqa: F401 - the fixture

pytestmark = pytest.mark.sqlite

DEEP = b"[" * 5_000 + b"]" * 5_000  # 10 KB: under every route's limit


def _webhook(client, saleor_key, api_url: str, body: bytes, route: str = "order-created"):
    return client.post(
        f"/api/webhooks/saleor/{route}",
        content=body,
        headers={
            "content-type": "application/json",
            "saleor-signature": saleor_key.sign_body(body),
            "saleor-api-url": api_url,
        },
    )


def _opt_in(client, key: str, body: bytes):
    return client.post(
        f"/api/storefront/opt-in?key={key}",
        content=body,
        headers={"origin": ORIGIN, "content-type": "application/json"},
    )


def _opt_in_body(**fields: Any) -> bytes:
    body = {"phone": "0532 123 45 67", "marketing": True, "text": "Evet", "locale": "tr-TR"}
    return json.dumps({**body, **fields}).encode()


# --- deeply nested JSON ----------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_everywhere(
    client,
    installed_store,
    saleor_key,
    store_key,  # noqa: F811 - the opt-in tests' fixture
):
    before = row_counts()
    register = client.post(
        "/api/register",
        content=DEEP,
        headers={"saleor-api-url": installed_store["api_url"], "content-type": "application/json"},
    )
    webhook = _webhook(client, saleor_key, installed_store["api_url"], DEEP)
    opt_in = _opt_in(client, store_key, DEEP)
    # then each is refused as the client's error (the opt-in's bad-input answer is its 422)
    assert [register.status_code, webhook.status_code, opt_in.status_code] == [400, 400, 422]
    assert row_counts() == before


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
def test_a_utf16_or_utf32_webhook_is_a_400_and_nothing_is_recorded(
    client, installed_store, saleor_key, encoding
):
    body = saleor_body("ORDER_CREATED").decode("utf-8").encode(encoding)
    before = row_counts()
    response = _webhook(client, saleor_key, installed_store["api_url"], body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "NOT_UTF8"
    assert row_counts() == before


def test_one_undecodable_delivery_does_not_fail_its_group_commit(installed_store, session):
    # given 17 good deliveries and one the database cannot store, committed together
    store = session.exec(select(Store)).one()
    good = saleor_body("ORDER_CREATED").decode()

    def delivery(i: int, body: bytes) -> Delivery:
        return Delivery(store_id=store.id, source=InboxSource.SALEOR, event=f"e{i}", body=body)

    batch = [delivery(i, good.encode()) for i in range(17)]
    batch.insert(9, delivery(99, good.encode("utf-16")))
    futures = [writer.submit(d) for d in batch]
    outcomes: list[Any] = []
    for future in futures:
        try:
            outcomes.append(future.result(timeout=30))
        except Exception as exc:
            outcomes.append(type(exc).__name__)
    # then only the bad one failed: every good one has its row
    assert [isinstance(o, int) for o in outcomes] == [i != 9 for i in range(18)], outcomes
    session.expire_all()
    assert len(session.exec(select(InboxEvent)).all()) == 17


# --- NUL characters --------------------------------------------------------------------------


def test_nul_characters_are_a_400_and_nothing_is_recorded(
    client,
    installed_store,
    saleor_key,
    store_key,  # noqa: F811 - the opt-in tests' fixture
):
    before = row_counts()
    token = client.post(
        "/api/register",
        json={"auth_token": "good-app-token\u0000"},
        headers={"saleor-api-url": installed_store["api_url"]},
    )
    payload = json.loads(saleor_body("ORDER_CREATED"))
    payload["order\u0000"] = payload.pop("order", None)
    webhook = _webhook(client, saleor_key, installed_store["api_url"], json.dumps(payload).encode())
    name = _opt_in(client, store_key, _opt_in_body(text="Ay\u0000şe"))
    raw = _opt_in(client, store_key, _opt_in_body().replace(b"Evet", b"Ev\x00et"))
    statuses = [r.status_code for r in (token, webhook, name, raw)]
    assert statuses == [400, 400, 422, 422], [r.text for r in (token, webhook, name, raw)]
    assert row_counts() == before


@pytest.fixture()
def gold(installed_store, session) -> None:
    """Segments are a paid feature: the store is on Gold."""
    store = session.exec(select(Store)).one()
    get_settings(session, store.id).plan = Plan.GOLD
    session.commit()


def _admin(client, saleor_key, api_url: str, query: str, variables: dict[str, Any]):
    return gql(client, token_for(saleor_key, api_url), query, variables)


def test_nul_in_an_admin_api_name_is_refused_not_an_unexpected_error(
    client, installed_store, saleor_key, gold
):
    rule = {"field": "orders_count", "op": "gte", "value": 0}
    response = _admin(
        client,
        saleor_key,
        installed_store["api_url"],
        "mutation($name: String!, $rule: JSON!) { createSegment(name: $name, rule: $rule) "
        "{ segment { id } errors { code } } }",
        {"name": "VIP\u0000", "rule": rule},
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "NUL_CHARACTER"


# --- numbers beyond a column's range ---------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        {"field": "orders_count", "op": "gte", "value": 10**400},
        {"field": "orders_count", "op": "between", "value": [0, 2**63]},
        {"field": "last_order_at", "op": "within_days", "value": 10**10},
        {"field": "total_spent", "op": "gt", "value": 10**400},
    ],
)
def test_a_rule_number_beyond_its_range_is_a_rule_error(
    client, installed_store, saleor_key, gold, condition
):
    response = _admin(
        client,
        saleor_key,
        installed_store["api_url"],
        "query($rule: JSON!) { segmentPreview(rule: $rule) { count errors { field code } } }",
        {"rule": {"all": [condition]}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    preview = body["data"]["segmentPreview"]
    assert preview["count"] is None or preview["count"] == 0
    assert [e["code"] for e in preview["errors"]] == ["INVALID_RULE"], preview


# --- concurrent first installs ---------------------------------------------------------------


def test_two_first_installs_at_once_give_one_store_and_no_500(client, fake_saleor, session):
    # given two register calls for a new Saleor that both looked for the store before either
    # wrote it (each waits at its first flush until the other got there: the race, every time)
    barrier = threading.Barrier(2, timeout=10)
    flushes = iter(range(2))

    def meet(_session: Any, _context: Any, _instances: Any) -> None:
        if next(flushes, None) is not None:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass

    sa.event.listen(Session, "before_flush", meet)
    try:
        with ThreadPoolExecutor(2) as pool:
            responses = list(
                pool.map(
                    lambda _: client.post(
                        "/api/register",
                        headers={"saleor-api-url": fake_saleor.api_url},
                        json={"auth_token": "good-app-token"},
                    ),
                    range(2),
                )
            )
    finally:
        sa.event.remove(Session, "before_flush", meet)
    # then both are answered 200 and the Saleor has one store
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    session.expire_all()
    assert len(session.exec(select(Store)).all()) == 1
