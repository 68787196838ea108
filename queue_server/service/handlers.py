"""One handler per command: the command's name → what the office does.

Each handler translates a command and its asker into a call on the domain
(`Office`), which validates against the current state and returns the events
to journal. Handlers hold no rules of their own: those are the domain's.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..auth import Principal
from ..domain import commands as c
from ..domain import events as ev
from ..domain.events import Event
from ..domain.office import Office
from ..domain.ratings import complaint_from_rating, rate_visit, visit_just_served_at

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


def register_appeal(office: Office, cmd: c.RegisterAppeal, who: Principal, now: datetime) -> list[Event]:
    service_id = cmd.service_id
    visit = office.visits.get(cmd.visit_id or "")
    if service_id is None and visit is not None:
        service_id = visit.current_step.service_id
    counter_id = cmd.counter_id  # one named and unknown is refused (the domain's check)
    if counter_id is None and who.counter_id in office.catalog.counters:
        counter_id = who.counter_id
    return [office.appeals.register(
        now, who.subject, kind=cmd.kind, topic=cmd.topic, channel=cmd.channel, text=cmd.text,
        requested_action=cmd.requested_action, immediate_measures=cmd.immediate_measures,
        service_id=service_id, visit_id=cmd.visit_id, contract=cmd.contract, contact=cmd.contact,
        counter_id=counter_id, repeat_of=cmd.repeat_of, known_service=office.catalog.services.__contains__,
        known_counter=office.catalog.counters.__contains__)]


def extend_appeal(office: Office, cmd: c.ExtendAppeal, who: Principal, now: datetime) -> list[Event]:
    return [office.appeals.extend(now, who.subject, cmd.code, cmd.days, cmd.reason)]


def decide_appeal(office: Office, cmd: c.DecideAppeal, who: Principal, now: datetime) -> list[Event]:
    return [office.appeals.decide(now, who.subject, cmd.code, cmd.decision, cmd.answer)]


def close_appeal(office: Office, cmd: c.CloseAppeal, who: Principal, now: datetime) -> list[Event]:
    return [office.appeals.close(now, who.subject, cmd.code, cmd.accepted)]


def record_appeal_slip(office: Office, cmd: c.RecordAppealSlip, who: Principal, now: datetime) -> list[Event]:
    return [office.appeals.slip_printed(now, who.subject, cmd.code, cmd.counter_id, cmd.error)]


RATED_VIA = {"public": "track", "display": "counter", "buttons": "pad"}


def rate(office: Office, cmd: c.RateVisit, who: Principal, now: datetime) -> list[Event]:
    window = timedelta(hours=office.appeals.rules.rating_window_hours)
    return [rate_visit(office, cmd.visit_id, cmd.score, cmd.comment, now, RATED_VIA.get(who.role, "track"),
                       window, cmd.keys)]


def rate_at_counter(office: Office, cmd: c.RateAtCounter, who: Principal, now: datetime) -> list[Event]:
    rules = office.appeals.rules
    visit_id = visit_just_served_at(office, cmd.counter_id, now, timedelta(minutes=rules.counter_rating_minutes))
    return rate(office, c.RateVisit(visit_id, cmd.score, None, cmd.keys), who, now)


def complain_after_rating(office: Office, cmd: c.ComplainAfterRating, who: Principal, now: datetime) -> list[Event]:
    return [complaint_from_rating(office, cmd.visit_id, cmd.contact, now)]


def record_delivery(office: Office, cmd: c.RecordDelivery, who: Principal, now: datetime) -> list[Event]:
    return [Event(ev.MESSAGE_FAILED if cmd.error else ev.MESSAGE_SENT, now, data={
        "channel": cmd.channel, "purpose": cmd.purpose[:40], "ref": cmd.ref[:64],
        "error": (cmd.error or "")[:300] or None})]


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
    c.RegisterAppeal: register_appeal,
    c.ExtendAppeal: extend_appeal,
    c.DecideAppeal: decide_appeal,
    c.CloseAppeal: close_appeal,
    c.RecordAppealSlip: record_appeal_slip,
    c.RateVisit: rate,
    c.RateAtCounter: rate_at_counter,
    c.ComplainAfterRating: complain_after_rating,
    c.RecordDelivery: record_delivery,
}
