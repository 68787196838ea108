"""Summary figures of a set of durations: one method everywhere.

Percentiles use the nearest-rank method (the p-th percentile of n sorted
values is the value at rank ceil(p * n / 100), ranks counted from 1), and
the median is the 50th percentile by the same rule. Nearest-rank always
returns a duration that really happened, needs no interpolation to explain
to an office head, and is the same in every format and every test.
"""
from __future__ import annotations

from collections.abc import Sequence

SECONDS_DECIMALS = 1  # durations are reported to a tenth of a second
SHARE_DECIMALS = 4  # shares are fractions 0..1 to four decimals


def nearest_rank(sorted_values: Sequence[float], p: int) -> float:
    """The p-th percentile (0 < p <= 100, integer) of already sorted values."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    rank = -(-p * n // 100)  # ceil(p * n / 100) in integer arithmetic
    return sorted_values[max(rank, 1) - 1]


def share(part: int, whole: int) -> float | None:
    """part/whole rounded, or None when there is nothing to divide."""
    if not whole:
        return None
    return round(part / whole, SHARE_DECIMALS)


def empty_summary() -> dict:
    return {
        "n": 0,
        "mean_s": None,
        "median_s": None,
        "p90_s": None,
        "max_s": None,
        "within_norm_share": None,
    }


def summarize(values: Sequence[float], within: int, normed: int,
              presorted: bool = False) -> dict:
    """mean/median/p90/max of durations and the share within their norms.

    ``within`` and ``normed`` are counted while streaming (each step against
    its own role's norm), so a counter that serves several roles still gets
    an honest share; ``normed`` excludes steps of services with no known role.
    """
    n = len(values)
    if n == 0:
        return empty_summary()
    xs = values if presorted else sorted(values)
    return {
        "n": n,
        "mean_s": round(sum(xs) / n, SECONDS_DECIMALS),
        "median_s": round(nearest_rank(xs, 50), SECONDS_DECIMALS),
        "p90_s": round(nearest_rank(xs, 90), SECONDS_DECIMALS),
        "max_s": round(xs[-1], SECONDS_DECIMALS),
        "within_norm_share": share(within, normed),
    }


def mean_or_none(total: float, n: int) -> float | None:
    return round(total / n, SECONDS_DECIMALS) if n else None
