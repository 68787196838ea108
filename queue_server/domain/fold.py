"""The one fold of waits and services: journal events in order → each step's
wait and service, each visit's end.

The reports, the dashboard's "today" and the office's own service-time
history (the ETA) all read the journal through this class, so a figure means
the same everywhere (docs/journal.md, "Definitions"):

* a step's WAIT runs from its queuing (the ticket, or the transfer that made
  it) to its first call (or its start, when it started without a call);
* its SERVICE runs from its start (else its last call) to its finish or
  transfer; a no-show step has neither; a step still open has its wait if it
  was called, no service;
* a visit's TOTAL runs from the ticket to the end of its last step; a ticket
  the office cancelled at midnight (`day_over`) stays open;
* a booked visitor's first step (a ticket with `due`, docs/bookings.md) waits
  from the later of the ticket and the slot: coming early is the visitor's
  choice, not the office's delay; called before the slot (as a walk-in), it
  waited 0.

Each user subclasses `Fold` and tallies what it needs in the hooks, which
get the visit's record `v` (a list; slots V_*, a subclass may append its own
after CORE_SLOTS). Speed matters: a year of an office is 3-4 million events
(the year report reads them in seconds), so the loop builds nothing per event,
an open visit is a small list dropped when the visit ends, and rows are read
with subscripts chosen once for the stream (reports/rows.py chooses them).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from .events import DAY_OVER, Event

# event type -> small int, ordered roughly by frequency
CALLED, STARTED, FINISHED_, ISSUED, TRANSFERRED_, RECALLED, NO_SHOW_, CANCELLED_ = range(8)
C_OPENED, C_CLOSED, C_PAUSED, C_RESUMED = range(8, 12)
CODES = {
    "step.called": CALLED,
    "step.started": STARTED,
    "step.finished": FINISHED_,
    "visit.issued": ISSUED,
    "step.transferred": TRANSFERRED_,
    "step.recalled": RECALLED,
    "step.no_show": NO_SHOW_,
    "visit.cancelled": CANCELLED_,
    "counter.opened": C_OPENED,
    "counter.closed": C_CLOSED,
    "counter.paused": C_PAUSED,
    "counter.resumed": C_RESUMED,
}
# how a step ended (compared with `is`)
FINISHED, TRANSFERRED, NO_SHOW, CANCELLED, OPEN = "finished", "transferred", "no_show", "cancelled", "open"

# slots of a visit's record: when it was issued, its current step (number, service,
# queued, first and last call, start), who called it first and who has it now, recalls,
# and a booked visitor's slot (None for a walk-in)
(V_ISSUED, V_STEP, V_SVC, V_QUEUED, V_FIRST, V_LAST, V_STARTED,
 V_CALL_CTR, V_CALL_OP, V_CTR, V_OP, V_RECALLS, V_DUE) = range(13)
CORE_SLOTS = 13

# the fields a row is read by, in this order
FIELDS = ("type", "at", "visit", "step", "service", "counter", "operator", "data")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


class UnreadableEvent(ValueError):
    """A row the fold cannot read; the message says which and why."""


_parsed: dict[str, dict] = {}


def data_of(data: Any) -> dict:
    """An event's data as a dict; JSON text (as SQLite stores it) is parsed once
    per distinct text: finish and transfer data repeat a lot."""
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
                raise UnreadableEvent(f"unreadable event data {data!r}") from exc
            if not isinstance(parsed, dict):
                parsed = {}
            if len(_parsed) > 4096:
                _parsed.clear()
            _parsed[data] = parsed
        return parsed
    return dict(data)


def due_of(data: Any) -> datetime | None:
    """A ticket's slot when it is a booked visitor's (`due` in its data), else None. Text is
    looked into before it is parsed: a walk-in's ticket (nearly all of them) costs one search."""
    if data.__class__ is not dict:
        if not data or (b'"due"' if isinstance(data, bytes) else '"due"') not in data:
            return None
        data = data_of(data)
    due = data.get("due")
    if not due:
        return None
    try:
        return datetime.fromisoformat(due.replace("Z", "+00:00"))
    except (TypeError, ValueError, AttributeError):
        return None


def durations(v: list, t: datetime, how: str) -> tuple[timedelta | None, timedelta | None]:
    """(wait, service) of the step in `v` ending at `t` as `how`: the definitions above."""
    first = v[V_FIRST]
    if first is None or how is NO_SHOW:
        return None, None
    if how is FINISHED or how is TRANSFERRED:
        return first - v[V_QUEUED], t - (v[V_STARTED] or v[V_LAST])
    return first - v[V_QUEUED], None


class Fold:
    """Reads events once, in journal order, and calls the hooks; the base tallies nothing.

    Only visits issued from `start` (inclusive) to `end` (exclusive) are followed:
    events of a visit issued earlier are passed over, and a followed visit's events
    from `end` on are not read (it stays open). Events of no visit in that span
    go to `counter_event` (counters) or `other` (devices, newer types).
    """

    def __init__(self, start: datetime | None = None, end: datetime | None = None):
        self.start = start or EARLIEST
        self.end = end or LATEST
        self.open_visits: dict[Any, list] = {}

    # ---- hooks (a subclass tallies here) ------------------------------------
    def issued(self, v: list, t: datetime, at: Any, e: Any) -> None:
        """A ticket: `v` is new (a subclass may append its own slots)."""

    def first_call(self, v: list, t: datetime, at: Any, e: Any) -> None:
        """The step's wait ends (its first call, or a start without a call)."""

    def step_ended(self, v: list, t: datetime, how: str, wait: timedelta | None,
                   service: timedelta | None) -> None:
        """The step in `v` ended at `t` as `how` (OPEN: still going when the span ended)."""

    def transferred(self, v: list, t: datetime, at: Any, e: Any, to: str) -> None:
        """`v` now holds the next step, queued in `to` at `t`."""

    def visit_ended(self, v: list, t: datetime, how: str, e: Any) -> None:
        """The visit ended with its step (finished, no-show, cancelled)."""

    def day_over(self, v: list) -> bool | None:
        """The office cancelled the waiting ticket at midnight: it stays open (a true
        answer drops it instead, for a fold that need not follow it further)."""

    def counter_event(self, code: int, counter: Any, t: datetime, at: Any) -> None:
        """A counter opened, closed, paused or resumed."""

    def other(self, e: Any) -> None:
        """An event of a type this fold does not follow (devices, newer types)."""

    # ---- the pass -------------------------------------------------------------
    def run(self, rows: Iterable, keys: tuple, parse: Callable[[Any], datetime]) -> None:
        """Read `rows`, each subscripted by `keys` (the positions or names of FIELDS);
        `parse` makes an aware datetime of a row's `at`. May be called again with
        the next rows (the office feeds its events one at a time)."""
        k_type, k_at, k_visit, k_step, k_service, k_counter, k_operator, k_data = keys
        t0, t1 = self.start, self.end
        open_visits = self.open_visits
        get_visit = open_visits.get
        get_code = CODES.get
        issued, first_call, step_ended = self.issued, self.first_call, self.step_ended
        visit_ended, counter_event = self.visit_ended, self.counter_event
        try:
            for e in rows:
                code = get_code(e[k_type])
                if code is None:
                    self.other(e)
                    continue
                at = e[k_at]
                t = parse(at)
                visit = e[k_visit]
                v = get_visit(visit)
                if v is None:
                    if t < t0 or t >= t1:
                        continue
                    if code != ISSUED or visit is None:
                        if code >= C_OPENED:
                            counter_event(code, e[k_counter], t, at)
                        continue
                    due = due_of(e[k_data])
                    v = open_visits[visit] = [t, e[k_step] or 1, e[k_service],
                                              due if due is not None and due > t else t, None, None, None,
                                              None, None, None, None, 0, due]
                    issued(v, t, at, e)
                    continue
                if t >= t1:
                    continue  # an open visit's events after the span: it stays open
                step = e[k_step]
                if step != v[V_STEP] and step is not None:
                    continue  # an event of an earlier step: nothing left to measure
                if code == CALLED or code == RECALLED:
                    v[V_LAST] = t
                    if v[V_FIRST] is None:
                        if t < v[V_QUEUED] and v[V_DUE] is not None:
                            v[V_QUEUED] = t  # a booked visitor called before the slot: no wait
                        v[V_FIRST] = t
                        v[V_CTR] = v[V_CALL_CTR] = e[k_counter]
                        v[V_OP] = v[V_CALL_OP] = e[k_operator]
                        first_call(v, t, at, e)
                    else:
                        counter = e[k_counter]
                        if counter != v[V_CTR] and counter is not None:
                            v[V_CTR] = counter
                            v[V_OP] = e[k_operator]
                    if code == RECALLED:
                        v[V_RECALLS] += 1
                elif code == STARTED:
                    if v[V_STARTED] is None:
                        v[V_STARTED] = t
                        if v[V_FIRST] is None:  # started without a call: the wait ends here
                            if t < v[V_QUEUED] and v[V_DUE] is not None:
                                v[V_QUEUED] = t
                            v[V_FIRST] = t
                            v[V_CTR] = v[V_CALL_CTR] = e[k_counter]
                            v[V_OP] = v[V_CALL_OP] = e[k_operator]
                            first_call(v, t, at, e)
                elif code == FINISHED_:
                    first = v[V_FIRST]  # durations(), inlined: the commonest end of a step
                    if first is None:
                        step_ended(v, t, FINISHED, None, None)
                    else:
                        step_ended(v, t, FINISHED, first - v[V_QUEUED], t - (v[V_STARTED] or v[V_LAST]))
                    visit_ended(v, t, FINISHED, e)
                    del open_visits[visit]
                elif code == TRANSFERRED_:
                    first = v[V_FIRST]
                    if first is None:
                        step_ended(v, t, TRANSFERRED, None, None)
                    else:
                        step_ended(v, t, TRANSFERRED, first - v[V_QUEUED], t - (v[V_STARTED] or v[V_LAST]))
                    to = data_of(e[k_data]).get("to_service") or v[V_SVC]
                    v[V_STEP] = (step if step is not None else v[V_STEP]) + 1
                    v[V_SVC] = to
                    v[V_QUEUED] = t
                    v[V_DUE] = None
                    v[V_FIRST] = v[V_LAST] = v[V_STARTED] = None
                    v[V_CALL_CTR] = v[V_CALL_OP] = v[V_CTR] = v[V_OP] = None
                    v[V_RECALLS] = 0
                    self.transferred(v, t, at, e, to)
                elif code == NO_SHOW_ or code == CANCELLED_:
                    how = NO_SHOW if code == NO_SHOW_ else CANCELLED
                    if how is CANCELLED and data_of(e[k_data]).get("reason") == DAY_OVER:
                        if self.day_over(v):
                            del open_visits[visit]
                        continue
                    step_ended(v, t, how, *durations(v, t, how))
                    visit_ended(v, t, how, e)
                    del open_visits[visit]
        except (TypeError, IndexError, AttributeError) as exc:
            raise UnreadableEvent(f"unreadable journal row: {exc}") from exc
        except KeyError as exc:
            raise UnreadableEvent(f"journal line without the key {exc}") from exc

    def close(self) -> None:
        """The span is over: each visit still open ends its step as OPEN (its wait, if
        called, counts; it has no service yet). The visits stay in `open_visits`."""
        end, step_ended = self.end, self.step_ended
        for v in self.open_visits.values():
            step_ended(v, end, OPEN, *durations(v, end, OPEN))

    def feed(self, e: Event) -> None:
        """One event, as the office applies it."""
        self.run(((e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data),),
                 _TUPLE_KEYS, _same)


_TUPLE_KEYS = tuple(range(8))


def _same(at: datetime) -> datetime:
    return at
