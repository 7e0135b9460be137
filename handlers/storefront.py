"""POST /api/storefront/opt-in: consent from storefronts, outside checkout.

Translates only: CORS for the store's own domains, the client's limits (429 with
Retry-After), body parsing; the rules live in plugin/events/storefront.py. The store key
travels in the query string (`?key=pk_...`) so that the browser's preflight can be answered
too; `X-Ulak-Key` or a `key` field in the body also work for server-side calls.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session

from handlers.http import (
    documented_body,
    error_response,
    parse_json,
    read_body,
)
from plugin import clock
from plugin.bodies import STOREFRONT_BODY_LIMIT
from plugin.db import get_engine
from plugin.errors import InvalidPayload, UlakError
from plugin.events import storefront

router = APIRouter()
PATH = "/api/storefront/opt-in"


class OptInBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: str | None = None
    phone: str = Field(min_length=1, max_length=64)
    country: str | None = Field(default=None, max_length=2)
    marketing: bool
    transactional: bool = False
    text: str | None = Field(default=None, max_length=4000)
    text_version: str | None = Field(default=None, max_length=100)
    locale: str | None = Field(default=None, max_length=10)
    email: str | None = Field(default=None, max_length=254)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)


def _cors(response: Response, origin: str | None) -> Response:
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


def _forbidden_origin() -> JSONResponse:
    return error_response(
        UlakError(
            "Bu alan adından kayıt kabul edilmiyor. / This domain may not subscribe shoppers.",
            code="ORIGIN_NOT_ALLOWED",
            status_code=403,
        )
    )


@router.options(PATH, include_in_schema=False)
def preflight(request: Request, key: str | None = None) -> Response:
    origin = request.headers.get("origin")
    with Session(get_engine()) as session:
        try:
            _store, settings = storefront.store_for_key(session, key)
        except UlakError as exc:
            return error_response(exc)
        if not storefront.origin_allowed(settings, origin):
            return _forbidden_origin()
    response = Response(status_code=204)
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "content-type, x-ulak-key"
    response.headers["Access-Control-Max-Age"] = "600"
    return _cors(response, origin)


def _accept(headers: dict[str, str], ip: str, body: bytes, key: str | None) -> JSONResponse:
    origin = headers.get("origin")
    try:
        data = OptInBody.model_validate(parse_json(body or b"null"))
    except (InvalidPayload, ValueError, ValidationError):
        return error_response(
            storefront.StorefrontError(
                "İstek eksik veya hatalı. / The request is missing fields or malformed.",
                code="INVALID_REQUEST",
            )
        )
    with Session(get_engine(), expire_on_commit=False) as session:
        store, settings = storefront.store_for_key(
            session, key or headers.get("x-ulak-key") or data.key
        )
        if not storefront.origin_allowed(settings, origin):
            return _forbidden_origin()
        storefront.check_client(settings, ip)
        result = storefront.opt_in(
            session=session,
            store=store,
            settings=settings,
            request=storefront.OptInRequest(**data.model_dump(exclude={"key"})),
            evidence={
                "ip": ip,
                "user_agent": (headers.get("user-agent") or "")[:300],
                "origin": origin,
                "received_at": clock.now().isoformat(),
            },
        )
        session.commit()
    status = "confirmation_requested" if data.marketing else "recorded"
    response = JSONResponse(
        {"success": True, "status": status, "events": len(result.events)}, status_code=202
    )
    _cors(response, origin)
    return response


@router.post(
    PATH,
    openapi_extra=documented_body(
        OptInBody.model_json_schema(), headers=("origin", "x-ulak-key", "user-agent")
    ),
)
async def opt_in(request: Request, key: str | None = None) -> Response:
    origin = request.headers.get("origin")
    ip = request.client.host if request.client else "unknown"
    try:
        body = await read_body(request, STOREFRONT_BODY_LIMIT)
        response: Response = await run_in_threadpool(_accept, dict(request.headers), ip, body, key)
    except UlakError as exc:
        response = error_response(exc)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        if exc.code != "ORIGIN_NOT_ALLOWED":
            _cors(response, origin if origin else None)
    return response
