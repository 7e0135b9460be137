"""A worker's threads share a few malloc arenas instead of one each (issue 21's soak: the
workers' resident memory climbed in steps for 30 minutes, each thread's arena keeping the
high-water mark of its largest batch), and hands what it freed back to the system. Counted from
glibc's own `malloc_info` report and the kernel's RSS in fresh processes, with eight threads
allocating at once as a worker's do."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from plugin import malloc
from plugin.malloc import M_ARENA_MAX

PROBE = """
import ctypes, sys, threading
from plugin.malloc import fewer_arenas
if sys.argv[1] != "0":
    assert fewer_arenas(int(sys.argv[1]))
start = threading.Barrier(8)
def allocate():
    start.wait()
    kept = [bytearray(4096) for _ in range(2000)]
    start.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fdopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fflush.argtypes = [ctypes.c_void_p]
sys.stdout.flush()
out = libc.fdopen(1, b"w")
libc.malloc_info(0, out)
libc.fflush(out)
"""


def _arenas(setting: int) -> int:
    report = subprocess.run(
        [sys.executable, "-c", PROBE, str(setting)], capture_output=True, text=True, check=True
    ).stdout
    return report.count("<heap nr=")


def test_a_workers_eight_threads_share_two_malloc_arenas() -> None:
    assert M_ARENA_MAX == -8  # glibc's malloc.h
    # given glibc's default, eight threads allocating at once get arenas of their own
    assert _arenas(0) > 2
    # when a worker sets its arenas as `ulak worker` does (WORKER_MALLOC_ARENAS, default 2)
    # then they share two
    assert _arenas(2) <= 2


FREED = """
import sys
from plugin import malloc
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
batch = [bytearray(4096) for _ in range(50_000)]  # a large batch: 200 MB of glibc heap
pin = bytearray(4096)  # a later allocation holds the heap's top, as a running worker's do
del batch
freed = rss_mb()
trimmed = malloc.trim()
print(freed, rss_mb(), trimmed)
"""


def test_a_worker_hands_a_finished_batchs_memory_back_to_the_system() -> None:
    # given a process that freed a 200 MB batch below an allocation still alive
    out = subprocess.run(
        [sys.executable, "-c", FREED], capture_output=True, text=True, check=True
    ).stdout.split()
    freed, trimmed, any_returned = float(out[0]), float(out[1]), out[2] == "True"
    # then glibc alone kept it resident, and the trim gave it back
    assert freed > 200
    assert any_returned
    assert freed - trimmed > 150


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_busy_worker_trims_at_most_once_per_interval() -> None:
    # given a worker's trimmer that has just started
    clock, trims = _Clock(), list[float]()

    def trim() -> bool:
        trims.append(clock.now)
        return True

    trimmer = malloc.Trimmer(30, clock=clock, action=trim)
    # when messages finish every 10 s for two minutes
    done = []
    for _ in range(12):
        clock.now += 10
        done.append(trimmer.maybe())
    # then it trimmed every 30 s, not after every message
    assert trims == [1030.0, 1060.0, 1090.0, 1120.0]
    assert done.count(True) == 4


@pytest.mark.parametrize("arenas", [0, -1])
def test_no_arena_setting_leaves_glibcs_default(arenas: int) -> None:
    assert malloc.fewer_arenas(arenas) is False


WORKER = """
import dramatiq
import handlers.worker as worker
from handlers.worker import _GiveBackMemory
from plugin import malloc
given = [m for m in worker._broker.middleware if isinstance(m, _GiveBackMemory)]
trims = []
clock = [0.0]
for middleware in given:
    middleware.trimmer = malloc.Trimmer(
        clock=lambda: clock[0], action=lambda: trims.append(clock[0]) or True
    )
message = dramatiq.broker.MessageProxy(dramatiq.Message("default", "a", (), {}, {}))
for step in range(1, 7):
    clock[0] = step * 20.0
    worker._broker.emit_after("process_message", message, result=None)
print(len(given), trims)
"""


def test_ulak_worker_gives_freed_memory_back_after_its_messages() -> None:
    # given the process `ulak worker` starts (handlers.worker), with its trim clock stubbed
    env = {**os.environ, "ULAK_ENV": "test"}
    out = subprocess.run(
        [sys.executable, "-c", WORKER], capture_output=True, text=True, check=True, env=env
    ).stdout.split(maxsplit=1)
    # when its broker finishes a message every 20 s for two minutes
    # then one trim middleware is on the broker, and it trimmed every 30 s of those
    assert out[0] == "1"
    assert out[1].strip() == "[40.0, 80.0, 120.0]"
