"""Entry module for `ulak worker`: configures the process, declares actors, runs the tick."""

from __future__ import annotations

import dramatiq

from plugin import broker, malloc, speedups
from plugin.db import configure_engine
from plugin.events.tick import SchedulerThread
from plugin.logging import configure_logging
from plugin.settings import get_settings

settings = get_settings()
settings.check_production()
configure_logging(settings.log_level, json=settings.log_json)
configure_engine(settings.database_url)
_broker = broker.setup_broker(settings)

import handlers.actors  # noqa: E402,F401 - declares the actors on this broker


class _Scheduler(dramatiq.Middleware):
    """Each worker process ticks; the PostgreSQL advisory lock lets one do the work."""

    def __init__(self) -> None:
        self.thread: SchedulerThread | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        speedups.tune_gc_for_worker()
        self.thread = SchedulerThread(settings.scheduler_interval_seconds)
        self.thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self.thread is not None:
            self.thread.stop()


_broker.add_middleware(_Scheduler())


class _GiveBackMemory(dramatiq.Middleware):
    """After messages, at most twice a minute, freed heap pages go back to the system
    (plugin/malloc.py): a worker's memory follows what it holds, not its largest batch."""

    def __init__(self) -> None:
        self.trimmer = malloc.Trimmer()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        self.trimmer.maybe()


_broker.add_middleware(_GiveBackMemory())
