"""Every POST route refuses a body over its limit with a 413 before reading it all."""

from __future__ import annotations

import pytest

from plugin.saleor.webhooks import WEBHOOKS
from tests.hostile.support import row_counts

pytestmark = pytest.mark.sqlite

MIB = 1024 * 1024
LIMITS = {
    "/api/register": 64 * 1024,
    "/api/storefront/opt-in": 16 * 1024,
    "/api/webhooks/whatsapp": MIB,
    **{w.path: MIB for w in WEBHOOKS},
}


@pytest.mark.parametrize("path", sorted(LIMITS))
def test_a_body_over_the_limit_is_a_413_and_nothing_is_recorded(client, installed_store, path):
    body = b'{"pad": "' + b"x" * LIMITS[path] + b'"}'
    before = row_counts()
    response = client.post(
        path,
        content=body,
        headers={"saleor-api-url": installed_store["api_url"], "content-type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert row_counts() == before


def test_a_chunked_body_without_length_is_cut_at_the_limit(client, installed_store):
    def chunks():
        for _ in range(40):
            yield b"x" * 1024

    response = client.post("/api/storefront/opt-in", content=chunks())
    assert response.status_code == 413


def _chunks(total: int):
    for _ in range(total // 1024):
        yield b"x" * 1024


def test_graphql_refuses_a_missing_token_before_reading_the_body(client, installed_store):
    response = client.post("/graphql", content=_chunks(512 * 1024))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"]


def test_graphql_cuts_an_authenticated_chunked_body_at_its_limit(
    client, installed_store, saleor_key
):
    from tests.admin_api_support import token_for

    token = token_for(saleor_key, installed_store["api_url"])
    response = client.post(
        "/graphql", content=_chunks(512 * 1024), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_saleor_that_did_not_install_us_is_refused_before_its_body_is_read(
    client, installed_store
):
    response = client.post(
        "/api/webhooks/saleor/order-created",
        content=_chunks(512 * 1024),
        headers={"saleor-api-url": "https://other.example.com/graphql/"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNKNOWN_SALEOR"


def test_a_content_length_that_is_not_a_number_is_a_400(client):
    response = client.post("/api/register", content=b"{}", headers={"content-length": "12abc"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_CONTENT_LENGTH"
