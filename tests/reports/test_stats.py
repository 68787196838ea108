"""The percentile method, and selection across sorted runs agreeing with a full sort."""
from __future__ import annotations

import random
from array import array

import pytest

from queue_server.reports.stats import (
    MAX_RUNS_TO_SELECT,
    empty_summary,
    kth_of_runs,
    nearest_rank,
    summarize,
    summarize_runs,
)


@pytest.mark.parametrize("values, p, expected", [
    ([5.0], 50, 5.0), ([5.0], 90, 5.0),
    ([1.0, 2.0], 50, 1.0), ([1.0, 2.0], 90, 2.0),  # ranks ceil(1)=1, ceil(1.8)=2
    ([1.0, 2.0, 3.0, 4.0], 50, 2.0), ([1.0, 2.0, 3.0, 4.0], 90, 4.0),
    (list(map(float, range(1, 11))), 90, 9.0), (list(map(float, range(1, 21))), 90, 18.0),
])
def test_nearest_rank(values, p, expected):
    assert nearest_rank(values, p) == expected


def test_summaries_of_nothing_are_null():
    assert summarize([], 0, 0) == empty_summary()
    assert summarize_runs([array("d")], 0.0, 0, 0) == empty_summary()


@pytest.mark.parametrize("runs_count", [1, 2, 3, 7, MAX_RUNS_TO_SELECT + 5])
def test_selection_across_runs_equals_a_full_sort(runs_count):
    rng = random.Random(runs_count)
    for _ in range(30):
        runs = [array("d", sorted(round(rng.expovariate(1 / 300), 1)
                                  for _ in range(rng.randint(0, 40))))
                for _ in range(runs_count)]
        everything = sorted(x for run in runs for x in run)
        if not everything:
            continue
        for rank in {1, len(everything), (len(everything) + 1) // 2, rng.randint(1, len(everything))}:
            if runs_count <= MAX_RUNS_TO_SELECT:
                assert kth_of_runs([r for r in runs if r], rank) == everything[rank - 1]
        total = sum(everything)
        got = summarize_runs(runs, total, 3, len(everything))
        assert got == summarize(everything, 3, len(everything))


def test_duplicates_across_runs():
    runs = [array("d", [1, 2, 2, 2]), array("d", [2, 2, 3])]
    assert [kth_of_runs(runs, r) for r in range(1, 8)] == [1, 2, 2, 2, 2, 2, 3]
