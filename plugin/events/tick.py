"""The scheduler tick: turns due rows in the database into queue messages.

A delayed step is a row with `due_at`, never a broker delay, so a Redis flush or a killed
worker loses nothing: the next tick finds the row again. Ticks are idempotent; on
PostgreSQL one process owns each tick (advisory lock) so N workers do not all scan.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin.analytics import rollups
from plugin.campaigns import quality
from plugin.campaigns import service as campaigns_service
from plugin.consent import service as consent_service
from plugin.contacts import sync as contacts_sync
from plugin.db import session_scope
from plugin.delivery import service as delivery_service
from plugin.events import inbound, privacy
from plugin.flows import alerts
from plugin.inbox import service as inbox_service
from plugin.segments import orders as segment_orders
from plugin.whatsapp import limits as whatsapp_limits

log = structlog.get_logger(__name__)

ADVISORY_LOCK_ID = 0x756C616B  # "ulak"

# Run on every tick with (session=), in order; domains add theirs here.
TICK_TASKS: list[Callable[..., object]] = [
    inbox_service.requeue_orphans,
    contacts_sync.requeue_stalled,
    consent_service.lapse_requests,
    privacy.purge_expired,
    rollups.build_rollups,
    rollups.purge_expired,
    whatsapp_limits.refresh_due,  # Meta's limit and throughput, read every few hours
    quality.guard,  # before campaigns and dispatch: red pauses marketing
    campaigns_service.tick,
    segment_orders.refresh_rfm_due,
    delivery_service.expire_leases,
    delivery_service.release_holds,  # before dispatch: marketing the quota allows again
    delivery_service.dispatch_due,
    inbound.apply_pending_statuses,  # marks the rolled-up days it changes
    alerts.refresh,
]


def _acquire(session: Session, *, wait: bool) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    if wait:
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID})
        return True
    return bool(
        session.execute(
            sa.text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID}
        ).scalar()
    )


def run_tick(*, wait: bool = True) -> None:
    """One pass of every task, each in its own transaction so one failure does not stop all.

    `wait=False` (the scheduler threads) skips the pass when another process is ticking;
    a direct call waits for it, so its pass always happens."""
    for task in TICK_TASKS:
        try:
            with session_scope() as session:
                if not _acquire(session, wait=wait):
                    return
                task(session=session)
        except Exception:
            log.exception("tick_task_failed", task=f"{task.__module__}.{task.__qualname__}")


class SchedulerThread(threading.Thread):
    """Ticks every `interval` seconds until stopped (inside `ulak serve` or `ulak worker`)."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="ulak-scheduler", daemon=True)
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            run_tick(wait=False)

    def stop(self) -> None:
        self._stop_event.set()
