"""How many template sends per second the sandbox answers (it must never be the bottleneck).

Runs standalone: `python tests/benchmarks/bench_sandbox.py [--seconds 15] [--connections 64]`.
The sandbox runs as its own uvicorn process (as `ulak sandbox` does) with its status webhooks
going to a minimal receiver process; the load generator is a third process speaking raw
HTTP/1.1 keep-alive over asyncio streams, so the client costs as little CPU as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import socket
import statistics
import sys
import time
from pathlib import Path

from tests.services import free_port

# judged on the median of three runs by tests/benchmarks/run.py
TARGETS = {"sends_per_s": (">=", 3000), "errors": ("<=", 0)}

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PNID, WABA, TOKEN = "100000000000001", "200000000000001", "bench-token"


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


def run_sandbox(port: int, webhook_port: int) -> None:
    from plugin.whatsapp.sandbox import SandboxConfig, SandboxNumber, run_sandbox

    config = SandboxConfig(
        review_delay_seconds=0,
        read_ratio=0.7,
        numbers=[
            SandboxNumber(
                phone_number_id=PNID,
                waba_id=WABA,
                access_token=TOKEN,
                display_phone_number="+90 555 000 0001",
                throughput_level="HIGH",
            )
        ],
    )
    run_sandbox(
        port=port,
        config=config,
        app_secret="bench-secret",
        webhook_target_url=f"http://127.0.0.1:{webhook_port}/api/webhooks/whatsapp",
    )


def run_receiver(port: int) -> None:
    """Answers every webhook 200 with almost no work (stands in for the app)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def template_body(i: int) -> bytes:
    return json.dumps(
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": f"+90555{i % 100000:07d}",
            "type": "template",
            "template": {
                "name": "bench_order",
                "language": {"code": "tr"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Ayşe"},
                            {"type": "text", "text": f"#{i}"},
                        ],
                    }
                ],
            },
        }
    ).encode()


async def load(port: int, seconds: float, connections: int) -> tuple[int, int, list[float]]:
    path = f"/sandbox/graph/v23.0/{PNID}/messages"
    bodies = [template_body(i) for i in range(2000)]
    ok = errors = 0
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def worker(n: int) -> None:
        nonlocal ok, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = n
        while time.monotonic() < stop:
            body = bodies[i % len(bodies)]
            i += connections
            request = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if head.startswith(b"HTTP/1.1 200"):
                ok += 1
            else:
                errors += 1
        writer.close()

    await asyncio.gather(*(worker(n) for n in range(connections)))
    return ok, errors, latencies


def run_load(port: int, seconds: float, connections: int, out: mp.Queue) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out.put(asyncio.run(load(port, seconds, connections)))


def create_template(port: int) -> None:
    import httpx

    body = {
        "name": "bench_order",
        "language": "tr",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Merhaba {{1}}, siparişin {{2}} yolda."}],
    }
    response = httpx.post(
        f"http://127.0.0.1:{port}/sandbox/graph/v23.0/{WABA}/message_templates",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    response.raise_for_status()
    assert response.json()["status"] == "APPROVED", response.text


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args(argv if argv is not None else [])
    ctx = mp.get_context("spawn")
    port, webhook_port = free_port(), free_port()
    receiver = ctx.Process(target=run_receiver, args=(webhook_port,), daemon=True)
    sandbox = ctx.Process(target=run_sandbox, args=(port, webhook_port), daemon=True)
    receiver.start()
    sandbox.start()
    try:
        wait_port(webhook_port)
        wait_port(port)
        create_template(port)
        out: mp.Queue = ctx.Queue()
        loader = ctx.Process(target=run_load, args=(port, args.seconds, args.connections, out))
        loader.start()
        ok, errors, latencies = out.get(timeout=args.seconds + 60)
        loader.join()
    finally:
        sandbox.terminate()
        sandbox.join(10)
        receiver.terminate()
        receiver.join(5)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(
        f"sandbox sends: {ok} ok, {errors} errors in {args.seconds:.0f} s "
        f"with {args.connections} connections"
    )
    print(f"sandbox sends/s: {ok / args.seconds:.0f}   p50: {p50:.1f} ms   p99: {p99:.1f} ms")
    figures: dict[str, object] = {
        "sends_per_s": round(ok / args.seconds),
        "ok": ok,
        "errors": errors,
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "connections": args.connections,
        "seconds": args.seconds,
        "passed": errors == 0 and ok / args.seconds >= 3000,
    }
    from tests.benchmarks.common import save

    save("sandbox", figures)
    return figures


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:])["passed"] else 1)
