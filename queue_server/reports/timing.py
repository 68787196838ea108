"""The reports' pass over the journal: the domain's one fold, tallied by report key.

Why it looks the way it does: a busy office day is thousands of events and a
year of history is 3-4 million, and a pass must cost little per event. The events are read once,
in journal order, by the domain's fold (``queue_server.domain.fold``: the one
definition of waits and services, shared with the dashboard and the office's
ETA), which builds nothing per event. Here each step, when it ends, goes into
ONE group keyed by everything a report splits by -- (service, calling counter,
calling operator, day, hour it was queued) -- with one dictionary lookup;
``groups.py`` folds those few thousand groups into roles, services, counters,
operators, hours and days at the end. Times stay ``datetime`` objects and
durations stay ``timedelta`` objects: parsing ISO text is cheap in C, but
turning a time or a duration into float seconds costs more than the rest of
the step, so that conversion is done at the end, in bulk. Hour and day buckets
come from a per-minute cache, so the time zone is consulted once per minute of
activity.

A pass tallies ONE office day (`scan`); a period is read day by day from one
stream (`scan_days`), and facts.py turns each day's tally into additive facts.

Semantics are pinned in docs/reports.md (and docs/journal.md):
WAIT = queued (issue or transfer) -> first call; SERVICE = ``step.started``
(else the last call) -> finish or transfer; a no-show step has neither;
TOTAL = issue -> end of the last step (finish, no-show or cancel).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog
from queue_server.domain.fold import (
    C_CLOSED,
    C_OPENED,
    C_PAUSED,
    C_RESUMED,
    CANCELLED,
    CORE_SLOTS,
    FINISHED,
    NO_SHOW,
    OPEN,
    V_CALL_CTR,
    V_CALL_OP,
    V_CTR,
    V_DUE,
    V_FIRST,
    V_ISSUED,
    V_OP,
    V_RECALLS,
    V_STEP,
    V_SVC,
    Fold,
    UnreadableEvent,
    data_of,
)

from .rows import JournalFormatError, source

# a step group: [waits, services, steps without a wait, no_shows, recalls, open];
# its steps are len(waits) + the steps without a wait
G_WAITS, G_SERVICES, G_OTHER_STEPS, G_NO_SHOWS, G_RECALLS, G_OPEN = range(6)
# a counter clock: [open since, paused since, open time, paused time, end of that day]
K_OPEN, K_PAUSED, K_OPEN_T, K_PAUSED_T, K_DAY_END = range(5)
ZERO = timedelta(0)

# the report's own slots of a visit's record, after the fold's: the day it was
# issued, the local hour its current step was queued, its first role, whether it
# has seen several roles
V_DAY, V_QHOUR, V_ROLE0, V_MULTI = range(CORE_SLOTS, CORE_SLOTS + 4)


class Tally:
    """Everything the pass collects; ``groups.py`` folds it into figures."""

    def __init__(self, start: date, ndays: int) -> None:
        self.start = start
        self.ndays = ndays
        # (service, counter, operator, day, hour) -> [waits, services, counts...];
        # counter and operator are the ones who called (served, for services)
        self.groups: dict[tuple, list] = {}
        self.totals: list[list[timedelta]] = [[] for _ in range(ndays)]  # by day
        self.extra: list[dict] = []  # ratings and appeals lines of the period (`_Pass.other`)
        self.visits = [0] * ndays
        self.no_shows = [0] * ndays
        self.cancelled = [0] * ndays
        self.multi_role = 0
        self.transfers = 0
        self.open_visits: dict[str, list] = {}
        self.counter_clock: dict[str, list] = {}
        self.tickets: dict[tuple, int] = {}  # (channel, priority) -> visits
        self.appeals: dict[tuple, int] = {}  # (kind, topic, outcome) -> finished visits
        self.h_arrivals = [0] * 24  # by local hour of day, summed over days
        self.h_steps = [0] * 24
        self.h_waiting_max = [0] * 24
        # booked visitors' first steps: the wait that counts for them (from the slot), and
        # how many were within their role's wait norm; the booking.* rows the pass met
        self.booked_waits: list[timedelta] = []
        self.booked_within = 0
        self.booking_rows: list = []


_CHANNEL = re.compile(r'"channel"\s*:\s*"([^"\\]*)"')
_PRIORITY = re.compile(r'"priority"\s*:\s*"([^"\\]*)"')


def _issue_fields(data) -> tuple[str | None, str | None]:
    """channel and priority of a ticket; JSON text is searched, not parsed,
    because every ticket's text differs (its number) and parsing costs."""
    if data.__class__ is dict:
        return data.get("channel"), data.get("priority")
    if not data:
        return None, None
    if isinstance(data, bytes):
        data = data.decode()
    if isinstance(data, str):
        ch, pr = _CHANNEL.search(data), _PRIORITY.search(data)
        return (ch.group(1) if ch else None), (pr.group(1) if pr else None)
    d = dict(data)
    return d.get("channel"), d.get("priority")



# the lines `_Pass.other` keeps, and the names it keeps their fields under
EXTRA_TYPES = frozenset({"visit.rated", "appeal.registered", "appeal.extended", "appeal.decided",
                         "appeal.closed", "appeal.slip_printed",
                         "device.down", "device.up", "admin.device_added", "admin.device_revoked"})
EXTRA_FIELDS = ("type", "at", "visit", "step", "service", "counter", "operator", "data")


class _Pass(Fold):
    """The fold's hooks, tallying into one Tally."""

    def __init__(self, T: Tally, catalog: Catalog, zone: ZoneInfo, bounds: list[datetime]) -> None:
        super().__init__(bounds[0], bounds[-1])
        self.T = T
        self.bounds = bounds
        self.open_visits = T.open_visits
        self.groups = T.groups
        self.h_waiting_max = T.h_waiting_max
        self.h_steps = T.h_steps
        self.role_of = {sid: svc.role for sid, svc in catalog.services.items()}
        self.wait_norm = {sid: timedelta(seconds=catalog.roles[svc.role].wait_norm_s)
                          for sid, svc in catalog.services.items() if svc.role in catalog.roles}
        self.waiting = 0  # tickets queued and not yet called, right now
        self.last_end = bounds[0]  # when the last step ended: the office's last activity
        self.bucket = _buckets(zone, T.start.toordinal())
        self.k_data = "data"

    def run(self, rows, keys, parse) -> None:
        self.k_data = keys[7]
        self.keys, self.parse = keys, parse
        super().run(rows, keys, parse)

    def other(self, e) -> None:
        """Events no visit follows. Ratings and the appeals registry: their lines in the period
        are kept as plain lines for their own sections (reports/feedback.py, appeal_figures.py);
        the booking.* lines as they come, for the bookings' counts (reports/bookings.py)."""
        keys = self.keys
        kind = e[keys[0]]
        if kind in EXTRA_TYPES:
            t = self.parse(e[keys[1]])
            if self.start <= t < self.end:
                line = {name: e[k] for name, k in zip(EXTRA_FIELDS, keys, strict=True)}
                line["at"], line["data"] = t, data_of(line["data"])
                self.T.extra.append(line)
        elif kind.__class__ is str and kind.startswith("booking."):
            self.T.booking_rows.append(e)

    def _group(self, key: tuple) -> list:
        g = self.groups[key] = [[], [], 0, 0, 0, 0]
        return g

    def _queued(self, h: int) -> None:
        """One more step waits, queued in local hour h: the hour's steps and the most waiting."""
        self.h_steps[h] += 1
        waiting, hw = self.waiting, self.h_waiting_max
        if waiting > hw[h]:
            hw[h] = waiting
        waiting += 1
        if waiting > hw[h]:
            hw[h] = waiting
        self.waiting = waiting

    # ---- the fold's hooks ------------------------------------------------------
    def issued(self, v, t, at, e) -> None:
        T = self.T
        day, h = divmod(self.bucket(at, t), 24)
        v += (day, h, self.role_of.get(v[V_SVC]), False)
        T.visits[day] += 1
        T.h_arrivals[h] += 1
        self._queued(h)
        d = e[self.k_data]
        ik = (d.get("channel"), d.get("priority")) if d.__class__ is dict else _issue_fields(d)
        T.tickets[ik] = T.tickets.get(ik, 0) + 1

    def first_call(self, v, t, at, e) -> None:
        h = self.bucket(at, t) % 24
        hw = self.h_waiting_max
        if self.waiting > hw[h]:
            hw[h] = self.waiting
        self.waiting -= 1

    def step_ended(self, v, t, how, wait, service) -> None:
        groups = self.groups
        ctr, op = v[V_CALL_CTR], v[V_CALL_OP]
        key = (v[V_SVC], ctr, op, v[V_DAY], v[V_QHOUR])
        g = groups.get(key) or self._group(key)
        if v[V_RECALLS]:
            g[G_RECALLS] += v[V_RECALLS]
        if how is OPEN:
            g[G_OPEN] += 1
        else:
            self.last_end = t
        # a called step is counted by its wait; the others here
        if wait is None:
            g[G_OTHER_STEPS] += 1
            if how is NO_SHOW:
                g[G_NO_SHOWS] += 1
            if v[V_FIRST] is None and how is not OPEN:
                self.waiting -= 1  # left the queue without being called
            return
        g[G_WAITS].append(wait)
        if v[V_DUE] is not None and v[V_STEP] == 1:
            T = self.T
            T.booked_waits.append(wait)
            norm = self.wait_norm.get(v[V_SVC])
            T.booked_within += norm is not None and wait <= norm
        if service is not None:
            if v[V_CTR] != ctr or v[V_OP] != op:  # served elsewhere than called
                key = (v[V_SVC], v[V_CTR], v[V_OP], v[V_DAY], v[V_QHOUR])
                g = groups.get(key) or self._group(key)
            g[G_SERVICES].append(service)

    def transferred(self, v, t, at, e, to) -> None:
        self.T.transfers += 1
        if self.role_of.get(to) != v[V_ROLE0]:
            v[V_MULTI] = True
        h = self.bucket(at, t) % 24
        v[V_QHOUR] = h
        self._queued(h)

    def visit_ended(self, v, t, how, e) -> None:
        T = self.T
        day = v[V_DAY]
        if how is FINISHED:
            d = e[self.k_data]
            if d.__class__ is not dict:
                d = data_of(d)
            ak = (d.get("kind"), d.get("topic"), d.get("outcome"))
            T.appeals[ak] = T.appeals.get(ak, 0) + 1
        elif how is NO_SHOW:
            T.no_shows[day] += 1
        elif how is CANCELLED:
            T.cancelled[day] += 1
        T.totals[day].append(t - v[V_ISSUED])
        if v[V_MULTI]:
            T.multi_role += 1

    def day_over(self, v) -> None:
        """Cancelled by the office at midnight: off the queue, and open at close."""
        if v[V_FIRST] is None:
            self.waiting -= 1
        return None

    def counter_event(self, code, counter, t, at) -> None:
        """Open and paused time of a counter. A counter never closed is
        taken as closed at the office's last activity that day, so a
        forgotten close does not count the night."""
        if counter is None:
            return
        clocks = self.T.counter_clock
        clock = clocks.get(counter)
        if clock is None:
            clock = clocks[counter] = [None, None, ZERO, ZERO, self.bounds[-1]]
        if code == C_OPENED:
            if clock[K_OPEN] is not None:
                _stop_clock(clock, min(clock[K_DAY_END], max(self.last_end, clock[K_OPEN])))
            clock[K_OPEN] = t
            clock[K_DAY_END] = self.bounds[self.bucket(at, t) // 24 + 1]
        elif code == C_CLOSED:
            _stop_clock(clock, t)
        elif code == C_PAUSED:
            if clock[K_OPEN] is not None and clock[K_PAUSED] is None:
                clock[K_PAUSED] = t
        elif code == C_RESUMED:
            if clock[K_PAUSED] is not None:
                clock[K_PAUSED_T] += t - clock[K_PAUSED]
                clock[K_PAUSED] = None


def _buckets(zone: ZoneInfo, start_ord: int):
    """bucket(at, t) -> day index * 24 + local hour, cached per minute (the first 16
    characters of UTC ISO text name its minute; events come in order, so the
    minute is most often the one asked last)."""
    cache: dict = {}
    last_key, last_bucket = None, 0

    def bucket(at, t: datetime) -> int:
        nonlocal last_key, last_bucket
        key = at[:16] if at.__class__ is str and t.tzinfo is UTC else t.replace(second=0, microsecond=0)
        if key == last_key:
            return last_bucket
        dh = cache.get(key)
        if dh is None:
            local = t.astimezone(zone)
            dh = cache[key] = (local.toordinal() - start_ord) * 24 + local.hour
        last_key, last_bucket = key, dh
        return dh
    return bucket


def _stop_clock(clock: list, t: datetime) -> None:
    if clock[K_PAUSED] is not None:
        clock[K_PAUSED_T] += max(ZERO, t - clock[K_PAUSED])
        clock[K_PAUSED] = None
    if clock[K_OPEN] is not None:
        clock[K_OPEN_T] += max(ZERO, t - clock[K_OPEN])
        clock[K_OPEN] = None


def scan(events: Iterable, catalog: Catalog, day: date, tz: str) -> Tally:
    """Read the events once and tally the visits issued on ``day`` (local, in ``tz``).

    Only events whose time, cut by the office time zone, falls in the day are
    read; a visit belongs to the day it was issued, so events of visits issued
    earlier are skipped, and what a visit does after its day's midnight is not
    read (it is open at close). Events must come in journal order (ascending
    ``seq``), which is also time order.
    """
    zone = ZoneInfo(tz)
    rows, keys, parse = source(events)
    return _scan_day(rows, keys, parse, catalog, day, zone, _bounds(day, 1, zone))


def scan_days(events: Iterable, catalog: Catalog, start: date, end: date, tz: str) -> list[Tally]:
    """A tally per day from ``start`` to ``end`` inclusive, from one stream read once.
    Each row goes to the pass of the day its time falls in, so each day is read as
    ``scan`` reads it alone (lines imported late, out of time order, included), and
    a period is exactly the sum of its days."""
    zone = ZoneInfo(tz)
    ndays = (end - start).days + 1
    if ndays < 1:
        raise ValueError("the period ends before it starts")
    bounds = _bounds(start, ndays, zone)
    rows, keys, parse = source(events)
    k_at = keys[1]
    passes: dict[int, _Pass] = {}
    last = [bounds[0], bounds[1], 0]  # the day asked last: rows come mostly in time order

    def day_of(row) -> int:
        t = parse(row[k_at])
        lo, hi, i = last
        if lo <= t < hi:
            return i
        i = bisect_right(bounds, t) - 1
        if 0 <= i < ndays:
            last[:] = bounds[i], bounds[i + 1], i
        return i

    try:
        for i, day_rows in groupby(rows, day_of):
            if 0 <= i < ndays:
                fold = passes.get(i)
                if fold is None:
                    day = start + timedelta(days=i)
                    fold = passes[i] = _Pass(Tally(day, 1), catalog, zone, bounds[i:i + 2])
                fold.run(day_rows, keys, parse)
    except UnreadableEvent as exc:
        raise JournalFormatError(str(exc)) from exc
    except (KeyError, IndexError, TypeError) as exc:  # reading a row's time to find its day
        raise JournalFormatError(f"unreadable journal row: {exc}") from exc
    out = []
    for i in range(ndays):
        fold = passes.pop(i, None)
        if fold is None:
            out.append(Tally(start + timedelta(days=i), 1))
        else:
            out.append(_finish(fold))
    return out


def _bounds(start: date, ndays: int, zone: ZoneInfo) -> list[datetime]:
    """Local midnights in UTC: day i runs from bounds[i] to bounds[i + 1]."""
    return [datetime.combine(start + timedelta(days=i), time(), zone).astimezone(UTC)
            for i in range(ndays + 1)]


def _scan_day(rows, keys, parse, catalog: Catalog, day: date, zone: ZoneInfo,
              bounds: list[datetime]) -> Tally:
    fold = _Pass(Tally(day, 1), catalog, zone, bounds)
    try:
        fold.run(rows, keys, parse)
    except UnreadableEvent as exc:
        raise JournalFormatError(str(exc)) from exc
    return _finish(fold)


def _finish(fold: _Pass) -> Tally:
    """The day is over: open steps end as open, counters left open close."""
    T = fold.T
    fold.close()
    for v in T.open_visits.values():
        if v[V_MULTI]:
            T.multi_role += 1
    for clock in T.counter_clock.values():
        if clock[K_OPEN] is not None:
            _stop_clock(clock, min(clock[K_DAY_END], max(fold.last_end, clock[K_OPEN])))
    return T
