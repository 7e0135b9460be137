"""The soak's verdict counts the inbox backlog (issue 21): a run that ends with events still
waiting, or that let them pile up past 2,000, is not `passed`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.benchmarks.bench_soak import backlog_checks

pytestmark = pytest.mark.sqlite


def sample(t: float, pending: int, phase: str = "load") -> dict[str, Any]:
    return {"t": t, "phase": phase, "inbox_pending": {"saleor": pending, "whatsapp": 0}}


def test_a_run_that_stops_with_34556_events_waiting_does_not_pass() -> None:
    samples = [sample(10, 500), sample(600, 34_556), sample(610, 34_556, "drain")]
    checks = backlog_checks(samples, load_seconds=600)
    assert checks["inbox_backlog_max"] == 34_556
    assert not checks["inbox_backlog_under_2000"]
    assert not checks["inbox_empty_within_60s_of_the_load"]
    assert checks["inbox_empty_after_load_s"] is None


def test_a_run_that_keeps_up_and_empties_its_inbox_at_once_passes_the_backlog_checks() -> None:
    samples = [
        sample(10, 120),
        sample(590, 1_900),
        sample(610, 40, "drain"),
        sample(640, 0, "drain"),
    ]
    checks = backlog_checks(samples, load_seconds=600)
    assert checks["inbox_backlog_under_2000"]
    assert checks["inbox_empty_after_load_s"] == 40
    assert checks["inbox_empty_within_60s_of_the_load"]


def test_an_inbox_emptied_only_after_a_minute_fails() -> None:
    samples = [sample(10, 100), sample(620, 10, "drain"), sample(700, 0, "drain")]
    assert not backlog_checks(samples, load_seconds=600)["inbox_empty_within_60s_of_the_load"]
