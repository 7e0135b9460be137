"""Fixtures: the sandbox served over real HTTP (uvicorn in a thread on a loopback port) and a
tiny webhook receiver standing in for the app's /api/webhooks/whatsapp."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from fastapi import FastAPI, Request, Response

from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.sandbox import SandboxConfig, SandboxNumber, create_sandbox_app
from plugin.whatsapp.sandbox.state import Sandbox
from tests.support import ServerThread

APP_SECRET = "test-app-secret"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
TOKEN = "sandbox-token-1"
CUSTOMER = "+905551112233"

ORDER_TEMPLATE = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}"},
    {"type": "BODY", "text": "Hi {{1}}, your order of {{2}} ships on {{3}}."},
    {"type": "FOOTER", "text": "Ulak Store"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Stop promotions"},
            {"type": "URL", "text": "Track", "url": "https://shop.example/track/{{1}}"},
            {"type": "COPY_CODE", "example": "SAVE10"},
        ],
    },
]
IMAGE_TEMPLATE = [
    {"type": "HEADER", "format": "IMAGE"},
    {"type": "BODY", "text": "Your cart misses you, {{1}}."},
    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Yes"}]},
]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Receiver:
    """What the app would have received on /api/webhooks/whatsapp."""

    url: str
    calls: list[Received] = field(default_factory=list)
    status_code: int = 200

    def wait_for(
        self, predicate: Callable[[list[Received]], bool], timeout: float = 5.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.calls):
                return self.calls
            time.sleep(0.02)
        raise AssertionError(f"condition not met; received {len(self.calls)} webhooks")

    def statuses(self) -> list[dict[str, Any]]:
        out = []
        for call in self.calls:
            for entry in call.json()["entry"]:
                for change in entry["changes"]:
                    out.extend(change["value"].get("statuses", []))
        return out


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    app = FastAPI()
    state = Receiver(url="")

    @app.post("/api/webhooks/whatsapp")
    async def webhook(request: Request) -> Response:
        state.calls.append(Received(request.url.path, dict(request.headers), await request.body()))
        return Response(status_code=state.status_code)

    with ServerThread(app, lifespan="on") as server:
        state.url = f"{server.url}/api/webhooks/whatsapp"
        yield state


@dataclass
class SandboxServer:
    url: str
    sandbox: Sandbox
    receiver: Receiver
    clock_calls: list[float]

    @property
    def graph_url(self) -> str:
        return f"{self.url}/sandbox/graph"

    @property
    def credentials(self) -> Credentials:
        return Credentials(phone_number_id=PHONE_NUMBER_ID, access_token=TOKEN, waba_id=WABA_ID)


def sandbox_config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "review_delay_seconds": 0,
        "sent_delay_seconds": 0.0,
        "delivered_delay_seconds": 0.05,
        "read_delay_seconds": 0.1,
        "webhook_flush_seconds": 0.02,
        "random_seed": 7,
        "numbers": [
            SandboxNumber(
                phone_number_id=PHONE_NUMBER_ID,
                waba_id=WABA_ID,
                display_phone_number="+1 555-078-3881",
                access_token=TOKEN,
                throughput_level="HIGH",
            )
        ],
    }
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
def sandbox_server(receiver: Receiver) -> Iterator[SandboxServer]:
    clock_calls: list[float] = []

    def clock_callback(seconds: float) -> datetime:
        clock_calls.append(seconds)
        return datetime(2030, 1, 1, tzinfo=UTC)

    app = create_sandbox_app(
        sandbox_config(),
        webhook_target_url=receiver.url,
        app_secret=APP_SECRET,
        clock_callback=clock_callback,
    )
    sandbox: Sandbox = app.state.sandbox
    sandbox.add_template(
        waba_id=WABA_ID,
        name="order_update",
        language="en",
        category="UTILITY",
        components=ORDER_TEMPLATE,
    )
    sandbox.add_template(
        waba_id=WABA_ID,
        name="cart_reminder",
        language="tr",
        category="MARKETING",
        components=IMAGE_TEMPLATE,
    )
    with ServerThread(app, lifespan="on") as server:
        yield SandboxServer(server.url, sandbox, receiver, clock_calls)
