"""Bookable slots, cut from the office's own capacity.

A booked visitor takes a counter's time that walk-ins would otherwise get, so
the bookable part of each hour is a share of what the counters can do in it:

* a service's slots are as long as its role's service norm (or the length
  office.toml gives the service), one after another from opening time while
  a slot still starts by the last-ticket time and ends by closing time;
* a counter's minutes in an hour are split evenly between the bookable
  services it serves, and at most `share` of a service's part, in slots,
  goes to bookings that hour: the counters' minutes that bookings may take
  never exceed `share`, so walk-ins keep the rest of every hour;
* at most `share` of the counters serving a service (at least one) are
  booked for the same start, so no moment of the day is given away whole.

Times are real instants (UTC) stepped in real minutes from the opening
instant, so a day with a clock change has as many slots as it has working
minutes, and each slot is shown with its own offset. The hour a slot's budget
comes from is the local clock hour it starts in, taken in real time: on the
night the clocks go back, 02:00–03:00 happens twice and each has its own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .catalog import Catalog
from .hours import WEEKDAYS, WorkingHours

MAX_HORIZON_DAYS = 92  # a quarter: the booking book reads its events this far back at start-up


@dataclass(frozen=True)
class BookingRules:
    """The office's booking settings (office.toml `[booking]`, docs/bookings.md)."""

    enabled: bool = True
    services: tuple[str, ...] = ()  # the bookable services; empty: every service
    horizon_days: int = 14  # how many days ahead, today counted as day 0
    share: float = 0.5  # of each hour's counter minutes, at most, for bookings
    min_lead_min: int = 30  # no booking less than this ahead
    blackout: frozenset[date] = frozenset()  # no bookings on these local dates
    slot_min: dict[str, int] = field(default_factory=dict)  # per service; else the role's service norm
    checkin_window_min: int = 15  # a phone checks in this close to the slot, either side
    late_min: int = 15  # later than this after the slot: a walk-in ticket
    remind_at: time = time(18, 0)  # the eve reminder, local time

    def bookable(self, catalog: Catalog, service_id: str) -> bool:
        return (self.enabled and service_id in catalog.services
                and (not self.services or service_id in self.services))

    def slot_s(self, catalog: Catalog, service_id: str) -> int:
        minutes = self.slot_min.get(service_id)
        return minutes * 60 if minutes else catalog.role_of(service_id).service_norm_s


@dataclass(frozen=True)
class Slot:
    start: datetime  # UTC
    seconds: int
    at_once: int  # bookings this start may take (share of the counters, at least one)
    hour: datetime  # UTC instant of the local clock hour it starts in: its budget's key

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class DayPlan:
    """One service's slots on one local date, and each hour's budget of bookings."""

    service_id: str
    day: date
    slots: tuple[Slot, ...]
    budget: dict[datetime, int]  # hour key -> bookings that hour may take

    def slot_at(self, start: datetime) -> Slot | None:
        for s in self.slots:
            if s.start == start:
                return s
        return None


def hour_key(at: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the local clock hour holding `at` began."""
    local = at.astimezone(zone)
    return (at - timedelta(minutes=local.minute, seconds=local.second,
                           microseconds=local.microsecond)).astimezone(UTC)


def local_instant(day: date, t: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, t, tzinfo=zone).astimezone(UTC)


def day_plan(catalog: Catalog, hours: WorkingHours, rules: BookingRules, service_id: str,
             day: date) -> DayPlan:
    """Every slot of `service_id` on local date `day` with its capacity, whatever is booked.
    Empty when the service is not bookable, the office is closed or the day is blacked out."""
    zone = ZoneInfo(catalog.timezone)
    today = hours.days.get(WEEKDAYS[day.weekday()])
    if today is None or day in rules.blackout or not rules.bookable(catalog, service_id):
        return DayPlan(service_id, day, (), {})
    opens = local_instant(day, today.open, zone)
    last = local_instant(day, today.last_ticket, zone)
    closes = local_instant(day, today.close, zone)
    length = rules.slot_s(catalog, service_id)
    counters = catalog.counters_serving(service_id)
    at_once = max(1, math.ceil(rules.share * len(counters) - 1e-9)) if counters and rules.share > 0 else 0
    step = timedelta(seconds=length)
    slots = []
    t = opens
    while t <= last and t + step <= closes and at_once:
        slots.append(Slot(t, length, at_once, hour_key(t, zone)))
        t += step
    # each counter's minutes are split evenly between the bookable services it serves
    split = [sum(1 for s in c.services if rules.bookable(catalog, s)) for c in counters]
    budget = {}
    for hour in dict.fromkeys(s.hour for s in slots):
        # in whole minutes, as office.toml gives hours (round the clock closes at 23:59:59)
        open_s = 60.0 * round(max(0.0, (min(hour + timedelta(hours=1), closes) - max(hour, opens)).total_seconds()) / 60)
        counter_s = sum(open_s / n for n in split if n)
        budget[hour] = math.floor(rules.share * counter_s / length + 1e-9)
    return DayPlan(service_id, day, tuple(slots), budget)


def local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def hhmm(at: datetime, timezone: str) -> str:
    """A slot's local time as people say it: «10:30»."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def iso_local(at: datetime, timezone: str) -> str:
    """ISO 8601 with the office's offset, to the second: what the API shows for a slot."""
    return at.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
