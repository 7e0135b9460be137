"""The soak's verdict counts the inbox backlog (issue 21): a run that ends with events still
waiting, or that let them pile up past 2,000, is not `passed`. Its memory figures tell a step
between the campaign's phases from a creep, without loosening the verdict's fit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.benchmarks.bench_soak import backlog_checks, memory_figures

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


def rss_samples(mb: dict[str, Any]) -> list[dict[str, Any]]:
    """A 30-minute run sampled every 10 s; `mb[name](t)` is that process's RSS at t."""
    return [{"t": float(t), "rss_mb": {n: f(t) for n, f in mb.items()}} for t in range(0, 1801, 10)]


def test_a_worker_that_steps_up_when_the_campaign_ends_is_flat_within_each_phase() -> None:
    # given worker-all, held by paced sends until 1,260 s, then acting on events at the other
    # worker's level (the soak, session 20), and a worker that creeps while the campaign sends
    samples = rss_samples(
        {
            "worker-all": lambda t: 210.0 if t <= 1260 else 228.0,
            "worker-creeping": lambda t: 200.0 + t / 100 if t <= 1260 else 212.6,
        }
    )
    memory = memory_figures(samples, load_seconds=1800, campaign_done=1260)
    step, creep = memory["worker-all"], memory["worker-creeping"]
    # then the verdict's whole-run fit still counts the step: not flat
    assert step["slope_mb_per_10_min"] > 1 and not step["flat"]
    # and the phases show it as a step: flat before, flat after, 18 MB apart
    assert step["while_sending"]["slope_mb_per_10_min"] == 0
    assert step["after_sending"]["slope_mb_per_10_min"] == 0
    assert (step["while_sending"]["mean_mb"], step["after_sending"]["mean_mb"]) == (210.0, 228.0)
    assert step["after_sending"]["samples"] == 49  # from a minute after the campaign's end
    # while a creep shows in the phase it happened in: 6 MB per 10 minutes
    assert creep["while_sending"]["slope_mb_per_10_min"] == 6.0
    assert creep["after_sending"]["slope_mb_per_10_min"] == 0


def test_without_a_finished_campaign_there_are_no_phases() -> None:
    memory = memory_figures(rss_samples({"serve": lambda t: 400.0}), load_seconds=1800)
    assert memory["serve"]["flat"]
    assert memory["serve"]["while_sending"] == {
        "samples": 0,
        "mean_mb": None,
        "slope_mb_per_10_min": None,
    }
