"""A worker's threads share a few malloc arenas instead of one each (issue 21's soak: the
workers' resident memory climbed in steps for 30 minutes, each thread's arena keeping the
high-water mark of its largest batch). Counted from glibc's own `malloc_info` report in a
fresh process, with eight threads allocating at once as a worker's do."""

from __future__ import annotations

import subprocess
import sys

from plugin.cli import M_ARENA_MAX

PROBE = """
import ctypes, sys, threading
from plugin.cli import fewer_malloc_arenas
if sys.argv[1] != "0":
    assert fewer_malloc_arenas(int(sys.argv[1]))
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
