"""One pass over the journal: per-step waits and services, per-visit totals.

Why it looks the way it does: a year of an office is ~500,000 visits and
3-4 million events, and it must be read in seconds. So the events are read
once, in journal order, with a flat loop and no per-event objects; an open
visit is a small list that is dropped as soon as the visit ends; finished
durations go into ``array('d')`` per group (role, service, counter,
operator) and the figures are computed from those arrays at the end
(see ``stats.py``). Hour and day buckets come from a per-minute cache, so
the time zone is consulted once per minute of activity, not per event.

Semantics are pinned in docs/reports.md (and docs/journal.md):
WAIT = queued (issue or transfer) -> first call; SERVICE = ``step.started``
(else the last call) -> finish or transfer; a no-show step has neither;
TOTAL = issue -> end of the last step (finish, no-show or cancel).
"""
from __future__ import annotations

import json
from array import array
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog

from .rows import JournalFormatError, as_rows

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

# slots of an open visit (a list, for speed)
(V_ISSUED, V_DAY, V_STEP, V_SVC, V_QUEUED, V_FIRST, V_LAST, V_STARTED,
 V_CALL_CTR, V_CALL_OP, V_CTR, V_OP, V_QHOUR, V_RECALLS, V_ROLE0, V_MULTI) = range(16)


class Acc:
    """Durations and counts of one group (a role, service, counter or operator)."""

    __slots__ = ("wait", "service", "wait_in", "wait_nn", "service_in", "service_nn",
                 "steps", "no_shows", "recalls", "open")

    def __init__(self) -> None:
        self.wait = array("d")
        self.service = array("d")
        self.wait_in = self.wait_nn = self.service_in = self.service_nn = 0
        self.steps = self.no_shows = self.recalls = self.open = 0


class Tally:
    """Everything the pass collects; ``daily.py`` turns it into the report."""

    def __init__(self, catalog: Catalog, start: date, ndays: int) -> None:
        self.start = start
        self.ndays = ndays
        self.role_ids = list(catalog.roles)
        nr = len(self.role_ids)
        self.roles = {r: Acc() for r in self.role_ids}
        self.services: dict[str, Acc] = {s: Acc() for s in catalog.services}
        self.counters: dict[str, Acc] = {c: Acc() for c in catalog.counters}
        self.operators: dict[str, Acc] = {}
        # counter id -> [open_since, paused_since, open_s, paused_s, last_t, busy_s]
        self.counter_time: dict[str, list] = {}
        self.visits = 0
        self.no_shows = self.cancelled = self.multi_role = self.transfers = 0
        self.totals = array("d")
        self.total_in = 0
        self.open_visits: dict[str, list] = {}
        self.by_channel: dict[str, int] = {}
        self.by_priority: dict[str, int] = {}
        self.by_kind: dict[str, int] = {}
        self.by_topic: dict[str, int] = {}
        self.by_outcome: dict[str, int] = {}
        # hour of day (local) -> figures, summed over the days of the period
        self.h_arrivals = [0] * 24
        self.h_steps = [0] * 24
        self.h_waiting_max = [0] * 24
        self.h_wait_sum = [0.0] * 24
        self.h_wait_n = [0] * 24
        self.h_wait_max = [0.0] * 24
        self.h_wait_in = [0] * 24
        self.h_wait_nn = [0] * 24
        self.h_role_wait_sum = [0.0] * (24 * nr)
        self.h_role_wait_n = [0] * (24 * nr)
        # day of the period -> figures
        self.d_visits = [0] * ndays
        self.d_no_shows = [0] * ndays
        self.d_cancelled = [0] * ndays
        self.d_total_sum = [0.0] * ndays
        self.d_total_n = [0] * ndays
        self.d_total_in = [0] * ndays
        self.d_role_steps = [0] * (ndays * nr)
        self.d_role_wait_sum = [0.0] * (ndays * nr)
        self.d_role_wait_n = [0] * (ndays * nr)
        self.d_role_service_sum = [0.0] * (ndays * nr)
        self.d_role_service_n = [0] * (ndays * nr)


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


def _epoch(at) -> float:
    """Seconds since the epoch of a datetime or a number (the slow path)."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise JournalFormatError(f"time without a zone: {at!r}")
        return at.timestamp()
    if isinstance(at, int | float):
        return float(at)
    if isinstance(at, str):
        try:
            return datetime.fromisoformat(at).timestamp()
        except ValueError as exc:
            raise JournalFormatError(f"unreadable time {at!r}") from exc
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
    t0 = datetime.combine(start, datetime.min.time(), zone).timestamp()
    t1 = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone).timestamp()
    T = Tally(catalog, start, ndays)
    nr = len(T.role_ids)
    role_index = {r: i for i, r in enumerate(T.role_ids)}

    # service id -> (role, role index, wait norm, service norm, role Acc, service Acc)
    svc_info: dict[str, tuple] = {}
    for sid, svc in catalog.services.items():
        role = catalog.roles.get(svc.role)
        if role is None:
            svc_info[sid] = (None, -1, None, None, None, T.services[sid])
        else:
            svc_info[sid] = (role.id, role_index[role.id], role.wait_norm_s,
                             role.service_norm_s, T.roles[role.id], T.services[sid])

    def info_of(sid):
        info = svc_info.get(sid)
        if info is None:
            key = sid if sid is not None else ""
            acc = T.services.setdefault(key, Acc())
            info = svc_info[sid] = (None, -1, None, None, None, acc)
        return info

    counters, operators = T.counters, T.operators

    def acc_of(groups, key):
        acc = groups.get(key)
        if acc is None:
            acc = groups[key] = Acc()
        return acc

    bucket_cache: dict[float, int] = {}
    start_ord = start.toordinal()

    def bucket(k: float) -> int:
        """day index * 24 + local hour of the minute ``k`` (minutes since epoch)."""
        local = datetime.fromtimestamp(k * 60, zone)
        value = (local.toordinal() - start_ord) * 24 + local.hour
        bucket_cache[k] = value
        return value

    visit_norm = catalog.visit_norm_s
    counter_time = T.counter_time
    h_waiting_max = T.h_waiting_max
    waiting = 0  # tickets queued and not yet called, right now

    def close_step(v: list, t: float, how: str) -> None:
        role, ri, wnorm, snorm, racc, sacc = info_of(v[V_SVC])
        recalls = v[V_RECALLS]
        sacc.steps += 1
        sacc.recalls += recalls
        if racc is not None:
            racc.steps += 1
            racc.recalls += recalls
            T.d_role_steps[v[V_DAY] * nr + ri] += 1
        first = v[V_FIRST]
        if how is NO_SHOW:
            sacc.no_shows += 1
            if racc is not None:
                racc.no_shows += 1
            if v[V_CALL_CTR] is not None:
                acc_of(counters, v[V_CALL_CTR]).no_shows += 1
            if v[V_CALL_OP] is not None:
                acc_of(operators, v[V_CALL_OP]).no_shows += 1
            return
        if how is OPEN:
            sacc.open += 1
            if racc is not None:
                racc.open += 1
        if first is None:
            return
        w = first - v[V_QUEUED]
        cacc = acc_of(counters, v[V_CALL_CTR]) if v[V_CALL_CTR] is not None else None
        oacc = acc_of(operators, v[V_CALL_OP]) if v[V_CALL_OP] is not None else None
        normed = wnorm is not None
        ok = normed and w <= wnorm
        for acc in (sacc, racc, cacc, oacc):
            if acc is not None:
                acc.wait.append(w)
                acc.wait_in += ok
                acc.wait_nn += normed
        h = v[V_QHOUR]
        T.h_wait_sum[h] += w
        T.h_wait_n[h] += 1
        if w > T.h_wait_max[h]:
            T.h_wait_max[h] = w
        T.h_wait_in[h] += ok
        T.h_wait_nn[h] += normed
        if racc is not None:
            T.h_role_wait_sum[h * nr + ri] += w
            T.h_role_wait_n[h * nr + ri] += 1
            di = v[V_DAY] * nr + ri
            T.d_role_wait_sum[di] += w
            T.d_role_wait_n[di] += 1
        if how is not FINISHED and how is not TRANSFERRED:
            return
        began = v[V_STARTED] if v[V_STARTED] is not None else v[V_LAST]
        s = t - began
        ctr, op = v[V_CTR], v[V_OP]
        cacc = acc_of(counters, ctr) if ctr is not None else None
        oacc = acc_of(operators, op) if op is not None else None
        normed = snorm is not None
        ok = normed and s <= snorm
        for acc in (sacc, racc, cacc, oacc):
            if acc is not None:
                acc.service.append(s)
                acc.service_in += ok
                acc.service_nn += normed
        if ctr is not None:
            ct = counter_time.get(ctr)
            if ct is None:
                ct = counter_time[ctr] = [None, None, 0.0, 0.0, t, 0.0]
            ct[4] = t
            ct[5] += s
        if racc is not None:
            di = v[V_DAY] * nr + ri
            T.d_role_service_sum[di] += s
            T.d_role_service_n[di] += 1

    def end_visit(v: list, t: float, visit: str) -> None:
        total = t - v[V_ISSUED]
        T.totals.append(total)
        d = v[V_DAY]
        T.d_total_sum[d] += total
        T.d_total_n[d] += 1
        if total <= visit_norm:
            T.total_in += 1
            T.d_total_in[d] += 1
        if v[V_MULTI]:
            T.multi_role += 1
        del open_visits[visit]

    open_visits = T.open_visits
    get_visit = open_visits.get
    get_code = CODES.get
    get_bucket = bucket_cache.get
    fromiso = datetime.fromisoformat
    str_ = str
    rows = as_rows(events)
    try:
        for typ, at, visit, step, service, counter, operator, data in rows:
            code = get_code(typ)
            if code is None:
                continue  # device.* and anything newer than this engine
            t = fromiso(at).timestamp() if at.__class__ is str_ else _epoch(at)
            if t < t0 or t >= t1:
                continue
            if code >= _C_OPENED:
                _counter_event(counter_time, code, counter, t)
                continue
            v = get_visit(visit)
            if v is None:
                if code == _ISSUED and visit is not None:
                    dh = get_bucket(t // 60)
                    if dh is None:
                        dh = bucket(t // 60)
                    day, h = divmod(dh, 24)
                    info = info_of(service)
                    open_visits[visit] = [t, day, step or 1, service, t, None, None, None,
                                          None, None, None, None, h, 0, info[0], False]
                    T.visits += 1
                    T.d_visits[day] += 1
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
            if code == _CALLED or code == _RECALLED or code == _STARTED:
                if v[V_FIRST] is None:
                    v[V_FIRST] = t
                    v[V_CALL_CTR] = counter
                    v[V_CALL_OP] = operator
                    dh = get_bucket(t // 60)
                    if dh is None:
                        dh = bucket(t // 60)
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
                role = info_of(to)[0]
                if role != v[V_ROLE0]:
                    v[V_MULTI] = True
                dh = get_bucket(t // 60)
                if dh is None:
                    dh = bucket(t // 60)
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
                T.no_shows += 1
                T.d_no_shows[v[V_DAY]] += 1
                end_visit(v, t, visit)
            elif code == _CANCELLED:
                if v[V_FIRST] is None:
                    waiting -= 1
                close_step(v, t, CANCELLED)
                T.cancelled += 1
                T.d_cancelled[v[V_DAY]] += 1
                end_visit(v, t, visit)
    except TypeError as exc:
        raise JournalFormatError(f"unreadable journal row: {exc}") from exc
    except KeyError as exc:
        raise JournalFormatError(f"journal line without the key {exc}") from exc

    for v in open_visits.values():
        close_step(v, t1, OPEN)
        if v[V_MULTI]:
            T.multi_role += 1
    for ct in counter_time.values():
        _close_counter(ct, ct[4])
    return T


def _close_counter(ct: list, t: float) -> None:
    if ct[1] is not None:
        ct[3] += max(0.0, t - ct[1])
        ct[1] = None
    if ct[0] is not None:
        ct[2] += max(0.0, t - ct[0])
        ct[0] = None


def _counter_event(counter_time: dict, code: int, counter, t: float) -> None:
    """Open, closed and paused time of a counter; a counter never closed is
    taken as closed at its last activity, so a forgotten close does not
    count the night."""
    if counter is None:
        return
    ct = counter_time.get(counter)
    if ct is None:
        ct = counter_time[counter] = [None, None, 0.0, 0.0, t, 0.0]
    if code == _C_OPENED:
        if ct[0] is not None:
            _close_counter(ct, ct[4])
        ct[0] = t
    elif code == _C_CLOSED:
        _close_counter(ct, t)
    elif code == _C_PAUSED:
        if ct[0] is not None and ct[1] is None:
            ct[1] = t
    elif code == _C_RESUMED:
        if ct[1] is not None:
            ct[3] += t - ct[1]
            ct[1] = None
    ct[4] = t
