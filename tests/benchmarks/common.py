"""Shared pieces of the benchmarks: a scratch PostgreSQL database and processes on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import psycopg

from tests.services import PG_ADMIN, database_url

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results"


@contextlib.contextmanager
def scratch_database(prefix: str = "ulak_bench") -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped afterwards."""
    from plugin.cli import run_migrations

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    try:
        run_migrations(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def ulak_process(
    args: list[str], env: dict[str, str], port: int | None = None, *, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `ulak <args>` as its own process; wait for /healthz when it serves.

    `log`: write its stderr to this file (a long run must not fill an unread pipe and block)."""
    full_env = {**os.environ, **env}
    log_file = log.open("wb") if log is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "plugin.cli", *args],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log_file if log_file is not None else subprocess.PIPE,
    )
    try:
        if port is not None:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    if log is not None:
                        err = log.read_text(errors="replace")
                    raise RuntimeError(f"ulak {' '.join(args)} did not start:\n{err[-3000:]}")
                time.sleep(0.2)
        yield proc
    finally:
        # dramatiq's forked workers outlive a main process killed after the timeout (a niced
        # worker under load): each kept polling Redis on its own for the rest of the machine's
        # life, one per test run (session 16 found four)
        forked = process_tree(proc.pid)[1:]
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        for child in forked:
            with contextlib.suppress(psutil.Error):
                child.kill()
        if log_file is not None:
            log_file.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def save(name: str, figures: dict[str, object]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, default=str))
    return path


async def open_loop(
    port: int,
    requests: list[tuple[str, dict[str, str], bytes]],
    *,
    rate: float,
    connections: int = 32,
) -> dict[str, object]:
    """Send pre-built POSTs at a fixed rate over keep-alive HTTP/1.1 connections.

    A lean raw-socket client, so the generator is not the bottleneck. Latency is measured
    from each request's scheduled time (no coordinated omission): queueing counts.
    """
    import asyncio

    queue: asyncio.Queue[tuple[int, str, dict[str, str], bytes]] = asyncio.Queue()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    start = time.perf_counter() + 0.2

    async def feeder() -> None:
        for i, (path, headers, body) in enumerate(requests):
            await queue.put((i, path, headers, body))
        for _ in range(connections):
            await queue.put((-1, "", {}, b""))

    async def conn_worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while True:
            i, path, headers, body = await queue.get()
            if i < 0:
                break
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            head_lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(
                (
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head_lines}"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
            except (asyncio.IncompleteReadError, ConnectionError):
                errors += 1
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - scheduled)
            code = int(head[9:12])
            statuses[code] = statuses.get(code, 0) + 1
        writer.close()

    await asyncio.gather(feeder(), *(conn_worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return {
        "sent": len(requests),
        "elapsed_s": round(elapsed, 2),
        "statuses": statuses,
        "errors": errors,
        "latencies": latencies,
    }


# ---------------------------------------------------------------------------- process figures


def process_tree(pid: int) -> list[psutil.Process]:
    """A process and its children (uvicorn's and dramatiq's forked workers); none if gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def summed(procs: list[psutil.Process], measure: Callable[[psutil.Process], float]) -> float:
    total = 0.0
    for p in procs:
        try:
            total += measure(p)
        except psutil.Error:  # exited meanwhile
            pass
    return total


def rss_mb(pid: int) -> float:
    """RSS of a process and its children, MiB."""
    return round(summed(process_tree(pid), lambda p: p.memory_info().rss) / 2**20, 1)


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process and its live children have used so far."""
    return round(summed(process_tree(pid), lambda p: sum(p.cpu_times()[:2])), 2)


def busy_s() -> float:
    """The machine's busy CPU seconds over all cores (idle and iowait left out): what every
    part of a benchmark sharing the machine used together."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))
