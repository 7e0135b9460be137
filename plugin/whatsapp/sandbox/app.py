"""The sandbox as its own process (`ulak sandbox`): for benchmarks, so the app under test and
its fake Meta do not share one event loop."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from plugin.whatsapp.sandbox.config import SandboxConfig, SandboxNumber
from plugin.whatsapp.sandbox.core import ClockCallback
from plugin.whatsapp.sandbox.router import create_sandbox
from plugin.whatsapp.sandbox.state import Sandbox


def create_sandbox_app(
    config: SandboxConfig | None = None,
    *,
    webhook_target_url: str | None = None,
    app_secret: str = "",
    clock_callback: ClockCallback | None = None,
) -> FastAPI:
    """A FastAPI app serving only the sandbox; `app.state.sandbox` is its state."""
    sandbox: Sandbox = create_sandbox(
        config,
        clock_callback=clock_callback,
        webhook_target_url=webhook_target_url,
        app_secret=app_secret,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await sandbox.aclose()

    app = FastAPI(title="Ulak WhatsApp sandbox", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(sandbox.router)  # type: ignore[attr-defined]
    app.state.sandbox = sandbox
    return app


def run_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 8090,
    webhook_target_url: str | None = None,
    app_secret: str = "",
    config: SandboxConfig | None = None,
    log_level: str = "warning",
) -> None:
    """Serve the sandbox with uvicorn in this process (one worker: state is in memory)."""
    import uvicorn

    app = create_sandbox_app(config, webhook_target_url=webhook_target_url, app_secret=app_secret)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        loop="auto",
        http="auto",
        backlog=4096,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ulak WhatsApp sandbox (fake Graph API)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--webhook-url", default=None, help="the app's /api/webhooks/whatsapp")
    parser.add_argument("--app-secret", default="")
    parser.add_argument("--phone-number-id", default=None, help="register one number")
    parser.add_argument("--waba-id", default="sandbox-waba")
    parser.add_argument("--access-token", default="sandbox-token")
    parser.add_argument("--display-phone-number", default="+90 555 000 00 00")
    parser.add_argument("--review-delay", type=float, default=1.0)
    args = parser.parse_args(argv)
    config = SandboxConfig(review_delay_seconds=args.review_delay)
    if args.phone_number_id:
        config.numbers.append(
            SandboxNumber(
                phone_number_id=args.phone_number_id,
                waba_id=args.waba_id,
                display_phone_number=args.display_phone_number,
                access_token=args.access_token,
                throughput_level="HIGH",
            )
        )
    run_sandbox(
        host=args.host,
        port=args.port,
        webhook_target_url=args.webhook_url,
        app_secret=args.app_secret,
        config=config,
    )


if __name__ == "__main__":
    main()
