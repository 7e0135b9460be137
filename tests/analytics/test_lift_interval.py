"""The holdout lift's 95 % interval: Newcombe's published values, its coverage on simulated
campaigns, its symmetries, and no interval while a group is empty or small."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from plugin.analytics.attribution import MIN_LIFT_GROUP, HoldoutLift
from plugin.analytics.stats import newcombe_interval

pytestmark = pytest.mark.sqlite


def lift(treated: int, treated_converted: int, holdout: int, holdout_converted: int) -> HoldoutLift:
    return HoldoutLift(
        campaign_id=1,
        started_at=datetime(2026, 3, 1),
        window_hours=72,
        recipients=treated,
        recipients_converted=treated_converted,
        holdout=holdout,
        holdout_converted=holdout_converted,
    )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ],
)
def test_the_interval_matches_newcombes_worked_examples(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10
    assert newcombe_interval(*counts) == pytest.approx(expected, abs=5e-5)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    p_treated=st.floats(0.05, 0.6),
    p_holdout=st.floats(0.05, 0.6),
    n_treated=st.integers(MIN_LIFT_GROUP, 400),
    n_holdout=st.integers(MIN_LIFT_GROUP, 400),
)
def test_the_interval_holds_the_true_lift_about_95_percent_of_the_time(
    p_treated: float, p_holdout: float, n_treated: int, n_holdout: int
) -> None:
    # given campaigns simulated from known conversion rates, with at least 5 expected
    # conversions per group (below that every interval is coarse: the counts are tiny)
    assume(min(p_treated * n_treated, p_holdout * n_holdout) >= 5)
    rng = random.Random(f"{p_treated}-{p_holdout}-{n_treated}-{n_holdout}")
    true_lift = p_treated - p_holdout
    runs, covered = 1500, 0
    for _ in range(runs):
        x_t = sum(rng.random() < p_treated for _ in range(n_treated))
        x_h = sum(rng.random() < p_holdout for _ in range(n_holdout))
        # when
        interval = lift(n_treated, x_t, n_holdout, x_h).interval
        # then
        assert interval is not None
        covered += interval[0] <= true_lift <= interval[1]
    # 95 % nominal; 1,500 runs put about ±1.1 points of noise around the real coverage
    assert 0.925 <= covered / runs <= 0.975


@given(
    n1=st.integers(1, 500),
    n2=st.integers(1, 500),
    data=st.data(),
)
def test_swapping_the_groups_or_counting_non_conversions_mirrors_the_interval(
    n1: int, n2: int, data: st.DataObject
) -> None:
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    low, high = newcombe_interval(x1, n1, x2, n2)
    # the difference lies inside, within [-1, 1]
    assert -1.0 <= low <= x1 / n1 - x2 / n2 <= high <= 1.0
    # swapping the groups negates the interval
    assert newcombe_interval(x2, n2, x1, n1) == pytest.approx((-high, -low), abs=1e-12)
    # counting who did not order negates it too
    assert newcombe_interval(n1 - x1, n1, n2 - x2, n2) == pytest.approx((-high, -low), abs=1e-12)
    # equal groups with equal counts: centred on zero
    same_low, same_high = newcombe_interval(x1, n1, x1, n1)
    assert same_low == pytest.approx(-same_high, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ((0, 0, 50, 5), "no_recipients"),
        ((50, 5, 0, 0), "no_holdout"),
        ((200, 40, MIN_LIFT_GROUP - 1, 2), "group_too_small"),
        ((MIN_LIFT_GROUP - 1, 4, 200, 10), "group_too_small"),
    ],
)
def test_an_empty_or_small_group_gives_figures_but_no_interval(
    counts: tuple[int, int, int, int], reason: str
) -> None:
    result = lift(*counts)
    assert result.not_enough_data == reason
    assert result.interval is None


def test_groups_of_the_minimum_size_get_an_interval() -> None:
    result = lift(MIN_LIFT_GROUP, 9, MIN_LIFT_GROUP, 3)
    assert result.not_enough_data is None
    assert result.interval == newcombe_interval(9, MIN_LIFT_GROUP, 3, MIN_LIFT_GROUP)
