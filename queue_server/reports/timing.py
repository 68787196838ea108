"""One pass over the journal: per-step waits and services, per-visit totals.

Why it looks the way it does: a year of an office is ~500,000 visits and
3-4 million events, and it must be read in seconds. So the events are read
once, in journal order, by one flat loop that makes no object per event; an
open visit is a small list dropped as soon as the visit ends. Each finished
duration is appended to exactly one ``array('d')``, keyed by everything a
report groups by -- (service, counter, operator, day, hour) for waits,
(service, counter, operator, day) for services -- and ``groups.py`` folds
those few thousand arrays into roles, services, counters, operators, hours
and days at the end. Times stay ``datetime`` objects (parsing ISO text is
cheap, turning it into seconds is not) and are subtracted only twice per
step. Hour and day buckets come from a per-minute cache, so the time zone is
consulted once per minute of activity, not once per event.

Semantics are pinned in docs/reports.md (and docs/journal.md):
WAIT = queued (issue or transfer) -> first call; SERVICE = ``step.started``
(else the last call) -> finish or transfer; a no-show step has neither;
TOTAL = issue -> end of the last step (finish, no-show or cancel).
"""
from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog

from .rows import JournalFormatError, as_rows

UTC = UTC
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
# step counters kept per (service, day, calling counter, calling operator)
C_STEPS, C_NO_SHOWS, C_RECALLS, C_OPEN = range(4)
# counter clock: [open since, paused since, open seconds, paused seconds, last activity]
K_OPEN, K_PAUSED, K_OPEN_S, K_PAUSED_S, K_LAST = range(5)

# slots of an open visit (a list, for speed)
(V_ISSUED, V_DAY, V_STEP, V_SVC, V_QUEUED, V_FIRST, V_LAST, V_STARTED,
 V_CALL_CTR, V_CALL_OP, V_CTR, V_OP, V_QHOUR, V_RECALLS, V_ROLE0, V_MULTI) = range(16)


class Tally:
    """Everything the pass collects; ``groups.py`` folds it into figures."""

    def __init__(self, start: date, ndays: int) -> None:
        self.start = start
        self.ndays = ndays
        # (service, counter, operator, day, hour) -> waits in seconds
        self.waits: dict[tuple, array] = {}
        # (service, counter, operator, day) -> services in seconds
        self.services: dict[tuple, array] = {}
        # (service, day, counter, operator) -> [steps, no_shows, recalls, open]
        self.steps: dict[tuple, list[int]] = {}
        self.totals = [array("d") for _ in range(ndays)]  # visit totals by day
        self.visits = [0] * ndays
        self.no_shows = [0] * ndays
        self.cancelled = [0] * ndays
        self.multi_role = 0
        self.transfers = 0
        self.open_visits: dict[str, list] = {}
        self.counter_clock: dict[str, list] = {}
        self.by_channel: dict[str, int] = {}
        self.by_priority: dict[str, int] = {}
        self.by_kind: dict[str, int] = {}
        self.by_topic: dict[str, int] = {}
        self.by_outcome: dict[str, int] = {}
        self.h_arrivals = [0] * 24  # by local hour of day, summed over days
        self.h_steps = [0] * 24
        self.h_waiting_max = [0] * 24


def _data(data) -> dict:
    if data.__class__ is dict:
        return data
    if not data:
        return {}
    if isinstance(data, str | bytes):
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise JournalFormatError(f"unreadable event data {data!r}") from exc
        return parsed if isinstance(parsed, dict) else {}
    return dict(data)


def _as_datetime(at) -> datetime:
    """The slow path for ``at`` that is not ISO text: datetime or epoch seconds."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise JournalFormatError(f"time without a zone: {at!r}")
        return at
    if isinstance(at, int | float):
        return datetime.fromtimestamp(at, UTC)
    raise JournalFormatError(f"unreadable time {at!r}")


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
    t0 = datetime.combine(start, time(), zone).astimezone(UTC)
    t1 = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    T = Tally(start, ndays)
    role_of = {sid: svc.role for sid, svc in catalog.services.items()}
    step_counts, waits, service_groups = T.steps, T.waits, T.services
    counter_clock = T.counter_clock
    h_waiting_max = T.h_waiting_max
    waiting = 0  # tickets queued and not yet called, right now

    bucket_cache: dict = {}
    start_ord = start.toordinal()

    def bucket(key, t: datetime) -> int:
        """day index * 24 + local hour of the minute of ``t``."""
        local = t.astimezone(zone)
        value = (local.toordinal() - start_ord) * 24 + local.hour
        bucket_cache[key] = value
        return value

    def close_step(v: list, t: datetime, how: str) -> None:
        svc, day = v[V_SVC], v[V_DAY]
        ck = (svc, day, v[V_CALL_CTR], v[V_CALL_OP])
        c = step_counts.get(ck)
        if c is None:
            c = step_counts[ck] = [0, 0, 0, 0]
        c[C_STEPS] += 1
        c[C_RECALLS] += v[V_RECALLS]
        if how is NO_SHOW:
            c[C_NO_SHOWS] += 1
            return
        if how is OPEN:
            c[C_OPEN] += 1
        first = v[V_FIRST]
        if first is None:
            return
        wk = (svc, v[V_CALL_CTR], v[V_CALL_OP], day, v[V_QHOUR])
        arr = waits.get(wk)
        if arr is None:
            arr = waits[wk] = array("d")
        arr.append((first - v[V_QUEUED]).total_seconds())
        if how is not FINISHED and how is not TRANSFERRED:
            return
        began = v[V_STARTED] if v[V_STARTED] is not None else v[V_LAST]
        ctr = v[V_CTR]
        sk = (svc, ctr, v[V_OP], day)
        arr = service_groups.get(sk)
        if arr is None:
            arr = service_groups[sk] = array("d")
        arr.append((t - began).total_seconds())
        if ctr is not None:
            clock = counter_clock.get(ctr)
            if clock is not None:
                clock[K_LAST] = t

    def end_visit(v: list, t: datetime, visit: str) -> None:
        T.totals[v[V_DAY]].append((t - v[V_ISSUED]).total_seconds())
        if v[V_MULTI]:
            T.multi_role += 1
        del open_visits[visit]

    open_visits = T.open_visits
    get_visit = open_visits.get
    get_code = CODES.get
    get_bucket = bucket_cache.get
    fromiso = datetime.fromisoformat
    str_ = str
    try:
        for typ, at, visit, step, service, counter, operator, data in as_rows(events):
            code = get_code(typ)
            if code is None:
                continue  # device.* and anything newer than this engine
            if at.__class__ is str_:
                t = fromiso(at)
                # the first 16 characters of UTC ISO text name its minute
                key = at[:16] if t.tzinfo is UTC else t.replace(second=0, microsecond=0)
            else:
                t = _as_datetime(at)
                key = t.replace(second=0, microsecond=0)
            if t < t0 or t >= t1:
                continue
            if code >= _C_OPENED:
                _counter_event(counter_clock, code, counter, t)
                continue
            v = get_visit(visit)
            if v is None:
                if code == _ISSUED and visit is not None:
                    dh = get_bucket(key)
                    if dh is None:
                        dh = bucket(key, t)
                    day, h = divmod(dh, 24)
                    open_visits[visit] = [t, day, step or 1, service, t, None, None, None,
                                          None, None, None, None, h, 0, role_of.get(service),
                                          False]
                    T.visits[day] += 1
                    T.h_arrivals[h] += 1
                    T.h_steps[h] += 1
                    if waiting > h_waiting_max[h]:
                        h_waiting_max[h] = waiting
                    waiting += 1
                    if waiting > h_waiting_max[h]:
                        h_waiting_max[h] = waiting
                    if data:
                        d = _data(data)
                        ch = d.get("channel")
                        if ch:
                            T.by_channel[ch] = T.by_channel.get(ch, 0) + 1
                        pr = d.get("priority")
                        if pr:
                            T.by_priority[pr] = T.by_priority.get(pr, 0) + 1
                continue
            if step is not None and step != v[V_STEP]:
                continue  # an event of an earlier step: nothing left to measure
            if code <= _STARTED or code == _RECALLED:
                if v[V_FIRST] is None:
                    v[V_FIRST] = t
                    v[V_CALL_CTR] = counter
                    v[V_CALL_OP] = operator
                    dh = get_bucket(key)
                    if dh is None:
                        dh = bucket(key, t)
                    h = dh % 24
                    if waiting > h_waiting_max[h]:
                        h_waiting_max[h] = waiting
                    waiting -= 1
                if code == _STARTED:
                    if v[V_STARTED] is None:
                        v[V_STARTED] = t
                else:
                    v[V_LAST] = t
                    if code == _RECALLED:
                        v[V_RECALLS] += 1
                if counter is not None:
                    v[V_CTR] = counter
                if operator is not None:
                    v[V_OP] = operator
            elif code == _FINISHED:
                close_step(v, t, FINISHED)
                d = _data(data)
                kind = d.get("kind") or "unspecified"
                T.by_kind[kind] = T.by_kind.get(kind, 0) + 1
                topic = d.get("topic") or "unspecified"
                T.by_topic[topic] = T.by_topic.get(topic, 0) + 1
                outcome = d.get("outcome") or "unspecified"
                T.by_outcome[outcome] = T.by_outcome.get(outcome, 0) + 1
                end_visit(v, t, visit)
            elif code == _TRANSFERRED:
                if v[V_FIRST] is None:
                    waiting -= 1  # moved to another queue without a call
                close_step(v, t, TRANSFERRED)
                T.transfers += 1
                to = _data(data).get("to_service") or v[V_SVC]
                if role_of.get(to) != v[V_ROLE0]:
                    v[V_MULTI] = True
                dh = get_bucket(key)
                if dh is None:
                    dh = bucket(key, t)
                h = dh % 24
                v[V_STEP] = (step if step is not None else v[V_STEP]) + 1
                v[V_SVC] = to
                v[V_QUEUED] = t
                v[V_FIRST] = v[V_LAST] = v[V_STARTED] = None
                v[V_CALL_CTR] = v[V_CALL_OP] = v[V_CTR] = v[V_OP] = None
                v[V_QHOUR] = h
                v[V_RECALLS] = 0
                T.h_steps[h] += 1
                if waiting > h_waiting_max[h]:
                    h_waiting_max[h] = waiting
                waiting += 1
                if waiting > h_waiting_max[h]:
                    h_waiting_max[h] = waiting
            elif code == _NO_SHOW:
                if v[V_FIRST] is None:
                    waiting -= 1
                close_step(v, t, NO_SHOW)
                T.no_shows[v[V_DAY]] += 1
                end_visit(v, t, visit)
            elif code == _CANCELLED:
                if v[V_FIRST] is None:
                    waiting -= 1
                close_step(v, t, CANCELLED)
                T.cancelled[v[V_DAY]] += 1
                end_visit(v, t, visit)
    except TypeError as exc:
        raise JournalFormatError(f"unreadable journal row: {exc}") from exc
    except KeyError as exc:
        raise JournalFormatError(f"journal line without the key {exc}") from exc

    for v in open_visits.values():
        close_step(v, t1, OPEN)
        if v[V_MULTI]:
            T.multi_role += 1
    for clock in counter_clock.values():
        _stop_clock(clock, clock[K_LAST])
    return T


def _stop_clock(clock: list, t: datetime) -> None:
    if clock[K_PAUSED] is not None:
        clock[K_PAUSED_S] += max(0.0, (t - clock[K_PAUSED]).total_seconds())
        clock[K_PAUSED] = None
    if clock[K_OPEN] is not None:
        clock[K_OPEN_S] += max(0.0, (t - clock[K_OPEN]).total_seconds())
        clock[K_OPEN] = None


def _counter_event(counter_clock: dict, code: int, counter, t: datetime) -> None:
    """Open, closed and paused time of a counter; a counter never closed is
    taken as closed at its last activity, so a forgotten close does not
    count the night."""
    if counter is None:
        return
    clock = counter_clock.get(counter)
    if clock is None:
        clock = counter_clock[counter] = [None, None, 0.0, 0.0, t]
    if code == _C_OPENED:
        if clock[K_OPEN] is not None:
            _stop_clock(clock, clock[K_LAST])
        clock[K_OPEN] = t
    elif code == _C_CLOSED:
        _stop_clock(clock, t)
    elif code == _C_PAUSED:
        if clock[K_OPEN] is not None and clock[K_PAUSED] is None:
            clock[K_PAUSED] = t
    elif code == _C_RESUMED:
        if clock[K_PAUSED] is not None:
            clock[K_PAUSED_S] += (t - clock[K_PAUSED]).total_seconds()
            clock[K_PAUSED] = None
    clock[K_LAST] = t
