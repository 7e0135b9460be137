"""The sandbox's world, in memory: numbers, templates, messages, faults and the webhooks it owes.

Nothing here touches the disk and the send path takes no lock (one event loop): the sandbox
must never be the bottleneck of a benchmark. Status webhooks are queued on a heap and sent in
batches (several statuses per POST, as Meta does) by one background task over one pooled client.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import heapq
import itertools
import logging
import random
import secrets
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from plugin.whatsapp.sandbox.config import FaultConfig, SandboxConfig, SandboxNumber
from plugin.whatsapp.sandbox.graph import (
    GraphError,
    Rendered,
    SandboxTemplate,
    recipient_bsuid,
    recipient_digits,
    render_freeform,
    render_template,
    review,
    title,
    unknown_object,
    validate_template_definition,
)
from plugin.whatsapp.signature import HEADER, sign_body

try:  # orjson is a project dependency; the stdlib keeps the sandbox importable without it
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    loads = orjson.loads
except ImportError:  # pragma: no cover
    import json

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    loads = json.loads

log = logging.getLogger("ulak.sandbox")

SERVICE_WINDOW = 24 * 3600.0
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
MAX_INDEXED = 200_000
ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

ClockCallback = Callable[[float], "datetime | Awaitable[datetime] | None"]
# Looks up a number the sandbox has not seen yet (e.g. a store connected by another process).
NumberResolver = Callable[[str], SandboxNumber | None]


@dataclass(slots=True)
class SentMessage:
    """One accepted outbound message, as the phone shows it."""

    wamid: str
    phone_number_id: str
    waba_id: str
    to: str  # digits, or the BSUID of a send addressed with `recipient`
    rendered: Rendered
    time: float  # sandbox clock, epoch seconds
    endpoint: str
    biz_opaque_callback_data: str | None = None
    status: str = "accepted"
    errors: list[dict[str, Any]] = field(default_factory=list)
    direction: str = "outbound"

    def public(self) -> dict[str, Any]:
        r = self.rendered
        body = r.text
        if r.header and r.header.get("type") == "text" and body.startswith(r.header["text"]):
            body = body[len(r.header["text"]) + 1 :]
        return {
            "wamid": self.wamid,
            "direction": "outbound",
            "phone_number_id": self.phone_number_id,
            "to": None if is_bsuid(self.to) else "+" + self.to,
            "user_id": self.to if is_bsuid(self.to) else user_id_for(self.to),
            "type": r.type,
            "template_name": r.template_name,
            "template_language": r.template_language,
            "template": (
                {"name": r.template_name, "language": r.template_language}
                if r.template_name
                else None
            ),
            "category": r.category,
            "text": r.text,
            "rendered_text": r.text,
            "body": body,
            "header": r.header,
            "footer": r.footer,
            "buttons": r.buttons,
            "status": self.status,
            "errors": self.errors,
            "time": _iso(self.time),
            "endpoint": self.endpoint,
            "biz_opaque_callback_data": self.biz_opaque_callback_data,
        }


@dataclass(slots=True)
class InboundRecord:
    wamid: str
    phone_number_id: str
    customer: str  # digits
    type: str
    text: str
    time: float
    direction: str = "inbound"

    def public(self) -> dict[str, Any]:
        return {
            "wamid": self.wamid,
            "direction": "inbound",
            "phone_number_id": self.phone_number_id,
            "from": None if is_bsuid(self.customer) else "+" + self.customer,
            "from_user_id": self.customer if is_bsuid(self.customer) else None,
            "type": self.type,
            "text": self.text,
            "time": _iso(self.time),
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def is_bsuid(key: str) -> bool:
    """Customers are keyed by phone digits, or by BSUID when they never showed a number."""
    return "." in key


def user_id_for(digits: str) -> str:
    """A stable business-scoped user id (BSUID-like: country code, dot, number)."""
    country = "TR" if digits.startswith("90") else "US"
    return f"{country}.{int(hashlib.sha256(digits.encode()).hexdigest()[:15], 16)}"


class Sandbox:
    """Meta's Graph API and WhatsApp users, simulated in one process."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        webhook_target_url: str | None = None,
        app_secret: str = "",
        clock_callback: ClockCallback | None = None,
        http_client: httpx.AsyncClient | None = None,
        number_resolver: NumberResolver | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.number_resolver = number_resolver
        self.webhook_target_url = webhook_target_url
        self.app_secret = app_secret
        self.clock_callback = clock_callback
        self._http = http_client
        self._owns_http = http_client is None
        self._random = random.Random(self.config.random_seed)
        self._wamid_prefix = secrets.token_hex(3).upper()
        self._counter = itertools.count(1)
        self._seq = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._last_warning = 0.0
        self.numbers: dict[str, SandboxNumber] = {}
        self.tokens: set[str] = set()
        self.templates: dict[str, dict[tuple[str, str], SandboxTemplate]] = {}
        self.webhook_log: deque[dict[str, Any]] = deque(maxlen=200)
        self._reset_runtime()
        for number in self.config.numbers:
            self.register_number(number)

    def _reset_runtime(self) -> None:
        self.clock_offset = 0.0
        self.messages: dict[str, deque[SentMessage | InboundRecord]] = {}
        self.by_wamid: OrderedDict[str, SentMessage] = OrderedDict()
        self.last_sender: dict[str, str] = {}  # customer digits -> phone_number_id
        self.last_inbound: dict[tuple[str, str], float] = {}
        self.last_accepted: dict[tuple[str, str], float] = {}
        self.rate_window: dict[str, tuple[int, int]] = {}  # pnid -> (second, count)
        self.opted_out: set[tuple[str, str]] = set()  # (waba_id, digits)
        self.pending: list[tuple[float, int, str, str, dict[str, Any] | None]] = []
        # running totals for `GET /sandbox/api/stats` (benchmarks compare them with the outbox)
        self.counts: Counter[str] = Counter()

    # ------------------------------------------------------------------ clock and setup

    def now(self) -> float:
        """Sandbox time (epoch seconds): real time moved by `POST /sandbox/api/clock`."""
        return time.time() + self.clock_offset

    def register_number(self, number: SandboxNumber) -> SandboxNumber:
        self.numbers[number.phone_number_id] = number
        self.tokens = {n.access_token for n in self.numbers.values()}
        self.templates.setdefault(number.waba_id, {})
        return number

    def resolve_number(self, phone_number_id: str) -> SandboxNumber | None:
        """Ask the resolver about an unknown number and remember what it says."""
        if self.number_resolver is None:
            return None
        number = self.number_resolver(phone_number_id)
        return self.register_number(number) if number is not None else None

    def add_template(
        self,
        *,
        waba_id: str,
        name: str,
        language: str,
        category: str,
        components: list[dict[str, Any]],
        status: str = "APPROVED",
        parameter_format: str = "POSITIONAL",
        template_id: str | None = None,
    ) -> SandboxTemplate:
        """Seed a template directly (dev-mode starter templates), skipping review;
        `template_id` keeps the id the app already knows (restoring after a restart)."""
        validate_template_definition(
            {
                "name": name,
                "language": language,
                "category": category,
                "components": components,
                "parameter_format": parameter_format,
            }
        )
        tpl = SandboxTemplate(
            id=template_id or str(self._random.randrange(10**14, 10**15)),
            waba_id=waba_id,
            name=name,
            language=language,
            category=category,
            components=components,
            parameter_format=parameter_format,
            status=status,
        )
        self.templates.setdefault(waba_id, {})[(name, language)] = tpl
        return tpl

    def set_faults(self, update: dict[str, Any]) -> FaultConfig:
        merged = {**self.config.faults.model_dump(), **update}
        self.config.faults = FaultConfig.model_validate(merged)
        return self.config.faults

    def set_config(self, update: dict[str, Any]) -> SandboxConfig:
        merged = {**self.config.model_dump(), **update}
        self.config = SandboxConfig.model_validate(merged)
        return self.config

    def reset(self, *, everything: bool = False) -> None:
        """Forget messages, rate state, queued statuses and faults; numbers and templates stay
        (the app's stores stay connected) unless `everything`."""
        self._reset_runtime()
        self.config.faults = FaultConfig()
        if everything:
            self.numbers.clear()
            self.tokens.clear()
            self.templates.clear()

    # ------------------------------------------------------------------ auth

    def authorize(self, authorization: str | None, object_id: str) -> SandboxNumber | None:
        """Meta's order: a bad token is 190; a good token for another object is 100/33."""
        token = ""
        if authorization and authorization[:7].lower() == "bearer ":
            token = authorization[7:].strip()
        if object_id and object_id not in self.numbers:
            self.resolve_number(object_id)
        if not token or token not in self.tokens:
            raise GraphError(
                190,
                "Invalid OAuth access token - Cannot parse access token",
                message="Invalid OAuth access token - Cannot parse access token",
            )
        number = self.numbers.get(object_id)
        if number is not None and number.access_token != token:
            raise unknown_object(object_id)
        return number

    def authorize_waba(self, authorization: str | None, waba_id: str) -> None:
        self.authorize(authorization, "")
        token = (authorization or "")[7:].strip()
        if not any(n.waba_id == waba_id and n.access_token == token for n in self.numbers.values()):
            raise unknown_object(waba_id)

    # ------------------------------------------------------------------ sends

    def check_send_faults(self) -> tuple[str, float] | None:
        """Random transport faults for a send: ("5xx", 0) or ("timeout", seconds) or None."""
        faults = self.config.faults
        if faults.server_error_rate and self._random.random() < faults.server_error_rate:
            return ("5xx", 0.0)
        if faults.timeout_rate and self._random.random() < faults.timeout_rate:
            return ("timeout", faults.timeout_seconds)
        return None

    def accept_send(
        self, number: SandboxNumber, body: Any, *, endpoint: str = "messages"
    ) -> tuple[SentMessage, dict[str, Any]]:
        """Validate one send like Meta, record it and queue its status webhooks.

        A send by `recipient` (a BSUID) reaches a username user; Meta refuses authentication
        templates there with 131062, and its answer names the user by `user_id`, not `wa_id`
        (Meta's "Business-scoped user IDs" page, Messages API changes)."""
        if not isinstance(body, dict):
            raise GraphError(100, "Request body must be a JSON object")
        if body.get("messaging_product") != "whatsapp":
            raise GraphError(100, "The parameter messaging_product is required.")
        rtype = body.get("recipient_type", "individual")
        if rtype not in ("individual", "group"):
            raise GraphError(100, "Invalid parameter: recipient_type")
        # Meta's business-scoped user ids page: `recipient` takes a BSUID; `to` wins when both
        to = body.get("to")
        if to is None and body.get("recipient") is not None:
            to = body["recipient"]
            digits = recipient_bsuid(to)
        else:
            digits = recipient_digits(to)
        kind = body.get("type", "text")
        pnid = number.phone_number_id
        faults = self.config.faults
        now = self.now()
        # throughput (per number, per second)
        if faults.throughput_per_second is not None:
            second = int(now)
            window, count = self.rate_window.get(pnid, (second, 0))
            if window != second:
                window, count = second, 0
            if count >= faults.throughput_per_second:
                raise GraphError(
                    130429,
                    "Message failed to send because there were too many "
                    "messages sent from this phone number in a short period of time.",
                )
            self.rate_window[pnid] = (window, count + 1)
        if kind == "template":
            rendered = self._render_template(number, body)
            self._check_marketing_route(number, body, rendered, endpoint)
            if is_bsuid(digits) and rendered.category == "authentication":
                raise GraphError(131062, title(131062))
        elif endpoint == "marketing_messages":
            raise GraphError(100, "Only template messages can be sent with /marketing_messages.")
        elif isinstance(kind, str):
            rendered = render_freeform(body, kind)
        else:
            raise GraphError(100, "Invalid parameter: type")
        # faults and rules about the recipient
        target = "+" + digits
        forced = faults.recipient_errors.get(target) or faults.recipient_errors.get(digits)
        if forced is not None:
            raise GraphError(int(forced), title(int(forced)))
        undeliverable = target in faults.undeliverable or digits in faults.undeliverable
        if undeliverable and not faults.undeliverable_async:
            raise GraphError(131026, "Message Undeliverable.")
        key = (pnid, digits)
        if faults.pair_rate_seconds is not None:
            last = self.last_accepted.get(key)
            if last is not None and now - last < faults.pair_rate_seconds:
                raise GraphError(
                    131056,
                    "Message failed to send because there were too many "
                    "messages sent from this phone number to the same phone number "
                    "in a short period of time.",
                )
        self.last_accepted[key] = now
        message = SentMessage(
            wamid=self._wamid(digits),
            phone_number_id=pnid,
            waba_id=number.waba_id,
            to=digits,
            rendered=rendered,
            time=now,
            endpoint=endpoint,
            biz_opaque_callback_data=body.get("biz_opaque_callback_data"),
        )
        self._record(message)
        self.counts["accepted"] += 1
        self.last_sender[digits] = pnid
        # what happens after acceptance, reported by status webhooks as Meta does
        failure: int | None = None
        if undeliverable:
            failure = 131026
        elif rendered.type != "template" and self.config.enforce_service_window:
            opened = self.last_inbound.get(key)
            if opened is None or now - opened > SERVICE_WINDOW:
                failure = 131047
        elif rendered.category == "marketing" and (number.waba_id, digits) in self.opted_out:
            failure = 131050
        self._schedule_statuses(message, failure)
        contact = (
            {"input": to, "user_id": digits} if is_bsuid(digits) else {"input": to, "wa_id": digits}
        )
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": message.wamid, "message_status": "accepted"}],
        }
        return message, answer

    @staticmethod
    def _check_marketing_route(
        number: SandboxNumber, body: dict[str, Any], rendered: Rendered, endpoint: str
    ) -> None:
        """Which endpoint may carry a template, as Meta documents it.

        - /messages answers 131063 to a marketing template when the business turned marketing
          off on the Cloud API ("Route template messages by category": marketing templates go
          to /<PHONE_NUMBER_ID>/marketing_messages; Meta's error-code reference, 131063).
        - /marketing_messages takes marketing templates only, `product_policy` CLOUD_API_FALLBACK
          or STRICT and a boolean `message_activity_sharing` ("Send marketing messages"), and
          only from a business onboarded to the Marketing Messages API (its WABA's
          `marketing_messages_onboarding_status`); others get Meta's permission error (10).
        """
        if endpoint == "messages":
            if rendered.category == "marketing" and not number.marketing_on_cloud_api:
                raise GraphError(131063, title(131063))
            return
        if not number.mm_api_onboarded:
            raise GraphError(
                10,
                "This business is not onboarded to the Marketing Messages API.",
                error_type="OAuthException",
                http_status=403,
            )
        if rendered.category != "marketing":
            raise GraphError(100, "Only marketing templates can be sent with /marketing_messages.")
        policy = body.get("product_policy")
        if policy is not None and policy not in ("CLOUD_API_FALLBACK", "STRICT"):
            raise GraphError(100, "Invalid parameter: product_policy")
        sharing = body.get("message_activity_sharing")
        if sharing is not None and not isinstance(sharing, bool):
            raise GraphError(100, "Invalid parameter: message_activity_sharing")

    def _render_template(self, number: SandboxNumber, body: dict[str, Any]) -> Rendered:
        template = body.get("template")
        if not isinstance(template, dict):
            raise GraphError(100, "The parameter template is required.")
        name = template.get("name")
        language = template.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not isinstance(name, str) or not name:
            raise GraphError(100, "The parameter template['name'] is required.")
        if not isinstance(code, str) or not code:
            raise GraphError(100, "The parameter template['language']['code'] is required.")
        tpl = self.templates.get(number.waba_id, {}).get((name, code))
        if tpl is None or tpl.status not in ("APPROVED",):
            if tpl is not None and tpl.status in ("PAUSED", "DISABLED"):
                raise GraphError(
                    132015 if tpl.status == "PAUSED" else 132016,
                    f"Template {name} is {tpl.status.lower()}",
                )
            raise GraphError(132001, f"template name ({name}) does not exist in {code}")
        return render_template(tpl, template)

    def _wamid(self, digits: str) -> str:
        raw = f"{digits}{self._wamid_prefix}{next(self._counter):010X}".encode()
        return "wamid.HBgM" + base64.b64encode(raw).decode().rstrip("=")

    def _record(self, item: SentMessage | InboundRecord) -> None:
        customer = item.to if isinstance(item, SentMessage) else item.customer
        queue = self.messages.get(customer)
        if queue is None:
            queue = self.messages[customer] = deque(maxlen=self.config.max_messages_per_recipient)
        queue.append(item)
        if isinstance(item, SentMessage):
            self.by_wamid[item.wamid] = item
            if len(self.by_wamid) > MAX_INDEXED:
                self.by_wamid.popitem(last=False)

    # ------------------------------------------------------------------ statuses

    def _schedule_statuses(self, message: SentMessage, failure: int | None) -> None:
        cfg = self.config
        base = time.monotonic()
        push = self.pending.append
        if failure is not None:
            error = {
                "code": failure,
                "title": title(failure),
                "message": title(failure),
                "error_data": {"details": title(failure)},
                "href": ERROR_HREF,
            }
            push((base + cfg.sent_delay_seconds, next(self._seq), message.wamid, "failed", error))
        else:
            push((base + cfg.sent_delay_seconds, next(self._seq), message.wamid, "sent", None))
            push(
                (
                    base + cfg.delivered_delay_seconds,
                    next(self._seq),
                    message.wamid,
                    "delivered",
                    None,
                )
            )
            if cfg.read_ratio >= 1.0 or self._random.random() < cfg.read_ratio:
                push((base + cfg.read_delay_seconds, next(self._seq), message.wamid, "read", None))
        self._ensure_dispatcher()

    def _ensure_dispatcher(self) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._wake = asyncio.Event()
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch_loop())
        elif self._wake is not None and not self._wake.is_set():
            self._wake.set()

    async def _dispatch_loop(self) -> None:
        assert self._wake is not None
        while True:
            if not self.pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            await asyncio.sleep(self.config.webhook_flush_seconds)
            try:
                await self._flush_due()
            except Exception:  # keep the loop alive whatever a webhook does
                log.exception("sandbox status dispatch failed")

    async def _flush_due(self) -> None:
        # `pending` is appended unsorted on the hot path; heapify once per tick here.
        heapq.heapify(self.pending)
        now = time.monotonic()
        due: list[tuple[float, int, str, str, dict[str, Any] | None]] = []
        while self.pending and self.pending[0][0] <= now:
            due.append(heapq.heappop(self.pending))
        if not due:
            return
        by_number: dict[str, list[dict[str, Any]]] = {}
        for _, _, wamid, status, error in due:
            message = self.by_wamid.get(wamid)
            if message is None:
                continue
            if STATUS_RANK[status] > STATUS_RANK.get(message.status, 0):
                message.status = status
                if error is not None:
                    message.errors.append(error)
            by_number.setdefault(message.phone_number_id, []).append(
                self._status_json(message, status, error)
            )
        if not (self.config.status_webhooks and self.webhook_target_url):
            return
        size = self.config.webhook_batch_size
        await asyncio.gather(
            *(self._post_batches(pnid, statuses, size) for pnid, statuses in by_number.items())
        )

    async def _post_batches(self, pnid: str, statuses: list[dict[str, Any]], size: int) -> None:
        number = self.numbers.get(pnid)
        if number is None:
            return
        for start in range(0, len(statuses), size):
            value = {
                "messaging_product": "whatsapp",
                "metadata": self._metadata(number),
                "statuses": statuses[start : start + size],
            }
            self.counts["statuses_posted"] += len(value["statuses"])
            await self.post_webhook(self._envelope(number.waba_id, "messages", value), retries=3)

    def _status_json(
        self, message: SentMessage, status: str, error: dict[str, Any] | None
    ) -> dict[str, Any]:
        """One status as Meta's status webhook carries it: `recipient_user_id` always, and
        `recipient_id` only when the send named a phone number (Meta's "Business-scoped user
        IDs" page, webhook changes; the real sample status_delivered_bsuid.json)."""
        item: dict[str, Any] = {
            "id": message.wamid,
            "status": status,
            "timestamp": str(int(self.now())),
        }
        if is_bsuid(message.to):  # a username user: no phone number in the status
            item["recipient_user_id"] = message.to
        else:
            item["recipient_id"] = message.to
            item["recipient_user_id"] = user_id_for(message.to)
        if message.biz_opaque_callback_data:
            item["biz_opaque_callback_data"] = message.biz_opaque_callback_data
        if error is not None:
            item["errors"] = [error]
            return item
        category = message.rendered.category
        service = message.rendered.type != "template"
        item["pricing"] = {
            "billable": not service and category != "service",
            "pricing_model": "PMP",
            "type": "free_customer_service" if service else "regular",
            "category": "service" if service else category,
        }
        return item

    # ------------------------------------------------------------------ webhooks

    def _metadata(self, number: SandboxNumber) -> dict[str, str]:
        return {
            "display_phone_number": "".join(c for c in number.display_phone_number if c.isdigit()),
            "phone_number_id": number.phone_number_id,
        }

    def _envelope(
        self, waba_id: str, field_name: str, value: dict[str, Any], *, with_time: bool = False
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": waba_id, "changes": [{"value": value, "field": field_name}]}
        if with_time:
            entry["time"] = int(self.now())
        return {"object": "whatsapp_business_account", "entry": [entry]}

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.config.webhook_timeout_seconds,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
            )
        return self._http

    async def post_webhook(self, payload: dict[str, Any], *, retries: int = 0) -> int | None:
        """POST a signed webhook to the app; returns the HTTP status (None: unreachable).

        Like Meta, a failed delivery (no answer or a 5xx) is retried later in the background,
        `retries` times with a growing delay; the caller never waits for the retries."""
        if not self.webhook_target_url:
            return None
        raw = dumps(payload)
        headers = {"Content-Type": "application/json", HEADER: sign_body(self.app_secret, raw)}
        status: int | None = None
        try:
            response = await self._client().post(
                self.webhook_target_url, content=raw, headers=headers
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            self._warn(f"sandbox webhook not delivered: {exc!r}")
        self.webhook_log.append({"status": status})
        self.counts["webhooks_posted"] += 1
        self.counts[
            "webhooks_ok" if status is not None and status < 300 else "webhooks_failed"
        ] += 1
        if (status is None or status >= 500) and retries > 0:
            self.spawn(self.post_webhook(payload, retries=retries - 1), delay=2.0 / retries)
        return status

    def _warn(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last_warning > 10.0:  # a stopped app must not flood the log
            self._last_warning = now
            log.warning(text)

    def spawn(self, coro: Awaitable[Any], delay: float = 0.0) -> None:
        """Run a webhook in the background (kept referenced until done)."""

        async def run() -> None:
            if delay:
                await asyncio.sleep(delay)
            await coro

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ templates

    def create_template(self, waba_id: str, body: Any) -> SandboxTemplate:
        fields = validate_template_definition(body)
        existing = self.templates.setdefault(waba_id, {})
        if (fields["name"], fields["language"]) in existing:
            raise GraphError(
                100,
                "Content in this language already exists.",
                subcode=2388024,
                message="Invalid parameter",
            )
        tpl = SandboxTemplate(
            id=str(self._random.randrange(10**14, 10**15)), waba_id=waba_id, **fields
        )
        existing[(tpl.name, tpl.language)] = tpl
        delay = self.config.review_delay_seconds
        if delay <= 0:
            self._finish_review(tpl)
            self.spawn(self._template_webhook(tpl))
        else:
            self.spawn(self._review_later(tpl), delay)
        return tpl

    async def _review_later(self, tpl: SandboxTemplate) -> None:
        if self.templates.get(tpl.waba_id, {}).get((tpl.name, tpl.language)) is not tpl:
            return  # deleted meanwhile
        self._finish_review(tpl)
        await self._template_webhook(tpl)

    def _finish_review(self, tpl: SandboxTemplate) -> None:
        tpl.status, tpl.rejected_reason = review(tpl)

    async def _template_webhook(self, tpl: SandboxTemplate) -> None:
        value: dict[str, Any] = {
            "event": tpl.status,
            "message_template_id": int(tpl.id),
            "message_template_name": tpl.name,
            "message_template_language": tpl.language,
            "reason": tpl.rejected_reason,
            "message_template_category": tpl.category,
        }
        if tpl.status == "REJECTED":
            value["rejection_info"] = {
                "reason": "The sandbox rejects templates named reject* or containing REJECT_ME.",
                "recommendation": "Rename the template or change its body.",
            }
        await self.post_webhook(
            self._envelope(tpl.waba_id, "message_template_status_update", value, with_time=True)
        )

    def list_templates(
        self, waba_id: str, *, limit: int, after: str | None, filters: dict[str, str]
    ) -> dict[str, Any]:
        items = [t for t in self.templates.get(waba_id, {}).values()]
        for key in ("name", "status", "category", "language"):
            if filters.get(key):
                items = [
                    t
                    for t in items
                    if str(getattr(t, key)).upper() == filters[key].upper()
                    or (key == "name" and filters[key] in t.name)
                ]
        start = 0
        if after:
            try:
                start = int(base64.urlsafe_b64decode(after.encode() + b"==").decode())
            except (ValueError, UnicodeDecodeError):
                raise GraphError(100, "Invalid parameter: after") from None
        page = items[start : start + limit]
        data: dict[str, Any] = {"data": [t.public() for t in page]}
        if page:
            before = base64.urlsafe_b64encode(str(start).encode()).decode().rstrip("=")
            nxt = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode().rstrip("=")
            data["paging"] = {"cursors": {"before": before, "after": nxt}}
            if start + len(page) < len(items):
                data["paging"]["next"] = f"?limit={limit}&after={nxt}"
        return data

    def delete_template(self, waba_id: str, name: str | None, hsm_id: str | None) -> None:
        existing = self.templates.get(waba_id, {})
        doomed = [
            k for k, t in existing.items() if t.name == name and (not hsm_id or t.id == hsm_id)
        ]
        if not name or not doomed:
            raise GraphError(100, f"Message template not found: {name}", subcode=2593002)
        for key in doomed:
            del existing[key]

    # ------------------------------------------------------------------ customers

    def sender_for(self, customer: str, phone_number_id: str | None) -> SandboxNumber:
        pnid = phone_number_id or self.last_sender.get(customer)
        if pnid is None and self.numbers:
            pnid = next(iter(self.numbers))
        number = self.numbers.get(pnid or "") or (self.resolve_number(pnid) if pnid else None)
        if number is None:
            raise LookupError(f"unknown phone_number_id {pnid}")
        return number

    def _find_button(
        self, customer: str, pnid: str, *, payload: str | None, reply_id: str | None
    ) -> tuple[SentMessage, dict[str, Any]] | None:
        for item in reversed(self.messages.get(customer, ())):
            if not isinstance(item, SentMessage) or item.phone_number_id != pnid:
                continue
            for button in item.rendered.buttons:
                if (
                    payload is not None
                    and button.get("type") == "quick_reply"
                    and (button.get("payload") == payload)
                ):
                    return item, button
                if (
                    reply_id is not None
                    and button.get("id") == reply_id
                    and button.get("type") in ("reply", "list_row")
                ):
                    return item, button
        return None

    async def customer_reply(
        self,
        *,
        customer: str | None = None,
        text: str | None = None,
        button_payload: str | None = None,
        reply_id: str | None = None,
        phone_number_id: str | None = None,
        name: str | None = None,
        user_id: str | None = None,
        username: str | None = None,
        shared_phone: str | None = None,
    ) -> dict[str, Any]:
        """An inbound message as Meta would POST it; opens the 24-hour service window.

        A username user (`user_id` and no `customer` number) writes as Meta's business-scoped
        user ids page shows: `from_user_id` instead of `from`, a contact with `user_id` and
        `profile.username` and no `wa_id`. `shared_phone` answers a request-contact-info
        button: a `contacts` message whose card has `origin` "contact_request".
        """
        if customer:
            digits = recipient_digits(customer)
            message: dict[str, Any] = {"from": digits}
            contact: dict[str, Any] = {"wa_id": digits, "user_id": user_id_for(digits)}
        else:
            digits = recipient_bsuid(user_id)
            message = {"from_user_id": digits}
            contact = {"user_id": digits}
        contact["profile"] = {"name": name or "Sandbox User"}
        if username:
            contact["profile"]["username"] = username
        number = self.sender_for(digits, phone_number_id)
        pnid = number.phone_number_id
        now = self.now()
        wamid = self._wamid(digits)
        message.update({"id": wamid, "timestamp": str(int(now))})
        shown = text or ""
        if shared_phone is not None:
            phone_digits = recipient_digits(shared_phone)
            shown = "+" + phone_digits
            message["type"] = "contacts"
            message["contacts"] = [
                {
                    "origin": "contact_request",
                    "name": {"formatted_name": name or "Sandbox User"},
                    "phones": [{"phone": shown, "wa_id": phone_digits, "type": "CELL"}],
                }
            ]
        elif button_payload is not None or reply_id is not None:
            found = self._find_button(digits, pnid, payload=button_payload, reply_id=reply_id)
            if found is not None:
                original, button = found
                message["context"] = {
                    "from": self._metadata(number)["display_phone_number"],
                    "id": original.wamid,
                }
            if button_payload is not None:
                shown = str(button["text"]) if found else button_payload
                message["type"] = "button"
                message["button"] = {"payload": button_payload, "text": shown}
            else:
                shown = str(button["text"]) if found else str(reply_id)
                if found and button["type"] == "list_row":
                    reply = {"id": reply_id, "title": shown}
                    if button.get("description"):
                        reply["description"] = button["description"]
                    message["type"] = "interactive"
                    message["interactive"] = {"type": "list_reply", "list_reply": reply}
                else:
                    message["type"] = "interactive"
                    message["interactive"] = {
                        "type": "button_reply",
                        "button_reply": {"id": reply_id, "title": shown},
                    }
        else:
            if not text:
                raise GraphError(100, "text, button_payload or reply_id is required")
            message["type"] = "text"
            message["text"] = {"body": text}
        self.last_inbound[(pnid, digits)] = now
        self._record(InboundRecord(wamid, pnid, digits, message["type"], shown, now))
        value = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(number),
            "contacts": [contact],
            "messages": [message],
        }
        status = await self.post_webhook(self._envelope(number.waba_id, "messages", value))
        return {"wamid": wamid, "phone_number_id": pnid, "webhook_status": status}

    async def marketing_preference(
        self, *, customer: str, value: str, phone_number_id: str | None = None
    ) -> dict[str, Any]:
        """The customer stops or resumes marketing inside WhatsApp (user_preferences webhook)."""
        digits = recipient_digits(customer)
        number = self.sender_for(digits, phone_number_id)
        if value == "stop":
            self.opted_out.add((number.waba_id, digits))
        else:
            self.opted_out.discard((number.waba_id, digits))
        detail = {
            "stop": "User requested to stop marketing messages",
            "resume": "User requested to resume marketing messages",
        }.get(value, value)
        payload = {
            "messaging_product": "whatsapp",
            "metadata": self._metadata(number),
            "contacts": [
                {
                    "profile": {"name": "Sandbox User"},
                    "wa_id": digits,
                    "user_id": user_id_for(digits),
                }
            ],
            "user_preferences": [
                {
                    "wa_id": digits,
                    "detail": detail,
                    "category": "marketing_messages",
                    "value": value,
                    "timestamp": int(self.now()),
                }
            ],
        }
        status = await self.post_webhook(
            self._envelope(number.waba_id, "user_preferences", payload)
        )
        return {"webhook_status": status}

    def stats(self) -> dict[str, int]:
        """Totals since start (or the last reset): sends accepted, statuses and webhook POSTs
        sent to the app and how they were answered, and statuses still waiting to go."""
        names = ("accepted", "statuses_posted", "webhooks_posted", "webhooks_ok", "webhooks_failed")
        return {
            **{name: self.counts[name] for name in names},
            "pending_statuses": len(self.pending),
        }

    def list_messages(
        self, customer: str, *, include_inbound: bool = False
    ) -> list[dict[str, Any]]:
        """A customer's messages by number, or by BSUID for a username user."""
        digits = customer.strip() if is_bsuid(customer) else "".join(filter(str.isdigit, customer))
        return [
            item.public()
            for item in self.messages.get(digits, ())
            if include_inbound or isinstance(item, SentMessage)
        ]

    def chats(self) -> list[dict[str, Any]]:
        out = []
        for digits, items in self.messages.items():
            if items:
                last = items[-1]
                text = last.rendered.text if isinstance(last, SentMessage) else last.text
                to = digits if is_bsuid(digits) else "+" + digits
                out.append({"to": to, "last_text": text, "time": _iso(last.time)})
        out.sort(key=lambda c: c["time"], reverse=True)
        return out

    async def advance_clock(self, seconds: float) -> datetime:
        """Move the sandbox clock and, through the callback, the app's clock."""
        self.clock_offset += seconds
        if self.clock_callback is not None:
            result = self.clock_callback(seconds)
            if isinstance(result, Awaitable):
                result = await result
            if isinstance(result, datetime):
                return result
        return datetime.fromtimestamp(self.now(), UTC)

    async def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued status webhook is sent (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while (self.pending or self._tasks) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    async def aclose(self) -> None:
        for task in [self._dispatcher, *self._tasks]:
            if task is not None:
                task.cancel()
        if self._owns_http and self._http is not None:
            await self._http.aclose()
        self._http = None
        self._dispatcher = None
