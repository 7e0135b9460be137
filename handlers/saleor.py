"""Saleor's edge: the manifest, the install call and one route per webhook in the registry.

A webhook route verifies, resolves the store, parses, records (deduplicated), commits,
enqueues and answers; recording, committing and enqueueing go through the inbox's group-commit
writer (`plugin.inbox.writer`). No business rules here.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from handlers.http import (
    documented_body,
    error_response,
    parse_json,
    read_body,
)
from plugin import clock
from plugin.bodies import PRE_AUTH_BODY_LIMIT, REGISTER_BODY_LIMIT
from plugin.db import get_engine
from plugin.errors import AuthenticationError, InvalidPayload, RetryableError, UlakError
from plugin.inbox import writer as inbox_writer
from plugin.inbox.models import InboxSource, InboxStatus
from plugin.inbox.service import Delivery
from plugin.metrics import WEBHOOK_SECONDS, WEBHOOKS
from plugin.saleor import service as saleor_service
from plugin.saleor.jwks import verify_webhook_signature
from plugin.saleor.manifest import MANIFEST_PATH, build_manifest
from plugin.saleor.payloads import parse_envelope
from plugin.saleor.urls import parse_api_url
from plugin.saleor.webhooks import WEBHOOKS as DEFINITIONS
from plugin.saleor.webhooks import WebhookDefinition
from plugin.settings import get_settings

router = APIRouter()


@router.get(MANIFEST_PATH)
def manifest() -> dict[str, Any]:
    return build_manifest(get_settings())


@router.post(
    "/api/register",
    openapi_extra=documented_body(
        {
            "type": "object",
            "properties": {"auth_token": {"type": "string"}},
            "required": ["auth_token"],
        },
        headers=("saleor-api-url", "saleor-domain"),
    ),
)
async def register(request: Request) -> JSONResponse:
    settings = get_settings()
    try:
        body = await read_body(request, REGISTER_BODY_LIMIT)
        api_url = parse_api_url(request.headers.get("saleor-api-url"))
        data = parse_json(body or b"null")
        token = data.get("auth_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise InvalidPayload('body must be {"auth_token": "..."}', code="MISSING_AUTH_TOKEN")
        domain = request.headers.get("saleor-domain", "")

        def _install() -> None:
            for attempt in (1, 2):
                with Session(get_engine(), expire_on_commit=False) as session:
                    try:
                        saleor_service.install(
                            session=session,
                            api_url=api_url,
                            auth_token=token,
                            domain=domain,
                            settings=settings,
                        )
                        session.commit()
                        return
                    except IntegrityError:
                        # a concurrent first install of the same Saleor committed its row
                        # first: install again, now as an update of that row
                        session.rollback()
                        if attempt == 2:
                            raise

        await run_in_threadpool(_install)
    except UlakError as exc:
        return error_response(exc)
    return JSONResponse({"success": True})


def _known_saleor(headers: dict[str, str]) -> None:
    """An unknown or uninstalled Saleor is refused (401) before its body is read."""
    api_url = parse_api_url(headers.get("saleor-api-url"))
    with Session(get_engine(), expire_on_commit=False) as session:  # used on a cache miss only
        saleor_service.store_ref(session, api_url)


def _verify(definition: WebhookDefinition, headers: dict[str, str], body: bytes) -> Delivery:
    """Signature, store and envelope: what must hold before anything is recorded."""
    settings = get_settings()
    api_url = parse_api_url(headers.get("saleor-api-url"))
    with Session(get_engine(), expire_on_commit=False) as session:  # used on a cache miss only
        store = saleor_service.store_ref(session, api_url)
        resolver = saleor_service.key_resolver(store, settings)
        verify_webhook_signature(resolver, headers.get("saleor-signature"), body)
        if resolver.refetched is not None:
            saleor_service.remember_refetched_keys(session, store.id, resolver.refetched)
            session.commit()
    data = parse_json(body)
    if not isinstance(data, dict):
        raise InvalidPayload("body is not a JSON object")
    status, error = InboxStatus.PENDING, None
    try:
        envelope = parse_envelope(data)
    except ValidationError as exc:
        status, error = InboxStatus.INVALID, str(exc)[:2000]
    else:
        if envelope.recipient is not None and envelope.recipient.id != store.saleor_app_id:
            raise AuthenticationError("delivery is for another app", code="WRONG_RECIPIENT")
    return Delivery(
        store_id=store.id,
        source=InboxSource.SALEOR,
        event=definition.stem,
        body=body,
        status=status,
        error=error,
        received_at=clock.now(),
    )


def _answer(delivery: Delivery, event_id: int | None) -> JSONResponse:
    if delivery.status is InboxStatus.INVALID:
        return JSONResponse(
            {
                "success": False,
                "error": {"code": "INVALID_PAYLOAD", "message": "recorded as invalid"},
            },
            status_code=422,
        )
    if event_id is None:
        return JSONResponse({"success": True, "duplicate": True})
    return JSONResponse({"success": True, "id": event_id})


def _make_endpoint(definition: WebhookDefinition) -> Any:
    async def receive(request: Request) -> JSONResponse:
        started = time.perf_counter()
        try:
            headers = dict(request.headers)
            declared = headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > PRE_AUTH_BODY_LIMIT:
                # a large or unsized body is read only for a Saleor that installed us
                await run_in_threadpool(_known_saleor, headers)
            body = await read_body(request, get_settings().max_webhook_body_bytes)
            delivery = await run_in_threadpool(_verify, definition, headers, body)
            # recorded (deduplicated), committed and enqueued by the group-commit writer
            event_id = await asyncio.wrap_future(inbox_writer.submit(delivery))
            response = _answer(delivery, event_id)
        except UlakError as exc:
            response = error_response(exc)
        except (OperationalError, PoolTimeout):
            response = error_response(RetryableError("database unavailable", code="DB_UNAVAILABLE"))
        except (DataError, UnicodeError):  # what the database cannot store: never retried
            response = error_response(InvalidPayload("the body cannot be stored"))
        WEBHOOKS.labels("saleor", definition.stem, str(response.status_code)).inc()
        WEBHOOK_SECONDS.labels("saleor").observe(time.perf_counter() - started)
        return response

    receive.__name__ = f"saleor_webhook_{definition.stem}"
    return receive


_WEBHOOK_DOC = documented_body(
    {"type": "object"}, headers=("saleor-api-url", "saleor-signature", "saleor-event")
)
for _definition in DEFINITIONS:
    router.add_api_route(
        _definition.path,
        _make_endpoint(_definition),
        methods=["POST"],
        name=f"saleor-webhook-{_definition.slug}",
        summary=f"Saleor {_definition.event} webhook",
        openapi_extra=_WEBHOOK_DOC,
    )
