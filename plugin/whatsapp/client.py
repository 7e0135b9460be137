"""Async WhatsApp Cloud API client over one pooled `aiohttp.ClientSession`.

Stateless about stores: every call takes the store's `Credentials`, so one client (one
connection pool) serves every store of the process. Failures raise `WhatsAppError` with the
classified disposition (`plugin.whatsapp.errors`); the caller decides what to do with it.

aiohttp rather than httpx on this path: a send costs ~0.13 ms of CPU with aiohttp against
~1.7 ms with httpx (measured on loopback, docs/benchmarks.md), and the send path is what
limits a worker's messages per second. aiohttp never retries a POST on its own, which the
at-most-once rule for marketing needs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
from pydantic import BaseModel, TypeAdapter

from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import (
    Disposition,
    ErrorClass,
    TransportError,
    WhatsAppError,
    classify,
    classify_http_status,
    classify_transport,
)
from plugin.whatsapp.payloads.graph import (
    BusinessAccountInfo,
    CreatedTemplate,
    PhoneNumberInfo,
    SendResult,
    TemplateDefinition,
    TemplateInfo,
)
from plugin.whatsapp.payloads.outbound import (
    BodyComponent,
    BodyParameter,
    ButtonComponent,
    HeaderComponent,
    HeaderParameter,
    Interactive,
    InteractiveMessage,
    MessageContext,
    MessagePayload,
    Template,
    TemplateComponent,
    TemplateLanguage,
    TemplateMessage,
    TextBody,
    TextMessage,
    payload_json,
)

DEFAULT_GRAPH_VERSION = "v23.0"
PHONE_NUMBER_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,throughput,"
    "messaging_limit_tier,whatsapp_business_manager_messaging_limit,name_status,status"
)
_OUTBOUND: TypeAdapter[Any] = TypeAdapter(MessagePayload)


def create_http_session(
    *,
    max_connections: int = 100,
    timeout: float = 10.0,
    connect_timeout: float = 5.0,
) -> aiohttp.ClientSession:
    """A pooled session, made inside the event loop that uses it. `connect` covers waiting for
    a pooled connection and connecting (never left: `ConnectionTimeoutError`); `total` bounds
    the call (a timeout after sending leaves the outcome unknown). Idle connections go after
    4 s, before a server closing them at 5 s (uvicorn's: the sandbox) races a send into
    `outcome_unknown`."""
    pool = aiohttp.TCPConnector(limit=max_connections, ttl_dns_cache=300, keepalive_timeout=4)
    return aiohttp.ClientSession(
        connector=pool,
        timeout=aiohttp.ClientTimeout(total=timeout, connect=min(connect_timeout, timeout)),
        headers={"User-Agent": "ulak/0.1"},
        raise_for_status=False,
    )


class CloudApiClient:
    """The Graph API calls Ulak makes: sends, template management and phone-number facts."""

    def __init__(
        self,
        base_url: str,
        *,
        graph_version: str = DEFAULT_GRAPH_VERSION,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        max_connections: int = 100,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.graph_version = graph_version
        self._session_options = {
            "max_connections": max_connections,
            "timeout": timeout,
            "connect_timeout": connect_timeout,
        }
        self._session: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        """The pool, made on first use inside the running loop (aiohttp binds it there)."""
        if self._session is None or self._session.closed:
            self._session = create_http_session(**self._session_options)  # type: ignore[arg-type]
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> CloudApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def url(self, *parts: str) -> str:
        return "/".join((self.base_url, self.graph_version, *parts))

    # ------------------------------------------------------------------ transport

    async def request(
        self,
        method: str,
        url: str,
        *,
        access_token: str,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One Graph call: the decoded JSON on 2xx, else a classified `WhatsAppError`."""
        headers = {"Authorization": f"Bearer {access_token}"}
        body = None
        if json is not None:
            body = orjson.dumps(json)
            headers["Content-Type"] = "application/json"
        query = {k: str(v) for k, v in params.items()} if params else None
        try:
            async with self.http.request(
                method, url, data=body, params=query, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                content = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(classify_transport(exc)) from exc
        try:
            data = orjson.loads(content) if content else None
        except orjson.JSONDecodeError:
            data = None
        if 200 <= status < 300:
            if isinstance(data, dict):
                return data
            # Accepted, maybe sent, but unreadable: the caller must not resend blindly.
            raise WhatsAppError(
                ErrorClass(Disposition.OUTCOME_UNKNOWN, details="2xx without a JSON object"),
                http_status=status,
            )
        raise _error_from_response(status, data)

    # ------------------------------------------------------------------ messages

    async def send_message(
        self,
        payload: MessagePayload | dict[str, Any],
        *,
        credentials: Credentials,
        marketing: bool = False,
    ) -> SendResult:
        """Send any message (to a phone number or, with `recipient`, to a BSUID).

        A marketing template goes through /marketing_messages when the store's number uses the
        Marketing Messages API, with `message_activity_sharing` and `product_policy` (Meta's
        "Send marketing messages" page). Through /messages, Meta answers 131063 when marketing
        templates are disabled on the Cloud API for the business (Meta's error-code reference
        and "Route template messages by category"): that answer proves nothing was sent, so
        the same message goes once through /marketing_messages and the result says so
        (`switched_to_marketing_messages`): the caller remembers the switch for the number.
        Nothing is ever sent twice and 131063 is never retried as a passing fault.
        """
        message = _OUTBOUND.validate_python(payload) if isinstance(payload, dict) else payload
        body = payload_json(message)
        body.pop("message_activity_sharing", None)
        body.pop("product_policy", None)
        pnid = credentials.phone_number_id
        token = credentials.access_token
        is_marketing_template = marketing and body.get("type") == "template"
        if is_marketing_template and credentials.use_marketing_messages:
            return await self._send_marketing_message(body, credentials=credentials)
        try:
            data = await self.request(
                "POST", self.url(pnid, "messages"), access_token=token, json=body
            )
        except WhatsAppError as exc:
            if not (
                is_marketing_template and exc.disposition is Disposition.MARKETING_OFF_CLOUD_API
            ):
                raise
            result = await self._send_marketing_message(body, credentials=credentials)
            return result.model_copy(update={"switched_to_marketing_messages": True})
        return _send_result(data, endpoint="messages")

    async def _send_marketing_message(
        self, body: dict[str, Any], *, credentials: Credentials
    ) -> SendResult:
        """POST /<PHONE_NUMBER_ID>/marketing_messages (marketing templates only)."""
        mm_body = {
            **body,
            "message_activity_sharing": credentials.message_activity_sharing,
            "product_policy": credentials.product_policy,
        }
        data = await self.request(
            "POST",
            self.url(credentials.phone_number_id, "marketing_messages"),
            access_token=credentials.access_token,
            json=mm_body,
        )
        return _send_result(data, endpoint="marketing_messages")

    async def send_text(
        self,
        *,
        credentials: Credentials,
        to: str,
        body: str,
        preview_url: bool = False,
        reply_to: str | None = None,
        biz_opaque_callback_data: str | None = None,
    ) -> SendResult:
        """A free-form text (only inside the 24-hour service window)."""
        message = TextMessage(
            to=to,
            text=TextBody(body=body, preview_url=preview_url),
            context=MessageContext(message_id=reply_to) if reply_to else None,
            biz_opaque_callback_data=biz_opaque_callback_data,
        )
        return await self.send_message(message, credentials=credentials)

    async def send_template(
        self,
        *,
        credentials: Credentials,
        to: str,
        name: str,
        language: str,
        header: list[HeaderParameter] | None = None,
        body: list[BodyParameter] | None = None,
        buttons: list[ButtonComponent] | None = None,
        marketing: bool = False,
        biz_opaque_callback_data: str | None = None,
    ) -> SendResult:
        """An approved template with its header, body parameters and button parameters."""
        components: list[TemplateComponent] = []
        if header:
            components.append(HeaderComponent(parameters=header))
        if body:
            components.append(BodyComponent(parameters=body))
        components.extend(buttons or [])
        message = TemplateMessage(
            to=to,
            template=Template(
                name=name, language=TemplateLanguage(code=language), components=components
            ),
            biz_opaque_callback_data=biz_opaque_callback_data,
        )
        return await self.send_message(message, credentials=credentials, marketing=marketing)

    async def send_interactive(
        self,
        *,
        credentials: Credentials,
        to: str,
        interactive: Interactive,
        biz_opaque_callback_data: str | None = None,
    ) -> SendResult:
        """Reply buttons, a list or a call-to-action URL (service window only)."""
        message = InteractiveMessage(
            to=to, interactive=interactive, biz_opaque_callback_data=biz_opaque_callback_data
        )
        return await self.send_message(message, credentials=credentials)

    # ------------------------------------------------------------------ templates

    async def iter_templates(
        self, *, credentials: Credentials, limit: int = 100, **filters: str
    ) -> AsyncIterator[TemplateInfo]:
        """Every template of the WABA, following Meta's `after` cursor page by page."""
        params: dict[str, Any] = {"limit": limit, **filters}
        url = self.url(credentials.waba_id, "message_templates")
        while True:
            data = await self.request(
                "GET", url, access_token=credentials.access_token, params=params
            )
            for item in data.get("data", []):
                yield TemplateInfo.model_validate(item)
            paging = data.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            params = {**params, "after": after}

    async def list_templates(
        self, *, credentials: Credentials, limit: int = 100, **filters: str
    ) -> list[TemplateInfo]:
        pages = self.iter_templates(credentials=credentials, limit=limit, **filters)
        return [template async for template in pages]

    async def create_template(
        self, *, credentials: Credentials, template: TemplateDefinition
    ) -> CreatedTemplate:
        """Submit a template for review; approval arrives as a status-update webhook."""
        data = await self.request(
            "POST",
            self.url(credentials.waba_id, "message_templates"),
            access_token=credentials.access_token,
            json=_dump(template),
        )
        return CreatedTemplate.model_validate(data)

    async def delete_template(
        self, *, credentials: Credentials, name: str, hsm_id: str | None = None
    ) -> bool:
        """Delete every language of `name` (or one version when `hsm_id` is given)."""
        params = {"name": name} | ({"hsm_id": hsm_id} if hsm_id else {})
        data = await self.request(
            "DELETE",
            self.url(credentials.waba_id, "message_templates"),
            access_token=credentials.access_token,
            params=params,
        )
        return bool(data.get("success"))

    # ------------------------------------------------------------------ phone number

    async def get_phone_number(self, *, credentials: Credentials) -> PhoneNumberInfo:
        """Quality rating, throughput level and messaging limit of the store's number."""
        data = await self.request(
            "GET",
            self.url(credentials.phone_number_id),
            access_token=credentials.access_token,
            params={"fields": PHONE_NUMBER_FIELDS},
        )
        return PhoneNumberInfo.model_validate(data)

    async def get_business_account(self, *, credentials: Credentials) -> BusinessAccountInfo:
        """The WABA's MM API onboarding status and billing currency (whatsapp/waba_info.py)."""
        data = await self.request(
            "GET",
            self.url(credentials.waba_id),
            access_token=credentials.access_token,
            params={"fields": "marketing_messages_onboarding_status,currency"},
        )
        return BusinessAccountInfo.model_validate(data)


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _send_result(data: dict[str, Any], *, endpoint: str) -> SendResult:
    messages = data.get("messages") or [{}]
    contacts = data.get("contacts") or [{}]
    wamid = messages[0].get("id")
    if not wamid:
        raise WhatsAppError(
            ErrorClass(Disposition.OUTCOME_UNKNOWN, details="2xx without a wamid"), raw=data
        )
    return SendResult(
        wamid=wamid,
        wa_id=contacts[0].get("wa_id", ""),
        input=contacts[0].get("input", ""),
        user_id=contacts[0].get("user_id", ""),
        message_status=messages[0].get("message_status"),
        endpoint=endpoint,  # type: ignore[arg-type]
    )


def _error_from_response(status_code: int, data: Any) -> WhatsAppError:
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), int):
        return WhatsAppError(classify_http_status(status_code), http_status=status_code)
    error_data = error.get("error_data") or {}
    details = error_data.get("details") if isinstance(error_data, dict) else None
    subcode = error.get("error_subcode")
    error_class = classify(error["code"], subcode if isinstance(subcode, int) else None, details)
    return WhatsAppError(
        error_class,
        message=str(error.get("message") or ""),
        http_status=status_code,
        fbtrace_id=error.get("fbtrace_id"),
        raw=error,
    )
