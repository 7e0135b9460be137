"""A worker process collects cycles rarely and never rescans what start-up loaded (speedups)."""

from __future__ import annotations

import gc

from plugin import speedups


def test_a_booted_worker_freezes_start_up_objects_and_raises_the_young_threshold() -> None:
    before = gc.get_threshold()
    try:
        speedups.tune_gc_for_worker()
        assert gc.get_threshold() == speedups.WORKER_GC_THRESHOLD
        assert gc.get_freeze_count() > 10_000  # modules, mappers, settings: out of every pass
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
