"""One pass over the journal: per-step waits and services, per-visit totals.

Why it looks the way it does: a year of an office is ~500,000 visits and
3-4 million events, and it must be read in seconds. So the events are read
once, in journal order, by one flat loop that builds nothing per event; an
open visit is a small list dropped as soon as the visit ends. Each step,
when it ends, goes into ONE group keyed by everything a report splits by --
(service, calling counter, calling operator, day, hour it was queued) --
with one dictionary lookup; ``groups.py`` folds those few thousand groups
into roles, services, counters, operators, hours and days at the end.
Times stay ``datetime`` objects and durations stay ``timedelta`` objects:
parsing ISO text is cheap in C, but turning a time or a duration into
float seconds costs more than the rest of the step, so that conversion is
done at the end, in bulk. Hour and day buckets come from a per-minute
cache, so the time zone is consulted once per minute of activity.

Semantics are pinned in docs/reports.md (and docs/journal.md):
WAIT = queued (issue or transfer) -> first call; SERVICE = ``step.started``
(else the last call) -> finish or transfer; a no-show step has neither;
TOTAL = issue -> end of the last step (finish, no-show or cancel).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog
from queue_server.domain.events import DAY_OVER

from .rows import JournalFormatError, source

# event type -> small int, ordered roughly by frequency
_CALLED, _STARTED, _FINISHED, _ISSUED, _TRANSFERRED, _RECALLED, _NO_SHOW, _CANCELLED = range(8)
_C_OPENED, _C_CLOSED, _C_PAUSED, _C_RESUMED = range(8, 12)
CODES = {
    "step.called": _CALLED,
    "step.started": _STARTED,
    "step.finished": _FINISHED,
    "visit.issued": _ISSUED,
    "step.transferred": _TRANSFERRED,
    "step.recalled": _RECALLED,
    "step.no_show": _NO_SHOW,
    "visit.cancelled": _CANCELLED,
    "counter.opened": _C_OPENED,
    "counter.closed": _C_CLOSED,
    "counter.paused": _C_PAUSED,
    "counter.resumed": _C_RESUMED,
}
# how a step ended
FINISHED, TRANSFERRED, NO_SHOW, CANCELLED, OPEN = "finished", "transferred", "no_show", "cancelled", "open"
# a step group: [waits, services, steps without a wait, no_shows, recalls, open];
# its steps are len(waits) + the steps without a wait
G_WAITS, G_SERVICES, G_OTHER_STEPS, G_NO_SHOWS, G_RECALLS, G_OPEN = range(6)
# a counter clock: [open since, paused since, open time, paused time, end of that day]
K_OPEN, K_PAUSED, K_OPEN_T, K_PAUSED_T, K_DAY_END = range(5)
ZERO = timedelta(0)

# slots of an open visit (a list, for speed)
(V_ISSUED, V_DAY, V_STEP, V_SVC, V_QUEUED, V_FIRST, V_LAST, V_STARTED,
 V_CALL_CTR, V_CALL_OP, V_CTR, V_OP, V_QHOUR, V_RECALLS, V_ROLE0, V_MULTI) = range(16)


class Tally:
    """Everything the pass collects; ``groups.py`` folds it into figures."""

    def __init__(self, start: date, ndays: int) -> None:
        self.start = start
        self.ndays = ndays
        # (service, counter, operator, day, hour) -> [waits, services, counts...];
        # counter and operator are the ones who called (served, for services)
        self.groups: dict[tuple, list] = {}
        self.totals: list[list[timedelta]] = [[] for _ in range(ndays)]  # by day
        self.seconds_by_day: list = []  # the same in float seconds, filled by the caller
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


_CHANNEL = re.compile(r'"channel"\s*:\s*"([^"\\]*)"')
_PRIORITY = re.compile(r'"priority"\s*:\s*"([^"\\]*)"')
_parsed: dict[str, dict] = {}


def _data(data) -> dict:
    """The event's data as a dict; JSON text (as SQLite stores it) is parsed
    once per distinct text: finish and transfer data repeat a lot."""
    if data.__class__ is dict:
        return data
    if not data:
        return {}
    if isinstance(data, bytes):
        data = data.decode()
    if isinstance(data, str):
        parsed = _parsed.get(data)
        if parsed is None:
            try:
                parsed = json.loads(data)
            except ValueError as exc:
                raise JournalFormatError(f"unreadable event data {data!r}") from exc
            if not isinstance(parsed, dict):
                parsed = {}
            if len(_parsed) > 4096:
                _parsed.clear()
            _parsed[data] = parsed
        return parsed
    return dict(data)


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


def scan(events: Iterable, catalog: Catalog, start: date, end: date, tz: str) -> Tally:
    """Read the events once and tally the visits issued from ``start`` to ``end``.

    Only events whose time, cut by the office time zone ``tz``, falls in the
    inclusive period are read; a visit belongs to the period it was issued in,
    so events of visits issued earlier are skipped. Events must come in
    journal order (ascending ``seq``), which is also time order.
    """
    zone = ZoneInfo(tz)
    ndays = (end - start).days + 1
    if ndays < 1:
        raise ValueError("the period ends before it starts")
    # local midnights in UTC: day i runs from bounds[i] to bounds[i + 1]
    bounds = [datetime.combine(start + timedelta(days=i), time(), zone).astimezone(UTC)
              for i in range(ndays + 1)]
    t0, t1 = bounds[0], bounds[-1]
    T = Tally(start, ndays)
    role_of = {sid: svc.role for sid, svc in catalog.services.items()}
    groups, counter_clock, open_visits = T.groups, T.counter_clock, T.open_visits
    h_waiting_max, h_steps, h_arrivals = T.h_waiting_max, T.h_steps, T.h_arrivals
    waiting = 0  # tickets queued and not yet called, right now
    last_end = t0  # when the last step ended: the office's last activity
    bucket_cache: dict = {}
    last_key, last_bucket = None, 0
    start_ord = start.toordinal()

    def bucket(at, t: datetime) -> int:
        """day index * 24 + local hour, cached per minute (the first 16
        characters of UTC ISO text name its minute; events come in order,
        so the minute is most often the one asked last)."""
        nonlocal last_key, last_bucket
        key = at[:16] if at.__class__ is str and t.tzinfo is UTC else t.replace(
            second=0, microsecond=0)
        if key == last_key:
            return last_bucket
        dh = bucket_cache.get(key)
        if dh is None:
            local = t.astimezone(zone)
            dh = bucket_cache[key] = (local.toordinal() - start_ord) * 24 + local.hour
        last_key, last_bucket = key, dh
        return dh

    def group(key: tuple) -> list:
        g = groups[key] = [[], [], 0, 0, 0, 0]
        return g

    def close_step(v: list, t: datetime, how: str) -> None:
        nonlocal waiting, last_end
        ctr, op = v[V_CALL_CTR], v[V_CALL_OP]
        key = (v[V_SVC], ctr, op, v[V_DAY], v[V_QHOUR])
        g = groups.get(key) or group(key)
        if v[V_RECALLS]:
            g[G_RECALLS] += v[V_RECALLS]
        first = v[V_FIRST]
        if how is OPEN:
            g[G_OPEN] += 1
        else:
            last_end = t
        # a called step is counted by its wait; the others here
        if how is NO_SHOW:
            g[G_OTHER_STEPS] += 1
            g[G_NO_SHOWS] += 1
            if first is None:
                waiting -= 1
            return
        if first is None:
            g[G_OTHER_STEPS] += 1
            if how is not OPEN:
                waiting -= 1  # left the queue without being called
            return
        g[G_WAITS].append(first - v[V_QUEUED])
        if how is FINISHED or how is TRANSFERRED:
            began = v[V_STARTED] or v[V_LAST]
            if v[V_CTR] != ctr or v[V_OP] != op:  # served elsewhere than called
                key = (v[V_SVC], v[V_CTR], v[V_OP], v[V_DAY], v[V_QHOUR])
                g = groups.get(key) or group(key)
            g[G_SERVICES].append(t - began)

    def end_visit(v: list, t: datetime, visit: str) -> None:
        T.totals[v[V_DAY]].append(t - v[V_ISSUED])
        if v[V_MULTI]:
            T.multi_role += 1
        del open_visits[visit]

    def first_call(v: list, t: datetime, at, e) -> None:
        nonlocal waiting
        v[V_FIRST] = t
        v[V_CTR] = v[V_CALL_CTR] = e[k_counter]
        v[V_OP] = v[V_CALL_OP] = e[k_operator]
        h = bucket(at, t) % 24
        if waiting > h_waiting_max[h]:
            h_waiting_max[h] = waiting
        waiting -= 1

    def transfer(v: list, t: datetime, at, e) -> None:
        nonlocal waiting
        close_step(v, t, TRANSFERRED)
        T.transfers += 1
        to = _data(e[k_data]).get("to_service") or v[V_SVC]
        if role_of.get(to) != v[V_ROLE0]:
            v[V_MULTI] = True
        h = bucket(at, t) % 24
        step = e[k_step]
        v[V_STEP] = (step if step is not None else v[V_STEP]) + 1
        v[V_SVC] = to
        v[V_QUEUED] = t
        v[V_FIRST] = v[V_LAST] = v[V_STARTED] = None
        v[V_CALL_CTR] = v[V_CALL_OP] = v[V_CTR] = v[V_OP] = None
        v[V_QHOUR] = h
        v[V_RECALLS] = 0
        h_steps[h] += 1
        if waiting > h_waiting_max[h]:
            h_waiting_max[h] = waiting
        waiting += 1
        if waiting > h_waiting_max[h]:
            h_waiting_max[h] = waiting

    def stop_clock(clock: list, t: datetime) -> None:
        if clock[K_PAUSED] is not None:
            clock[K_PAUSED_T] += max(ZERO, t - clock[K_PAUSED])
            clock[K_PAUSED] = None
        if clock[K_OPEN] is not None:
            clock[K_OPEN_T] += max(ZERO, t - clock[K_OPEN])
            clock[K_OPEN] = None

    def counter_event(code: int, counter, t: datetime, at) -> None:
        """Open and paused time of a counter. A counter never closed is
        taken as closed at the office's last activity that day, so a
        forgotten close does not count the night."""
        if counter is None:
            return
        clock = counter_clock.get(counter)
        if clock is None:
            clock = counter_clock[counter] = [None, None, ZERO, ZERO, bounds[-1]]
        if code == _C_OPENED:
            if clock[K_OPEN] is not None:
                stop_clock(clock, min(clock[K_DAY_END], max(last_end, clock[K_OPEN])))
            clock[K_OPEN] = t
            clock[K_DAY_END] = bounds[bucket(at, t) // 24 + 1]
        elif code == _C_CLOSED:
            stop_clock(clock, t)
        elif code == _C_PAUSED:
            if clock[K_OPEN] is not None and clock[K_PAUSED] is None:
                clock[K_PAUSED] = t
        elif code == _C_RESUMED:
            if clock[K_PAUSED] is not None:
                clock[K_PAUSED_T] += t - clock[K_PAUSED]
                clock[K_PAUSED] = None

    rows, keys, parse = source(events)
    k_type, k_at, k_visit, k_step, k_service, k_counter, k_operator, k_data = keys
    get_visit = open_visits.get
    get_code = CODES.get
    visits_by_day = T.visits
    tickets, appeals = T.tickets, T.appeals
    tickets_get, appeals_get = tickets.get, appeals.get
    try:
        for e in rows:
            code = get_code(e[k_type])
            if code is None:
                continue  # device.* and anything newer than this engine
            at = e[k_at]
            t = parse(at)
            visit = e[k_visit]
            v = get_visit(visit)
            if v is None:
                if t < t0 or t >= t1:
                    continue
                if code != _ISSUED or visit is None:
                    if code >= _C_OPENED:
                        counter_event(code, e[k_counter], t, at)
                    continue
                day, h = divmod(bucket(at, t), 24)
                service = e[k_service]
                open_visits[visit] = [t, day, e[k_step] or 1, service, t, None, None, None,
                                      None, None, None, None, h, 0, role_of.get(service),
                                      False]
                visits_by_day[day] += 1
                h_arrivals[h] += 1
                h_steps[h] += 1
                if waiting > h_waiting_max[h]:
                    h_waiting_max[h] = waiting
                waiting += 1
                if waiting > h_waiting_max[h]:
                    h_waiting_max[h] = waiting
                d = e[k_data]
                ik = (d.get("channel"), d.get("priority")) if d.__class__ is dict \
                    else _issue_fields(d)
                tickets[ik] = tickets_get(ik, 0) + 1
                continue
            if t >= t1:
                continue  # an open visit's events after the period: it stays open
            step = e[k_step]
            if step != v[V_STEP] and step is not None:
                continue  # an event of an earlier step: nothing left to measure
            if code == _CALLED or code == _RECALLED:
                v[V_LAST] = t
                if v[V_FIRST] is None:
                    v[V_FIRST] = t
                    v[V_CTR] = v[V_CALL_CTR] = e[k_counter]
                    v[V_OP] = v[V_CALL_OP] = e[k_operator]
                    h = bucket(at, t) % 24
                    if waiting > h_waiting_max[h]:
                        h_waiting_max[h] = waiting
                    waiting -= 1
                else:
                    counter = e[k_counter]
                    if counter != v[V_CTR] and counter is not None:
                        v[V_CTR] = counter
                        v[V_OP] = e[k_operator]
                if code == _RECALLED:
                    v[V_RECALLS] += 1
            elif code == _STARTED:
                if v[V_STARTED] is None:
                    v[V_STARTED] = t
                    if v[V_FIRST] is None:  # started without a call: the wait ends here
                        first_call(v, t, at, e)
            elif code == _FINISHED:
                close_step(v, t, FINISHED)
                d = e[k_data]
                if d.__class__ is not dict:
                    d = _data(d)
                ak = (d.get("kind"), d.get("topic"), d.get("outcome"))
                appeals[ak] = appeals_get(ak, 0) + 1
                end_visit(v, t, visit)
            elif code == _TRANSFERRED:
                transfer(v, t, at, e)
            elif code == _NO_SHOW:
                close_step(v, t, NO_SHOW)
                T.no_shows[v[V_DAY]] += 1
                end_visit(v, t, visit)
            elif code == _CANCELLED:
                if _data(e[k_data]).get("reason") == DAY_OVER:
                    # cancelled by the office at midnight: off the queue, and open at close
                    if v[V_FIRST] is None:
                        waiting -= 1
                    continue
                close_step(v, t, CANCELLED)
                T.cancelled[v[V_DAY]] += 1
                end_visit(v, t, visit)
    except (TypeError, IndexError, AttributeError) as exc:
        raise JournalFormatError(f"unreadable journal row: {exc}") from exc
    except KeyError as exc:
        raise JournalFormatError(f"journal line without the key {exc}") from exc

    for v in open_visits.values():
        close_step(v, t1, OPEN)
        if v[V_MULTI]:
            T.multi_role += 1
    for clock in counter_clock.values():
        if clock[K_OPEN] is not None:
            stop_clock(clock, min(clock[K_DAY_END], max(last_end, clock[K_OPEN])))
    return T
