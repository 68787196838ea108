"""Fold the pass's step groups into the groups a report shows.

``timing.scan`` files every step under one fine key (service, counter,
operator, day, hour). Here each key's durations are turned into float
seconds once, in C (``map(timedelta.total_seconds, ...)`` into an
``array('d')``), summed, maxed and counted against their own role's norm,
and then handed to every group the key belongs to: its service, role,
counter and operator, its hour of the day and its day. Only the median and
the 90th percentile need the values themselves, sorted; ``stats.py`` does
that once per role, service, counter and operator.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import timedelta

from queue_server.domain.catalog import Catalog

from .timing import G_NO_SHOWS, G_OPEN, G_RECALLS, G_SERVICES, G_STEPS, G_WAITS, Tally

_seconds = timedelta.total_seconds


@dataclass
class Figures:
    """Durations of one group plus how many of them met their own norm."""

    parts: list = field(default_factory=list)
    within: int = 0
    normed: int = 0  # durations that had a norm (a service of a known role)

    def add(self, arr: array, within: int, normed: int) -> None:
        self.parts.append(arr)
        self.within += within
        self.normed += normed

    def values(self) -> array:
        if len(self.parts) == 1:
            return self.parts[0]
        out = array("d")
        for part in self.parts:
            out.extend(part)
        return out


@dataclass
class Group:
    wait: Figures = field(default_factory=Figures)
    service: Figures = field(default_factory=Figures)
    steps: int = 0
    no_shows: int = 0
    recalls: int = 0
    open: int = 0


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


def seconds(durations: list[timedelta]) -> array:
    """Float seconds of many durations at C speed."""
    return array("d", map(_seconds, durations))


def within_norm(values: array, norm: float | None) -> tuple[int, int]:
    """(how many values are <= norm, how many had a norm at all)."""
    if norm is None:
        return 0, 0
    return sum(map(float(norm).__ge__, values)), len(values)


def fold(T: Tally, catalog: Catalog) -> Folded:
    """Group the pass's steps by role, service, counter, operator, hour and day."""
    norms: dict[str | None, tuple] = {}
    role_of: dict[str | None, str | None] = {}
    for sid, svc in catalog.services.items():
        role = catalog.roles.get(svc.role)
        norms[sid] = (role.wait_norm_s, role.service_norm_s) if role else (None, None)
        role_of[sid] = role.id if role else None

    roles = {rid: Group() for rid in catalog.roles}
    services = {sid: Group() for sid in catalog.services}
    counters = {cid: Group() for cid in catalog.counters}
    operators: dict[str, Group] = {}
    busy: dict[str, float] = {}
    hours = [[0, 0.0, 0.0, 0, 0] for _ in range(24)]
    hour_roles: dict[tuple[int, str], list] = {}
    day_roles: dict[tuple[int, str], list] = {}

    def group(groups: dict, key) -> Group:
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group()
        return g

    for (sid, ctr, op, day, hour), g in T.groups.items():
        wnorm, snorm = norms.get(sid, (None, None))
        role = role_of.get(sid)
        targets = [group(services, sid if sid is not None else "")]
        if role is not None:
            targets.append(roles[role])
            dr = day_roles.get((day, role))
            if dr is None:
                dr = day_roles[(day, role)] = [0, 0, 0.0, 0, 0.0]
            dr[0] += g[G_STEPS]
        for target in targets:
            target.steps += g[G_STEPS]
            target.no_shows += g[G_NO_SHOWS]
            target.recalls += g[G_RECALLS]
            target.open += g[G_OPEN]
        # counters and operators: no-shows are charged to whoever called in vain
        people = []
        if ctr is not None:
            people.append(group(counters, ctr))
        if op is not None:
            people.append(group(operators, op))
        for target in people:
            target.no_shows += g[G_NO_SHOWS]
        targets += people

        if g[G_WAITS]:
            arr = seconds(g[G_WAITS])
            within, normed = within_norm(arr, wnorm)
            n, total = len(arr), sum(arr)
            for target in targets:
                target.wait.add(arr, within, normed)
            h = hours[hour]
            h[0] += n
            h[1] += total
            h[2] = max(h[2], max(arr))
            h[3] += within
            h[4] += normed
            if role is not None:
                hr = hour_roles.setdefault((hour, role), [0, 0.0])
                hr[0] += n
                hr[1] += total
                dr[1] += n
                dr[2] += total
        if g[G_SERVICES]:
            arr = seconds(g[G_SERVICES])
            within, normed = within_norm(arr, snorm)
            total = sum(arr)
            for target in targets:
                target.service.add(arr, within, normed)
            if ctr is not None:
                busy[ctr] = busy.get(ctr, 0.0) + total
            if role is not None:
                dr[3] += len(arr)
                dr[4] += total

    # a counter's or operator's steps are the steps it served
    for target in (*counters.values(), *operators.values()):
        target.steps = sum(len(p) for p in target.service.parts)
    return Folded(roles, services, counters, operators, busy, hours, hour_roles, day_roles)
