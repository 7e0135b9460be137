"""Unknown key ids cannot make Ulak hammer a failing Saleor's JWKS or tie up its threads.

While the JWKS answers 5xx or hangs, 40 parallel requests signed with unknown kids (webhooks
and dashboard tokens alike) cause at most one fetch, answer quickly, and the failure is
remembered: the next requests fetch nothing until the backoff has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.admin_api_support import gql, token_for
from tests.conftest import make_settings
from tests.support import SigningKey, saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite

PARALLEL = 40
SALEOR_TIMEOUT = 1.5  # SALEOR_HTTP_TIMEOUT_SECONDS of the app under test


@pytest.fixture()
def bounded_client(db_url, fake_saleor) -> Iterator[TestClient]:
    """The app with production's refetch interval, installed on the fake Saleor."""
    from plugin.app import create_app
    from plugin.saleor import jwks

    settings = make_settings(
        db_url,
        jwks_refetch_min_interval_seconds=30.0,
        saleor_http_timeout_seconds=SALEOR_TIMEOUT,
    )
    with TestClient(create_app(settings, embedded_worker=False)) as client:
        response = client.post(
            "/api/register",
            headers={"saleor-api-url": fake_saleor.api_url, "saleor-domain": fake_saleor.domain},
            json={"auth_token": "good-app-token"},
        )
        assert response.status_code == 200, response.text
        jwks._cache[fake_saleor.api_url].fetched_at -= 3600  # keys fetched an hour ago
        yield client


def _unknown_kid(saleor_key: SigningKey, i: int) -> SigningKey:
    return SigningKey(f"never-published-{i}", saleor_key.private)


def _webhook(client: TestClient, fake_saleor, saleor_key: SigningKey, i: int) -> Any:
    body = saleor_body("ORDER_CREATED")
    headers = dict(saleor_headers("ORDER_CREATED"), **{"saleor-api-url": fake_saleor.api_url})
    headers["saleor-signature"] = _unknown_kid(saleor_key, i).sign_body(body)
    return client.post("/api/webhooks/saleor/order-created", content=body, headers=headers)


def _dashboard(client: TestClient, fake_saleor, saleor_key: SigningKey, i: int) -> Any:
    token = token_for(_unknown_kid(saleor_key, i), fake_saleor.api_url)
    return gql(client, token, "{ viewer { isStaff } }")


ROUTES: dict[str, Callable[..., Any]] = {"webhook": _webhook, "dashboard": _dashboard}


def _burst(send: Callable[[int], Any]) -> tuple[list[int], float]:
    """PARALLEL requests at once: their status codes and the slowest one's seconds."""

    def timed(i: int) -> tuple[int, float]:
        started = time.monotonic()
        status = send(i).status_code
        return status, time.monotonic() - started

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(timed, range(PARALLEL)))
    return [s for s, _ in results], max(t for _, t in results)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("failure", ["5xx", "hangs"])
def test_unknown_kids_against_a_failing_jwks_cause_one_fetch(
    bounded_client, fake_saleor, saleor_key, route, failure
):
    # given a Saleor whose JWKS fails (answers 503, or hangs past the app's timeout)
    if failure == "5xx":
        fake_saleor.jwks_status = 503
    else:
        fake_saleor.jwks_delay = SALEOR_TIMEOUT + 3
    fake_saleor.jwks_requests = 0
    send = ROUTES[route]
    # when 40 requests signed with unknown kids arrive at once
    statuses, slowest = _burst(lambda i: send(bounded_client, fake_saleor, saleor_key, i))
    # then Saleor's JWKS was fetched at most once
    assert fake_saleor.jwks_requests <= 1
    # and every request was told to try again later (Saleor retries a 503), none queued behind
    # more than the single fetch (40 fetches in a row would take 40 timeouts; the margin is for
    # a loaded CI machine, not a speed target)
    assert set(statuses) == {503}, statuses
    assert slowest < SALEOR_TIMEOUT * 3 + 5
    # and while the failure is remembered, another burst fetches nothing and answers at once
    statuses, slowest = _burst(lambda i: send(bounded_client, fake_saleor, saleor_key, i + 100))
    assert fake_saleor.jwks_requests <= 1
    assert set(statuses) == {503}
    assert slowest < 5.0  # no fetch: far below one timeout per request


def test_unknown_kids_against_a_healthy_jwks_cause_one_fetch_then_401(
    bounded_client, fake_saleor, saleor_key
):
    # given a healthy JWKS that does not publish the kids
    fake_saleor.jwks_requests = 0
    statuses, _ = _burst(lambda i: _webhook(bounded_client, fake_saleor, saleor_key, i))
    # then one fetch at most, and the requests are refused as unauthenticated (4xx: final)
    assert fake_saleor.jwks_requests <= 1
    assert set(statuses) <= {401, 503} and 401 in statuses
    statuses, _ = _burst(lambda i: _dashboard(bounded_client, fake_saleor, saleor_key, i))
    assert fake_saleor.jwks_requests <= 1
    assert set(statuses) == {401}


def test_a_rotated_key_is_picked_up_once_the_jwks_recovers(bounded_client, fake_saleor, saleor_key):
    from plugin.saleor import jwks

    # given a failed fetch remembered with its backoff
    fake_saleor.jwks_status = 503
    rotated = _unknown_kid(saleor_key, 7)
    assert _webhook(bounded_client, fake_saleor, saleor_key, 7).status_code == 503
    # when Saleor publishes the rotated key: nothing is fetched before the backoff has passed
    fake_saleor.jwks_status = 200
    fake_saleor.jwks = {"keys": [*fake_saleor.jwks["keys"], rotated.public_jwk()]}
    assert _webhook(bounded_client, fake_saleor, saleor_key, 7).status_code == 503
    assert fake_saleor.jwks_requests == 2  # the install's fetch and the failed one
    jwks._cache[fake_saleor.api_url].failed_at -= jwks.FAILURE_BACKOFF_MAX
    # then Saleor's redelivery after it is accepted
    assert _webhook(bounded_client, fake_saleor, saleor_key, 7).status_code == 200
