"""Prometheus metrics: what an operator alerts on."""

from __future__ import annotations

from collections.abc import Iterator

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

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from plugin.inbox import service

        gauge = GaugeMetricFamily(
            "ulak_inbox_backlog", "Inbox events recorded but not yet processed", labels=["source"]
        )
        try:
            for source, count in service.backlog().items():
                gauge.add_metric([source], count)
        except Exception:  # noqa: BLE001 - a scrape must not fail because the DB is down
            pass
        yield gauge


_registered = False


def register_collectors() -> None:
    global _registered
    if not _registered:
        REGISTRY.register(InboxBacklogCollector())
        REGISTRY.register(DeliveryLagCollector())
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

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from plugin.delivery import service

        gauge = GaugeMetricFamily(
            "ulak_delivery_queue_lag_seconds", "Age of the oldest due, unsent outbox row"
        )
        backlog = GaugeMetricFamily(
            "ulak_delivery_backlog", "Outbox rows waiting to be sent", labels=["status"]
        )
        try:
            lag, counts = service.queue_lag()
            gauge.add_metric([], lag)
            for status, count in counts.items():
                backlog.add_metric([status], count)
        except Exception:  # noqa: BLE001 - a scrape must not fail because the DB is down
            pass
        yield gauge
        yield backlog
