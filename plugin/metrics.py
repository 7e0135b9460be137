"""Prometheus metrics: what an operator alerts on.

The base layer imports no domain: a gauge that needs a domain figure is given the function
that reads it when the app registers it (plugin/app.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

WEBHOOKS = Counter(
    "ulak_webhooks_total",
    "Webhook deliveries received, by source, event and outcome",
    ["source", "event", "outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "ulak_webhook_seconds",
    "Time to accept a webhook delivery",
    ["source"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
INBOX_PROCESSED = Counter(
    "ulak_inbox_processed_total",
    "Inbox events processed, by source, event and result",
    ["source", "event", "result"],
)


class InboxBacklogCollector(Collector):
    """Counts pending inbox rows at scrape time (the database is the truth, not a counter)."""

    def __init__(self, backlog: Callable[[], dict[str, int]]) -> None:
        self._backlog = backlog

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "ulak_inbox_backlog", "Inbox events recorded but not yet processed", labels=["source"]
        )
        try:
            for source, count in self._backlog().items():
                gauge.add_metric([source], count)
        except Exception:  # noqa: BLE001 - a scrape must not fail because the DB is down
            pass
        yield gauge


_registered = False


def register_collectors(*collectors: Collector) -> None:
    """Register the scrape-time gauges once per process (create_app may run many times)."""
    global _registered
    if not _registered:
        for collector in collectors:
            REGISTRY.register(collector)
        _registered = True


MESSAGES_SENT = Counter(
    "ulak_messages_sent_total", "Messages Meta accepted, by purpose and kind", ["purpose", "kind"]
)
MESSAGES_FAILED = Counter(
    "ulak_messages_failed_total", "Messages that failed or ended unknown, by reason", ["reason"]
)
MESSAGES_SUPPRESSED = Counter(
    "ulak_messages_suppressed_total", "Messages the send policy refused, by reason", ["reason"]
)
MESSAGES_DEFERRED = Counter(
    "ulak_messages_deferred_total", "Messages put back to wait, by reason", ["reason"]
)


class DeliveryLagCollector(Collector):
    """Queue lag at scrape time: how long the oldest due message has been waiting."""

    def __init__(self, queue_lag: Callable[[], tuple[float, dict[str, int]]]) -> None:
        self._queue_lag = queue_lag

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "ulak_delivery_queue_lag_seconds", "Age of the oldest due, unsent outbox row"
        )
        backlog = GaugeMetricFamily(
            "ulak_delivery_backlog", "Outbox rows waiting to be sent", labels=["status"]
        )
        try:
            lag, counts = self._queue_lag()
            gauge.add_metric([], lag)
            for status, count in counts.items():
                backlog.add_metric([status], count)
        except Exception:  # noqa: BLE001 - a scrape must not fail because the DB is down
            pass
        yield gauge
        yield backlog
