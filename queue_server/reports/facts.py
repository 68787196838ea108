"""An office day's figures as additive facts: what every report is rendered from.

The journal's one pass (timing.py) tallies ONE office day; `from_tally` turns
that tally into `Facts`: plain tables keyed by what a report splits by, whose
figures add up (counts and sums) or take the larger (maxima). A period's facts
are the sum of its days' (`merge`), and a company's the sum of its offices'
(combos and counters keep their office in the key). So a period report is its
days' reports added up, whether the days come from the journal now or from the
facts stored when they closed (adapters/facts.py at the office, qcentral/facts.py
at the centre, both writing these same tables as rows: `rows()`).

Durations are whole microseconds (groups.py says why). In memory, a group keeps
its exact durations; stored, it keeps a histogram (`bin_of`): bins of a second
(centred on whole seconds) up to a minute, then 16 bins per doubling (each 4.4 %
wide), each bin with how many durations fell in it and their sum. A median or
90th percentile read from stored facts is the mean of the durations in the bin
where the exact one lies: within half a second of it below a minute, within 4.4 %
above (exact when the bin holds one distinct duration), and never above the
group's longest duration, which is stored exactly, as are every count, sum, mean
and share.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import repeat
from operator import floordiv

from .feedback import rating_counts
from .groups import US_PER_S, Combo, Figures
from .timing import K_OPEN_T, K_PAUSED_T, V_DAY, Tally

US = timedelta(microseconds=1)

# ---- histograms of durations ----------------------------------------------------------
FINE_UP_TO_S = 60  # whole seconds up to here
PER_DOUBLING = 16  # then this many bins per doubling of the duration
LONGEST_S = 2 * 86_400  # the last bin takes anything longer


def _edges() -> list[int]:
    """Upper edges (µs, inclusive) of the bins: bin b holds (edge[b-1], edge[b]]."""
    edges = [(s * US_PER_S) + US_PER_S // 2 for s in range(FINE_UP_TO_S + 1)]  # b s ± 0.5 s
    first = edges[-1]
    j = 1
    while edges[-1] < LONGEST_S * US_PER_S:
        edges.append(round(first * 2 ** (j / PER_DOUBLING)))
        j += 1
    return edges


EDGES = _edges()
LAST_BIN = len(EDGES)  # durations beyond the last edge


def bin_of(us: int) -> int:
    """The histogram bin of a duration (a small int: it is stored, and SQL adds bins up)."""
    return bisect_left(EDGES, us) if us > 0 else 0


def resolution_s(exact_s: float) -> float:
    """How far a percentile from stored facts may be from the exact one, in seconds: half
    a second below a minute, else the width of the bin (a bin's values' mean is reported)."""
    if exact_s <= FINE_UP_TO_S + 0.5:
        return 0.5
    return exact_s * (2 ** (1 / PER_DOUBLING) - 1)


# ---- the facts --------------------------------------------------------------------------
@dataclass
class Day:
    """One date's visit figures (of one office, or added over offices)."""

    visits: int = 0
    no_shows: int = 0
    cancelled: int = 0
    open: int = 0  # visits open when their day ended
    multi_role: int = 0  # visits through two or more roles
    transfers: int = 0
    total: Figures = field(default_factory=Figures)  # visit times of completed visits
    # booked visitors' first waits, from the later of check-in and the slot (within: their role's norm)
    booked: Figures = field(default_factory=Figures)

    def add(self, other: Day) -> None:
        self.visits += other.visits
        self.no_shows += other.no_shows
        self.cancelled += other.cancelled
        self.open += other.open
        self.multi_role += other.multi_role
        self.transfers += other.transfers
        self.total.add(other.total)
        self.booked.add(other.booked)


def _add_into(table: dict, key, values: list, maxima: tuple[int, ...] = ()) -> None:
    row = table.get(key)
    if row is None:
        table[key] = list(values)
        return
    for i, v in enumerate(values):
        if i in maxima:
            if v is not None and (row[i] is None or v > row[i]):
                row[i] = v
        else:
            row[i] += v


class Facts:
    """Additive figures of the days start .. start + ndays - 1 (see the module docstring)."""

    def __init__(self, start: date, ndays: int) -> None:
        self.start = start
        self.ndays = ndays
        self.days = [Day() for _ in range(ndays)]
        # (day index, role) -> [steps, wait n, wait sum, service n, service sum]
        self.day_roles: dict[tuple[int, str], list] = {}
        # (office, service, role, counter, operator) -> Combo
        self.combos: dict[tuple, Combo] = {}
        # (local hour, role or None) -> [wait n, sum, max, within, normed]
        self.hours: dict[tuple[int, str | None], list] = {}
        # local hour -> [tickets issued, steps queued, most waiting at once]
        self.flow: dict[int, list] = {}
        # ("ticket", channel, priority, None) / ("appeal", kind, topic, outcome) -> visits
        self.counts: dict[tuple, int] = {}
        # (office, counter) -> [open µs, paused µs]
        self.counters: dict[tuple, list] = {}

    def merge(self, other: Facts) -> Facts:
        """Add another office's or period's facts into these (their days must fall in ours)."""
        offset = (other.start - self.start).days
        if offset < 0 or offset + other.ndays > self.ndays:
            raise ValueError("the facts merged in fall outside the period")
        for i, day in enumerate(other.days):
            self.days[offset + i].add(day)
        for (d, role), row in other.day_roles.items():
            _add_into(self.day_roles, (offset + d, role), row)
        for key, combo in other.combos.items():
            mine = self.combos.get(key)
            if mine is None:
                mine = self.combos[key] = Combo()
            mine.add(combo)
        for key, row in other.hours.items():
            _add_into(self.hours, key, row, maxima=(2,))
        for key, row in other.flow.items():
            _add_into(self.flow, key, row, maxima=(2,))
        for key, n in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        for key, row in other.counters.items():
            _add_into(self.counters, key, row)
        return self


def _us(durations: list[timedelta]) -> list[int]:
    """Whole microseconds of many durations at C speed."""
    return list(map(floordiv, durations, repeat(US)))


def from_tally(T: Tally, catalog, office=None) -> Facts:
    """One office day's facts from the journal pass over that day (`timing.scan`)."""
    from .timing import G_NO_SHOWS, G_OPEN, G_OTHER_STEPS, G_RECALLS, G_SERVICES, G_WAITS

    F = Facts(T.start, 1)
    norms: dict = {}
    for sid, svc in catalog.services.items():
        role = catalog.roles.get(svc.role)
        norms[sid] = ((role.id, role.wait_norm_s * US_PER_S, role.service_norm_s * US_PER_S)
                      if role else (None, None, None))
    for (sid, ctr, op, _day, hour), g in T.groups.items():
        role, wnorm, snorm = norms.get(sid, (None, None, None))
        key = (office, sid, role, ctr, op)
        combo = F.combos.get(key)
        if combo is None:
            combo = F.combos[key] = Combo()
        steps = len(g[G_WAITS]) + g[G_OTHER_STEPS]
        combo.steps += steps
        combo.no_shows += g[G_NO_SHOWS]
        combo.recalls += g[G_RECALLS]
        combo.open += g[G_OPEN]
        waits, services = _us(g[G_WAITS]), _us(g[G_SERVICES])
        dr = None
        if role is not None:
            dr = F.day_roles.get((0, role))
            if dr is None:
                dr = F.day_roles[(0, role)] = [0, 0, 0, 0, 0]
            dr[0] += steps
        if waits:
            f = Figures()
            f.add_values(waits, wnorm)
            combo.wait.add(f)
            _add_into(F.hours, (hour, role), [f.n, f.total, f.top, f.within, f.normed], maxima=(2,))
            if dr is not None:
                dr[1] += f.n
                dr[2] += f.total
        if services:
            f = Figures()
            f.add_values(services, snorm)
            combo.service.add(f)
            if dr is not None:
                dr[3] += f.n
                dr[4] += f.total
    day = F.days[0]
    day.visits, day.no_shows, day.cancelled = T.visits[0], T.no_shows[0], T.cancelled[0]
    day.open = sum(1 for v in T.open_visits.values() if v[V_DAY] == 0)
    day.multi_role, day.transfers = T.multi_role, T.transfers
    day.total.add_values(_us(T.totals[0]), catalog.visit_norm_s * US_PER_S)
    booked = sorted(_us(T.booked_waits))
    if booked:  # judged against each one's own role's norm as the pass met it: all are judged
        day.booked.runs.append(booked)
        day.booked.add_sums(len(booked), sum(booked), booked[-1], T.booked_within, len(booked))
    F.counts.update(rating_counts(T.extra))
    for h in range(24):
        if T.h_arrivals[h] or T.h_steps[h] or T.h_waiting_max[h]:
            F.flow[h] = [T.h_arrivals[h], T.h_steps[h], T.h_waiting_max[h]]
    for (channel, priority), n in T.tickets.items():
        F.counts[("ticket", channel, priority, None)] = n
    for (kind, topic, outcome), n in T.appeals.items():
        F.counts[("appeal", kind, topic, outcome)] = n
    for cid, clock in T.counter_clock.items():
        F.counters[(office, cid)] = [clock[K_OPEN_T] // US, clock[K_PAUSED_T] // US]
    return F


# ---- as table rows (the stored facts) ---------------------------------------------------
# Each table: its key columns and its figure columns; a figure column named in MAXIMA is
# combined by max(), every other by sum(). Stored facts (both databases) are these rows
# with (office_id, unit, start) in front; docs/reports.md describes them.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fact_day": ((), ("visits", "no_shows", "cancelled", "open_at_close", "multi_role", "transfers",
                      "total_n", "total_sum", "total_max", "total_within", "total_normed",
                      "booked_n", "booked_sum", "booked_max", "booked_within", "booked_normed")),
    "fact_role": (("role",), ("steps", "wait_n", "wait_sum", "service_n", "service_sum")),
    "fact_combo": (("service", "role", "counter", "operator"),
                   ("steps", "no_shows", "recalls", "open",
                    "wait_n", "wait_sum", "wait_max", "wait_within", "wait_normed",
                    "service_n", "service_sum", "service_max", "service_within", "service_normed")),
    "fact_hour": (("hour", "role"), ("wait_n", "wait_sum", "wait_max", "wait_within", "wait_normed")),
    "fact_flow": (("hour",), ("arrivals", "steps", "waiting_max")),
    "fact_count": (("what", "a", "b", "c"), ("n",)),
    "fact_counter": (("counter",), ("open_us", "paused_us")),
    # the histograms of durations by the groups a report shows (dim: service, role, counter,
    # operator, visit), so no period regroups them (`group_rows`)
    "fact_hist_group": (("dim", "key", "metric", "bin"), ("n", "us")),
}
MAXIMA = frozenset({"total_max", "booked_max", "wait_max", "service_max", "waiting_max"})
# a histogram's metric: waits and services (of a service, role, counter or operator); the
# visit times, and booked visitors' waits from their slot (dim "visit", key "")
METRIC_WAIT, METRIC_SERVICE, METRIC_TOTAL, METRIC_BOOKED = "w", "s", "t", "b"
VISIT_METRICS = (METRIC_TOTAL, METRIC_BOOKED)


def _sums(f: Figures) -> list:
    return [f.n, f.total, f.top, f.within, f.normed]


def _histogram(f: Figures) -> dict[int, list[int]]:
    """{bin: [how many, their sum in µs]}: a bin's mean is what a percentile in it reads."""
    hist: dict[int, list[int]] = {}
    for run in f.runs:
        for us in run:
            b = bin_of(us)
            cell = hist.get(b)
            if cell is None:
                hist[b] = [1, us]
            else:
                cell[0] += 1
                cell[1] += us
    return hist


def group_rows(F: Facts) -> dict[tuple, list[int]]:
    """A day's histograms by group: {(dim, key, metric, bin): [how many, their sum µs]}. A
    combo's durations count in its service (its key "" if it has none), role, counter and
    operator (each only if it has one); the day's visit times and booked waits in "visit"."""
    out: dict[tuple, list[int]] = {}

    def add(dim: str, key: str, metric: str, hist: dict[int, list[int]]) -> None:
        for b, (n, us) in hist.items():
            cell = out.get((dim, key, metric, b))
            if cell is None:
                out[(dim, key, metric, b)] = [n, us]
            else:
                cell[0] += n
                cell[1] += us

    for (_office, sid, role, ctr, op), c in F.combos.items():
        for metric, f in ((METRIC_WAIT, c.wait), (METRIC_SERVICE, c.service)):
            hist = _histogram(f)
            add("service", sid or "", metric, hist)
            for dim, key in (("role", role), ("counter", ctr), ("operator", op)):
                if key is not None:
                    add(dim, key, metric, hist)
    day = F.days[0]
    for metric, f in ((METRIC_TOTAL, day.total), (METRIC_BOOKED, day.booked)):
        add("visit", "", metric, _histogram(f))
    return out


def rows(F: Facts) -> Iterator[tuple[str, int, tuple]]:
    """Each stored row of a ONE-office, ONE-day facts: (table, day index, key + figures)."""
    if F.ndays != 1:
        raise ValueError("facts are stored a day at a time")
    day = F.days[0]
    yield "fact_day", 0, (day.visits, day.no_shows, day.cancelled, day.open, day.multi_role,
                          day.transfers, *_sums(day.total), *_sums(day.booked))
    for (_d, role), row in F.day_roles.items():
        yield "fact_role", 0, (role, *row)
    for (_office, sid, role, ctr, op), c in F.combos.items():
        yield "fact_combo", 0, (sid, role, ctr, op, c.steps, c.no_shows, c.recalls, c.open,
                                *_sums(c.wait), *_sums(c.service))
    for key, (n, us) in sorted(group_rows(F).items()):
        yield "fact_hist_group", 0, (*key, n, us)
    for (hour, role), row in F.hours.items():
        yield "fact_hour", 0, (hour, role, *row)
    for hour, row in F.flow.items():
        yield "fact_flow", 0, (hour, *row)
    for key, n in F.counts.items():
        yield "fact_count", 0, (*key, n)
    for (_office, cid), row in F.counters.items():
        yield "fact_counter", 0, (cid, *row)
