"""An anonymous client streams 256 MiB, chunked (no Content-Length), at each POST route of a
real `ulak serve`: the process answers 401/413 and its memory grows by less than 20 MB.

Before the fix, POST /graphql read the whole chunked body before its size check and before
authentication: 256 MiB raised the process from 267 to 775 MiB (issue 17, point 2).
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.faults.support import UlakProcess, base_env, serve

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.xdist_group("body_flood"),  # one worker, one `ulak serve` for every route
]

MIB = 1024 * 1024
FLOOD = 256 * MIB
CHUNK = 256 * 1024


def _status(pid: int, field: str) -> int:
    """A /proc/<pid>/status size in bytes (VmRSS: now, VmHWM: the peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def _reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS (Linux: write 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def _flood(port: int, path: str, headers: dict[str, str]) -> int:
    """Send a 256 MiB chunked body; the status line of the answer, read as soon as it comes
    (the server may close the connection once it has answered: the rest is then not sent)."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    chunk = f"{CHUNK:x}\r\n".encode() + b"x" * CHUNK + b"\r\n"
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sent = 0
        while sent < FLOOD:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                answer += sock.recv(65536)
                if answer:
                    break  # answered: the body was not going to be read
            try:
                sock.sendall(chunk)
            except OSError:
                break
            sent += CHUNK
        else:
            with contextlib.suppress(OSError):
                sock.sendall(b"0\r\n\r\n")
        deadline = time.monotonic() + 60
        while b"\r\n" not in answer and time.monotonic() < deadline:
            try:
                data = sock.recv(65536)
            except OSError:
                break
            if not data:
                break
            answer += data
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def server(
    db_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[tuple[UlakProcess, str]]:
    """One `ulak serve` for every route (each test measures its own growth)."""
    from tests.conftest import capture_process_logs

    logs = tmp_path_factory.mktemp("flood-logs")
    process, app = serve(base_env(db_url), logs)
    try:
        yield process, app
    finally:
        process.stop()
        capture_process_logs(request.config, logs)


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/graphql", {"Content-Type": "application/json"}, {401}),
        ("/graphql", {"Authorization": "Bearer not-a-token"}, {401}),
        ("/api/register", {"saleor-api-url": "https://x.example.com/graphql/"}, {413}),
        ("/api/webhooks/saleor/order-created", {"saleor-signature": "x.y.z"}, {400, 401}),
        ("/api/webhooks/whatsapp", {"X-Hub-Signature-256": "sha256=00"}, {413}),
        ("/api/storefront/opt-in", {"Origin": "https://shop.example.com"}, {413}),
        ("/healthz", {}, {405, 413}),  # a GET route: refused unread
    ],
)
def test_a_256_mib_chunked_body_is_refused_without_being_held(
    server: tuple[UlakProcess, str],
    db: Session,
    path: str,
    headers: dict[str, str],
    expected: set[int],
) -> None:
    process, app = server
    assert process.proc is not None
    pid = process.proc.pid
    port = int(app.rsplit(":", 1)[1])
    _flood(port, path, {"Content-Type": "application/json"})  # warm up: imports, pools
    time.sleep(0.3)
    before = _status(pid, "VmRSS")
    _reset_peak(pid)
    status = _flood(port, path, headers)
    time.sleep(0.3)
    grown = max(_status(pid, "VmHWM"), _status(pid, "VmRSS")) - before
    assert grown < 20 * MIB, f"{path}: the process grew by {grown / MIB:.0f} MiB"
    assert status in expected, (status, process.log_tail())
    process.check()
