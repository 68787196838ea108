"""Fold the pass's step groups into the groups a report shows.

``timing.scan`` files every step under one fine key (service, counter,
operator, day, hour). Here each key's durations become float seconds once,
in C (``map(timedelta.total_seconds, ...)``); the
hour and day figures are sums and counts taken right there. For medians
and 90th percentiles the durations are gathered per (service, counter,
operator) -- a "combo", of which an office has a few dozen -- and each
combo is sorted once. A role, service, counter or operator is a union of
combos, so its sorted values are a merge of a few sorted runs, which
Python's sort does in near-linear time. Sorting every group from scratch
cost three times as much on a year of visits.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import timedelta

from queue_server.domain.catalog import Catalog

from .stats import summarize_runs
from .timing import G_NO_SHOWS, G_OPEN, G_OTHER_STEPS, G_RECALLS, G_SERVICES, G_WAITS, Tally

_seconds = timedelta.total_seconds


def seconds(durations: list[timedelta]) -> list[float]:
    """Float seconds of many durations at C speed (a list: an array would check
    every item's type on the way in, which costs more than the conversion)."""
    return list(map(_seconds, durations))


def within_norm(values: list[float], norm: float | None) -> tuple[int, int]:
    """(how many values are <= norm, how many had a norm at all)."""
    if norm is None:
        return 0, 0
    return sum(map(float(norm).__ge__, values)), len(values)


@dataclass
class Figures:
    """Sorted runs of one group's durations, their sum, and how many met their norm."""

    parts: list[list[float]] = field(default_factory=list)
    total: float = 0.0
    within: int = 0
    normed: int = 0  # durations that had a norm (a service of a known role)

    def add(self, run: list[float], total: float, within: int, normed: int) -> None:
        if run:
            self.parts.append(run)
        self.total += total
        self.within += within
        self.normed += normed

    def summary(self) -> dict:
        return summarize_runs(self.parts, self.total, self.within, self.normed)


@dataclass
class Group:
    wait: Figures = field(default_factory=Figures)
    service: Figures = field(default_factory=Figures)
    steps: int = 0
    no_shows: int = 0
    recalls: int = 0
    open: int = 0
    served: int = 0  # steps with a service duration


@dataclass
class Folded:
    roles: dict[str, Group]
    services: dict[str, Group]
    counters: dict[str, Group]
    operators: dict[str, Group]
    counter_busy_s: dict[str, float]
    # by local hour: [n, sum, max, within, normed]; by (hour, role): [n, sum]
    hours: list[list]
    hour_roles: dict[tuple[int, str], list]
    # by (day, role): [steps, wait n, wait sum, service n, service sum]
    day_roles: dict[tuple[int, str], list]


class _Combo:
    __slots__ = ("waits", "services", "counts")

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.services: list[float] = []
        self.counts = [0, 0, 0, 0]  # steps, no_shows, recalls, open


def fold(T: Tally, catalog: Catalog) -> Folded:
    """Group the pass's steps by role, service, counter, operator, hour and day."""
    norms: dict[str | None, tuple] = {}
    role_of: dict[str | None, str | None] = {}
    for sid, svc in catalog.services.items():
        role = catalog.roles.get(svc.role)
        norms[sid] = (role.wait_norm_s, role.service_norm_s) if role else (None, None)
        role_of[sid] = role.id if role else None

    hours = [[0, 0.0, 0.0, 0, 0] for _ in range(24)]
    hour_roles: dict[tuple[int, str], list] = {}
    day_roles: dict[tuple[int, str], list] = {}
    combos: dict[tuple, _Combo] = {}
    for (sid, ctr, op, day, hour), g in T.groups.items():
        combo = combos.get((sid, ctr, op))
        if combo is None:
            combo = combos[(sid, ctr, op)] = _Combo()
        counts = combo.counts
        steps = len(g[G_WAITS]) + g[G_OTHER_STEPS]
        counts[0] += steps
        counts[1] += g[G_NO_SHOWS]
        counts[2] += g[G_RECALLS]
        counts[3] += g[G_OPEN]
        role = role_of.get(sid)
        dr = None
        if role is not None:
            dr = day_roles.get((day, role))
            if dr is None:
                dr = day_roles[(day, role)] = [0, 0, 0.0, 0, 0.0]
            dr[0] += steps
        if g[G_WAITS]:
            arr = seconds(g[G_WAITS])
            combo.waits.extend(arr)
            n, total = len(arr), sum(arr)
            within, normed = within_norm(arr, norms.get(sid, (None, None))[0])
            h = hours[hour]
            h[0] += n
            h[1] += total
            h[2] = max(h[2], max(arr))
            h[3] += within
            h[4] += normed
            if dr is not None:
                hr = hour_roles.setdefault((hour, role), [0, 0.0])
                hr[0] += n
                hr[1] += total
                dr[1] += n
                dr[2] += total
        if g[G_SERVICES]:
            arr = seconds(g[G_SERVICES])
            combo.services.extend(arr)
            if dr is not None:
                dr[3] += len(arr)
                dr[4] += sum(arr)

    roles = {rid: Group() for rid in catalog.roles}
    services = {sid: Group() for sid in catalog.services}
    counters = {cid: Group() for cid in catalog.counters}
    operators: dict[str, Group] = {}
    busy: dict[str, float] = {}

    def group(groups: dict, key) -> Group:
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group()
        return g

    for (sid, ctr, op), combo in combos.items():
        wnorm, snorm = norms.get(sid, (None, None))
        waits, servs = sorted(combo.waits), sorted(combo.services)
        w_sum, s_sum = sum(waits), sum(servs)
        # one norm per combo (one service), so counting is a binary search
        w_in = bisect_right(waits, wnorm) if wnorm is not None else 0
        s_in = bisect_right(servs, snorm) if snorm is not None else 0
        w_nn = len(waits) if wnorm is not None else 0
        s_nn = len(servs) if snorm is not None else 0
        targets = [group(services, sid if sid is not None else "")]
        role = role_of.get(sid)
        if role is not None:
            targets.append(roles[role])
        people = []
        if ctr is not None:
            people.append(group(counters, ctr))
            busy[ctr] = busy.get(ctr, 0.0) + s_sum
        if op is not None:
            people.append(group(operators, op))
        steps, no_shows, recalls, still_open = combo.counts
        for target in targets:
            target.steps += steps
            target.recalls += recalls
            target.open += still_open
        for target in targets + people:
            target.no_shows += no_shows  # charged to whoever called in vain
            target.served += len(servs)
            target.wait.add(waits, w_sum, w_in, w_nn)
            target.service.add(servs, s_sum, s_in, s_nn)
    # a counter's or operator's steps are the steps it served
    for target in (*counters.values(), *operators.values()):
        target.steps = target.served
    return Folded(roles, services, counters, operators, busy, hours, hour_roles, day_roles)
