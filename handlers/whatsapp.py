"""Meta's edge: the verification handshake and signed webhook deliveries.

A POST is verified (HMAC of the raw bytes) before anything is parsed, routed to the store by
its phone number id (or WABA id), recorded in the inbox once, committed and enqueued by the
inbox's group-commit writer, and answered.
A body for a number we do not serve is answered 200 and only counted: Meta retries any
non-2xx for 7 days, and no retry will ever make it ours.
"""

from __future__ import annotations

import asyncio
import hmac
import time

import structlog
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from handlers.http import documented_body, error_response, parse_json, read_body
from plugin.db import get_engine
from plugin.errors import AuthenticationError, InvalidPayload, RetryableError, UlakError
from plugin.inbox import writer as inbox_writer
from plugin.inbox.models import InboxSource
from plugin.inbox.service import Delivery
from plugin.metrics import WEBHOOK_SECONDS, WEBHOOKS
from plugin.settings import get_settings
from plugin.whatsapp.payloads.webhook import parse_webhook
from plugin.whatsapp.routing import route
from plugin.whatsapp.signature import HEADER, verify_signature

log = structlog.get_logger(__name__)
router = APIRouter()
PATH = "/api/webhooks/whatsapp"


@router.get(PATH, include_in_schema=False)
def verify(request: Request) -> Response:
    """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
    params = request.query_params
    expected = get_settings().whatsapp_verify_token
    token = params.get("hub.verify_token")
    if (
        params.get("hub.mode") == "subscribe"
        and expected is not None
        and token is not None
        and _same(token, expected.get_secret_value())
    ):
        return PlainTextResponse(params.get("hub.challenge", ""))
    return PlainTextResponse("forbidden", status_code=403)


def _same(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def _accept(headers: dict[str, str], body: bytes) -> tuple[JSONResponse | list[Delivery], str]:
    secret = get_settings().whatsapp_app_secret
    if secret is None or not verify_signature(
        secret.get_secret_value(), body, headers.get(HEADER.lower())
    ):
        raise AuthenticationError("X-Hub-Signature-256 does not verify", code="BAD_SIGNATURE")
    parse_json(body)  # UTF-8, no NUL, parseable nesting
    try:
        payload = parse_webhook(body)
    except ValidationError as exc:
        raise InvalidPayload("not a WhatsApp webhook body") from exc
    except ValueError as exc:
        raise InvalidPayload("body is not JSON") from exc
    with Session(get_engine(), expire_on_commit=False) as session:
        routes = route(session, payload)
    if not routes:
        log.info("whatsapp_webhook_unrouted", entries=len(payload.entry))
        return JSONResponse({"success": True, "routed": False}), "unrouted"
    event = "+".join(sorted({r.event for r in routes}))[:80]
    return [Delivery(r.store_id, InboxSource.WHATSAPP, r.event, body) for r in routes], event


async def _record(deliveries: list[Delivery]) -> JSONResponse:
    """Recorded (deduplicated), committed and enqueued by the inbox's group-commit writer, as
    Saleor's deliveries are: one commit and one queue message for whatever arrived together, so
    a campaign's status webhooks (three per message sent) are acted on in batches."""
    futures = [asyncio.wrap_future(inbox_writer.submit(d)) for d in deliveries]
    ids = [i for i in await asyncio.gather(*futures) if i is not None]
    if not ids:
        return JSONResponse({"success": True, "duplicate": True})
    return JSONResponse({"success": True, "ids": ids})


@router.post(
    PATH,
    openapi_extra=documented_body(
        {
            "type": "object",
            "properties": {"object": {"type": "string"}, "entry": {"type": "array"}},
            "required": ["object"],
        },
        headers=(HEADER,),
    ),
)
async def receive(request: Request) -> Response:
    started = time.perf_counter()
    event = "unknown"
    try:
        body = await read_body(request, get_settings().max_webhook_body_bytes)
        accepted, event = await run_in_threadpool(_accept, dict(request.headers), body)
        response = accepted if isinstance(accepted, Response) else await _record(accepted)
    except UlakError as exc:
        response = error_response(exc)
    except (OperationalError, PoolTimeout):
        response = error_response(RetryableError("database unavailable", code="DB_UNAVAILABLE"))
    WEBHOOKS.labels("whatsapp", event, str(response.status_code)).inc()
    WEBHOOK_SECONDS.labels("whatsapp").observe(time.perf_counter() - started)
    return response
