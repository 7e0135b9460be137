"""The exported SDL matches the code; limits and masking hold."""

from __future__ import annotations

from pathlib import Path

import pytest
import strawberry

from plugin.admin_api.schema import sdl
from tests.admin_api_support import gql, token_for

pytestmark = pytest.mark.sqlite
SDL = Path(__file__).resolve().parents[1] / "graphql" / "admin.graphql"


@strawberry.type
class DeepNode:
    @strawberry.field
    def child(self) -> DeepNode:
        return DeepNode()


@strawberry.type
class DeepQuery:
    @strawberry.field
    def root(self) -> DeepNode:
        return DeepNode()


def test_exported_sdl_matches_the_schema():
    assert SDL.read_text(encoding="utf-8") == sdl(), (
        "graphql/admin.graphql is stale: run `.venv/bin/ulak export-schema` and commit it"
    )


def test_export_schema_command_writes_the_sdl(tmp_path):
    from click.testing import CliRunner

    from plugin.cli import main

    out = tmp_path / "admin.graphql"
    result = CliRunner().invoke(main, ["export-schema", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == sdl()


def test_too_deep_a_query_is_refused():
    # given the admin schema's extensions on a schema deep enough to nest (ours is shallow yet)
    from plugin.admin_api.extensions import MAX_DEPTH, extensions

    deep_schema = strawberry.Schema(query=DeepQuery, extensions=extensions())

    def query(depth: int) -> str:
        return "{ root " + "{ child " * (depth - 1) + "{ __typename }" + " }" * (depth - 1) + " }"

    # then a query at the limit runs and one beyond it is refused before execution
    assert deep_schema.execute_sync(query(MAX_DEPTH)).errors is None
    result = deep_schema.execute_sync(query(MAX_DEPTH + 1))
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0].message


def test_too_many_aliases_are_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"])
    query = "{ " + " ".join(f"a{i}: store {{ name }}" for i in range(16)) + " }"
    body = gql(client, token, query).json()
    assert body["data"] is None
    assert "aliases" in body["errors"][0]["message"]


def test_too_many_tokens_are_refused(client, installed_store, saleor_key):
    token = token_for(saleor_key, installed_store["api_url"])
    query = "{ store { " + " ".join(["name"] * 2100) + " } }"
    body = gql(client, token, query).json()
    assert body["data"] is None
    assert "token" in body["errors"][0]["message"].lower()


def test_an_unexpected_error_is_masked_and_rolls_back(client, installed_store, saleor_key, session):
    # given a store whose settings row holds a plan the code does not know (a bug to surface)
    from sqlmodel import select

    from plugin.saleor.models import Store
    from plugin.stores.service import get_settings

    store_id = session.exec(select(Store.id)).one()
    row = get_settings(session, store_id)
    row.timezone = "Not/AZone"
    session.add(row)
    session.commit()
    token = token_for(saleor_key, installed_store["api_url"])
    # when a mutation trips over it
    body = gql(client, token, "mutation { changePlan(plan: GOLD) { usage { plan } } }").json()
    # then the client sees no internals and nothing changed
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "Unexpected error. / Beklenmeyen hata.",
                "locations": [{"line": 1, "column": 12}],
                "path": ["changePlan"],
            }
        ],
    }
    session.expire_all()
    assert get_settings(session, store_id).plan == "free"
