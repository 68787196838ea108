"""Summary figures of a set of durations: one method everywhere.

Percentiles use the nearest-rank method (the p-th percentile of n sorted
values is the value at rank ceil(p * n / 100), ranks counted from 1), and
the median is the 50th percentile by the same rule. Nearest-rank always
returns a duration that really happened, needs no interpolation to explain
to an office head, and is the same in every format and every test.
"""
from __future__ import annotations

from bisect import bisect_right
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


MAX_RUNS_TO_SELECT = 16  # beyond this, merging the runs is cheaper than selecting


def kth_of_runs(runs: Sequence[Sequence[float]], rank: int) -> float:
    """The rank-th smallest value (1-based) of several sorted runs, without merging.

    For each run, binary-search the first value with at least ``rank``
    values <= it over all runs; the smallest such value is the answer.
    Costs (runs x log n x runs) bisections instead of a sort of everything.
    """
    best = None
    for run in runs:
        lo, hi = 0, len(run)
        while lo < hi:
            mid = (lo + hi) // 2
            x = run[mid]
            if sum(bisect_right(other, x) for other in runs) >= rank:
                hi = mid
            else:
                lo = mid + 1
        if lo < len(run) and (best is None or run[lo] < best):
            best = run[lo]
    if best is None:
        raise ValueError("rank beyond the values")
    return best


def summarize_runs(runs: list[Sequence[float]], total: float, within: int, normed: int) -> dict:
    """summarize() of the union of sorted runs whose sum is ``total``."""
    runs = [run for run in runs if run]
    n = sum(len(run) for run in runs)
    if n == 0:
        return empty_summary()
    if len(runs) > MAX_RUNS_TO_SELECT:
        merged: list[float] = []
        for run in runs:
            merged.extend(run)
        runs = [sorted(merged)]
    if len(runs) == 1:
        xs = runs[0]
        median, p90 = nearest_rank(xs, 50), nearest_rank(xs, 90)
    else:
        median = kth_of_runs(runs, max(-(-50 * n // 100), 1))
        p90 = kth_of_runs(runs, max(-(-90 * n // 100), 1))
    return {
        "n": n,
        "mean_s": round(total / n, SECONDS_DECIMALS),
        "median_s": round(median, SECONDS_DECIMALS),
        "p90_s": round(p90, SECONDS_DECIMALS),
        "max_s": round(max(run[-1] for run in runs), SECONDS_DECIMALS),
        "within_norm_share": share(within, normed),
    }
