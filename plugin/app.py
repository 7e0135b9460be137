"""The FastAPI application factory: the composition root that mounts every edge."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from handlers.http import BodyLimit
from plugin import __version__, broker, speedups
from plugin.db import configure_engine
from plugin.delivery import service as delivery_service
from plugin.errors import UlakError
from plugin.events.tick import SchedulerThread
from plugin.inbox import service as inbox_service
from plugin.logging import configure_logging
from plugin.metrics import DeliveryLagCollector, InboxBacklogCollector, register_collectors
from plugin.settings import Settings, get_settings, set_settings

log = structlog.get_logger(__name__)
ROOT = Path(__file__).resolve().parents[1]
ADMIN_DIST = ROOT / "admin_ui" / "dist"


def _routers(settings: Settings) -> list[APIRouter]:
    """Routers mounted in every mode, then the ones only dev mode serves. A module's `router`
    that is built per app (sandbox, admin API) is read here, once per create_app."""
    from handlers import links, ops, saleor, storefront, whatsapp

    routers = [saleor.router, ops.router, whatsapp.router, storefront.router, links.router]
    if settings.sandbox_enabled:
        from handlers import dev, sandbox

        routers += [sandbox.router, dev.router]
    return routers


def serve_app() -> FastAPI:
    """`ulak serve`'s factory, called in each API process: the app, then what building it loaded
    frozen out of the cyclic collector (`speedups.freeze_start_up`), so the collector's full
    passes no longer stop webhooks for 140 ms. Not in `create_app`: the tests build hundreds of
    apps in one process."""
    app = create_app()
    speedups.freeze_start_up()
    return app


def create_app(settings: Settings | None = None, *, embedded_worker: bool | None = None) -> FastAPI:
    """Build the app for these settings; the embedded worker runs when there is no Redis."""
    settings = set_settings(settings or get_settings())
    settings.check_production()
    configure_logging(settings.log_level, json=settings.log_json)
    configure_engine(settings.database_url)
    broker.setup_broker(settings)
    import handlers.actors  # noqa: F401 - defining the actors registers them with the broker

    register_collectors(
        InboxBacklogCollector(inbox_service.backlog),
        DeliveryLagCollector(delivery_service.queue_lag),
    )
    run_worker = broker.is_embedded() if embedded_worker is None else embedded_worker

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = None
        if run_worker:
            broker.start_embedded_worker(settings.embedded_worker_threads)
            scheduler = SchedulerThread(settings.scheduler_interval_seconds)
            scheduler.start()
        sandbox = getattr(app.state, "sandbox", None)
        if sandbox is not None:
            from plugin.events.sandbox_connect import register_all

            register_all(sandbox)  # the sandbox's numbers live in memory: restore them
        log.info("ulak_started", env=settings.ulak_env, embedded_worker=run_worker)
        try:
            yield
        finally:
            if sandbox is not None:
                await sandbox.aclose()
            if scheduler is not None:
                scheduler.stop()
                # a tick in progress finishes before shutdown goes on: left running, it wrote to
                # the database after its app had stopped (in the test suite, into the next test)
                await asyncio.to_thread(scheduler.join, 10)
            if run_worker:
                broker.stop_embedded_worker()

    app = FastAPI(
        title="Ulak",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if settings.is_dev else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.is_dev else None,
    )
    app.state.settings = settings
    # every body is counted while it streams, before any route reads it (docs/security.md)
    app.add_middleware(BodyLimit, webhook_limit=settings.max_webhook_body_bytes)
    if not settings.is_dev:
        _mount_guarded_openapi(app)

    @app.exception_handler(UlakError)
    async def _ulak_error(_request: Request, exc: UlakError) -> JSONResponse:
        return JSONResponse(
            {"success": False, "error": {"code": exc.code, "message": exc.message}},
            status_code=exc.status_code,
        )

    for router in _routers(settings):
        app.include_router(router)
        if hasattr(router, "sandbox"):
            app.state.sandbox = router.sandbox

    from plugin.admin_api import router as admin_api

    app.include_router(admin_api.router, prefix="/graphql")

    _mount_admin_ui(app)
    return app


def _mount_guarded_openapi(app: FastAPI) -> None:
    """Production serves the REST schema like /metrics: only with METRICS_TOKEN."""
    from handlers.ops import operator_refusal

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> Response:
        return operator_refusal(request) or JSONResponse(app.openapi())


def _mount_admin_ui(app: FastAPI) -> None:
    """Serve the built admin page at / (admin_ui/dist), or say how to build it."""
    static = ROOT / "plugin" / "static"
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")
    if (ADMIN_DIST / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=ADMIN_DIST / "assets"), name="admin-assets")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def admin_index() -> HTMLResponse:
        index = ADMIN_DIST / "index.html"
        if index.is_file():
            return HTMLResponse(index.read_text(encoding="utf-8"))
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>Ulak</title>"
            "<p>The admin page is not built yet: run <code>make run</code> "
            "(it builds admin_ui/). / Yönetim sayfası henüz derlenmedi: "
            "<code>make run</code> çalıştırın.</p>",
            status_code=503,
        )
