"""Costly admin API documents (depth, alias and token bombs, huge queries) get a clear error and
change nothing; introspection is allowed in dev (the schema is public: graphql/admin.graphql;
production turns it off, tests/hostile/test_production_defaults.py)."""

from __future__ import annotations

import pytest

from tests.admin_api_support import gql, token_for
from tests.hostile.support import row_counts

pytestmark = pytest.mark.sqlite


BOMBS = {
    "aliases": "{ " + " ".join(f"a{i}: viewer {{ __typename }}" for i in range(200)) + " }",
    "tokens": "{ viewer { " + " ".join(["__typename"] * 5000) + " } }",
}


def test_an_oversized_document_is_a_413(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"])
    response = gql(client, token, "{ viewer { __typename } }" + " " * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def settle_background_work() -> None:
    """Let the install's follow-up work and one tick finish, so only the request can change rows."""
    from plugin.events.tick import run_tick
    from tests.support import drain_queue

    drain_queue()
    run_tick()


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_costly_document_is_refused_with_a_clear_error(client, installed_store, saleor_key, name):
    token = token_for(saleor_key, installed_store["api_url"])
    settle_background_work()
    before = row_counts()
    response = gql(client, token, BOMBS[name])
    assert response.status_code < 500
    body = response.json()
    assert body.get("data") is None
    assert body["errors"], body
    assert row_counts() == before


def test_introspection_is_allowed_for_a_signed_in_user(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"])
    response = gql(client, token, "{ __schema { queryType { name } } }")
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
