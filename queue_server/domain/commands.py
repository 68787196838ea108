"""Commands: what someone asks the office to do, as small named values.

A route or a job builds one and hands it to the service layer, which checks
who may run it (by its name, `service/authz.py`), runs its handler against the
office under the writer's lock and journals the events it returns. Being
values, commands can be logged, tested and authorised by name; the fields are
what the asker decides, never who asks or when (the service layer adds those).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Command:
    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class CounterCommand(Command):
    """A command at one counter: who may run it depends on where they work."""

    counter_id: str


@dataclass(frozen=True)
class IssueTicket(Command):
    """A new visit. `channel` defaults to the asker's (a kiosk, or staff at a counter),
    `lang` to the office's language."""

    service_id: str
    priority: str | None = None
    channel: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class OpenCounter(CounterCommand):
    """Log in at a counter. Someone else's counter only with `takeover`."""

    takeover: bool = False


@dataclass(frozen=True)
class CloseCounter(CounterCommand):
    pass


@dataclass(frozen=True)
class CallNext(CounterCommand):
    pass


@dataclass(frozen=True)
class Recall(CounterCommand):
    pass


@dataclass(frozen=True)
class StartService(CounterCommand):
    pass


@dataclass(frozen=True)
class FinishService(CounterCommand):
    outcome: str | None = None
    kind: str | None = None
    topic: str | None = None


@dataclass(frozen=True)
class Transfer(CounterCommand):
    service_id: str = ""
    note: str = ""


@dataclass(frozen=True)
class NoShow(CounterCommand):
    pass


@dataclass(frozen=True)
class PauseCounter(CounterCommand):
    reason: str = "break"


@dataclass(frozen=True)
class ResumeCounter(CounterCommand):
    pass


@dataclass(frozen=True)
class CancelVisit(Command):
    visit_id: str
    reason: str = ""


@dataclass(frozen=True)
class EndOfDay(Command):
    """Cancel the earlier days' tickets still waiting (the office itself, at midnight)."""


@dataclass(frozen=True)
class ReportDevice(Command):
    """A device reports a fault of one of its parts, or that it works again."""

    status: str
    component: str = ""
    message: str = ""


# ---- bookings (docs/bookings.md) ---------------------------------------------
@dataclass(frozen=True)
class MakeBooking(Command):
    """Book a slot: a visitor on the page or through the API, or staff for a caller."""

    service_id: str
    start: datetime
    visitor: str  # the name the booking is for (`name` is the command's own)
    phone: str | None = None
    email: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class RescheduleBooking(Command):
    code: str
    start: datetime


@dataclass(frozen=True)
class CancelBooking(Command):
    code: str


@dataclass(frozen=True)
class CheckInBooking(Command):
    """The booked visitor came: at the kiosk, by phone (near the slot) or at a counter."""

    code: str


@dataclass(frozen=True)
class MarkBookingNoShows(Command):
    """Bookings nobody checked in for, once their day is over (the office itself)."""


@dataclass(frozen=True)
class RecordBookingMessage(Command):
    """A confirmation or reminder went out, or failed for good (the office's sender)."""

    code: str
    channel: str
    purpose: str
    error: str | None = None


# ---- the appeals registry (domain/appeals.py) and ratings (domain/ratings.py) ----
@dataclass(frozen=True)
class RegisterAppeal(Command):
    """A complaint, application, question or suggestion, at a counter or from a remote channel.
    `counter_id` defaults to the operator's counter; `service_id` to the visit's service."""

    kind: str
    topic: str
    channel: str
    text: str
    requested_action: str | None = None
    immediate_measures: str | None = None
    service_id: str | None = None
    visit_id: str | None = None
    contract: str | None = None
    contact: dict | None = None
    counter_id: str | None = None
    repeat_of: str | None = None


@dataclass(frozen=True)
class ExtendAppeal(Command):
    code: str
    days: int
    reason: str


@dataclass(frozen=True)
class DecideAppeal(Command):
    code: str
    decision: str
    answer: str


@dataclass(frozen=True)
class CloseAppeal(Command):
    """The customer accepts the decision (closed) or does not (it stays open, §7.8)."""

    code: str
    accepted: bool


@dataclass(frozen=True)
class RecordAppealSlip(Command):
    """The acknowledgement slip was sent to a counter's printer (`error` None) or failed."""

    code: str
    counter_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class RateVisit(Command):
    """A visitor's score of a finished visit; `keys`: a rating pad's number of keys."""

    visit_id: str
    score: int
    comment: str | None = None
    keys: int | None = None


@dataclass(frozen=True)
class RateAtCounter(Command):
    """A counter display or rating pad rates the visit just served at its counter."""

    counter_id: str
    score: int
    keys: int | None = None


@dataclass(frozen=True)
class ComplainAfterRating(Command):
    """The visitor who rated 1–2 with a comment registers it as a complaint."""

    visit_id: str
    contact: dict | None = None


@dataclass(frozen=True)
class RecordDelivery(Command):
    """What an outgoing e-mail or SMS did (the Notifier's outcome): sent, or given up."""

    channel: str
    purpose: str
    ref: str
    error: str | None = None
