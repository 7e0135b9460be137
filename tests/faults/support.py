"""Tools for the fault tests: a TCP proxy that plays a server restart, real `ulak` processes,
a sender that retries like Saleor, and the loss report every fault test ends with."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, select

from plugin.inbox.models import InboxEvent, InboxStatus
from tests.delivery.conftest import ORDER_TEMPLATE, PNID, PROMO_TEMPLATE, TOKEN, WABA
from tests.support import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------ the proxy


class TcpProxy:
    """A loopback TCP proxy in front of a shared server (PostgreSQL, Redis).

    `cut()` is what a client sees when its server restarts: every open connection is reset at
    once and every new one is reset as soon as it is accepted, until `restore()`. The shared
    server itself is never touched (other engineers use it)."""

    def __init__(self, target_port: int, *, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.cut_active = False
        self.accepted = 0
        self.refused = 0
        self.dropped = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._open: set[asyncio.Transport] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def cut(self) -> None:
        """Reset every connection and refuse new ones (the server "goes down")."""
        self._call(self._cut())

    def restore(self) -> None:
        """Accept and forward connections again (the server "is back")."""
        self.cut_active = False

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for transport in list(self._open):
            transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _cut(self) -> None:
        self.cut_active = True
        self.dropped += len(self._open) // 2
        for transport in list(self._open):
            transport.abort()  # RST, as a dying server's kernel would answer
        self._open.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        client = writer.transport
        if self.cut_active:
            self.refused += 1
            client.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client.abort()
            return
        if self.cut_active:  # the cut came while we connected upstream
            up_writer.transport.abort()
            client.abort()
            return
        self.accepted += 1
        upstream = up_writer.transport
        self._open.update((client, upstream))  # type: ignore[arg-type]
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except asyncio.CancelledError:
            pass  # the proxy is closing
        finally:
            self._open.discard(client)  # type: ignore[arg-type]
            self._open.discard(upstream)  # type: ignore[arg-type]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


def via(url: str, port: int, proxy_port: int) -> str:
    """The same URL with the server's port replaced by the proxy's."""
    needle = f"127.0.0.1:{port}"
    assert needle in url, url
    return url.replace(needle, f"127.0.0.1:{proxy_port}")


# ------------------------------------------------------------------------------ processes


class UlakProcess:
    """One real `ulak <command>` process (serve, worker, sandbox), its output kept in a file."""

    def __init__(self, name: str, args: Sequence[str], env: Mapping[str, str], logs: Path) -> None:
        self.name = name
        self.args = list(args)
        self.env = {**os.environ, **env}
        self.log_path = logs / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> UlakProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "plugin.cli", *self.args],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check(self) -> None:
        if not self.alive():
            raise AssertionError(f"{self.name} exited early:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (a graceful stop), then SIGKILL if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a test deployment: test mode (the sandbox API and the movable
    clock), quiet logs, the scheduler ticking several times a second."""
    env = {
        "ULAK_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "true",
        "SCHEDULER_INTERVAL_SECONDS": "0.25",
        "JWKS_REFETCH_MIN_INTERVAL_SECONDS": "0",
    }
    env.update(extra)
    return env


def _answering(process: UlakProcess, probe: str) -> None:
    """Wait until `probe` answers 200 (the process is up); stop the process if it never does."""

    def up() -> bool:
        process.check()
        try:
            return httpx.get(probe, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, timeout=60)
    except BaseException:
        process.stop()
        raise


def serve(env: Mapping[str, str], logs: Path) -> tuple[UlakProcess, str]:
    """`ulak serve` on a free port; returns the process and its base URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = UlakProcess(
        "serve", ["serve", "--port", str(port)], {**env, "APP_URL": url, "PORT": str(port)}, logs
    ).start()
    _answering(process, f"{url}/healthz")
    return process, url


# The templates of tests/delivery's store (connect_store), as the sandbox process must know them.
TEMPLATES = {
    "order_update": ("UTILITY", ORDER_TEMPLATE),
    "cart_promo": ("MARKETING", PROMO_TEMPLATE),
}


def sandbox_process(logs: Path) -> tuple[UlakProcess, SandboxApi]:
    """`ulak sandbox` as its own process, serving the store's number (PNID) and templates,
    sending no status webhooks."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["sandbox", "--port", str(port), "--webhook-url", "none", "--review-delay", "0"]
    args += ["--phone-number-id", PNID, "--waba-id", WABA, "--access-token", TOKEN]
    env = {"ULAK_ENV": "test", "LOG_LEVEL": "WARNING"}
    process = UlakProcess("sandbox", args, env, logs).start()
    _answering(process, f"{url}/sandbox/api/numbers")
    sandbox = SandboxApi(url)
    try:
        sandbox.create_templates()
    except BaseException:
        process.stop()
        raise
    return process, sandbox


class SandboxApi:
    """The sandbox process driven over HTTP, as a person or a script would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    @property
    def graph_url(self) -> str:
        return f"{self.url}/sandbox/graph"

    def create_templates(self) -> None:
        """Submit the store's templates through the Graph API, as the merchant's WABA holds
        them (review is immediate: approved)."""
        for name, (category, components) in TEMPLATES.items():
            response = self.http.post(
                f"/sandbox/graph/v23.0/{WABA}/message_templates",
                headers={"Authorization": f"Bearer {TOKEN}"},
                json={
                    "name": name,
                    "language": "tr",
                    "category": category,
                    "components": components,
                },
            )
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "APPROVED", response.text

    def set_faults(self, **faults: Any) -> None:
        self.http.post("/sandbox/api/faults", json=faults).raise_for_status()

    def recipients(self) -> set[str]:
        """Every number the sandbox accepted a message for."""
        chats = self.http.get("/sandbox/api/chats").json()["chats"]
        return {c["to"] for c in chats}

    def messages(self, to: str) -> list[dict[str, Any]]:
        return list(self.http.get("/sandbox/api/messages", params={"to": to}).json())

    def counts(self, phones: Iterable[str]) -> Counter[str]:
        """Messages each number received (numbers that received none are absent)."""
        out: Counter[str] = Counter()
        for number in phones:
            n = len(self.messages(number))
            if n:
                out[number] = n
        return out


def advance_clock(app: str, seconds: float) -> datetime:
    """Move a test-mode server's clock forward (POST /sandbox/api/clock); its new now."""
    response = httpx.post(f"{app}/sandbox/api/clock", json={"advance_seconds": seconds}, timeout=30)
    response.raise_for_status()
    return datetime.fromisoformat(response.json()["now"])


def inbox_drained(db: Session) -> Callable[[], bool]:
    """A check: no recorded webhook delivery is still waiting for a worker."""

    def check() -> bool:
        db.expire_all()
        pending = select(InboxEvent.id).where(InboxEvent.status == InboxStatus.PENDING)
        return db.exec(pending).first() is None

    return check


# ------------------------------------------------------------------------------ senders


@dataclass
class Delivery:
    """One webhook delivery as its sender sees it: every attempt's outcome, in order."""

    key: str
    url: str
    body: bytes
    headers: dict[str, str]
    attempts: list[str] = field(default_factory=list)

    @property
    def landed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].startswith("2")


# Saleor retries a failed async webhook (5xx, timeout, connection error) 5 times with a
# 10 s celery backoff doubling each time; these tests keep the shape at 1/20 of the time.
SALEOR_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)


def deliver(client: httpx.Client, delivery: Delivery, backoff: Sequence[float]) -> Delivery:
    """Post until a 2xx or a 4xx (final for Saleor and Meta), retrying 5xx and transport
    errors after each backoff step."""
    for pause in (*backoff, None):
        try:
            response = client.post(delivery.url, content=delivery.body, headers=delivery.headers)
            outcome = str(response.status_code)
        except httpx.TransportError as exc:
            outcome = type(exc).__name__
        delivery.attempts.append(outcome)
        if outcome[0] in "24" or pause is None:
            break
        time.sleep(pause)
    return delivery


def deliver_all(
    deliveries: Iterable[Delivery],
    *,
    connections: int = 8,
    backoff: Sequence[float] = SALEOR_BACKOFF,
    timeout: float = 15.0,
) -> list[Delivery]:
    """Deliver concurrently over a few connections, each with its own retries."""
    items = list(deliveries)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    with (
        httpx.Client(timeout=timeout, limits=limits) as client,
        ThreadPoolExecutor(connections) as pool,
    ):
        return list(pool.map(lambda d: deliver(client, d, backoff), items))


def attempt_counts(deliveries: Iterable[Delivery]) -> Counter[str]:
    return Counter(outcome for d in deliveries for outcome in d.attempts)


# ------------------------------------------------------------------------------ the report


@dataclass
class LossReport:
    """What a fault cost: each expected item's outcome, compared with what was found."""

    fault: str
    expected: int
    found: int
    lost: list[Any] = field(default_factory=list)
    duplicated: list[Any] = field(default_factory=list)
    unexpected: list[Any] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def compare(
        cls,
        fault: str,
        expected: Iterable[Any],
        found: Mapping[Any, int],
        **notes: Any,
    ) -> LossReport:
        """`found` counts each item's occurrences; expected items must appear exactly once."""
        wanted = list(expected)
        wanted_set = set(wanted)
        return cls(
            fault=fault,
            expected=len(wanted),
            found=sum(1 for item in wanted if found.get(item, 0) >= 1),
            lost=sorted((i for i in wanted if found.get(i, 0) == 0), key=str),
            duplicated=sorted((i for i in wanted if found.get(i, 0) > 1), key=str),
            unexpected=sorted((i for i in found if i not in wanted_set), key=str),
            notes=notes,
        )

    def render(self) -> str:
        head = (
            f"[loss report] {self.fault}: expected {self.expected}, found {self.found}, "
            f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, "
            f"unexpected {len(self.unexpected)}"
        )
        details = [
            f"  {k}: {json.dumps(v, default=str, sort_keys=True)}" for k, v in self.notes.items()
        ]
        for name in ("lost", "duplicated", "unexpected"):
            items = getattr(self, name)
            if items:
                details.append(f"  {name} (first 10): {items[:10]}")
        return "\n".join([head, *details])

    def assert_nothing_lost(self) -> None:
        print(self.render())
        assert (self.found, self.lost, self.duplicated, self.unexpected) == (
            self.expected,
            [],
            [],
            [],
        ), self.render()


def poll(predicate: Callable[[], Any], timeout: float, *, every: float = 0.2) -> Any:
    """`wait_for` with a gentler pace, for checks that cost a query or an HTTP call."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
