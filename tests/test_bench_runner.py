"""`make bench` judges a target on the median of its runs, never on the best one, and a run
that never reached a figure counts against it."""

from __future__ import annotations

import pytest

from tests.benchmarks.run import judge, summarise

pytestmark = pytest.mark.sqlite

TARGET = {"batched.per_second_with_statuses": (">=", 1000.0)}


def _run(rate: float | None) -> dict[str, object]:
    return {"batched": {"per_second_with_statuses": rate, "rss_mb": [[1.0, 200.0]]}}


def test_one_lucky_run_does_not_meet_a_target() -> None:
    summary = summarise([_run(1137), _run(930), _run(915)])
    assert summary["batched.per_second_with_statuses"] == {
        "median": 930.0,
        "min": 915.0,
        "max": 1137.0,
        "runs": 3,
    }
    assert judge(TARGET, summary, 3) == (
        False,
        ["batched.per_second_with_statuses: median 930.0 (target >= 1000.0)"],
    )


def test_the_median_meets_it_when_two_of_three_runs_do() -> None:
    assert judge(TARGET, summarise([_run(1050), _run(980), _run(1200)]), 3) == (True, [])


def test_a_run_that_never_finished_fails_the_target_whatever_the_others_say() -> None:
    summary = summarise([_run(None), _run(1200), _run(1300)])
    assert judge(TARGET, summary, 3) == (
        False,
        ["batched.per_second_with_statuses: only in 2 of 3 runs"],
    )
