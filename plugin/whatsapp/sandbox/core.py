"""The sandbox's state and setup: numbers, tokens, configuration, faults, the clock and Graph
API authorization. The sends, status webhooks, templates and customers layered on it live in
their own modules; `plugin.whatsapp.sandbox.state.Sandbox` puts them together.

Nothing here touches the disk and the send path takes no lock (one event loop): the sandbox
must never be the bottleneck of a benchmark.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import secrets
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from plugin.whatsapp.sandbox.config import FaultConfig, SandboxConfig, SandboxNumber
from plugin.whatsapp.sandbox.graph import GraphError, unknown_object
from plugin.whatsapp.sandbox.records import InboundRecord, SentMessage
from plugin.whatsapp.sandbox.template_rules import SandboxTemplate

ClockCallback = Callable[[float], "datetime | Awaitable[datetime] | None"]
# Looks up a number the sandbox has not seen yet (e.g. a store connected by another process).
NumberResolver = Callable[[str], SandboxNumber | None]


class SandboxCore:
    """Meta's Graph API state, simulated in one process (no behaviour beyond setup and auth)."""

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
