"""Issue 21's figure: how fast one worker process acts on recorded Saleor events.

A store's day of events (tests/benchmarks/saleor_day.py: checkouts created and updated, orders
created, paid, fulfilled and cancelled, customers, made from the payloads captured from a real
Saleor) is recorded in the inbox of a scratch PostgreSQL database, as the webhook edge records
it, for a store installed as in dev mode (flows on, starter templates approved). Then one
`ulak worker` process (`-p 1`, Redis queue) acts on them, two ways, each on its own copy of
the same database and the same events:

- batch: the group commits' way: one `process_inbox_events` message naming the store's Saleor
  lane (the first group commit's 100 ids; the later ones found the lane's flag up and sent
  none, plugin/inbox/writer.py), which acts on the lane in units of INBOX_BATCH_MOST;
- one at a time (the baseline): one `process_inbox_event` message per inbox id.

Measured: events/s from the first enqueue until no row is pending, the worker's CPU ms per
event (its process tree, psutil), and, in this process with SQLAlchemy's
`before_cursor_execute` (an executemany counts once), the statements per batch of 100
order/checkout events on each path. Three runs; the median and the spread are reported, and
the ratio batch / one at a time of the same run.
Targets (issue 21): >= 1,000 events/s, <= 0.6 ms CPU per event, <= 10 statements per batch of
100 order/checkout events.

`python -m tests.benchmarks.bench_events [--events 3000] [--runs 3] [--profile]`
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
import psycopg
import sqlalchemy as sa

from tests.benchmarks.common import PG_ADMIN, RESULTS, ROOT, save, scratch_database, ulak_process
from tests.benchmarks.saleor_day import CHECKOUT_EVENTS, ORDER_EVENTS, SaleorEvent, mix, store_day

REDIS_URL = "redis://127.0.0.1:6379/0"
BATCH = 100  # ids per process_inbox_events message (the group commit hands up to 200)
SECRET = "bench-events-secret-key-0123456789abcdef"  # production wants 32+ characters
TARGET_RATE = 1000.0
TARGET_CPU_MS = 0.6
TARGET_STATEMENTS = 10


def seed_store(db_url: str) -> None:
    """Run in a dev-mode subprocess: a store as dev mode installs it (settings, a sandbox number
    with the starter templates approved, order updates and cart recovery on, a checkout URL)."""
    from plugin.db import configure_engine, session_scope
    from plugin.events import install, sandbox_connect
    from plugin.saleor.models import Store
    from plugin.whatsapp.sandbox.state import Sandbox

    configure_engine(db_url)
    sandbox_connect.set_mounted(Sandbox())
    from plugin import crypto

    with session_scope() as session:
        store = Store(
            saleor_api_url="https://bench-events.example.com/graphql/",
            saleor_app_id="QXBwOjE=",
            domain="bench-events.example.com",
            app_token_encrypted=crypto.encrypt("bench"),
        )
        session.add(store)
        session.flush()
        install.run_steps(session=session, store=store, skip=install.SALEOR_STEPS)


def _clone(template: str) -> str:
    name = f"ulak_bench_ev_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def _drop(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def _record(db_url: str, events: list[SaleorEvent]) -> list[int]:
    """The inbox rows, as the webhook edge's group commit writes them (nothing enqueued)."""
    from plugin.inbox import service as inbox_service
    from plugin.inbox.models import InboxSource

    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            store_id = conn.execute(sa.text("SELECT id FROM store")).scalar_one()
            ids = inbox_service.record_many(
                conn,
                [
                    inbox_service.Delivery(store_id, InboxSource.SALEOR, e.event, e.body)
                    for e in events
                ],
            )
    finally:
        engine.dispose()
    assert all(i is not None for i in ids)
    return [int(i) for i in ids if i is not None]


def _cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def _wait_idle(proc: psutil.Process, timeout: float = 40) -> None:
    """Until the worker has started (its forks exist) and its start-up CPU has settled (the
    scheduler tick keeps it a little busy; on a loaded machine we go on after `timeout`)."""
    deadline = time.monotonic() + timeout
    time.sleep(2)
    last = _cpu(proc)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu(proc)
        if proc.children() and now - last < 0.1:
            return
        last = now
    if not proc.children():
        raise RuntimeError("worker did not start")


def worker_env(db_url: str, namespace: str) -> dict[str, str]:
    """The environment of a production `ulak worker` on this database and Redis namespace."""
    return {
        "ULAK_ENV": "production",
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_NAMESPACE": namespace,
        "SECRET_KEY": SECRET,
        "WHATSAPP_APP_SECRET": "bench-app-secret",
        "ALLOWED_SALEOR_URLS": "https://bench-events.example.com/graphql/",
        "LOG_LEVEL": "WARNING",
    }


def drop_namespace(namespace: str) -> None:
    """Remove a run's queues from Redis."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{namespace}:*"):
        client.delete(key)


def _worker_run(db_url: str, ids: list[int], *, batch: bool, timeout: float) -> dict[str, Any]:
    """One worker process acts on the recorded rows; figures of that run."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    namespace = f"ulak-bench-ev-{uuid.uuid4().hex[:6]}"
    env = worker_env(db_url, namespace)
    sender = RedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    sender.declare_queue("default")
    if batch:  # as the group commits send them: one message for the lane, its flag up after
        with psycopg.connect(db_url.replace("+psycopg", "")) as conn:
            store_id = conn.execute("SELECT id FROM store").fetchone()[0]
        messages = [
            dramatiq.Message(
                queue_name="default",
                actor_name="process_inbox_events",
                args=(ids[:BATCH],),
                kwargs={"lane": [store_id, "saleor"]},
                options={},
            )
        ]
    else:
        messages = [
            dramatiq.Message(
                queue_name="default",
                actor_name="process_inbox_event",
                args=(i,),
                kwargs={},
                options={},
            )
            for i in ids
        ]
    engine = sa.create_engine(db_url)
    pending_sql = sa.text("SELECT count(*) FROM inbox_event WHERE status = 'pending'")
    try:
        threads = os.environ.get("BENCH_EVENTS_THREADS", "4")
        args = ["worker", "-p", "1", "-t", threads, "-Q", "default"]
        log = RESULTS / f"events-worker-{namespace}.log"
        RESULTS.mkdir(exist_ok=True)
        with ulak_process(args, env, log=log) as popen:
            proc = psutil.Process(popen.pid)
            _wait_idle(proc)
            cpu0, t0 = _cpu(proc), time.perf_counter()
            for message in messages:
                sender.enqueue(message)
            pending = len(ids)
            while pending and time.perf_counter() - t0 < timeout:
                if popen.poll() is not None:
                    raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
                time.sleep(0.1)
                with engine.connect() as conn:
                    pending = conn.execute(pending_sql).scalar_one()
            elapsed = time.perf_counter() - t0
            cpu = _cpu(proc) - cpu0
        log.unlink(missing_ok=True)
        with engine.connect() as conn:
            statuses = dict(
                conn.execute(
                    sa.text("SELECT status, count(*) FROM inbox_event GROUP BY status")
                ).all()
            )
            outbox = conn.execute(sa.text("SELECT count(*) FROM outbound_message")).scalar_one()
            # what customers are to receive: the rows not cancelled, by kind and template (the
            # cancelled ones are history: acting on a checkout's updates concurrently may skip
            # an older view that a strict order would have written and cancelled again)
            live = {
                f"{kind}:{template}": int(n)
                for kind, template, n in conn.execute(
                    sa.text(
                        "SELECT kind, template_name, count(*) FROM outbound_message "
                        "WHERE status <> 'cancelled' GROUP BY kind, template_name"
                    )
                ).all()
            }
            contacts = conn.execute(sa.text("SELECT count(*) FROM contact")).scalar_one()
    finally:
        engine.dispose()
        drop_namespace(namespace)
    done = len(ids) - pending
    return {
        "events": len(ids),
        "done": done,
        "elapsed_s": round(elapsed, 2),
        "events_per_s": round(done / elapsed, 1) if elapsed else 0.0,
        "cpu_ms_per_event": round(cpu * 1000 / max(done, 1), 3),
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "outbox_rows": int(outbox),
        "live_messages": live,
        "contacts": int(contacts),
        "drained": pending == 0,
    }


def _in_process(db_url: str, ids: list[int], call: Callable[[list[int]], None]) -> int:
    """Statements `call` sends for these rows, counted with before_cursor_execute (in this
    process, with the worker's SECRET_KEY: the suppression list is keyed with it)."""
    from plugin import settings
    from plugin.db import configure_engine, get_engine

    os.environ["SECRET_KEY"] = SECRET
    settings._current = None
    configure_engine(db_url, pool_size=2)
    count = 0

    def counter(*_: Any) -> None:
        nonlocal count
        count += 1

    sa.event.listen(get_engine(), "before_cursor_execute", counter)
    call(ids)
    get_engine().dispose()
    return count


def _one_at_a_time(ids: list[int]) -> None:
    from handlers import actors

    for event_id in ids:
        actors.process_inbox_event.fn(event_id)


def _batched(ids: list[int]) -> None:
    from handlers import actors

    for i in range(0, len(ids), BATCH):
        actors.process_inbox_events.fn(ids[i : i + BATCH])


def statements(template: str, events: list[SaleorEvent], batches: int = 3) -> dict[str, float]:
    """Statements per batch of 100 order/checkout events, both paths, on fresh copies."""
    chosen = [e for e in events if e.event in ORDER_EVENTS + CHECKOUT_EVENTS][: BATCH * batches]
    out: dict[str, float] = {}
    for name, call in (("one_at_a_time", _one_at_a_time), ("batch", _batched)):
        clone = _clone(template)
        try:
            ids = _record(_url(clone), chosen)
            out[name] = round(_in_process(_url(clone), ids, call) / batches, 1)
        finally:
            _drop(clone)
    return out


def profile(template: str, events: list[SaleorEvent]) -> None:
    """cProfile of both paths in this process on the same 600 events
    (bench-results/events-profile-<path>.txt, by cumulative and by own time)."""
    import cProfile
    import io
    import pstats

    for name, call in (("one_at_a_time", _one_at_a_time), ("batch", _batched)):
        clone = _clone(template)
        try:
            ids = _record(_url(clone), events[:600])
            prof = cProfile.Profile()
            prof.enable()
            _in_process(_url(clone), ids, call)
            prof.disable()
        finally:
            _drop(clone)
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(40)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"events-profile-{name}.txt").write_text(buf.getvalue())


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", "3000")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_EVENTS_RUNS", "3")))
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--seed-store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.seed_store:
        seed_store(args.seed_store)
        return {"passed": True}
    # ended two hours ago: the first recovery step of every cart is due, as in the day's end
    events = store_day(args.events, end=datetime.now(UTC) - timedelta(hours=2))
    figures: dict[str, Any] = {
        "events": len(events),
        "mix": mix(events),
        "batch_size": BATCH,
        "load_avg_before": [round(x, 2) for x in os.getloadavg()],
    }
    runs: list[dict[str, Any]] = []
    with scratch_database("ulak_bench_evtpl") as template_url:
        env = {**os.environ, "ULAK_ENV": "dev", "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_events", "--seed-store", template_url],
            env=env,
            cwd=ROOT,
            check=True,
        )
        template = template_url.rsplit("/", 1)[1]
        figures["statements_per_100"] = statements(template, events)
        if args.profile:
            profile(template, events)
        for run in range(args.runs):
            result: dict[str, Any] = {}
            for path in ("one_at_a_time", "batch"):
                clone = _clone(template)
                try:
                    ids = _record(_url(clone), events)
                    result[path] = _worker_run(
                        _url(clone), ids, batch=path == "batch", timeout=args.timeout
                    )
                finally:
                    _drop(clone)
            one, bat = result["one_at_a_time"], result["batch"]
            result["ratio_events_per_s"] = (
                round(bat["events_per_s"] / one["events_per_s"], 2)
                if one["drained"] and one["events_per_s"]
                else "baseline broken: not drained"
            )
            result["same_outcome"] = (
                one["statuses"] == bat["statuses"] and one["live_messages"] == bat["live_messages"]
            )
            print(f"run {run + 1}: {json.dumps(result)}", flush=True)
            runs.append(result)
    figures["runs"] = runs
    figures["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    if not runs:  # `--runs 0`: the statement counts (and the profile) only
        print(json.dumps(figures, indent=2))
        return {**figures, "passed": False}
    for path in ("one_at_a_time", "batch"):
        figures[f"{path}_events_per_s"] = _summary([r[path]["events_per_s"] for r in runs])
        figures[f"{path}_cpu_ms_per_event"] = _summary([r[path]["cpu_ms_per_event"] for r in runs])
    ratios = [r["ratio_events_per_s"] for r in runs if isinstance(r["ratio_events_per_s"], float)]
    figures["ratio_batch_to_one"] = _summary(ratios) if ratios else "baseline broken"
    batch_rate = figures["batch_events_per_s"]["median"]
    batch_cpu = figures["batch_cpu_ms_per_event"]["median"]
    figures["passed"] = bool(
        all(r["batch"]["drained"] and r["one_at_a_time"]["drained"] for r in runs)
        and all(r["same_outcome"] for r in runs)
        and batch_rate >= TARGET_RATE
        and batch_cpu <= TARGET_CPU_MS
        and figures["statements_per_100"]["batch"] <= TARGET_STATEMENTS
    )
    save("events", figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "runs"}, indent=2))
    return figures


if __name__ == "__main__":
    result = main(sys.argv[1:])
    sys.exit(0 if result["passed"] else 1)
