"""Whether the office can apply an event, checked line by line in journal order.

The office's fold (`Office.apply`) trusts the journal: a step event acts on
its visit's current step, a transfer queues the next one. A line that breaks
that trust (data of the wrong shape, a call for a visit never issued, a finish
of a step already over) would leave the office in a state no command could
have made, or stop it from starting. So the same rules guard the three ways
events reach a journal: what the office appends (its own commands obey them
by construction), an import (refused with the line's number before anything
is applied), and the start-up replay (which refuses to start, naming the seq,
instead of starting wrong; `qserver doctor` lists every such line).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from . import events as ev
from .catalog import Catalog
from .event_schema import check_event
from .events import Event
from .model import CALLED, QUEUED, SERVING

OVER = "over"
_OVER: tuple[int, str] = (0, OVER)  # shared by every ended visit: an import may hold many

# the states of the visit's current step each step event needs
NEEDS = {
    ev.STEP_CALLED: (QUEUED,),
    ev.STEP_RECALLED: (CALLED,),
    ev.STEP_STARTED: (CALLED,),
    ev.STEP_FINISHED: (CALLED, SERVING),
    ev.STEP_TRANSFERRED: (CALLED, SERVING),
    ev.STEP_NO_SHOW: (CALLED,),
    ev.VISIT_CANCELLED: (QUEUED, CALLED, SERVING),
}
_AFTER = {ev.STEP_CALLED: CALLED, ev.STEP_STARTED: SERVING, ev.STEP_RECALLED: CALLED}
_ENDS_VISIT = (ev.STEP_FINISHED, ev.STEP_NO_SHOW, ev.VISIT_CANCELLED)


class JournalCheck:
    """Follows each visit's current step through the events it is shown.

    `catalog`: an import must name services and counters this office has
    (None: not checked; the replay applies what the journal holds even when
    office.toml has dropped a service since). `history`: a visit's events
    already in the journal, asked for the first time an event names a visit
    this check has not seen (an import into a journal). `partial`: the events
    start mid-journal (the start-up replay of two days), so an event of a
    visit issued before them is skipped, as the office skips it.
    """

    def __init__(self, catalog: Catalog | None = None, *, strict: bool = True,
                 history: Callable[[str], Iterable[Event]] | None = None, partial: bool = False):
        self.catalog = catalog
        self.strict = strict
        self.history = history
        self.partial = partial
        self.visits: dict[str, tuple[int, str]] = {}

    def check(self, e: Event) -> str | None:
        """What stops the office applying `e` after the events checked so far, or None
        (and then `e` counts as applied)."""
        return self.shape(e) or self.follow(e)

    def shape(self, e: Event) -> str | None:
        """What is wrong with `e` on its own: its schema, and the names it uses."""
        return check_event(e, self.strict) or (self._names(e) if self.catalog is not None else None)

    def _names(self, e: Event) -> str | None:
        catalog = self.catalog
        assert catalog is not None
        if e.service is not None and e.service not in catalog.services:
            return f"unknown service {e.service!r}"
        if e.counter is not None and e.counter not in catalog.counters:
            return f"unknown counter {e.counter!r}"
        if e.type == ev.STEP_TRANSFERRED and e.data["to_service"] not in catalog.services:
            return f"unknown service to transfer to {e.data['to_service']!r}"
        return None

    def _track(self, visit: str) -> tuple[int, str] | None:
        track = self.visits.get(visit)
        if track is None and self.history is not None:
            for e in self.history(visit):
                track = _next_track(track, e)
            if track is not None:
                self.visits[visit] = track
        return track

    def follow(self, e: Event) -> str | None:
        """Whether `e` fits its visit's story so far (call `shape` first); if so it counts as applied."""
        kind = e.type
        if kind == ev.VISIT_ISSUED:
            visit = e.visit
            assert visit is not None
            if self._track(visit) is not None:
                return f"visit {visit} is issued twice"
            if e.step not in (None, 1):
                return "a ticket's first step is step 1"
            self.visits[visit] = (1, QUEUED)
            return None
        needs = NEEDS.get(kind)
        if needs is None:
            return None  # counters, devices, set-aside lines: no visit to follow
        visit = e.visit
        assert visit is not None
        track = self._track(visit)
        if track is None:
            return None if self.partial else f"no visit {visit} was issued before this event"
        step, state = track
        if state == OVER:
            return f"visit {visit} is already over"
        if e.step is not None and e.step != step:
            return f"step {e.step} is not the current step ({step}) of visit {visit}"
        if state not in needs:
            return f"{kind} needs a step that is {' or '.join(needs)}, and step {step} of visit {visit} is {state}"
        self.visits[visit] = _next_track(track, e)  # type: ignore[assignment]
        return None


def _next_track(track: tuple[int, str] | None, e: Event) -> tuple[int, str] | None:
    """A visit's (current step, its state) after `e`, without checking (the journal's own past)."""
    kind = e.type
    if kind == ev.VISIT_ISSUED:
        return (1, QUEUED)
    if track is None or track is _OVER:
        return track
    if kind in _ENDS_VISIT:
        return _OVER
    if kind == ev.STEP_TRANSFERRED:
        return (track[0] + 1, QUEUED)
    after = _AFTER.get(kind)
    return (track[0], after) if after else track
