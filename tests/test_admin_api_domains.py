"""Settings, plan and usage, WhatsApp connection and the inbox over the admin API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlmodel import select

from plugin import crypto
from plugin.db import get_engine
from plugin.saleor.models import Store
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.admin_api_support import ok, seed_store_rows, token_for
from tests.conftest import make_settings
from tests.support import QueryCounter, ServerThread, free_port

pytestmark = pytest.mark.sqlite


class FakeGraph:
    """Meta's Graph API on loopback: GET /<version>/<phone_number_id> with a bearer token."""

    def __init__(self) -> None:
        self.port = free_port()
        self.good_token = "good-wa-token"
        self.calls: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def asgi(self) -> FastAPI:
        app = FastAPI()

        @app.get("/{version}/{phone_number_id}")
        def number(version: str, phone_number_id: str, request: Request) -> JSONResponse:
            self.calls.append(phone_number_id)
            if request.headers.get("authorization") != f"Bearer {self.good_token}":
                return JSONResponse(
                    {
                        "error": {
                            "message": "Invalid OAuth access token.",
                            "type": "OAuthException",
                            "code": 190,
                        }
                    },
                    status_code=401,
                )
            return JSONResponse(
                {
                    "id": phone_number_id,
                    "display_phone_number": "+90 555 000 00 01",
                    "verified_name": "Demo",
                    "quality_rating": "GREEN",
                    "messaging_limit_tier": "TIER_1K",
                }
            )

        return app


@pytest.fixture(scope="module")
def fake_graph() -> Iterator[FakeGraph]:
    graph = FakeGraph()
    with ServerThread(graph.asgi(), graph.port):
        yield graph


@pytest.fixture()
def settings(db_url, fake_graph):
    return make_settings(db_url, whatsapp_graph_url=fake_graph.url)


@pytest.fixture()
def token(installed_store, saleor_key) -> str:
    return token_for(saleor_key, installed_store["api_url"])


@pytest.fixture()
def store_id(installed_store, session) -> int:
    return session.exec(select(Store.id)).one()


UPDATE = """mutation($input: StoreSettingsInput!) {
  updateStoreSettings(input: $input) {
    settings {
      timezone defaultRegion quietHoursStart quietHoursEnd
      marketingCap24h marketingCap7d optoutKeywords
    }
    errors { field code message messageTr }
  }
}"""


def test_settings_read_with_the_product_defaults(client, token):
    data = ok(
        client,
        token,
        "{ storeSettings { timezone quietHoursStart quietHoursEnd marketingCap24h"
        " defaultRegion } }",
    )
    assert data["storeSettings"] == {
        "timezone": "Europe/Istanbul",
        "quietHoursStart": "21:00",
        "quietHoursEnd": "09:00",
        "marketingCap24h": 1,
        "defaultRegion": "TR",
    }


def test_settings_update_applies_valid_values(client, token):
    data = ok(
        client,
        token,
        UPDATE,
        {
            "input": {
                "timezone": "Europe/Berlin",
                "defaultRegion": "de",
                "quietHoursStart": "22:30",
                "marketingCap24h": 0,
                "marketingCap7d": 2,
                "optoutKeywords": [" STOP ", "DUR"],
            }
        },
    )
    assert data["updateStoreSettings"] == {
        "settings": {
            "timezone": "Europe/Berlin",
            "defaultRegion": "DE",
            "quietHoursStart": "22:30",
            "quietHoursEnd": "09:00",
            "marketingCap24h": 0,
            "marketingCap7d": 2,
            "optoutKeywords": ["STOP", "DUR"],
        },
        "errors": [],
    }
    again = ok(client, token, "{ storeSettings { timezone } }")
    assert again["storeSettings"]["timezone"] == "Europe/Berlin"


def test_settings_update_reports_every_invalid_field_and_changes_nothing(client, token):
    data = ok(
        client,
        token,
        UPDATE,
        {
            "input": {
                "timezone": "Mars/Olympus",
                "defaultRegion": "XX",
                "quietHoursStart": "25:00",
                "quietHoursEnd": "9:00",
                "marketingCap24h": -1,
                "optoutKeywords": [],
            }
        },
    )
    payload = data["updateStoreSettings"]
    assert payload["settings"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("timezone", "INVALID"),
        ("defaultRegion", "INVALID"),
        ("quietHoursStart", "INVALID"),
        ("quietHoursEnd", "INVALID"),
        ("marketingCap24h", "OUT_OF_RANGE"),
        ("optoutKeywords", "INVALID"),
    ]
    assert all(e["message"] and e["messageTr"] for e in payload["errors"])
    after = ok(client, token, "{ storeSettings { timezone quietHoursStart marketingCap24h } }")
    assert after["storeSettings"] == {
        "timezone": "Europe/Istanbul",
        "quietHoursStart": "21:00",
        "marketingCap24h": 1,
    }


def test_weekly_cap_below_the_stored_daily_cap_is_refused(client, token):
    ok(client, token, UPDATE, {"input": {"marketingCap24h": 3, "marketingCap7d": 5}})
    data = ok(client, token, UPDATE, {"input": {"marketingCap7d": 2}})
    assert [(e["field"], e["code"]) for e in data["updateStoreSettings"]["errors"]] == [
        ("marketingCap7d", "OUT_OF_RANGE")
    ]


def test_plan_usage_counts_accepted_messages_and_plan_change(client, token, session, store_id):
    seed_store_rows(session, store_id, accounts=3, inbox=0)
    data = ok(client, token, "{ planUsage { plan monthlyQuota usedThisMonth remaining } }")
    assert data["planUsage"] == {
        "plan": "FREE",
        "monthlyQuota": 500,
        "usedThisMonth": 3,
        "remaining": 497,
    }
    changed = ok(
        client,
        token,
        "mutation { changePlan(plan: SILVER) {"
        " usage { plan monthlyQuota usedThisMonth } errors { code } } }",
    )
    assert changed["changePlan"] == {
        "usage": {"plan": "SILVER", "monthlyQuota": 10000, "usedThisMonth": 3},
        "errors": [],
    }
    assert ok(client, token, "{ store { plan } }")["store"]["plan"] == "SILVER"


USAGE = "{ planUsage { usedThisMonth remaining warningLevel resetsAt resetsOn heldMessages } }"


def test_plan_usage_shows_the_enforced_counter_and_warns_at_80_and_100_percent(
    client, token, session, store_id
):
    from plugin import clock
    from plugin.stores import usage

    # given a Free store (500 marketing messages a month) in Istanbul
    def used(n: int) -> dict:
        usage.reserve(session=session, store_id=store_id, want=n, now=clock.now())
        session.commit()
        return ok(client, token, USAGE)["planUsage"]

    # when the send-time policy has reserved 399 units, then 1 more, then 100 more
    below, at_80, at_100 = used(399), used(1), used(100)
    # then the admin shows the policy's own counter, and warns from 80 % and at 100 %, with
    # the instant (and the store's date) the count starts again: next month in Istanbul
    now = clock.now()
    _, next_month = usage.period_bounds(now, "Europe/Istanbul")
    next_local = next_month.astimezone(ZoneInfo("Europe/Istanbul"))
    assert (next_local.day, next_local.hour, next_local.minute) == (1, 0, 0)
    assert below == {
        "usedThisMonth": 399,
        "remaining": 101,
        "warningLevel": 0,
        "resetsAt": next_month.isoformat(),
        "resetsOn": next_local.date().isoformat(),
        "heldMessages": 0,
    }
    assert (at_80["usedThisMonth"], at_80["warningLevel"]) == (400, 80)
    assert (at_100["usedThisMonth"], at_100["remaining"], at_100["warningLevel"]) == (500, 0, 100)
    # and the policy can take no more this month
    assert usage.reserve(session=session, store_id=store_id, want=1, now=now).granted == 0
    # when units come back (sends that failed) the warning drops with them
    period = usage.period_of(now, "Europe/Istanbul")
    usage.give_back(session=session, store_id=store_id, period=period, amount=101)
    session.commit()
    assert ok(client, token, USAGE)["planUsage"]["warningLevel"] == 0


CONNECT = """mutation($input: ConnectWhatsAppInput!) {
  connectWhatsApp(input: $input) {
    account { phoneNumberId wabaId displayPhone qualityRating messagingLimitTier isDefault status }
    errors { field code }
  }
}"""


def test_connect_checks_the_credentials_with_the_graph_api_and_stores_the_token_encrypted(
    client, token, fake_graph, session
):
    data = ok(
        client,
        token,
        CONNECT,
        {
            "input": {
                "phoneNumberId": "1099",
                "wabaId": "2099",
                "accessToken": fake_graph.good_token,
            }
        },
    )
    assert data["connectWhatsApp"] == {
        "account": {
            "phoneNumberId": "1099",
            "wabaId": "2099",
            "displayPhone": "+90 555 000 00 01",
            "qualityRating": "GREEN",
            "messagingLimitTier": "TIER_1K",
            "isDefault": True,
            "status": "active",
        },
        "errors": [],
    }
    # the number was read, then its WABA (the Marketing Messages API onboarding status)
    assert fake_graph.calls[-2:] == ["1099", "2099"]
    row = session.exec(select(WhatsAppAccount)).one()
    assert fake_graph.good_token not in row.access_token_encrypted
    assert crypto.decrypt(row.access_token_encrypted) == fake_graph.good_token


def test_connect_with_a_token_meta_refuses_saves_nothing(client, token, session):
    data = ok(
        client,
        token,
        CONNECT,
        {"input": {"phoneNumberId": "1099", "wabaId": "2099", "accessToken": "bad"}},
    )
    assert data["connectWhatsApp"] == {
        "account": None,
        "errors": [{"field": "accessToken", "code": "CREDENTIALS_REJECTED"}],
    }
    assert session.exec(select(WhatsAppAccount)).all() == []


def test_connect_with_empty_fields_reports_them_without_calling_meta(client, token, fake_graph):
    before = len(fake_graph.calls)
    data = ok(
        client, token, CONNECT, {"input": {"phoneNumberId": " ", "wabaId": "", "accessToken": ""}}
    )
    assert [(e["field"], e["code"]) for e in data["connectWhatsApp"]["errors"]] == [
        ("phoneNumberId", "REQUIRED"),
        ("wabaId", "REQUIRED"),
        ("accessToken", "REQUIRED"),
    ]
    assert len(fake_graph.calls) == before


def test_accounts_never_expose_the_token(client, token, session, store_id):
    seed_store_rows(session, store_id, accounts=1, inbox=0)
    response = client.post(
        "/graphql",
        json={"query": "{ whatsappAccounts { id phoneNumberId wabaId displayPhone status } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "secret-token" not in response.text
    assert "accessToken" not in response.text


def test_disconnect_marks_the_number_and_wipes_its_token(client, token, session, store_id):
    seed_store_rows(session, store_id, accounts=1, inbox=0)
    account = session.exec(select(WhatsAppAccount)).one()
    data = ok(
        client,
        token,
        "mutation($id: ID!) { disconnectWhatsApp(id: $id) {"
        " account { status isDefault } errors { code } } }",
        {"id": str(account.id)},
    )
    assert data["disconnectWhatsApp"] == {
        "account": {"status": "disconnected", "isDefault": False},
        "errors": [],
    }
    session.expire_all()
    assert crypto.decrypt(session.get(WhatsAppAccount, account.id).access_token_encrypted) == ""


INBOX = """query($status: InboxStatus, $first: Int, $after: String, $last: Int, $before: String) {
  inboxEvents(status: $status, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id event status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _ids(data: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in data["inboxEvents"]["edges"]]


def test_inbox_pages_forward_and_backward_with_opaque_cursors(client, token, session, store_id):
    seed_store_rows(session, store_id, accounts=0, inbox=7)
    everything = _ids(ok(client, token, INBOX, {"first": 100}))
    assert len(everything) == 7
    first = ok(client, token, INBOX, {"first": 3})
    assert _ids(first) == everything[:3]
    assert first["inboxEvents"]["pageInfo"]["hasNextPage"] is True
    second = ok(
        client, token, INBOX, {"first": 3, "after": first["inboxEvents"]["pageInfo"]["endCursor"]}
    )
    assert _ids(second) == everything[3:6]
    assert second["inboxEvents"]["pageInfo"]["hasPreviousPage"] is True
    back = ok(
        client,
        token,
        INBOX,
        {"last": 2, "before": second["inboxEvents"]["pageInfo"]["startCursor"]},
    )
    assert _ids(back) == everything[1:3]
    failed = ok(client, token, INBOX, {"status": "FAILED", "first": 100})
    assert {e["node"]["status"] for e in failed["inboxEvents"]["edges"]} == {"FAILED"}
    assert len(_ids(failed)) == 4


@pytest.mark.parametrize("cursor", ["nope", "eyJrIjpbImlkIl0sInYiOlsxXX0"])
def test_a_foreign_or_broken_cursor_is_refused(client, token, cursor):
    from tests.admin_api_support import gql

    body = gql(client, token, INBOX, {"first": 1, "after": cursor}).json()
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CURSOR"}


def test_page_size_is_capped(client, token):
    from tests.admin_api_support import gql

    body = gql(client, token, INBOX, {"first": 101}).json()
    assert body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT"}


def _count(client, token, query, variables=None) -> int:
    with QueryCounter(get_engine()) as queries:
        ok(client, token, query, variables)
    return queries.count


def test_list_queries_do_no_n_plus_one(client, token, session, store_id):
    # given 1 row, then 100 rows of every listed type
    accounts_q = "{ whatsappAccounts { id displayPhone sentThisMonth } }"
    inbox_q = "{ inboxEvents(first: 100) { edges { node { id event status } } } }"
    seed_store_rows(session, store_id, accounts=1, inbox=1)
    small = (_count(client, token, accounts_q), _count(client, token, inbox_q))
    seed_store_rows(session, store_id, accounts=100, inbox=100, batch=1)
    # then the number of SQL statements does not grow with the rows
    large = (_count(client, token, accounts_q), _count(client, token, inbox_q))
    assert large == small
    assert len(ok(client, token, "{ whatsappAccounts { id } }")["whatsappAccounts"]) == 101
