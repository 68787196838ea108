"""Fold the pass's keyed duration arrays into the groups a report shows.

``timing.scan`` files every duration under one fine key (service, counter,
operator, day, hour). Here each key's array is summed, maxed and counted
against its own role's norm once, in C (``sum``, ``max``, ``map``), and the
arrays are concatenated per role, service, counter and operator only where
a median and a 90th percentile need the sorted values. So the per-step
Python work stays in the pass and the fold costs a few sorts.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from queue_server.domain.catalog import Catalog

from .timing import C_NO_SHOWS, C_OPEN, C_RECALLS, C_STEPS, Tally


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


def _within(arr: array, norm: float | None) -> tuple[int, int]:
    if norm is None:
        return 0, 0
    return sum(map(float(norm).__ge__, arr)), len(arr)


def fold(T: Tally, catalog: Catalog) -> Folded:
    """Group the pass's arrays by role, service, counter, operator, hour and day."""
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

    def day_role(day: int, role: str) -> list:
        k = (day, role)
        row = day_roles.get(k)
        if row is None:
            row = day_roles[k] = [0, 0, 0.0, 0, 0.0]
        return row

    for (sid, ctr, op, day, hour), arr in T.waits.items():
        wnorm = norms.get(sid, (None, None))[0]
        within, normed = _within(arr, wnorm)
        n, total, top = len(arr), sum(arr), max(arr)
        role = role_of.get(sid)
        targets = [group(services, sid if sid is not None else "")]
        if role is not None:
            targets.append(roles[role])
            hr = hour_roles.setdefault((hour, role), [0, 0.0])
            hr[0] += n
            hr[1] += total
            dr = day_role(day, role)
            dr[1] += n
            dr[2] += total
        if ctr is not None:
            targets.append(group(counters, ctr))
        if op is not None:
            targets.append(group(operators, op))
        for g in targets:
            g.wait.add(arr, within, normed)
        h = hours[hour]
        h[0] += n
        h[1] += total
        h[2] = max(h[2], top)
        h[3] += within
        h[4] += normed

    for (sid, ctr, op, day), arr in T.services.items():
        snorm = norms.get(sid, (None, None))[1]
        within, normed = _within(arr, snorm)
        role = role_of.get(sid)
        targets = [group(services, sid if sid is not None else "")]
        if role is not None:
            targets.append(roles[role])
            dr = day_role(day, role)
            dr[3] += len(arr)
            dr[4] += sum(arr)
        if ctr is not None:
            targets.append(group(counters, ctr))
            busy[ctr] = busy.get(ctr, 0.0) + sum(arr)
        if op is not None:
            targets.append(group(operators, op))
        for g in targets:
            g.service.add(arr, within, normed)

    for (sid, day, ctr, op), c in T.steps.items():
        role = role_of.get(sid)
        targets = [group(services, sid if sid is not None else "")]
        if role is not None:
            targets.append(roles[role])
            day_role(day, role)[0] += c[C_STEPS]
        for g in targets:
            g.steps += c[C_STEPS]
            g.no_shows += c[C_NO_SHOWS]
            g.recalls += c[C_RECALLS]
            g.open += c[C_OPEN]
        # a no-show is charged to the counter and operator who called in vain
        if ctr is not None and c[C_NO_SHOWS]:
            group(counters, ctr).no_shows += c[C_NO_SHOWS]
        if op is not None and c[C_NO_SHOWS]:
            group(operators, op).no_shows += c[C_NO_SHOWS]

    # a counter's or operator's steps are the steps it served
    for g in (*counters.values(), *operators.values()):
        g.steps = sum(len(p) for p in g.service.parts)
    return Folded(roles, services, counters, operators, busy, hours, hour_roles, day_roles)
