"""The office: current queue state folded from events, and the commands on it.

Commands validate against the current state and *return* the events they
would cause; the caller journals them durably and only then applies them.
That ordering is what makes an acknowledged ticket survive a power cut.
"""
from __future__ import annotations

import bisect
import re
import secrets
from collections import deque
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import events as ev
from .appeals import AppealRegistry, AppealRules
from .bookings import BookingBook
from .catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, PRIORITIES, Catalog
from .errors import (
    CounterBusy,
    CounterNotOpen,
    CounterTaken,
    InvalidInput,
    InvalidState,
    NoCurrentVisitor,
    NotFound,
)
from .eta import ServiceHistory, ServiceTimes, estimate_wait_s
from .event_schema import CHANNELS, LANGUAGES, TAKEN_OVER
from .events import Event
from .hours import WorkingHours
from .model import (
    ACTIVE_STEP_STATES,
    CALLED,
    CANCELLED,
    COUNTER_CLOSED,
    COUNTER_OPEN,
    COUNTER_PAUSED,
    FINISHED,
    NO_SHOW,
    OPEN_STEP_STATES,
    QUEUED,
    SERVING,
    TRANSFERRED,
    CounterState,
    Step,
    Visit,
)
from .policy import choose_next
from .slots import BookingRules

_NUMBER = re.compile(r"^(\D*)(\d+)$")
RECENT_CALLS = 12
KEEP_CLOSED_VISITS = timedelta(hours=26)


def _arrival(step: Step) -> int:
    return step.arrival


class Office:
    def __init__(self, catalog: Catalog, hours: WorkingHours, appeal_rules: AppealRules | None = None,
                 booking_rules: BookingRules | None = None):
        self.catalog = catalog
        self.hours = hours
        # appeals live for years, not a day: the registry is folded from the whole journal
        self.appeals = AppealRegistry(appeal_rules or AppealRules(timezone=catalog.timezone))
        self.tz = ZoneInfo(catalog.timezone)
        self.bookings = BookingBook(catalog, hours, booking_rules)
        self.visits: dict[str, Visit] = {}
        self.queues: dict[str, list[Step]] = {sid: [] for sid in catalog.services}
        self.counters = {cid: CounterState(cid) for cid in catalog.counters}
        self.recent_calls: deque[dict] = deque(maxlen=RECENT_CALLS)
        self.service_times = ServiceTimes({sid: s.role for sid, s in catalog.services.items()})
        self._history = ServiceHistory(self.service_times)  # the one fold, fed as events apply
        self.last_seq = 0
        self._numbers: dict[tuple[str, str], int] = {}
        self._pruned_at: datetime | None = None
        self._arrivals = 0  # steps queued so far: a queue's order is the journal's
        self._latest: datetime | None = None  # the latest queuing time so far (`_queue_time`)

    # ---- reading -------------------------------------------------------
    def visit(self, visit_id: str) -> Visit:
        try:
            return self.visits[visit_id]
        except KeyError:
            raise NotFound("No visit {visit_id}", visit_id=visit_id) from None

    def counter(self, counter_id: str) -> CounterState:
        try:
            return self.counters[counter_id]
        except KeyError:
            raise NotFound("No counter {counter_id}", counter_id=counter_id) from None

    def current_step(self, counter_id: str) -> Step | None:
        c = self.counter(counter_id)
        if c.current_visit is None:
            return None
        return self.visits[c.current_visit].current_step

    def ahead_of(self, step: Step) -> int:
        """People queued for the same service before this step: queues keep the
        journal's order of arrival, whatever the wall clock said."""
        queue = self.queues.get(step.service_id, [])
        at_or_before = bisect.bisect_right(queue, step.arrival, key=_arrival)
        return at_or_before - 1 if step.state == QUEUED else at_or_before

    def steady(self, now: datetime) -> datetime:
        """`now`, but never before the latest queuing: the time waits are measured to."""
        latest = self._latest
        return latest if latest is not None and now < latest else now

    def _queue_time(self, at: datetime) -> datetime:
        """When a step starts waiting: its event's time, but never before the step
        queued just before it in the journal. After the wall clock steps back, a
        later ticket therefore never looks as if it had waited longer than an
        earlier one (the call policy compares waits), and the queues' journal
        order is also their order of queuing time."""
        latest = self._latest
        if latest is None or at > latest:
            self._latest = at
            return at
        return latest

    def estimate_for(self, step: Step, ahead: int | None = None) -> int:
        """Estimated wait; pass `ahead` when the caller already counted it."""
        service_id = step.service_id
        open_counters = sum(
            1
            for c in self.catalog.counters_serving(service_id)
            if self.counters[c.id].status != COUNTER_CLOSED
        )
        typical = self.service_times.typical(
            service_id, self.catalog.role_of(service_id).service_norm_s
        )
        return estimate_wait_s(self.ahead_of(step) if ahead is None else ahead, open_counters, typical)

    def local_date(self, at: datetime) -> str:
        return at.astimezone(self.tz).date().isoformat()

    # ---- commands: validate and return events ---------------------------
    def issue(
        self,
        service_id: str,
        now: datetime,
        priority: str | None = None,
        channel: str = "kiosk",
        lang: str = "ru",
        visit_id: str | None = None,
        booking: str | None = None,
        due: datetime | None = None,
    ) -> Event:
        """A ticket. `booking`: the booking it is checked in for (then the office need only
        be open, not before the last-ticket time); `due`: its slot, when it is an appointment."""
        if service_id not in self.catalog.services:
            raise InvalidInput("Unknown service {service_id}", service_id=service_id)
        if priority is not None and priority not in PRIORITIES:
            raise InvalidInput("Unknown priority {priority}", priority=priority)
        _check_choice("channel", channel, CHANNELS)
        _check_choice("lang", lang, LANGUAGES)
        if booking is None:
            self.hours.check_issue(now)
        else:
            self.hours.check_open(now)
        prefix = self.catalog.services[service_id].prefix
        n = self._numbers.get((self.local_date(now), prefix), 0) + 1
        visit_id = visit_id or secrets.token_hex(6)
        while visit_id in self.visits:
            visit_id = secrets.token_hex(6)
        data = {"number": f"{prefix}{n:03d}", "priority": priority, "channel": channel, "lang": lang}
        if booking is not None:
            data["booking"] = booking
        if due is not None:
            data["due"] = ev.format_at(due)
        return Event(ev.VISIT_ISSUED, now, visit=visit_id, step=1, service=service_id, data=data)

    def check_in_booking(self, code: str, now: datetime, via: str, operator: str | None = None) -> list[Event]:
        """A booked visitor came: a ticket for their service, an appointment due at the slot,
        or a walk-in ticket when they are later than `booking.late_min` (bookings.py)."""
        try:
            booking, late = self.bookings.check_in(code, now, via)
        except InvalidState:
            b = self.bookings.bookings.get(code)
            visit = self.visits.get(b.visit_id or "") if b is not None else None
            if visit is not None:
                raise InvalidState("This booking is already checked in: your number is {number}",
                                   number=visit.number) from None
            raise
        issued = self.issue(booking.service_id, now, None if late else "appointment", "remote", booking.lang,
                            booking=booking.code, due=None if late else booking.start)
        return [issued, self.bookings.checked_in(booking, issued.visit or "", late, via, now, operator)]

    def open_counter(self, counter_id: str, operator: str, now: datetime, takeover: bool = False,
                     supervisor: bool = False) -> list[Event]:
        """Log `operator` in at a counter: the one rule behind the API's login and the web's.

        A closed counter opens; the same operator again changes nothing. A counter
        someone else works at is refused, unless the newcomer asks to take it over:
        then the old session ends (`counter.closed`, reason `taken_over`, `by`) and
        the HANDOVER rule applies: the visitor at the counter, if any, stays there and
        passes to the newcomer, who finishes, transfers or marks them a no-show
        (`counter.opened` names the visit in `handover`). An administrator
        (`supervisor`) may instead work beside the counter's operator, changing nothing.
        """
        c = self.counter(counter_id)
        if c.status == COUNTER_CLOSED:
            return [Event(ev.COUNTER_OPENED, now, counter=counter_id, operator=operator)]
        if c.operator == operator or (supervisor and not takeover):
            return []
        if not takeover:
            raise CounterTaken("Counter {counter_id} is in use by {operator}: ask them to log out, "
                               "or take the counter over", counter_id=counter_id, operator=c.operator or "—")
        return [Event(ev.COUNTER_CLOSED, now, counter=counter_id, operator=c.operator,
                      data={"reason": TAKEN_OVER, "by": operator}),
                Event(ev.COUNTER_OPENED, now, counter=counter_id, operator=operator,
                      data={"taken_over_from": c.operator, "handover": c.current_visit})]

    def close_counter(self, counter_id: str, operator: str | None, now: datetime) -> list[Event]:
        """Log out of a counter. Only its operator closes it: a session someone took over
        (or an administrator working beside the operator) leaves it open."""
        c = self.counter(counter_id)
        if c.status == COUNTER_CLOSED or c.operator != operator:
            return []
        if self.current_step(counter_id) is not None:
            raise CounterBusy("Finish the current visitor before closing counter {counter_id}",
                              counter_id=counter_id)
        return [Event(ev.COUNTER_CLOSED, now, counter=counter_id, operator=operator)]

    def call_next(self, counter_id: str, operator: str | None, now: datetime) -> Event | None:
        c = self._working_counter(counter_id)
        if c.current_visit is not None:
            current = self.visits[c.current_visit]
            raise CounterBusy("Counter {counter_id} is still with {number}: finish, transfer or mark a no-show first",
                              counter_id=counter_id, number=current.number)
        services = self.catalog.counters[counter_id].services
        waiting = [(s, self.visits[s.visit_id]) for sid in services for s in self.queues.get(sid, [])]
        choice = choose_next(waiting, self.catalog, self.steady(now))
        if choice is None:
            return None
        step = choice.step
        return Event(ev.STEP_CALLED, now, visit=step.visit_id, step=step.index,
                     service=step.service_id, counter=counter_id, operator=operator,
                     data={"reason": choice.reason})

    def recall(self, counter_id: str, operator: str | None, now: datetime) -> Event:
        step = self._active(counter_id, states=(CALLED,))
        if step.recalls >= self.catalog.max_recalls:
            return self._step_event(ev.STEP_NO_SHOW, step, counter_id, operator, now,
                                    {"recalls": step.recalls, "auto": True})
        return self._step_event(ev.STEP_RECALLED, step, counter_id, operator, now,
                                {"recall": step.recalls + 1})

    def start(self, counter_id: str, operator: str | None, now: datetime) -> Event:
        step = self._active(counter_id, states=(CALLED,))
        return self._step_event(ev.STEP_STARTED, step, counter_id, operator, now, {})

    def finish(self, counter_id: str, operator: str | None, now: datetime,
               outcome: str | None = None, kind: str | None = None,
               topic: str | None = None) -> Event:
        _check_choice("outcome", outcome, OUTCOMES)
        _check_choice("kind", kind, APPEAL_KINDS)
        _check_choice("topic", topic, APPEAL_TOPICS)
        step = self._active(counter_id)
        return self._step_event(ev.STEP_FINISHED, step, counter_id, operator, now,
                                {"outcome": outcome or "served", "kind": kind, "topic": topic})

    def transfer(self, counter_id: str, operator: str | None, now: datetime,
                 service_id: str, note: str = "") -> Event:
        if service_id not in self.catalog.services:
            raise InvalidInput("Unknown service {service_id}", service_id=service_id)
        step = self._active(counter_id)
        return self._step_event(ev.STEP_TRANSFERRED, step, counter_id, operator, now,
                                {"to_service": service_id, "note": note or ""})

    def no_show(self, counter_id: str, operator: str | None, now: datetime) -> Event:
        step = self._active(counter_id, states=(CALLED,))
        return self._step_event(ev.STEP_NO_SHOW, step, counter_id, operator, now,
                                {"recalls": step.recalls, "auto": False})

    def pause(self, counter_id: str, operator: str | None, now: datetime, reason: str = "break") -> Event:
        c = self._working_counter(counter_id)
        if c.current_visit is not None:
            raise CounterBusy("Finish the current visitor before a pause")
        return Event(ev.COUNTER_PAUSED, now, counter=counter_id, operator=operator,
                     data={"reason": reason})

    def resume(self, counter_id: str, operator: str | None, now: datetime) -> Event:
        c = self.counter(counter_id)
        if c.status != COUNTER_PAUSED:
            raise InvalidState("Counter {counter_id} is not on a pause", counter_id=counter_id)
        return Event(ev.COUNTER_RESUMED, now, counter=counter_id, operator=operator)

    def cancel(self, visit_id: str, operator: str | None, now: datetime, reason: str = "") -> Event:
        visit = self.visit(visit_id)
        if not visit.is_open:
            raise InvalidState("Visit {number} is already over", number=visit.number)
        step = visit.current_step
        return Event(ev.VISIT_CANCELLED, now, visit=visit_id, step=step.index,
                     service=step.service_id, counter=step.counter_id, operator=operator,
                     data={"reason": reason})

    def device_status(self, device: str, kind: str, status: str, now: datetime, component: str = "",
                      message: str = "") -> Event:
        """A device's report of a fault, or that it works again; `operator` holds its name."""
        _check_choice("status", status, ("ok", "fault"))
        return Event(ev.DEVICE_FAULT if status == "fault" else ev.DEVICE_OK, now, operator=device,
                     data={"kind": kind, "component": component, "message": message})

    def end_of_day(self, now: datetime) -> list[Event]:
        """Cancel the tickets of earlier days still waiting: tickets are for one
        day, so yesterday's А012 must not wait beside today's. A visitor already
        at a counter is left to the clerk, however late it is."""
        today = self.local_date(now)
        out = []
        for queue in self.queues.values():
            for step in queue:
                visit = self.visits[step.visit_id]
                if self.local_date(visit.issued_at) < today:
                    out.append(Event(ev.VISIT_CANCELLED, now, visit=visit.id, step=step.index,
                                     service=step.service_id, data={"reason": ev.DAY_OVER}))
        return out

    def _working_counter(self, counter_id: str) -> CounterState:
        c = self.counter(counter_id)
        if c.status == COUNTER_CLOSED:
            raise CounterNotOpen("Counter {counter_id} is closed: log in at it first", counter_id=counter_id)
        if c.status == COUNTER_PAUSED:
            raise CounterNotOpen("Counter {counter_id} is on a pause: resume first", counter_id=counter_id)
        return c

    def _active(self, counter_id: str, states: tuple[str, ...] = ACTIVE_STEP_STATES) -> Step:
        step = self.current_step(counter_id)
        if step is None:
            raise NoCurrentVisitor("Counter {counter_id} has no current visitor", counter_id=counter_id)
        if step.state not in states:
            raise InvalidState("Not possible while the visitor is {state}", state=step.state)
        return step

    @staticmethod
    def _step_event(kind: str, step: Step, counter_id: str, operator: str | None,
                    now: datetime, data: dict) -> Event:
        return Event(kind, now, visit=step.visit_id, step=step.index, service=step.service_id,
                     counter=counter_id, operator=operator, data=data)

    # ---- applying events --------------------------------------------------
    def apply(self, e: Event) -> None:
        if e.seq is not None:
            self.last_seq = max(self.last_seq, e.seq)
        handler = _HANDLERS.get(e.type)
        if handler is not None:
            handler(self, e)
            self._history.feed(e)

    def _issued(self, e: Event) -> None:
        d = e.data
        assert e.visit is not None and e.service is not None  # the event schema requires both
        visit = Visit(e.visit, d["number"], e.at, d.get("priority"), d.get("channel") or "kiosk",
                      d.get("lang") or "ru", booking=d.get("booking"),
                      due=ev.parse_at(d["due"]) if d.get("due") else None)
        self.visits[e.visit] = visit
        self._enqueue(visit, Step(e.visit, e.step or 1, e.service, self._queue_time(e.at)))
        m = _NUMBER.match(visit.number)
        if m:
            key = (self.local_date(e.at), m.group(1))
            self._numbers[key] = max(self._numbers.get(key, 0), int(m.group(2)))

    def _enqueue(self, visit: Visit, step: Step) -> None:
        """Queues keep the journal's order of arrival (events are applied in seq
        order), so `ahead_of` is a binary search on it; with `apply`'s steady
        time, the head has also waited longest."""
        visit.steps.append(step)
        self._arrivals += 1
        step.arrival = self._arrivals
        self.queues.setdefault(step.service_id, []).append(step)

    def _step(self, e: Event) -> Step | None:
        visit = self.visits.get(e.visit or "")
        if visit is None or not visit.steps:
            return None
        return visit.current_step

    def _called(self, e: Event) -> None:
        step = self._step(e)
        if step is None:
            return
        self._dequeue(step)
        step.state, step.counter_id, step.operator = CALLED, e.counter, e.operator
        step.first_called_at = step.first_called_at or e.at
        step.last_called_at = e.at
        step.reason = e.data.get("reason")
        self._attach(e.counter, step.visit_id, e.at)
        self.recent_calls.appendleft(self._call_record(step, e))

    def _recalled(self, e: Event) -> None:
        step = self._step(e)
        if step is None:
            return
        step.recalls += 1
        step.last_called_at = e.at
        self.recent_calls.appendleft(self._call_record(step, e))

    def _call_record(self, step: Step, e: Event) -> dict:
        visit = self.visits[step.visit_id]
        record = {"number": visit.number, "counter_id": e.counter, "service_id": step.service_id,
                  "at": ev.format_at(e.at), "visit_id": visit.id, "lang": visit.lang,
                  "recall": e.type == ev.STEP_RECALLED}
        reason = step.reason or {}
        if reason.get("code") == "appointment":  # the hall sees why this one came first
            record["appointment"] = (reason.get("params") or {}).get("due")
        return record

    def _started(self, e: Event) -> None:
        step = self._step(e)
        if step is not None:
            step.state, step.started_at = SERVING, e.at

    def _ended(self, e: Event, state: str) -> Step | None:
        step = self._step(e)
        if step is None:
            return None
        if step.state == QUEUED:
            self._dequeue(step)
        step.state, step.ended_at = state, e.at
        self._detach(step.counter_id, step.visit_id, e.at)
        return step

    def _finished(self, e: Event) -> None:
        step = self._ended(e, FINISHED)
        if step is not None:
            self._close_visit(step.visit_id, e.at)

    def _no_show(self, e: Event) -> None:
        step = self._ended(e, NO_SHOW)
        if step is not None:
            self._close_visit(step.visit_id, e.at)

    def _cancelled(self, e: Event) -> None:
        visit = self.visits.get(e.visit or "")
        if visit is None:
            return
        if visit.current_step.state in OPEN_STEP_STATES:
            self._ended(e, CANCELLED)
        self._close_visit(visit.id, e.at)

    def _transferred(self, e: Event) -> None:
        step = self._ended(e, TRANSFERRED)
        if step is None:
            return
        visit = self.visits[step.visit_id]
        nxt = Step(visit.id, step.index + 1, e.data["to_service"], self._queue_time(e.at),
                   note=e.data.get("note", ""))
        self._enqueue(visit, nxt)

    def _close_visit(self, visit_id: str, at: datetime) -> None:
        visit = self.visits[visit_id]
        visit.closed_at = at
        self._forget_old(at)

    def _forget_old(self, now: datetime) -> None:
        """Closed visits stay a day for the tracking page, then leave memory (checked hourly)."""
        if self._pruned_at is not None and now - self._pruned_at < timedelta(hours=1):
            return
        self._pruned_at = now
        horizon = now - KEEP_CLOSED_VISITS
        for vid in [v.id for v in self.visits.values() if v.closed_at and v.closed_at < horizon]:
            del self.visits[vid]

    def _rated(self, e: Event) -> None:
        visit = self.visits.get(e.visit or "")
        if visit is not None:
            visit.rating = (e.data["score"], e.data.get("comment") or "")

    def _appeal_event(self, e: Event) -> None:
        self.appeals.apply(e)
        if e.type == ev.APPEAL_REGISTERED and e.data.get("rating"):
            visit = self.visits.get(e.data.get("visit_id") or "")
            if visit is not None:
                visit.complained = True

    def _dequeue(self, step: Step) -> None:
        queue = self.queues.get(step.service_id, [])
        i = bisect.bisect_left(queue, step.arrival, key=_arrival)
        if i < len(queue) and queue[i] is step:
            del queue[i]

    def _attach(self, counter_id: str | None, visit_id: str, at: datetime) -> None:
        c = self.counters.get(counter_id or "")
        if c is not None:
            c.current_visit, c.since = visit_id, at

    def _detach(self, counter_id: str | None, visit_id: str, at: datetime) -> None:
        c = self.counters.get(counter_id or "")
        if c is not None and c.current_visit == visit_id:
            c.current_visit, c.since = None, at

    def _counter_event(self, e: Event) -> None:
        c = self.counters.get(e.counter or "")
        if c is None:
            return
        if e.type == ev.COUNTER_OPENED:
            c.status, c.operator, c.pause_reason = COUNTER_OPEN, e.operator, None
        elif e.type == ev.COUNTER_CLOSED:
            c.status, c.operator, c.pause_reason = COUNTER_CLOSED, None, None
        elif e.type == ev.COUNTER_PAUSED:
            c.status, c.pause_reason = COUNTER_PAUSED, e.data.get("reason")
        elif e.type == ev.COUNTER_RESUMED:
            c.status, c.pause_reason = COUNTER_OPEN, None
        c.since = e.at

    def _booking_event(self, e: Event) -> None:
        self.bookings.apply(e)


def _check_choice(name: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidInput("{name} must be one of: {allowed}", name=name, allowed=", ".join(allowed))


_HANDLERS = {
    ev.VISIT_ISSUED: Office._issued,
    ev.STEP_CALLED: Office._called,
    ev.STEP_RECALLED: Office._recalled,
    ev.STEP_STARTED: Office._started,
    ev.STEP_FINISHED: Office._finished,
    ev.STEP_TRANSFERRED: Office._transferred,
    ev.STEP_NO_SHOW: Office._no_show,
    ev.VISIT_CANCELLED: Office._cancelled,
    ev.COUNTER_OPENED: Office._counter_event,
    ev.COUNTER_CLOSED: Office._counter_event,
    ev.COUNTER_PAUSED: Office._counter_event,
    ev.COUNTER_RESUMED: Office._counter_event,
    **{t: Office._booking_event for t in ev.BOOKING_TYPES},
    ev.VISIT_RATED: Office._rated,
    **{t: Office._appeal_event for t in (*ev.APPEAL_TYPES, ev.MESSAGE_SENT, ev.MESSAGE_FAILED)},
}
