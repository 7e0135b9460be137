"""glibc's allocator in a worker process: few arenas, and freed memory handed back to the system.

A worker acts on batches of events whose payloads, rows and parsed models are large and short
lived. glibc keeps what Python frees in its heaps for reuse and only gives back the top of a
heap, so a process's resident memory settles at the high-water mark of everything it has done
(docs/benchmarks.md, "Soak"). Both knobs are glibc's own (mallopt(3), malloc_trim(3)); on
another allocator (musl, macOS) there is nothing to set and both are no-ops.
"""

from __future__ import annotations

import ctypes
import functools
import threading
import time
from collections.abc import Callable

M_ARENA_MAX = -8  # glibc's malloc.h
# how often a worker hands freed heap pages back at most: a trim walks the heaps under their
# locks (measured in a process of 190 MB: 8.9 ms just after a 100 MB batch was freed, 0.2 ms
# with nothing freed since), so twice a minute, not after every message
TRIM_EVERY_SECONDS = 30.0


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """Loaded once per process: a worker trims twice a minute for as long as it runs."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # musl, macOS: their own allocators
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def fewer_arenas(arenas: int) -> bool:
    """glibc gives each thread a malloc arena of its own (up to eight per core), and each keeps
    the high-water mark of the largest batch its thread acted on, so a worker's resident memory
    climbed in steps through the whole soak. A few arenas, as is usual for a multi-threaded
    Python service (WORKER_MALLOC_ARENAS), set in `ulak worker` before Dramatiq forks its workers
    from it. False where there is nothing to set."""
    libc = _libc()
    if arenas <= 0 or libc is None:
        return False
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> bool:
    """Hand every whole free page in glibc's heaps back to the system (malloc_trim(0)): what a
    batch freed in the middle of a heap, which glibc alone never returns. True if any was."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False


class Trimmer:
    """`maybe()` trims at most once per `every` seconds, whichever thread calls it: workers call
    it after each message, so an idle worker is not woken and a busy one trims twice a minute."""

    def __init__(
        self,
        every: float = TRIM_EVERY_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        action: Callable[[], bool] = trim,
    ) -> None:
        self.every = every
        self._clock = clock
        self._action = action
        self._lock = threading.Lock()
        self._last = clock()

    def maybe(self) -> bool:
        """Trim if the last trim is `every` seconds old; False if it was not time (or another
        thread is trimming now)."""
        if self._clock() - self._last < self.every or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._clock() - self._last < self.every:
                return False
            self._last = self._clock()
            self._action()
            return True
        finally:
            self._lock.release()
