"""Schemathesis against the app's own OpenAPI schema: garbage gets a clear 4xx, never a 5xx,
and nothing is recorded. Runs in production mode (no sandbox) with one installed store."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from plugin import ratelimit
from plugin.saleor.webhooks import WEBHOOKS
from tests.hostile.support import production_settings, row_counts

pytestmark = pytest.mark.sqlite

POST_ROUTES = [
    "/api/register",
    "/api/storefront/opt-in",
    "/api/webhooks/whatsapp",
    *(definition.path for definition in WEBHOOKS),
]
GET_ROUTES = ["/api/manifest", "/healthz", "/metrics"]
EXAMPLES_PER_ROUTE = 20
ORIGIN = "https://shop.example.com"


@pytest.fixture()
def production(db_url, fake_saleor) -> Any:
    from plugin.app import create_app

    settings = production_settings(db_url, allowed=fake_saleor.api_url)
    app = create_app(settings, embedded_worker=False)
    with TestClient(app) as client:
        installed = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url},
            json={"auth_token": "good-app-token"},
        )
        assert installed.status_code == 200, installed.text
        yield app, client
    ratelimit.reset()


def _pinned(path: str, fake_saleor: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Values that reach the deeper checks: the installed Saleor's URL, a real storefront key."""
    if path.startswith("/api/webhooks/saleor/"):
        return {"saleor-api-url": fake_saleor.api_url}, {}
    if path == "/api/storefront/opt-in":
        from sqlmodel import Session, select

        from plugin.consent import service as consent_service
        from plugin.db import get_engine
        from plugin.saleor.models import Store
        from plugin.stores.service import get_settings

        with Session(get_engine()) as session:
            store = session.exec(select(Store)).one()
            key = consent_service.storefront_key(session, store_id=store.id)
            get_settings(session, store.id).storefront_origins = [ORIGIN]
            session.commit()
        return {"origin": ORIGIN}, {"key": key}
    return {}, {}


def test_the_schema_describes_every_public_route(production):
    # given the production app
    app, _client = production
    # when its OpenAPI schema is read
    paths = app.openapi()["paths"]
    # then every edge is there (with its body) and nothing of the sandbox is
    assert {p for p in paths if p != "/graphql"} == set(POST_ROUTES) | set(GET_ROUTES)
    for path in POST_ROUTES:
        assert "requestBody" in paths[path]["post"], path


def _fuzz(
    app: Any,
    client: TestClient,
    path: str,
    method: str,
    *,
    pinned_headers: dict[str, str] | None = None,
    pinned_params: dict[str, str] | None = None,
) -> list[tuple[int, str]]:
    """Send generated cases; pinned values replace generated ones to get past the first check."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    operation = schema[path][method]
    seen: list[tuple[int, str]] = []

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def one(case: Any) -> None:
        kwargs = case.as_transport_kwargs(base_url="http://testserver")
        response = client.request(
            kwargs["method"],
            kwargs["url"],
            headers={**(kwargs.get("headers") or {}), **(pinned_headers or {})},
            params={**(kwargs.get("params") or {}), **(pinned_params or {})},
            content=_content(kwargs),
        )
        seen.append((response.status_code, response.text[:200]))

    one()
    return seen


def _content(kwargs: dict[str, Any]) -> bytes | None:
    import json

    if "json" in kwargs:
        return json.dumps(kwargs["json"]).encode()
    data = kwargs.get("data")
    if isinstance(data, str):
        return data.encode()
    return data


@pytest.mark.parametrize("path", POST_ROUTES)
def test_garbage_posted_to_an_edge_is_a_clear_4xx_and_records_nothing(
    production, fake_saleor, path
):
    # given the production app with one installed store
    app, client = production
    headers, params = _pinned(path, fake_saleor)
    before = row_counts()
    # when schemathesis posts bodies and headers generated from the schema, as they come and
    # with the store's own Saleor URL or storefront key pinned
    seen = _fuzz(app, client, path, "POST")
    seen += _fuzz(app, client, path, "POST", pinned_headers=headers, pinned_params=params)
    # then every answer is a 4xx with a body saying why, and no row was added or removed
    assert seen
    assert [s for s in seen if not 400 <= s[0] < 500] == []
    assert row_counts() == before


@pytest.mark.parametrize("path", GET_ROUTES)
def test_reads_never_fail_on_generated_input(production, path):
    app, client = production
    seen = _fuzz(app, client, path, "GET")
    assert seen
    assert [s for s in seen if s[0] >= 500] == []
