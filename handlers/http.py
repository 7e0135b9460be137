"""Small helpers the HTTP edges share: bounded body reads, per-route body limits and error bodies.

Every request body is counted while it streams in (`BodyLimit`, installed by `create_app`): a
route never holds more than its limit in memory, whatever the client declares or omits.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from plugin.bodies import (  # noqa: F401 - the limits, re-exported for the edges
    DEFAULT_BODY_LIMIT,
    GRAPHQL_BODY_LIMIT,
    KIB,
    MIB,
    PRE_AUTH_BODY_LIMIT,
    REGISTER_BODY_LIMIT,
    SANDBOX_BODY_LIMIT,
    STOREFRONT_BODY_LIMIT,
    has_nul,
)
from plugin.errors import InvalidPayload, PayloadTooLarge, UlakError, status_for

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def body_limit(path: str, webhook_limit: int) -> int:
    """The most bytes a request to `path` may send."""
    for prefix, limit in (
        ("/api/register", REGISTER_BODY_LIMIT),
        ("/api/storefront/", STOREFRONT_BODY_LIMIT),
        ("/api/webhooks/", webhook_limit),
        ("/graphql", GRAPHQL_BODY_LIMIT),
        ("/sandbox/", SANDBOX_BODY_LIMIT),
    ):
        if path == prefix or path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


class BodyTooLarge(PayloadTooLarge):
    """Raised from `receive` once a body passes its route's limit (routes answer it as a 413)."""


class BodyLimit:
    """ASGI middleware: a 413 for a declared length over the route's limit before reading
    anything, and for a streamed body as soon as it passes the limit (chunked bodies have no
    length). Nothing past the limit is ever read, so nothing past it is held in memory."""

    def __init__(self, app: ASGIApp, *, webhook_limit: int) -> None:
        self.app = app
        self.webhook_limit = webhook_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.webhook_limit)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, scope["path"], limit, bad=not declared.isdigit())
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(f"body over {limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, scope["path"], limit)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


async def _refuse(send: Send, path: str, limit: int, *, bad: bool = False) -> None:
    """413 (400 for a Content-Length that is not a number), in the route's own error shape."""
    code, status = ("BAD_CONTENT_LENGTH", 400) if bad else ("PAYLOAD_TOO_LARGE", 413)
    message = "Content-Length is not a number" if bad else f"body over {limit} bytes"
    body: dict[str, Any]
    if path.startswith("/graphql"):
        body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    else:
        body = {"success": False, "error": {"code": code, "message": message}}
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


def refuse_nul(text: str | bytes) -> None:
    if has_nul(text):
        raise InvalidPayload("body contains a NUL character", code="NUL_CHARACTER")


def parse_json(body: bytes) -> Any:
    """A JSON body as the routes accept it: UTF-8, no NUL character (PostgreSQL refuses NUL
    in text and jsonb, so it would fail later, and beside other rows), nesting Python can
    parse. Anything else is the client's error (400), never a 500."""
    try:
        if json.detect_encoding(body) != "utf-8":  # UTF-16/32, or a BOM
            raise UnicodeError("not UTF-8")
        text = body.decode("utf-8")
    except UnicodeError as exc:
        raise InvalidPayload("body is not UTF-8 JSON", code="NOT_UTF8") from exc
    refuse_nul(text)
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise InvalidPayload("JSON nested too deeply", code="TOO_DEEP") from exc
    except ValueError as exc:
        raise InvalidPayload("body is not JSON") from exc


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than `limit` bytes before reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def error_response(exc: UlakError) -> JSONResponse:
    return JSONResponse(
        {"success": False, "error": {"code": exc.code, "message": exc.message}},
        status_code=status_for(exc),
    )


def documented_body(schema: dict[str, Any], *, headers: Sequence[str] = ()) -> dict[str, Any]:
    """OpenAPI for a route that reads its raw body itself (signatures cover the raw bytes).

    FastAPI cannot infer such a body; describing it lets clients and the schema fuzz test
    (tests/hostile) see what the route takes.
    """
    return {
        "parameters": [
            {"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
            for name in headers
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
    }
