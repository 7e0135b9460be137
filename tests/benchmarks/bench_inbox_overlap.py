"""Issue 21's soak, in small: a backlog of small group-commit messages on one worker process.

The soak's workers acted on ≈ 54 Saleor events/s where one process alone acts on 650 (bench_
events, 100 ids per message): the group commit hands the queue a handful of ids per message,
a unit of work widened over the rows recorded after its own (INBOX_BATCH_MOST), and the later
messages naming those rows waited for it. (Since session 12 a unit takes its lane's earliest
rows under the lane's advisory lock, plugin/inbox/take.py: the later messages wait for that
lock, then find their rows acted on.) Here a store's day of events is recorded (as
bench_events does), enqueued as messages of `--size` ids, and one `ulak worker -p 1 -t 4`
acts on them. Measured: events/s until no row is pending, and how often the worker's database
sessions were seen waiting for a lock, row or advisory (pg_stat_activity sampled every 50 ms:
samples with a backend waiting on a `Lock`, and the mean number waiting).

`python -m tests.benchmarks.bench_inbox_overlap [--events 3000] [--size 5] [--threads 4]`
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
import sqlalchemy as sa

from tests.benchmarks.bench_events import (
    REDIS_URL,
    SECRET,
    _clone,
    _cpu,
    _drop,
    _record,
    _url,
    _wait_idle,
    drop_namespace,
    worker_env,
)
from tests.benchmarks.common import RESULTS, ROOT, scratch_database, ulak_process
from tests.benchmarks.saleor_day import store_day


def _run(db_url: str, ids: list[int], size: int, threads: int, timeout: float) -> dict[str, Any]:
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    namespace = f"ulak-bench-ov-{uuid.uuid4().hex[:6]}"
    env = worker_env(db_url, namespace)
    sender = RedisBroker(url=REDIS_URL, namespace=namespace)  # type: ignore[no-untyped-call]
    sender.declare_queue("default")
    engine = sa.create_engine(db_url)
    database = db_url.rsplit("/", 1)[1]
    pending_sql = sa.text("SELECT count(*) FROM inbox_event WHERE status = 'pending'")
    waiting_sql = sa.text(
        "SELECT wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 70)"
        " FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"
    )
    samples = waiting_samples = waiting_total = 0
    on: Counter[str] = Counter()  # what the waiting sessions were running
    try:
        args = ["worker", "-p", "1", "-t", str(threads), "-Q", "default"]
        log = RESULTS / f"overlap-worker-{namespace}.log"
        RESULTS.mkdir(exist_ok=True)
        with ulak_process(args, env, log=log) as popen, engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            proc = psutil.Process(popen.pid)
            _wait_idle(proc)
            cpu0, t0 = _cpu(proc), time.perf_counter()
            for i in range(0, len(ids), size):
                sender.enqueue(
                    dramatiq.Message(
                        queue_name="default",
                        actor_name="process_inbox_events",
                        args=(ids[i : i + size],),
                        kwargs={},
                        options={},
                    )
                )
            pending, last = len(ids), 0.0
            while pending and time.perf_counter() - t0 < timeout:
                if popen.poll() is not None:
                    raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
                time.sleep(0.05)
                rows = conn.execute(waiting_sql, {"db": database}).all()
                on.update(f"{event}: {query}" for event, query in rows)
                waiting = len(rows)
                samples += 1
                waiting_samples += waiting > 0
                waiting_total += waiting
                if time.perf_counter() - last > 0.25:
                    pending = int(conn.execute(pending_sql).scalar_one())
                    last = time.perf_counter()
            elapsed = time.perf_counter() - t0
            cpu = _cpu(proc) - cpu0
            statuses = dict(
                conn.execute(
                    sa.text("SELECT status, count(*) FROM inbox_event GROUP BY status")
                ).all()
            )
            attempts = conn.execute(sa.text("SELECT max(attempts) FROM inbox_event")).scalar_one()
        log.unlink(missing_ok=True)
    finally:
        engine.dispose()
        drop_namespace(namespace)
    done = len(ids) - pending
    return {
        "events": len(ids),
        "message_size": size,
        "threads": threads,
        "elapsed_s": round(elapsed, 2),
        "events_per_s": round(done / elapsed, 1) if elapsed else 0.0,
        "cpu_ms_per_event": round(cpu * 1000 / max(done, 1), 3),
        "lock_wait_share": round(waiting_samples / max(samples, 1), 3),
        "lock_waiting_mean": round(waiting_total / max(samples, 1), 2),
        "waiting_on": dict(on.most_common(6)),
        "statuses": {str(k): int(v) for k, v in statuses.items()},
        "max_attempts": attempts,
        "drained": pending == 0,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--size", type=int, default=5, help="ids per queue message")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv if argv is not None else [])
    events = store_day(args.events, end=datetime.now(UTC) - timedelta(hours=2))
    runs: list[dict[str, Any]] = []
    with scratch_database("ulak_bench_ovtpl") as template_url:
        env = {**os.environ, "ULAK_ENV": "dev", "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_events", "--seed-store", template_url],
            env=env,
            cwd=ROOT,
            check=True,
        )
        template = template_url.rsplit("/", 1)[1]
        for _ in range(args.runs):
            clone = _clone(template)
            try:
                ids = _record(_url(clone), events)
                result = _run(_url(clone), ids, args.size, args.threads, args.timeout)
            finally:
                _drop(clone)
            result["load_avg"] = [round(x, 2) for x in os.getloadavg()]
            print(json.dumps(result), flush=True)
            runs.append(result)
    return {"runs": runs, "passed": all(r["drained"] for r in runs)}


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:])["passed"] else 1)
