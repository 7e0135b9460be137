"""The scheduler tick: turns due rows in the database into queue messages.

A delayed step is a row with `due_at`, never a broker delay, so a Redis flush or a killed
worker loses nothing: the next tick finds the row again. Ticks are idempotent; on
PostgreSQL one process owns each tick (advisory lock) so N workers do not all scan.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable

import sqlalchemy as sa
import structlog
from sqlmodel import Session

from plugin.db import session_scope

log = structlog.get_logger(__name__)

ADVISORY_LOCK_ID = 0x756C616B  # "ulak"

# "module:function(session=)" run on every tick, in order; domains add theirs here.
TICK_TASKS: list[str] = [
    "plugin.inbox.service:requeue_orphans",
    "plugin.contacts.sync:requeue_stalled",
    "plugin.consent.service:lapse_requests",
    "plugin.consent.privacy:purge_expired",
    "plugin.analytics.rollups:build_rollups",
    "plugin.analytics.rollups:purge_expired",
    "plugin.delivery.quality:guard",  # before campaigns and dispatch: red pauses marketing
    "plugin.campaigns.service:tick",
    "plugin.segments.service:refresh_rfm_due",
    "plugin.delivery.service:expire_leases",
    "plugin.delivery.service:dispatch_due",
    "plugin.delivery.service:apply_pending_statuses",
    "plugin.flows.alerts:refresh",
]


def _resolve(target: str) -> Callable[..., object]:
    module, _, name = target.partition(":")
    fn: Callable[..., object] = getattr(importlib.import_module(module), name)
    return fn


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
    for target in TICK_TASKS:
        try:
            with session_scope() as session:
                if not _acquire(session, wait=wait):
                    return
                _resolve(target)(session=session)
        except Exception:
            log.exception("tick_task_failed", task=target)


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
