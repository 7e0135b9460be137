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
from plugin.errors import AuthenticationError
from plugin.settings import get_settings

MAX_BODY_BYTES = 256 * 1024  # far above any document the admin page sends


class AdminRouter(GraphQLRouter[AdminContext, None]):
    """Refuses unauthenticated operations and oversized bodies before strawberry sees them."""

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        if isinstance(request, Request) and request.method == "POST":
            declared = request.headers.get("content-length", "")
            too_large = (
                int(declared) > MAX_BODY_BYTES
                if declared.isdigit()
                else len(await request.body()) > MAX_BODY_BYTES  # cached for strawberry
            )
            if too_large:
                return JSONResponse(
                    {
                        "data": None,
                        "errors": [
                            {
                                "message": f"body over {MAX_BODY_BYTES} bytes",
                                "extensions": {"code": "PAYLOAD_TOO_LARGE"},
                            }
                        ],
                    },
                    status_code=413,
                )
        error = getattr(context, "auth_error", None)
        if isinstance(request, Request) and request.method == "POST" and error is not None:
            status = 401 if isinstance(error, AuthenticationError) else error.status_code
            return JSONResponse(
                {
                    "data": None,
                    "errors": [{"message": error.message, "extensions": {"code": error.code}}],
                },
                status_code=status,
                headers={"WWW-Authenticate": "Bearer"} if status == 401 else None,
            )
        return await super().run(request, context=context, root_value=root_value)


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
