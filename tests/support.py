"""Test helpers used across the suite: a fake Saleor on loopback, signing, queue draining."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import dramatiq
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.services import free_port as free_port  # one owner, used across the suite

SHARED = Path(__file__).resolve().parents[2] / "shared"
SALEOR_SHARED = SHARED / "saleor"
PAYLOADS = SALEOR_SHARED / "payloads"
WHATSAPP_SAMPLES = SHARED / "whatsapp" / "samples"
REAL_APP_ID = "QXBwOjE="  # the recipient id in the captured payloads


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Polls until `predicate()` is truthy (work done by another thread or process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


class ServerThread(threading.Thread):
    """Runs an ASGI app with uvicorn on loopback (a free port unless given) for a test.

    Leaving the block stops the server and waits until it has: its lifespan's shutdown (the
    scheduler's join, `broker.stop_embedded_worker`) must run before the next test starts. A
    server still shutting down after its test stopped the *next* test's embedded worker (one
    per process) and ran its scheduler's ticks, with their retention purge, on the next test's
    database. Connections get 5 s to close before the lifespan shuts down anyway."""

    def __init__(
        self, app: Any, port: int | None = None, *, lifespan: Literal["on", "off"] = "off"
    ) -> None:
        super().__init__(daemon=True)
        self.port = port if port is not None else free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Idle connections outlive the app's client pool (aiohttp keeps them 15 s; uvicorn
        # closes at 5 s by default): otherwise a send reusing a connection as the server closes
        # it ends `outcome_unknown`, a transport race of the test server, not of the code.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan=lifespan,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        self.server.run()

    def __enter__(self) -> ServerThread:
        self.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        # graceful shutdown (5 s) + the scheduler's join (10 s) + the embedded worker's (5 s)
        self.join(30)
        if self.is_alive() and exc[0] is None:
            raise RuntimeError("the app's server did not stop: it would act on the next test")


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key())
        )
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return jwk

    def sign_body(self, body: bytes) -> str:
        """What Saleor sends: RS256, detached, unencoded payload (b64=false)."""
        return jwt.api_jws.encode(
            body,
            self.private,
            algorithm="RS256",
            headers={"kid": self.kid},
            is_payload_detached=True,
        )

    def token(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            claims, self.private, algorithm="RS256", headers={"kid": self.kid, **(headers or {})}
        )


def new_key(kid: str) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


ULAK_IDENTIFIER = "app.ulak.whatsapp"  # the manifest id (Settings.app_id)
OUR_MANIFEST = "<app_url>/api/manifest"  # FakeApp.manifest_url: the Ulak under test's own


@dataclass
class FakeApp:
    """An app installed on the fake Saleor, as Saleor's `app` query describes it.

    `type`: THIRDPARTY (installed from a manifest, which Saleor fetched from `manifest_url`)
    or LOCAL (created by staff, who may set any identifier). Saleor authenticates no token of
    an inactive app (`get_app` filters on `is_active`)."""

    id: str
    type: str = "THIRDPARTY"
    identifier: str | None = ULAK_IDENTIFIER
    manifest_url: str | None = OUR_MANIFEST  # None: a local app, installed from no manifest
    is_active: bool = True
    name: str = "Ulak"


@dataclass
class FakeSaleor:
    """A Saleor on loopback: JWKS, the app query for register, and recorded GraphQL calls.

    A token in `valid_tokens` is Ulak installed from `<app_url>/api/manifest` with `app_id`;
    `apps` maps other tokens to other installations (another app, a local app...)."""

    port: int
    app_id: str = REAL_APP_ID
    app_url: str = "http://testserver"  # the APP_URL of the Ulak that installs from here
    valid_tokens: set[str] = field(default_factory=lambda: {"good-app-token"})
    apps: dict[str, FakeApp] = field(default_factory=dict)
    jwks: dict[str, Any] = field(default_factory=dict, repr=False)
    jwks_requests: int = 0
    jwks_status: int = 200  # e.g. 503: the JWKS endpoint failing
    jwks_delay: float = 0.0  # seconds before the JWKS answers (a hanging Saleor)
    graphql_calls: list[dict[str, Any]] = field(default_factory=list, repr=False)
    handlers: dict[str, Any] = field(default_factory=dict)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql/"

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def app_for(self, token: str) -> FakeApp | None:
        """The active app a token authenticates, or None (Saleor then sees no app)."""
        app = self.apps.get(token)
        if app is None and token in self.valid_tokens:
            app = FakeApp(id=self.app_id)
        return app if app is not None and app.is_active else None

    def _app_json(self, app: FakeApp) -> dict[str, Any]:
        return {
            "id": app.id,
            "name": app.name,
            "type": app.type,
            "identifier": app.identifier,
            "manifestUrl": (
                f"{self.app_url}/api/manifest"
                if app.manifest_url == OUR_MANIFEST
                else app.manifest_url
            ),
            "isActive": app.is_active,
        }

    def asgi(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        def jwks() -> Any:
            self.jwks_requests += 1
            if self.jwks_delay:
                time.sleep(self.jwks_delay)
            if self.jwks_status != 200:
                return JSONResponse({"detail": "unavailable"}, status_code=self.jwks_status)
            return self.jwks

        @app.post("/graphql/")
        async def graphql(request: Request) -> JSONResponse:
            auth = request.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            body = await request.json()
            self.graphql_calls.append({"token": token, **body})
            app_of_token = self.app_for(token)
            if app_of_token is None:
                return JSONResponse(
                    {
                        "errors": [
                            {
                                "message": "Invalid token",
                                "extensions": {"exception": {"code": "InvalidTokenError"}},
                            }
                        ]
                    },
                    status_code=401,
                )
            query = body.get("query", "")
            for marker, handler in self.handlers.items():
                if marker in query:
                    return JSONResponse(handler(body))
            if "query UlakSync" in query:  # the initial sync: an empty store by default
                root = "customers" if "UlakSyncCustomers" in query else "orders"
                empty = {"pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}
                return JSONResponse({"data": {root: empty}})
            if "app {" in query or "app{" in query:
                return JSONResponse(
                    {
                        "data": {
                            "app": self._app_json(app_of_token),
                            "shop": {"name": "Demo Store", "domain": {"host": self.domain}},
                        }
                    }
                )
            return JSONResponse({"errors": [{"message": "unexpected query in fake Saleor"}]})

        return app


def saleor_headers(name: str, directory: Path = PAYLOADS) -> dict[str, str]:
    return json.loads((directory / f"{name}.headers.json").read_text())


def saleor_body(name: str, directory: Path = PAYLOADS) -> bytes:
    return (directory / f"{name}.json").read_bytes()


def captured_payload_names() -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for directory in (PAYLOADS, PAYLOADS / "extra"):
        for path in sorted(directory.glob("*.json")):
            if not path.name.endswith(".headers.json"):
                out.append((directory, path.name.removesuffix(".json")))
    return out


def drain_queue(timeout_ms: int = 10_000, *, queues: tuple[str, ...] | None = None) -> None:
    """Run every queued message (and what it enqueues) with a real Dramatiq worker.

    `queues` limits the worker to some queues (e.g. ("default",) to act on webhooks without
    sending: the delivery queue's messages stay queued).

    Nothing else may enqueue meanwhile (a live app's sandbox status webhooks, say): a message
    that lands as the worker stops is dropped by the in-memory broker, which cannot requeue,
    and every later join on its queue then times out."""
    from plugin import broker as ulak_broker

    b = ulak_broker.get_broker()
    worker = dramatiq.Worker(
        b, worker_timeout=20, worker_threads=2, queues=set(queues) if queues else None
    )
    worker.start()
    try:
        for _ in range(3):
            for queue in list(b.queues):
                if queues and queue not in queues:
                    continue
                b.join(queue, timeout=timeout_ms, fail_fast=True)
            worker.join()
    finally:
        worker.stop()


class QueryCounter:
    """Counts SQL statements an engine runs (for N+1 checks: a count, never a timing).

    with QueryCounter(get_engine()) as queries:
        ...
    assert queries.count <= 6
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> QueryCounter:
        import sqlalchemy as sa

        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        import sqlalchemy as sa

        sa.event.remove(self.engine, "before_cursor_execute", self._record)
