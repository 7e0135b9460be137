"""GraphQL calls from Ulak to a store's Saleor, with the app token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from plugin.errors import ConfigurationError, RetryableError
from plugin.saleor import documents
from plugin.saleor.urls import SaleorApiUrl


@dataclass(frozen=True)
class TokenOwner:
    """The app a token belongs to, as that Saleor reports it (the `app` query without id)."""

    id: str
    type: str | None
    identifier: str | None
    manifest_url: str | None
    is_active: bool | None
    shop_name: str | None
    shop_host: str | None


class SaleorGateway:
    """A small synchronous GraphQL client; errors are classified for the caller."""

    def __init__(self, api_url: SaleorApiUrl, token: str, *, timeout: float = 10.0) -> None:
        self.api_url = api_url
        self._token = token
        self._timeout = timeout

    def execute(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = httpx.post(
                self.api_url,
                json={"query": document, "variables": variables or {}},
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise RetryableError(
                f"Saleor unreachable: {exc.__class__.__name__}", code="SALEOR_UNREACHABLE"
            ) from exc
        if response.status_code in (401, 403):
            raise ConfigurationError("Saleor rejected the app token", code="INVALID_APP_TOKEN")
        if response.status_code >= 500:
            raise RetryableError(f"Saleor answered {response.status_code}", code="SALEOR_ERROR")
        try:
            body = response.json()
        except ValueError as exc:
            raise RetryableError("Saleor answered with no JSON", code="SALEOR_ERROR") from exc
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            codes = {
                str((e.get("extensions") or {}).get("exception", {}).get("code", ""))
                for e in errors
            }
            message = "; ".join(str(e.get("message", "")) for e in errors)[:500]
            if (
                codes
                & {
                    "PermissionDenied",
                    "JSONWebTokenError",
                    "ExpiredSignatureError",
                    "InvalidTokenError",
                }
                or "token" in message.lower()
            ):
                raise ConfigurationError(
                    f"Saleor rejected the app token: {message}", code="INVALID_APP_TOKEN"
                )
            raise ConfigurationError(
                f"Saleor GraphQL error: {message}", code="SALEOR_GRAPHQL_ERROR"
            )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise RetryableError("Saleor answered without data", code="SALEOR_ERROR")
        return data

    def token_owner(self) -> TokenOwner:
        """Ask Saleor whose token this is; `INVALID_APP_TOKEN` when it names no app."""
        data = self.execute(documents.load("queries/AppId.graphql"))
        app = data.get("app") or {}
        if not isinstance(app, dict) or not app.get("id"):
            raise ConfigurationError(
                "Saleor did not recognise the token as an app token", code="INVALID_APP_TOKEN"
            )
        shop = data.get("shop") or {}
        return TokenOwner(
            id=str(app["id"]),
            type=app.get("type"),
            identifier=app.get("identifier"),
            manifest_url=app.get("manifestUrl"),
            is_active=app.get("isActive"),
            shop_name=shop.get("name"),
            shop_host=(shop.get("domain") or {}).get("host"),
        )
