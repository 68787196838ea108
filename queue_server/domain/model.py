"""Mutable queue state: visits, their steps, counters.

The state is never written directly: `office.Office.apply` folds journal
events into it, so the same code rebuilds it at start-up and keeps it live.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

QUEUED = "queued"
CALLED = "called"
SERVING = "serving"
FINISHED = "finished"
TRANSFERRED = "transferred"
NO_SHOW = "no_show"
CANCELLED = "cancelled"

ACTIVE_STEP_STATES = (CALLED, SERVING)
OPEN_STEP_STATES = (QUEUED, CALLED, SERVING)

COUNTER_CLOSED = "closed"
COUNTER_OPEN = "open"
COUNTER_PAUSED = "paused"


@dataclass
class Step:
    visit_id: str
    index: int
    service_id: str
    queued_at: datetime
    state: str = QUEUED
    counter_id: str | None = None
    operator: str | None = None
    first_called_at: datetime | None = None
    last_called_at: datetime | None = None
    recalls: int = 0
    started_at: datetime | None = None
    ended_at: datetime | None = None
    note: str = ""
    reason: dict | None = None
    arrival: int = 0  # its place in the order of arrival (Office._enqueue)

    def wait_s(self, now: datetime) -> float:
        end = self.first_called_at or now
        return max(0.0, (end - self.queued_at).total_seconds())

    def service_s(self, now: datetime) -> float | None:
        begin = self.started_at or self.last_called_at
        if begin is None:
            return None
        return max(0.0, ((self.ended_at or now) - begin).total_seconds())


@dataclass
class Visit:
    id: str
    number: str
    issued_at: datetime
    priority: str | None = None
    channel: str = "kiosk"
    lang: str = "ru"
    steps: list[Step] = field(default_factory=list)
    closed_at: datetime | None = None
    booking: str | None = None  # the booking checked in with this ticket
    due: datetime | None = None  # an appointment's slot (policy.py)
    rating: tuple[int, str] | None = None  # the visitor's score and comment (visit.rated)
    complained: bool = False  # a complaint was registered from that rating

    @property
    def current_step(self) -> Step:
        return self.steps[-1]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def elapsed_s(self, now: datetime) -> float:
        return max(0.0, ((self.closed_at or now) - self.issued_at).total_seconds())


@dataclass
class CounterState:
    id: str
    status: str = COUNTER_CLOSED
    operator: str | None = None
    pause_reason: str | None = None
    current_visit: str | None = None
    since: datetime | None = None
