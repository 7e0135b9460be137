"""Helpers for the admin API tests: dashboard tokens like Saleor's, GraphQL over HTTP."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.support import REAL_APP_ID, SigningKey

ALL_PERMISSIONS = ["MANAGE_APPS", "MANAGE_USERS", "MANAGE_ORDERS", "MANAGE_CHECKOUTS"]


def dashboard_claims(
    api_url: str,
    *,
    permissions: list[str] | None = None,
    app: str = REAL_APP_ID,
    is_staff: bool = True,
    expires_in: int = 300,
    **extra: Any,
) -> dict[str, Any]:
    """Claims shaped like ../shared/saleor/app-access-token.claims.json."""
    now = int(time.time())
    return {
        "iat": now,
        "owner": "saleor",
        "iss": api_url,
        "exp": now + expires_in,
        "token": "user-key",
        "email": "admin@example.com",
        "type": "thirdparty",
        "user_id": "VXNlcjoyMQ==",
        "is_staff": is_staff,
        "app": app,
        "permissions": ["MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS"],
        "user_permissions": ALL_PERMISSIONS if permissions is None else permissions,
        **extra,
    }


def token_for(key: SigningKey, api_url: str, **kwargs: Any) -> str:
    return key.token(dashboard_claims(api_url, **kwargs))


def gql(
    client: TestClient,
    token: str | None,
    query: str,
    variables: dict[str, Any] | None = None,
) -> Any:
    """POST /graphql; returns the httpx response."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def ok(client: TestClient, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """Run and assert no errors; returns `data`."""
    response = gql(client, token, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]
