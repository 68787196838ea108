"""Journal events: the one record of everything that happened in an office.

The line format is pinned (docs/journal.md): other systems import and export
it, and reports are computed from nothing else.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

VISIT_ISSUED = "visit.issued"
VISIT_CANCELLED = "visit.cancelled"
STEP_CALLED = "step.called"
STEP_RECALLED = "step.recalled"
STEP_STARTED = "step.started"
STEP_FINISHED = "step.finished"
STEP_TRANSFERRED = "step.transferred"
STEP_NO_SHOW = "step.no_show"
COUNTER_OPENED = "counter.opened"
COUNTER_CLOSED = "counter.closed"
COUNTER_PAUSED = "counter.paused"
COUNTER_RESUMED = "counter.resumed"
DEVICE_FAULT = "device.fault"
DEVICE_OK = "device.ok"

JOURNAL_SET_ASIDE = "journal.set_aside"

BOOKING_CREATED = "booking.created"
BOOKING_RESCHEDULED = "booking.rescheduled"
BOOKING_CANCELLED = "booking.cancelled"
BOOKING_CHECKED_IN = "booking.checked_in"
BOOKING_NO_SHOW = "booking.no_show"
BOOKING_NOTIFIED = "booking.notified"
BOOKING_TYPES = (BOOKING_CREATED, BOOKING_RESCHEDULED, BOOKING_CANCELLED, BOOKING_CHECKED_IN,
                 BOOKING_NO_SHOW, BOOKING_NOTIFIED)
# The appeals registry (domain/appeals.py) and visitors' ratings of their visits.
APPEAL_REGISTERED = "appeal.registered"
APPEAL_EXTENDED = "appeal.extended"
APPEAL_DECIDED = "appeal.decided"
APPEAL_CLOSED = "appeal.closed"
APPEAL_SLIP = "appeal.slip_printed"
APPEAL_TYPES = (APPEAL_REGISTERED, APPEAL_EXTENDED, APPEAL_DECIDED, APPEAL_CLOSED, APPEAL_SLIP)
VISIT_RATED = "visit.rated"
# What the office's outgoing messages (adapters/notify.py) did: sent, or given up.
MESSAGE_SENT = "message.sent"
MESSAGE_FAILED = "message.failed"

# `visit.cancelled` by the office itself: a ticket still waiting when its day
# ended. Tickets are for one day (their numbers start over), so none carries over.
DAY_OVER = "day_over"

# Each type's data, which of it a clerk types, and EVENT_TYPES: event_schema.py.


def format_at(at: datetime) -> str:
    """ISO-8601 UTC with milliseconds and a Z, the journal's one time format.
    (isoformat, not strftime: it runs several times per request, and is faster.)"""
    return at.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def parse_at(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError("time without a zone: " + text)
    return dt.astimezone(UTC)


@dataclass(frozen=True)
class Event:
    type: str
    at: datetime
    visit: str | None = None
    step: int | None = None
    service: str | None = None
    counter: str | None = None
    operator: str | None = None
    data: dict = field(default_factory=dict)
    seq: int | None = None

    def to_line(self) -> dict:
        return {
            "seq": self.seq,
            "at": format_at(self.at),
            "type": self.type,
            "visit": self.visit,
            "step": self.step,
            "service": self.service,
            "counter": self.counter,
            "operator": self.operator,
            "data": self.data,
        }

    @classmethod
    def from_line(cls, line: dict) -> Event:
        return cls(
            type=line["type"],
            at=parse_at(line["at"]),
            visit=line.get("visit"),
            step=line.get("step"),
            service=line.get("service"),
            counter=line.get("counter"),
            operator=line.get("operator"),
            data=line.get("data") or {},
            seq=line.get("seq"),
        )

    def uid(self) -> str:
        """Identity of the fact itself, without seq: makes imports idempotent."""
        body = self.to_line()
        body.pop("seq")
        raw = json.dumps(body, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]

