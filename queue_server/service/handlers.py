"""One handler per command: the command's name → what the office does.

Each handler translates a command and its asker into a call on the domain
(`Office`), which validates against the current state and returns the events
to journal. Handlers hold no rules of their own: those are the domain's.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..auth import Principal
from ..domain import commands as c
from ..domain.events import Event
from ..domain.office import Office

# each handler takes its own command class: the table pairs them, so the command is typed Any here
Handler = Callable[[Office, Any, Principal, datetime], list[Event]]


def _one(e: Event | None) -> list[Event]:
    return [] if e is None else [e]


def issue_ticket(office: Office, cmd: c.IssueTicket, who: Principal, now: datetime) -> list[Event]:
    channel = cmd.channel or ("kiosk" if who.kind == "device" else "counter")
    return [office.issue(cmd.service_id, now, cmd.priority, channel, cmd.lang or office.catalog.language)]


def open_counter(office: Office, cmd: c.OpenCounter, who: Principal, now: datetime) -> list[Event]:
    return office.open_counter(cmd.counter_id, who.subject, now, takeover=cmd.takeover,
                               supervisor=who.role == "admin")


def close_counter(office: Office, cmd: c.CloseCounter, who: Principal, now: datetime) -> list[Event]:
    return office.close_counter(cmd.counter_id, who.subject, now)


def call_next(office: Office, cmd: c.CallNext, who: Principal, now: datetime) -> list[Event]:
    return _one(office.call_next(cmd.counter_id, who.subject, now))


def recall(office: Office, cmd: c.Recall, who: Principal, now: datetime) -> list[Event]:
    return [office.recall(cmd.counter_id, who.subject, now)]


def start_service(office: Office, cmd: c.StartService, who: Principal, now: datetime) -> list[Event]:
    return [office.start(cmd.counter_id, who.subject, now)]


def finish_service(office: Office, cmd: c.FinishService, who: Principal, now: datetime) -> list[Event]:
    return [office.finish(cmd.counter_id, who.subject, now, cmd.outcome, cmd.kind, cmd.topic)]


def transfer(office: Office, cmd: c.Transfer, who: Principal, now: datetime) -> list[Event]:
    return [office.transfer(cmd.counter_id, who.subject, now, cmd.service_id, cmd.note)]


def no_show(office: Office, cmd: c.NoShow, who: Principal, now: datetime) -> list[Event]:
    return [office.no_show(cmd.counter_id, who.subject, now)]


def pause(office: Office, cmd: c.PauseCounter, who: Principal, now: datetime) -> list[Event]:
    return [office.pause(cmd.counter_id, who.subject, now, cmd.reason)]


def resume(office: Office, cmd: c.ResumeCounter, who: Principal, now: datetime) -> list[Event]:
    return [office.resume(cmd.counter_id, who.subject, now)]


def cancel_visit(office: Office, cmd: c.CancelVisit, who: Principal, now: datetime) -> list[Event]:
    return [office.cancel(cmd.visit_id, who.subject, now, cmd.reason)]


def end_of_day(office: Office, cmd: c.EndOfDay, who: Principal, now: datetime) -> list[Event]:
    return office.end_of_day(now)


def report_device(office: Office, cmd: c.ReportDevice, who: Principal, now: datetime) -> list[Event]:
    return [office.device_status(who.subject, who.role, cmd.status, now, cmd.component, cmd.message)]


def _booker(who: Principal) -> str | None:
    """Who the journal names for a booking action: staff by login; a visitor stays unnamed."""
    return who.subject if who.kind == "staff" else None


def make_booking(office: Office, cmd: c.MakeBooking, who: Principal, now: datetime) -> list[Event]:
    return [office.bookings.make(cmd.service_id, cmd.start, cmd.visitor, cmd.phone, cmd.email,
                                 cmd.lang or office.catalog.language, now, _booker(who))]


def reschedule_booking(office: Office, cmd: c.RescheduleBooking, who: Principal, now: datetime) -> list[Event]:
    return [office.bookings.reschedule(cmd.code, cmd.start, now, _booker(who))]


def cancel_booking(office: Office, cmd: c.CancelBooking, who: Principal, now: datetime) -> list[Event]:
    return [office.bookings.cancel(cmd.code, now, _booker(who))]


CHECK_IN_VIA = {"device": "kiosk", "staff": "counter"}


def check_in_booking(office: Office, cmd: c.CheckInBooking, who: Principal, now: datetime) -> list[Event]:
    return office.check_in_booking(cmd.code, now, CHECK_IN_VIA.get(who.kind, "phone"),
                                   who.subject if who.kind in CHECK_IN_VIA else None)


def mark_booking_no_shows(office: Office, cmd: c.MarkBookingNoShows, who: Principal, now: datetime) -> list[Event]:
    return office.bookings.no_shows(now)


def record_booking_message(office: Office, cmd: c.RecordBookingMessage, who: Principal,
                           now: datetime) -> list[Event]:
    return [office.bookings.notified(cmd.code, cmd.channel, cmd.purpose, cmd.error, now)]


HANDLERS: dict[type[c.Command], Handler] = {
    c.IssueTicket: issue_ticket,
    c.OpenCounter: open_counter,
    c.CloseCounter: close_counter,
    c.CallNext: call_next,
    c.Recall: recall,
    c.StartService: start_service,
    c.FinishService: finish_service,
    c.Transfer: transfer,
    c.NoShow: no_show,
    c.PauseCounter: pause,
    c.ResumeCounter: resume,
    c.CancelVisit: cancel_visit,
    c.EndOfDay: end_of_day,
    c.ReportDevice: report_device,
    c.MakeBooking: make_booking,
    c.RescheduleBooking: reschedule_booking,
    c.CancelBooking: cancel_booking,
    c.CheckInBooking: check_in_booking,
    c.MarkBookingNoShows: mark_booking_no_shows,
    c.RecordBookingMessage: record_booking_message,
}
