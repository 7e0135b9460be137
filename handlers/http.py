"""Small helpers the HTTP edges share: bounded body reads and error bodies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from plugin.errors import PayloadTooLarge, UlakError, status_for


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
