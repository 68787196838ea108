"""The booking book: pre-registration («предварительная запись», GOST R 53368 §6.2.1.4).

A visitor (or a contact-centre clerk for a caller) books a slot of a service;
on the day they check in at the kiosk, by phone or at a counter, and the
ticket joins the queue as an appointment due at the slot (policy.py). The
book is folded from the journal's `booking.*` events, like the office's
queues from theirs, and validates what is asked against the office's own
capacity (slots.py): the methods return the events to journal and change
nothing themselves.

States: booked → checked_in | cancelled | no_show (the office marks a booking
nobody checked in for once its day is over). A booking holds its slot while
booked, checked in or a no-show; a cancel gives it back. One phone or e-mail
holds one booking per service per day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from . import events as ev
from .catalog import Catalog
from .codes import new_code
from .contacts import normalize_email, normalize_phone
from .errors import (
    BookingExists,
    InvalidInput,
    InvalidSlot,
    InvalidState,
    NotFound,
    SlotUnavailable,
)
from .events import Event, format_at, parse_at
from .hours import WorkingHours
from .slots import BookingRules, DayPlan, Slot, day_plan, hhmm, hour_key

BOOKED, CHECKED_IN, CANCELLED, NO_SHOW = "booked", "checked_in", "cancelled", "no_show"
HOLDS_SLOT = (BOOKED, CHECKED_IN, NO_SHOW)
HOLDS_CONTACT = (BOOKED, CHECKED_IN)
NAME_LEN = 100
MADE_VIA = ("web", "staff")  # the visitor themself, or staff for a caller
CHECK_IN_VIA = ("kiosk", "phone", "counter")
CANCELLED_BY = ("visitor", "staff")
PURPOSES = ("confirmation", "reminder", "cancellation")
DELIVERY_CHANNELS = ("email", "sms")
OUTCOMES = ("sent", "failed")


@dataclass
class Booking:
    code: str
    service_id: str
    start: datetime  # UTC
    seconds: int
    name: str
    phone: str | None
    email: str | None
    lang: str
    made_at: datetime
    made_by: str | None  # the staff login that booked for a caller
    via: str = "web"
    state: str = BOOKED
    visit_id: str | None = None
    late: bool = False
    checked_in_at: datetime | None = None
    checked_in_via: str | None = None
    ended_at: datetime | None = None
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # (purpose, channel) -> outcome

    def status(self, now: datetime, late_min: int) -> str:
        """What the office's list says: booked (not yet due), due, late, checked_in, no_show, cancelled."""
        if self.state != BOOKED:
            return self.state
        if now > self.start + timedelta(minutes=late_min):
            return "late"
        return "due" if now >= self.start - timedelta(hours=1) else BOOKED

    def contacts(self) -> list[str]:
        return [c for c in (self.phone, self.email) if c]


def clean_name(text: str) -> str:
    """A name as typed, on one line: control characters are refused, spaces squeezed."""
    name = " ".join((text or "").split())
    if not name:
        raise InvalidInput("Give the name the booking is for")
    if len(name) > NAME_LEN:
        raise InvalidInput("A name is at most {n} characters", n=NAME_LEN)
    if any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in name):
        raise InvalidInput("A name has letters, spaces and punctuation only")
    return name


class BookingBook:
    """Every booking the office still needs to know (from a quarter back), folded from events."""

    def __init__(self, catalog: Catalog, hours: WorkingHours, rules: BookingRules | None = None):
        self.catalog = catalog
        self.hours = hours
        self.rules = rules or BookingRules()
        self.zone = ZoneInfo(catalog.timezone)
        self.bookings: dict[str, Booking] = {}
        self._at_start: dict[tuple[str, datetime], int] = {}
        self._in_hour: dict[tuple[str, datetime], int] = {}
        self._contacts: dict[tuple[str, str, date], str] = {}
        self._plans: dict[tuple[str, date], DayPlan] = {}

    # ---- reading -----------------------------------------------------------
    def get(self, code: str) -> Booking:
        b = self.bookings.get(code)
        if b is None:
            raise NotFound("No booking {code}", code=code)
        return b

    def day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def plan(self, service_id: str, day: date) -> DayPlan:
        key = (service_id, day)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) > 4096:
                self._plans.clear()
            plan = self._plans[key] = day_plan(self.catalog, self.hours, self.rules, service_id, day)
        return plan

    def free(self, plan: DayPlan, slot: Slot, exclude: Booking | None = None) -> int:
        """Bookings `slot` may still take: its own limit and its hour's, whichever is lower."""
        at_start = self._at_start.get((plan.service_id, slot.start), 0)
        in_hour = self._in_hour.get((plan.service_id, slot.hour), 0)
        if exclude is not None and exclude.state in HOLDS_SLOT and exclude.service_id == plan.service_id:
            at_start -= exclude.start == slot.start
            in_hour -= hour_key(exclude.start, self.zone) == slot.hour
        return max(0, min(slot.at_once - at_start, plan.budget.get(slot.hour, 0) - in_hour))

    def unavailable(self, service_id: str, day: date, now: datetime) -> str | None:
        """Why no slot of the service can be booked that day, or None."""
        today = self.day(now)
        if not self.rules.bookable(self.catalog, service_id):
            return "not_bookable"
        if day < today:
            return "past"
        if (day - today).days > self.rules.horizon_days:
            return "beyond_horizon"
        if day in self.rules.blackout:
            return "blackout"
        if not self.plan(service_id, day).slots:
            return "closed"
        return None

    def slots(self, service_id: str, day: date, now: datetime) -> list[tuple[Slot, int]]:
        """Each slot of the day not yet begun, with how many more bookings it takes (0: full
        or too soon)."""
        if self.unavailable(service_id, day, now):
            return []
        plan = self.plan(service_id, day)
        soonest = now + timedelta(minutes=self.rules.min_lead_min)
        return [(s, 0 if s.start < soonest else self.free(plan, s)) for s in plan.slots if s.start >= now]

    def on_day(self, day: date) -> list[Booking]:
        """The day's bookings (any state), by slot time: the office's list."""
        out = [b for b in self.bookings.values() if self.day(b.start) == day]
        return sorted(out, key=lambda b: (b.start, b.made_at))

    # ---- commands: validate, return events -----------------------------------
    def make(self, service_id: str, start: datetime, name: str, phone: str | None, email: str | None,
             lang: str, now: datetime, by: str | None = None) -> Event:
        if not self.rules.bookable(self.catalog, service_id):
            raise InvalidInput("Service {service_id} takes no bookings", service_id=service_id)
        name = clean_name(name)
        phone = normalize_phone(phone) if phone else None
        email = normalize_email(email) if email else None
        if not phone and not email:
            raise InvalidInput("Give a phone number or an e-mail address: the confirmation goes there")
        slot = self._check_slot(service_id, start, now)
        self._check_contacts(service_id, self.day(start), [c for c in (phone, email) if c])
        code = new_code(self.bookings.__contains__)
        return Event(ev.BOOKING_CREATED, now, service=service_id, operator=by, data={
            "code": code, "start": format_at(slot.start), "minutes": slot.seconds // 60, "name": name,
            "phone": phone, "email": email, "lang": lang, "via": "staff" if by else "web"})

    def reschedule(self, code: str, start: datetime, now: datetime, by: str | None = None) -> Event:
        b = self._open(code, now)
        if start == b.start:
            raise InvalidSlot("The booking is already at {time}", time=hhmm(start, self.catalog.timezone))
        slot = self._check_slot(b.service_id, start, now, exclude=b)
        if self.day(start) != self.day(b.start):
            self._check_contacts(b.service_id, self.day(start), b.contacts())
        return Event(ev.BOOKING_RESCHEDULED, now, service=b.service_id, operator=by, data={
            "code": code, "start": format_at(slot.start), "minutes": slot.seconds // 60,
            "was": format_at(b.start)})

    def cancel(self, code: str, now: datetime, by: str | None = None) -> Event:
        b = self._open(code, now)
        return Event(ev.BOOKING_CANCELLED, now, service=b.service_id, operator=by, data={
            "code": code, "start": format_at(b.start), "by": "staff" if by else "visitor"})

    def check_in(self, code: str, now: datetime, via: str) -> tuple[Booking, bool]:
        """The booking to check in and whether it is late (then it becomes a walk-in);
        refused on another day, after a cancel, twice, and from a phone outside its window."""
        b = self.get(code)
        tz = self.catalog.timezone
        when = {"date": b.start.astimezone(self.zone).strftime("%d.%m"), "time": hhmm(b.start, tz)}
        if b.state == CANCELLED:
            raise InvalidState("This booking was cancelled")
        if b.state == CHECKED_IN:
            raise InvalidState("This booking is already checked in")
        day, today = self.day(b.start), self.day(now)
        if b.state == NO_SHOW or day < today:
            raise InvalidState("This booking was for {date} at {time}: that day is over", **when)
        if day > today:
            raise InvalidState("This booking is for {date} at {time}: check in on that day", **when)
        window = timedelta(minutes=self.rules.checkin_window_min)
        if via == "phone" and not b.start - window <= now <= b.start + window:
            raise InvalidState("From a phone you can check in {minutes} minutes either side of {time}; "
                               "otherwise use the kiosk in the hall", minutes=self.rules.checkin_window_min,
                               time=when["time"])
        return b, now > b.start + timedelta(minutes=self.rules.late_min)

    def checked_in(self, b: Booking, visit_id: str, late: bool, via: str, now: datetime,
                   by: str | None) -> Event:
        return Event(ev.BOOKING_CHECKED_IN, now, visit=visit_id, service=b.service_id, operator=by, data={
            "code": b.code, "start": format_at(b.start), "late": late, "via": via})

    def no_shows(self, now: datetime) -> list[Event]:
        """The bookings nobody checked in for, once their day is over (or closed)."""
        today = self.day(now)
        local = now.astimezone(self.zone)
        closing = self.hours.closing_local(local)
        out = []
        for b in self.bookings.values():
            if b.state != BOOKED:
                continue
            day = self.day(b.start)
            if day < today or (day == today and closing is not None and local >= closing
                               and now > b.start + timedelta(minutes=self.rules.late_min)):
                out.append(Event(ev.BOOKING_NO_SHOW, now, service=b.service_id, data={
                    "code": b.code, "start": format_at(b.start)}))
        return out

    def notified(self, code: str, channel: str, purpose: str, error: str | None, now: datetime) -> Event:
        b = self.bookings.get(code)
        return Event(ev.BOOKING_NOTIFIED, now, service=b.service_id if b else None, data={
            "code": code, "channel": channel, "purpose": purpose, "outcome": "failed" if error else "sent",
            "error": (error or "")[:300] or None})

    def _open(self, code: str, now: datetime) -> Booking:
        b = self.get(code)
        if b.state == CANCELLED:
            raise InvalidState("This booking was cancelled")
        if b.state != BOOKED:
            raise InvalidState("This booking can no longer be changed")
        if now >= b.start:
            raise InvalidState("The time of this booking has passed")
        return b

    def _check_slot(self, service_id: str, start: datetime, now: datetime,
                    exclude: Booking | None = None) -> Slot:
        tz = self.catalog.timezone
        day = self.day(start)
        why = self.unavailable(service_id, day, now)
        when = {"date": start.astimezone(self.zone).strftime("%d.%m"), "time": hhmm(start, tz)}
        if why == "past" or (why is None and start < now):
            raise InvalidSlot("{date} at {time} has passed", **when)
        if why == "beyond_horizon":
            raise InvalidSlot("Bookings are taken at most {days} days ahead", days=self.rules.horizon_days)
        if why == "blackout":
            raise InvalidSlot("The office takes no bookings on {date}", **when)
        if why is not None:
            raise InvalidSlot("The office takes no bookings for this service on {date}", **when)
        plan = self.plan(service_id, day)
        slot = plan.slot_at(start)
        if slot is None:
            raise InvalidSlot("{time} on {date} is not the start of a slot of this service", **when)
        if start < now + timedelta(minutes=self.rules.min_lead_min):
            raise SlotUnavailable("Bookings are made at least {minutes} minutes ahead",
                                  minutes=self.rules.min_lead_min)
        if self.free(plan, slot, exclude) <= 0:
            raise SlotUnavailable("{date} at {time} is already taken: choose another time", **when)
        return slot

    def _check_contacts(self, service_id: str, day: date, contacts: list[str]) -> None:
        if any((c, service_id, day) in self._contacts for c in contacts):
            raise BookingExists("This phone or e-mail already has a booking for this service that day: "
                                "move or cancel it with the link in its confirmation")

    # ---- applying events -------------------------------------------------------
    def apply(self, e: Event) -> None:
        d = e.data
        code = str(d.get("code") or "")  # the event schema requires it
        if e.type == ev.BOOKING_CREATED:
            b = Booking(code, e.service or "", parse_at(d["start"]), int(d.get("minutes") or 0) * 60,
                        d.get("name") or "", d.get("phone"), d.get("email"), d.get("lang") or "ru",
                        e.at, e.operator, d.get("via") or "web")
            self.bookings[code] = b
            self._hold(b, +1)
            return
        known = self.bookings.get(code)
        if known is None:
            return  # made before the span the book reads: nothing to update
        b = known
        if e.type == ev.BOOKING_RESCHEDULED:
            self._hold(b, -1)
            b.start, b.seconds = parse_at(d["start"]), int(d.get("minutes") or 0) * 60 or b.seconds
            self._hold(b, +1)
        elif e.type == ev.BOOKING_CANCELLED:
            self._hold(b, -1)
            b.state, b.ended_at = CANCELLED, e.at
        elif e.type == ev.BOOKING_CHECKED_IN:
            self._contact(b, -1)
            b.state, b.visit_id, b.late = CHECKED_IN, e.visit, bool(d.get("late"))
            b.checked_in_at, b.checked_in_via = e.at, d.get("via")
            self._contact(b, +1)
        elif e.type == ev.BOOKING_NO_SHOW:
            self._contact(b, -1)
            b.state, b.ended_at = NO_SHOW, e.at
        elif e.type == ev.BOOKING_NOTIFIED:
            b.messages[(d.get("purpose") or "", d.get("channel") or "")] = d.get("outcome") or ""

    def _hold(self, b: Booking, n: int) -> None:
        """Count `b` in (n=+1) or out of (n=-1) its slot, its hour and its contacts."""
        if b.state not in HOLDS_SLOT:
            return
        for table, key in ((self._at_start, (b.service_id, b.start)),
                           (self._in_hour, (b.service_id, hour_key(b.start, self.zone)))):
            table[key] = table.get(key, 0) + n
            if table[key] <= 0:
                del table[key]
        self._contact(b, n)

    def _contact(self, b: Booking, n: int) -> None:
        if b.state not in HOLDS_CONTACT:
            return
        day = self.day(b.start)
        for c in b.contacts():
            key = (c, b.service_id, day)
            if n > 0:
                self._contacts[key] = b.code
            elif self._contacts.get(key) == b.code:
                del self._contacts[key]

    # ---- upkeep ------------------------------------------------------------------
    def forget_before(self, before: datetime) -> int:
        """Drop bookings whose slot is before `before` (nightly): the book holds what can still change."""
        old = [b for b in self.bookings.values() if b.start < before and b.state != BOOKED]
        for b in old:
            self._hold(b, -1)
            del self.bookings[b.code]
        gone = self.day(before)
        for key in [k for k in self._plans if k[1] < gone]:  # past days' slots are not asked for again
            del self._plans[key]
        return len(old)

    def blank_personal(self, before: datetime) -> None:
        """Names and contacts of bookings whose slot is before `before` leave memory too
        (privacy.keep_booking_days; the journal's copies are blanked by the store)."""
        for b in self.bookings.values():
            if b.start < before and (b.name or b.phone or b.email):
                self._contact(b, -1)
                b.name, b.phone, b.email = "", None, None
