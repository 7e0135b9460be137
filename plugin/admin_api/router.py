"""POST /graphql (and GraphiQL on GET in dev): the admin API's HTTP edge.

No or bad token → HTTP 401 for the whole request, body
`{"data": null, "errors": [{"message": ..., "extensions": {"code": "TOKEN_EXPIRED"}}]}`
and `WWW-Authenticate: Bearer`; nothing is parsed or executed. JWKS unreachable → 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from plugin.admin_api.context import AdminContext, get_context
from plugin.admin_api.schema import schema
from plugin.bodies import GRAPHQL_BODY_LIMIT, has_nul
from plugin.errors import AuthenticationError, PayloadTooLarge
from plugin.settings import get_settings

MAX_BODY_BYTES = GRAPHQL_BODY_LIMIT


class AdminRouter(GraphQLRouter[AdminContext, None]):
    """Refuses unauthenticated operations before reading their body, and oversized bodies
    before strawberry sees them (the app's BodyLimit middleware stops the read at the limit)."""

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        is_post = isinstance(request, Request) and request.method == "POST"
        error = getattr(context, "auth_error", None)
        if is_post and error is not None:  # the token is a header: no body byte read yet
            status = 401 if isinstance(error, AuthenticationError) else error.status_code
            return _errors(
                error.message,
                error.code,
                status,
                headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
            )
        if is_post:
            try:
                body = await request.body()  # bounded by BodyLimit; cached for strawberry
            except PayloadTooLarge:
                return _errors(f"body over {MAX_BODY_BYTES} bytes", "PAYLOAD_TOO_LARGE", 413)
            if len(body) > MAX_BODY_BYTES:
                return _errors(f"body over {MAX_BODY_BYTES} bytes", "PAYLOAD_TOO_LARGE", 413)
            if has_nul(body):  # PostgreSQL stores no NUL: refused here, not as a masked error
                return _errors("body contains a NUL character", "NUL_CHARACTER", 400)
        return await super().run(request, context=context, root_value=root_value)


def _errors(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def build_router() -> AdminRouter:
    settings = get_settings()
    return AdminRouter(
        schema,
        path="",
        context_getter=get_context,
        graphql_ide="graphiql" if settings.is_dev else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=False,
    )


def __getattr__(name: str) -> Any:
    """`router` is built per app (create_app mounts `plugin.admin_api.router:router`)."""
    if name == "router":
        return build_router()
    raise AttributeError(name)
