"""HTTP surface of the sandbox: Meta's Graph paths under /sandbox/graph, the phone page and the
JSON API under /sandbox/api (the contract acceptance tests use)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plugin.whatsapp.sandbox.config import SandboxConfig
from plugin.whatsapp.sandbox.core import ClockCallback
from plugin.whatsapp.sandbox.graph import GraphError, unknown_object
from plugin.whatsapp.sandbox.nodes import graph_node
from plugin.whatsapp.sandbox.persist import PersistentSandbox
from plugin.whatsapp.sandbox.phone import PHONE_HTML
from plugin.whatsapp.sandbox.quality import emit as emit_quality
from plugin.whatsapp.sandbox.quality import register_or_change_number
from plugin.whatsapp.sandbox.records import dumps, loads
from plugin.whatsapp.sandbox.state import Sandbox
from plugin.whatsapp.sandbox.storefront import STOREFRONT_PATH, storefront_page

CHECKOUT_PATH = f"{STOREFRONT_PATH}/checkout/"

JSON = "application/json"


def _graph_error(exc: GraphError) -> Response:
    return Response(dumps(exc.body()), status_code=exc.http_status, media_type=JSON)


def _bad_request(details: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": details}, status_code=status)


class ReplyIn(BaseModel):
    """`from` (a number) or, for a username user, `from_user_id` (a BSUID) with `username`;
    `shared_phone` answers a request-contact-info button with the user's own number."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    username: str | None = None
    text: str | None = None
    button_payload: str | None = None
    reply_id: str | None = None
    shared_phone: str | None = None
    phone_number_id: str | None = None
    name: str | None = None


class ClockIn(BaseModel):
    advance_seconds: float = Field(ge=0)


class PreferenceIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    value: str = Field(pattern="^(stop|resume)$")
    phone_number_id: str | None = None


class ResetIn(BaseModel):
    everything: bool = False


def create_sandbox(
    config: SandboxConfig | None = None,
    *,
    clock_callback: ClockCallback | None = None,
    webhook_target_url: str | None = None,
    app_secret: str = "",
    http_client: httpx.AsyncClient | None = None,
    state_file: Path | None = None,
) -> Sandbox:
    """The sandbox and its router (`sandbox.router`); call `await sandbox.aclose()` on shutdown.

    With `state_file`, numbers, templates and the clock offset survive a restart (dev mode)."""
    options: dict[str, Any] = {
        "webhook_target_url": webhook_target_url,
        "app_secret": app_secret,
        "clock_callback": clock_callback,
        "http_client": http_client,
    }
    sandbox = (
        PersistentSandbox(config, state_file=state_file, **options)
        if state_file is not None
        else Sandbox(config, **options)
    )
    sandbox.router = _build_router(sandbox)  # type: ignore[attr-defined]
    return sandbox


def create_sandbox_router(
    config: SandboxConfig | None = None,
    clock_callback: ClockCallback | None = None,
    webhook_target_url: str | None = None,
    app_secret: str = "",
    *,
    http_client: httpx.AsyncClient | None = None,
    state_file: Path | None = None,
) -> APIRouter:
    """The router to mount in the app (`app.include_router(router)`); `router.sandbox` is the
    state (close it with `await router.sandbox.aclose()` on shutdown)."""
    sandbox = create_sandbox(
        config,
        clock_callback=clock_callback,
        webhook_target_url=webhook_target_url,
        app_secret=app_secret,
        http_client=http_client,
        state_file=state_file,
    )
    router: APIRouter = sandbox.router  # type: ignore[attr-defined]
    return router


def _build_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(tags=["sandbox"])
    router.sandbox = sandbox  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ Graph API (hot path)
    # Plain Starlette routes: no dependency injection or response models on the send path.

    async def send(request: Request) -> Response:
        pnid = request.path_params["pnid"]
        endpoint = "marketing_messages" if request.url.path.endswith("g_messages") else "messages"
        faults = sandbox.config.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        injected = sandbox.check_send_faults()
        if injected is not None and injected[0] == "5xx":
            body = (
                GraphError(2, "Service temporarily unavailable").body()
                if (faults.server_error_body)
                else None
            )
            return Response(
                dumps(body) if body else b"",
                status_code=faults.server_error_status,
                media_type=JSON if body else None,
            )
        try:
            number = sandbox.authorize(request.headers.get("authorization"), pnid)
            if number is None:
                raise unknown_object(pnid)
            raw = await request.body()
            try:
                payload = loads(raw)
            except ValueError:
                raise GraphError(100, "Request body is not valid JSON") from None
            if injected is not None and not faults.timeout_accepts:
                await asyncio.sleep(injected[1])
                raise GraphError(131000, "timed out")
            _, answer = sandbox.accept_send(number, payload, endpoint=endpoint)
        except GraphError as exc:
            return _graph_error(exc)
        if injected is not None:
            await asyncio.sleep(injected[1])  # accepted, but the answer comes too late
        return Response(dumps(answer), media_type=JSON)

    router.add_route("/sandbox/graph/{version}/{pnid}/messages", send, methods=["POST"])
    router.add_route("/sandbox/graph/{version}/{pnid}/marketing_messages", send, methods=["POST"])

    async def templates(request: Request) -> Response:
        waba_id = request.path_params["waba_id"]
        if sandbox.config.faults.latency_ms:
            await asyncio.sleep(sandbox.config.faults.latency_ms / 1000)
        try:
            sandbox.authorize_waba(request.headers.get("authorization"), waba_id)
            params = request.query_params
            if request.method == "GET":
                try:
                    limit = max(1, min(int(params.get("limit", "25")), 1000))
                except ValueError:
                    raise GraphError(100, "Invalid parameter: limit") from None
                data = sandbox.list_templates(
                    waba_id,
                    limit=limit,
                    after=params.get("after"),
                    filters={
                        k: params[k]
                        for k in ("name", "status", "category", "language")
                        if k in params
                    },
                )
                if "next" in data.get("paging", {}):
                    data["paging"]["next"] = (
                        str(request.url.remove_query_params(["after", "limit"]))
                        + data["paging"]["next"]
                    )
                return Response(dumps(data), media_type=JSON)
            if request.method == "DELETE":
                sandbox.delete_template(waba_id, params.get("name"), params.get("hsm_id"))
                return Response(dumps({"success": True}), media_type=JSON)
            try:
                body = loads(await request.body())
            except ValueError:
                raise GraphError(100, "Request body is not valid JSON") from None
            tpl = sandbox.create_template(waba_id, body)
            return Response(
                dumps({"id": tpl.id, "status": tpl.status, "category": tpl.category}),
                media_type=JSON,
            )
        except GraphError as exc:
            return _graph_error(exc)

    router.add_route(
        "/sandbox/graph/{version}/{waba_id}/message_templates",
        templates,
        methods=["GET", "POST", "DELETE"],
    )

    async def node(request: Request) -> Response:
        """GET /{id}?fields=...: a phone number or WABA node (plugin/whatsapp/sandbox/nodes.py)."""
        return await graph_node(sandbox, request)

    router.add_route("/sandbox/graph/{version}/{pnid}", node, methods=["GET"])

    # ------------------------------------------------------------------ phone page + JSON API

    @router.get("/sandbox/phone", response_class=HTMLResponse, include_in_schema=False)
    async def phone() -> HTMLResponse:
        return HTMLResponse(PHONE_HTML)

    @router.get(STOREFRONT_PATH, response_class=HTMLResponse, include_in_schema=False)
    @router.get(CHECKOUT_PATH, response_class=HTMLResponse, include_in_schema=False)
    async def storefront(checkout: str | None = None) -> HTMLResponse:
        """Where a dev store's cart-recovery links land (plugin/whatsapp/sandbox/storefront.py)."""
        return HTMLResponse(storefront_page(checkout))

    @router.get("/sandbox/api/messages")
    async def messages(
        to: str | None = None, user_id: str | None = None, include_inbound: bool = False
    ) -> list[dict[str, Any]]:
        """Messages the sandbox accepted for `to` (a number) or `user_id` (a BSUID), oldest
        first."""
        return sandbox.list_messages(to or user_id or "", include_inbound=include_inbound)

    @router.get("/sandbox/api/chats")
    async def chats() -> dict[str, Any]:
        return {"chats": sandbox.chats()}

    @router.post("/sandbox/api/reply")
    async def reply(request: Request) -> Response:
        """The customer answers: a text, a template quick-reply button or an interactive reply."""
        try:
            body = ReplyIn.model_validate_json(await request.body())
        except ValidationError as exc:
            return _bad_request(str(exc), 422)
        said = (body.text, body.button_payload, body.reply_id, body.shared_phone)
        if all(part is None for part in said):
            return _bad_request("text, button_payload, reply_id or shared_phone is required", 422)
        if not (body.from_ or body.from_user_id):
            return _bad_request("from or from_user_id is required", 422)
        try:
            result = await sandbox.customer_reply(
                customer=body.from_,
                user_id=body.from_user_id,
                username=body.username,
                text=body.text,
                button_payload=body.button_payload,
                reply_id=body.reply_id,
                shared_phone=body.shared_phone,
                phone_number_id=body.phone_number_id,
                name=body.name,
            )
        except LookupError as exc:
            return _bad_request(str(exc), 404)
        except GraphError as exc:
            return _bad_request(exc.details or exc.message)
        return JSONResponse(result)

    @router.post("/sandbox/api/marketing-preference")
    async def marketing_preference(request: Request) -> Response:
        try:
            body = PreferenceIn.model_validate_json(await request.body())
        except ValidationError as exc:
            return _bad_request(str(exc), 422)
        try:
            result = await sandbox.marketing_preference(
                customer=body.from_, value=body.value, phone_number_id=body.phone_number_id
            )
        except LookupError as exc:
            return _bad_request(str(exc), 404)
        return JSONResponse(result)

    @router.post("/sandbox/api/clock")
    async def clock(body: ClockIn) -> dict[str, str]:
        """Move the app's clock (and the sandbox's) forward."""
        now = await sandbox.advance_clock(body.advance_seconds)
        return {"now": now.isoformat()}

    @router.get("/sandbox/api/stats")
    async def stats() -> dict[str, int]:
        """Running totals: sends accepted, statuses posted, webhook answers (benchmarks)."""
        return sandbox.stats()

    @router.get("/sandbox/api/numbers")
    async def numbers() -> dict[str, Any]:
        return {"numbers": [n.model_dump() for n in sandbox.numbers.values()]}

    @router.post("/sandbox/api/numbers", status_code=201)
    async def register_number(request: Request) -> Response:
        """Register a number, or change a known one's settings with a partial body
        (`{"phone_number_id": ..., "messaging_limit": "TIER_10K"}`); changes send Meta's
        webhooks (plugin/whatsapp/sandbox/quality.py `number_changed`)."""
        try:
            number = await register_or_change_number(sandbox, await _json_object(request))
        except (ValidationError, ValueError) as exc:
            return _bad_request(str(exc), 422)
        return JSONResponse(number.model_dump(), status_code=201)

    @router.get("/sandbox/api/templates")
    async def list_templates(waba_id: str) -> dict[str, Any]:
        return {"data": [t.public() for t in sandbox.templates.get(waba_id, {}).values()]}

    @router.get("/sandbox/api/faults")
    async def get_faults() -> dict[str, Any]:
        return sandbox.config.faults.model_dump()

    @router.post("/sandbox/api/faults")
    async def set_faults(request: Request) -> Response:
        """Partial update: only the given fields change."""
        try:
            faults = sandbox.set_faults(await _json_object(request))
        except (ValidationError, ValueError) as exc:
            return _bad_request(str(exc), 422)
        return JSONResponse(faults.model_dump())

    @router.post("/sandbox/api/quality")
    async def quality_event(request: Request) -> Response:
        """Meta's quality and category webhooks (plugin/whatsapp/sandbox/quality.py)."""
        try:
            return JSONResponse(await emit_quality(sandbox, await _json_object(request)))
        except ValueError as exc:
            return _bad_request(str(exc), 422)

    @router.get("/sandbox/api/config")
    async def get_config() -> dict[str, Any]:
        return sandbox.config.model_dump(exclude={"numbers"})

    @router.post("/sandbox/api/config")
    async def set_config(request: Request) -> Response:
        """Partial update of timing (status delays, read ratio, review delay, ...)."""
        try:
            config = sandbox.set_config(await _json_object(request))
        except (ValidationError, ValueError) as exc:
            return _bad_request(str(exc), 422)
        return JSONResponse(config.model_dump(exclude={"numbers"}))

    @router.post("/sandbox/api/reset")
    async def reset(request: Request) -> dict[str, bool]:
        """Forget messages and faults; `{"everything": true}` also drops numbers and templates."""
        raw = await request.body()
        body = ResetIn.model_validate_json(raw) if raw.strip() else ResetIn()
        sandbox.reset(everything=body.everything)
        return {"ok": True}

    return router


async def _json_object(request: Request) -> dict[str, Any]:
    data = loads(await request.body() or b"{}")
    if not isinstance(data, dict):
        raise ValueError("a JSON object is required")
    return data
