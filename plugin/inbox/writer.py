"""Group commit for webhook deliveries: many requests, one INSERT and one commit.

A 200 promises Saleor the delivery is on disk, so every webhook waits for a durable commit.
Committing each one alone costs a round trip, a transaction and a WAL flush per request, which
is most of a webhook's cost. Here request handlers hand their delivery to one writer thread per
process and await its future; the writer takes whatever has queued up (nothing is held back on
purpose: while one batch commits the next one gathers), records the lot with
`inbox.service.record_many` in one transaction, enqueues the new ids (one queue message per
lane, and none while the lane's last one is outstanding: `_nudge`) and only then answers
every request. Under light load a batch is one delivery; at 500/s it is a handful.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from dataclasses import dataclass, field

import structlog
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from plugin import broker
from plugin.db import get_engine
from plugin.inbox import service as inbox_service
from plugin.inbox.models import InboxStatus
from plugin.inbox.service import Delivery
from plugin.settings import get_settings

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class _Pending:
    delivery: Delivery
    future: concurrent.futures.Future[int | None] = field(default_factory=concurrent.futures.Future)


class InboxWriter:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, delivery: Delivery) -> concurrent.futures.Future[int | None]:
        """Queue one delivery; the future gives its new id (None: a duplicate) once committed,
        or the database's error (the caller answers 503 and Saleor retries)."""
        pending = _Pending(delivery)
        self._ensure_thread()
        self._queue.put(pending)
        return pending.future

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ulak-inbox-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        most = get_settings().inbox_group_commit_max  # INBOX_GROUP_COMMIT_MAX
        while True:
            batch = [self._queue.get()]
            while len(batch) < most:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:
            with get_engine().begin() as conn:
                ids = inbox_service.record_many(conn, [p.delivery for p in batch])
        except (OperationalError, PoolTimeout) as exc:  # the database is away: all retry (503)
            for pending in batch:
                pending.future.set_exception(exc)
            return
        except Exception as exc:  # noqa: BLE001 - one bad delivery must not fail its neighbours
            if len(batch) > 1:
                for pending in batch:  # each alone: only the bad one gets the error
                    self._write([pending])
                return
            batch[0].future.set_exception(exc)
            return
        lanes: dict[inbox_service.Lane, list[int]] = {}
        for pending, event_id in zip(batch, ids, strict=True):
            d = pending.delivery
            if event_id is not None and d.status is InboxStatus.PENDING:
                lanes.setdefault((d.store_id, d.source.value), []).append(event_id)
        for lane, queued in lanes.items():
            _nudge(lane, queued)
        for pending, event_id in zip(batch, ids, strict=True):
            pending.future.set_result(event_id)


def _nudge(lane: inbox_service.Lane, event_ids: list[int]) -> None:
    """One queue message for the lane's new rows, unless one is outstanding: its actor lowers
    the lane's flag before it reads, then acts until the lane is empty, so it takes these rows
    too. Why: a message per group commit (hundreds a second under load) cost the worker a
    transaction and two statements each, most of them finding their rows already acted on."""
    key, token = inbox_service.lane_key(lane), inbox_service.nudge_token()
    if not broker.raise_flag(key, inbox_service.NUDGE_START, token):
        return
    try:
        broker.enqueue(inbox_service.PROCESS_BATCH_ACTOR, event_ids, lane=list(lane), token=token)
    except Exception:  # noqa: BLE001 - committed; the scheduler tick re-enqueues them
        broker.lower_flag(key, token)
        log.warning("enqueue_failed", event_ids=len(event_ids))


_writer = InboxWriter()


def submit(delivery: Delivery) -> concurrent.futures.Future[int | None]:
    return _writer.submit(delivery)
