"""The sandbox WhatsApp served by the app itself (dev and test only; production never mounts it).

`router` is built afresh for each app (module `__getattr__`), from that app's settings: its
status webhooks go to this app's /api/webhooks/whatsapp signed with this app's secret, and
`POST /sandbox/api/clock` moves the app's clock along with the sandbox's.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import APIRouter

from plugin import clock
from plugin.events import sandbox_connect
from plugin.saleor.dev_dashboard import dev_path
from plugin.settings import Settings, get_settings
from plugin.whatsapp.sandbox import create_sandbox_router


def build_router(
    settings: Settings | None = None, *, http_client: httpx.AsyncClient | None = None
) -> APIRouter:
    """A sandbox router wired to this app; `router.sandbox` is its state.

    `http_client` carries the sandbox's webhooks (tests may pass one over an ASGI transport);
    by default they go over real HTTP to APP_URL, which works wherever the app is served.
    In dev mode its numbers, templates and clock survive a restart (`state_file`).
    """
    settings = settings or get_settings()
    secret = settings.whatsapp_app_secret
    router = create_sandbox_router(
        clock_callback=clock.advance,
        webhook_target_url=f"{settings.app_url}/api/webhooks/whatsapp",
        app_secret=secret.get_secret_value() if secret else "",
        http_client=http_client,
        state_file=state_file(settings),
    )
    sandbox = router.sandbox  # type: ignore[attr-defined]
    if sandbox.clock_offset:
        clock.restore(sandbox.clock_offset)  # the dev clock keeps the offset it had
    sandbox.number_resolver = sandbox_connect.resolve_number
    sandbox_connect.set_mounted(sandbox)
    return router


def state_file(settings: Settings) -> Path | None:
    """Where `make run` (ULAK_ENV=dev) keeps the sandbox's business side: `ulak.sandbox.json`
    next to `ulak.db`. Tests (ULAK_ENV=test) keep it in memory."""
    return dev_path(settings, ".sandbox.json") if settings.ulak_env == "dev" else None


def __getattr__(name: str) -> APIRouter:
    if name == "router":
        return build_router()
    raise AttributeError(name)
