"""Statements and worker CPU per WhatsApp status webhook: acted on in batches of 100 (the
batch processor, plugin/events/inbound_batch.py) and each by `process_webhook`.

1,000 status webhooks as the sandbox posts them during a campaign (sent, delivered, read; one
status each) on messages three like stores sent, recorded in the inbox of a scratch PostgreSQL
database, acted on in this process three ways: in batches of 100 by the batch processor
(`batch`), in batches of 100 with each webhook acted on by `process_webhook` (`rows`: the batch
path before it), and one at a time, one unit of work each (`alone`).
Statements are counted with SQLAlchemy's `before_cursor_execute` (an executemany counts once),
CPU is this process's (`time.process_time`: parsing, the ORM, the driver; not the server's).

`python -m tests.benchmarks.bench_status_batch [--webhooks 1000] [--runs 1]`
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from plugin import clock
from plugin.db import configure_engine, get_engine, session_scope
from plugin.events import inbox as inbox_events
from plugin.inbox.models import InboxSource
from plugin.settings import set_settings
from tests.benchmarks.common import save, scratch_database
from tests.conftest import make_settings
from tests.support import QueryCounter
from tests.test_inbox_batch import _batched, _one_at_a_time
from tests.whatsapp_world import campaign_statuses, make_world, record


def _in_batches(ids: list[int]) -> None:
    _batched(ids, 100)


def _measure(act: Callable[[list[int]], None], ids: list[int]) -> tuple[float, float]:
    webhooks = len(ids)
    with QueryCounter(get_engine()) as queries:
        started = time.process_time()
        act(ids)
        cpu = time.process_time() - started
    return queries.count / webhooks, cpu * 1000 / webhooks


# a batch of 100 status webhooks runs about ten statements (tests/test_inbox_whatsapp_batch.py)
TARGETS = {"batch.statements_per_webhook": ("<=", 0.15)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhooks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)  # `make bench` runs the module 3 times
    args = parser.parse_args(argv)
    runs: dict[str, list[tuple[float, float]]] = {"batch": [], "rows": [], "alone": []}
    with scratch_database("ulak_bench_status") as url:
        set_settings(make_settings(url, log_level="ERROR"))
        configure_engine(url)
        contacts = args.webhooks // 6 + 1  # two messages each, three statuses a message
        for run in range(args.runs):
            with session_scope() as session:
                worlds = {path: make_world(session, f"{path}{run}", contacts) for path in runs}
                at = int(clock.now().timestamp()) - 3600
                ids = {
                    path: record(session, world, campaign_statuses(world, args.webhooks, at))
                    for path, world in worlds.items()
                }
            runs["alone"].append(_measure(_one_at_a_time, ids["alone"]))
            runs["batch"].append(_measure(_in_batches, ids["batch"]))
            # before the batch processor: batches of 100, each webhook by `process_webhook`
            processor = inbox_events.BATCH_PROCESSORS.pop(InboxSource.WHATSAPP)
            try:
                runs["rows"].append(_measure(_in_batches, ids["rows"]))
            finally:
                inbox_events.BATCH_PROCESSORS[InboxSource.WHATSAPP] = processor
    figures: dict[str, Any] = {
        path: {
            "statements_per_webhook": round(statistics.median(s for s, _ in values), 3),
            "cpu_ms_per_webhook": round(statistics.median(c for _, c in values), 3),
        }
        for path, values in runs.items()
    }
    figures["passed"] = figures["batch"]["statements_per_webhook"] <= 0.15
    for path in runs:
        print(f"{path:6} {figures[path]}")
    save("status_batch", figures)
    return figures


if __name__ == "__main__":
    main()
