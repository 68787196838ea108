"""Durations of a group, and the folding of a period's step groups into the groups a report shows.

A duration is kept as whole **microseconds** (an int) from the journal's pass
to the report's last line: sums of ints are exact in any order, so a mean is
the same whether it was added up from the journal in one pass, from a day's
facts, or by SQL over a year of stored facts (a float sum would differ in its
last bits with the order, and a tenth of a second can turn on those).
Seconds (to 0.1 s) appear only in the report itself.

`Figures` holds one group's durations: count, sum, maximum, how many met their
norm, and either the exact values as sorted runs (from the journal: one run
per day and combo) or the 50th and 90th percentiles a histogram gave (stored
facts, reports/facts.py). `fold` turns a period's combos -- (service, counter,
operator) and the role of the service -- into roles, services, counters and
operators. A role, service, counter or operator is a union of combos, so its
median is a selection across a few sorted runs (`stats.kth_of_runs`) instead of
a sort of everything again.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import chain

from .stats import MAX_RUNS_TO_SELECT, empty_summary, kth_of_runs, nearest_rank, share

US_PER_S = 1_000_000


def seconds(us: float | None) -> float | None:
    """Microseconds as seconds to 0.1 s (the report's unit), None stays None."""
    return None if us is None else round(us / US_PER_S, 1)


def mean_s(total_us: int, n: int) -> float | None:
    """A mean in seconds to 0.1 s: one correctly rounded division of two ints."""
    return round(total_us / (n * US_PER_S), 1) if n else None


class Figures:
    """One group's durations in µs (see the module docstring)."""

    __slots__ = ("runs", "n", "total", "top", "within", "normed", "ranked")

    def __init__(self) -> None:
        self.runs: list[list[int]] = []
        self.n = 0
        self.total = 0
        self.top: int | None = None
        self.within = 0
        self.normed = 0  # durations that had a norm (a service of a known role)
        self.ranked: tuple[float, float] | None = None  # (p50, p90) from a histogram

    def add_values(self, values: list[int], norm_us: int | None) -> None:
        """Exact durations of one combo and day; `norm_us` their norm (None: no role)."""
        if not values:
            return
        values.sort()
        self.runs.append(values)
        self.add_sums(len(values), sum(values), values[-1],
                      bisect_right(values, norm_us) if norm_us is not None else 0,
                      len(values) if norm_us is not None else 0)

    def add_sums(self, n: int, total: int, top: int | None, within: int, normed: int) -> None:
        if not n:
            return
        self.n += n
        self.total += total
        if self.top is None or (top is not None and top > self.top):
            self.top = top
        self.within += within
        self.normed += normed

    def add(self, other: Figures) -> None:
        self.runs.extend(other.runs)
        self.add_sums(other.n, other.total, other.top, other.within, other.normed)

    def sorted_values(self) -> list[int]:
        """All values in one sorted run (merging runs: near-linear for a sort)."""
        if len(self.runs) != 1:
            self.runs = [sorted(chain.from_iterable(self.runs))] if self.runs else []
        return self.runs[0] if self.runs else []

    def percentiles(self) -> tuple[float, float]:
        if self.ranked is not None:  # a histogram's bins: never above the longest duration
            top = self.top if self.top is not None else max(self.ranked)
            return min(self.ranked[0], top), min(self.ranked[1], top)
        runs = [r for r in self.runs if r]
        if len(runs) > MAX_RUNS_TO_SELECT:
            runs = [self.sorted_values()]
        if len(runs) == 1:
            return nearest_rank(runs[0], 50), nearest_rank(runs[0], 90)
        n = self.n
        return kth_of_runs(runs, max(-(-50 * n // 100), 1)), kth_of_runs(runs, max(-(-90 * n // 100), 1))

    def summary(self) -> dict:
        if not self.n:
            return empty_summary()
        p50, p90 = self.percentiles()
        return {
            "n": self.n,
            "mean_s": mean_s(self.total, self.n),
            "median_s": seconds(p50),
            "p90_s": seconds(p90),
            "max_s": seconds(self.top),
            "within_norm_share": share(self.within, self.normed),
        }


@dataclass
class Group:
    wait: Figures = field(default_factory=Figures)
    service: Figures = field(default_factory=Figures)
    steps: int = 0
    no_shows: int = 0
    recalls: int = 0
    open: int = 0


@dataclass
class Combo:
    """The steps of one (service, counter, operator) in a period: the counter and
    operator who called (waits, no-shows, counts) or who served (services)."""

    steps: int = 0
    no_shows: int = 0
    recalls: int = 0
    open: int = 0
    wait: Figures = field(default_factory=Figures)
    service: Figures = field(default_factory=Figures)

    def add(self, other: Combo) -> None:
        self.steps += other.steps
        self.no_shows += other.no_shows
        self.recalls += other.recalls
        self.open += other.open
        self.wait.add(other.wait)
        self.service.add(other.service)


@dataclass
class Folded:
    roles: dict[str, Group]
    services: dict[str, Group]
    counters: dict[tuple, Group]  # (office, counter): office None in an office's own report
    operators: dict[tuple, Group]  # (office, operator)
    counter_busy: dict[tuple, int]  # µs of service at each counter


def fold(combos: dict[tuple, Combo], role_ids, service_ids, counter_keys) -> Folded:
    """Roles, services, counters and operators of a period's combos.

    `combos` are keyed (office, service, role, counter, operator); the role is the
    service's when the facts were made. Every id given is listed even without steps.
    """
    roles = {rid: Group() for rid in role_ids}
    services = {sid: Group() for sid in service_ids}
    counters = {key: Group() for key in counter_keys}
    operators: dict[tuple, Group] = {}
    busy: dict[tuple, int] = {}

    def group(groups: dict, key) -> Group:
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group()
        return g

    for (office, sid, role, ctr, op), combo in combos.items():
        targets = [group(services, sid if sid is not None else "")]
        if role is not None:
            targets.append(group(roles, role))
        for target in targets:
            target.steps += combo.steps
            target.recalls += combo.recalls
            target.open += combo.open
        if len(combo.wait.runs) > 1:  # one sorted run per combo: the groups select across them
            combo.wait.sorted_values()
        if len(combo.service.runs) > 1:
            combo.service.sorted_values()
        people = []
        if ctr is not None:
            people.append(group(counters, (office, ctr)))
            busy[(office, ctr)] = busy.get((office, ctr), 0) + combo.service.total
        if op is not None:
            people.append(group(operators, (office, op)))
        for target in targets + people:
            target.no_shows += combo.no_shows  # charged to whoever called in vain
            target.wait.add(combo.wait)
            target.service.add(combo.service)
    # a counter's or operator's steps are the steps it served
    for target in (*counters.values(), *operators.values()):
        target.steps = target.service.n
    return Folded(_known_first(roles, role_ids), _known_first(services, service_ids),
                  _known_first(counters, counter_keys), operators, busy)


def _known_first(groups: dict, known) -> dict:
    """The catalog's entries in its order, then those it does not know, sorted (the same
    order however the steps were read)."""
    known = list(known)
    listed = set(known)
    extra = sorted((k for k in groups if k not in listed),
                   key=lambda k: tuple(map(str, k)) if isinstance(k, tuple) else (str(k),))
    return {k: groups[k] for k in known + extra}
