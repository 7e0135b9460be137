"""Confidence intervals for conversion rates and for the difference of two of them.

Holdout lift uses Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for
the difference between independent proportions", method 10), built from each group's Wilson
score interval. Unlike the Wald interval it stays inside [-1, 1], is not zero-width when a
group has no conversion (or only conversions), and keeps close to its 95 % coverage on the
small groups a store's holdout often is.
"""

from __future__ import annotations

import math

Z_95 = 1.959963984540054  # two-sided 95 %: the 0.975 quantile of the standard normal


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for successes / n (n > 0)."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("need 0 <= successes <= n and n > 0")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe hybrid score interval for p1 - p2, with p1 = x1 / n1 and p2 = x2 / n2."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)
