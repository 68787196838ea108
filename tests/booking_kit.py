"""Offices for the booking tests: the example office with settings changed, as office.toml would."""
from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from queue_server.cli import demo_config
from queue_server.config import parse_config
from queue_server.domain import events as ev
from queue_server.domain.office import Office

T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # Friday 10:00 in Moscow
WEEKDAY_HOURS = "".join(f'[hours.{d}]\nopen = "08:00"\nlast_ticket = "16:45"\nclose = "17:00"\n'
                        for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def office_config(extra: str = "", hours: str | None = None, timezone: str | None = None):
    """The example office; `extra` is TOML appended (e.g. a [booking] table), `hours` replaces
    "always" by weekday tables, `timezone` the office's zone."""
    text = demo_config()
    if hours is not None:
        text = text.replace('hours = "always"   # the demo office never closes\n', "")
    if timezone:
        text = text.replace('timezone = "Europe/Moscow"', f'timezone = "{timezone}"')
    raw = tomllib.loads(text + "\n" + extra + "\n" + (hours or ""))
    return parse_config(raw, Path("office.toml"))


class BookingHarness:
    """An office driven the way the service layer drives it: commands return events,
    which are numbered and applied."""

    def __init__(self, extra: str = "", hours: str | None = None, timezone: str | None = None,
                 now: datetime = T0):
        self.config = office_config(extra, hours, timezone)
        self.office = Office(self.config.catalog, self.config.hours, self.config.appeal_rules, self.config.booking)
        self.book = self.office.bookings
        self.now = now
        self.journal: list[ev.Event] = []

    def apply(self, events):
        out = []
        for e in events if isinstance(events, list) else [events]:
            e = ev.Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data,
                         len(self.journal) + 1)
            self.journal.append(e)
            self.office.apply(e)
            out.append(e)
        return out

    def tick(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)

    def make(self, service: str, start: datetime, phone: str | None = "+79120000000", email=None,
             name: str = "Иванова Мария", by: str | None = None) -> str:
        (e,) = self.apply(self.book.make(service, start, name, phone, email, "ru", self.now, by))
        return e.data["code"]

    def check_in(self, code: str, via: str = "kiosk") -> list[ev.Event]:
        return self.apply(self.office.check_in_booking(code, self.now, via))

    def free_starts(self, service: str, day) -> list[datetime]:
        return [s.start for s, free in self.book.slots(service, day, self.now) if free > 0]

    def issue(self, service: str = "reception", priority: str | None = None) -> ev.Event:
        (e,) = self.apply(self.office.issue(service, self.now, priority))
        return e

    def open(self, counter: str) -> None:
        self.apply(self.office.open_counter(counter, f"op{counter}", self.now))

    def call(self, counter: str) -> ev.Event | None:
        e = self.office.call_next(counter, f"op{counter}", self.now)
        return self.apply(e)[0] if e is not None else None

    def finish(self, counter: str) -> None:
        self.apply(self.office.finish(counter, f"op{counter}", self.now))

    def number(self, e: ev.Event) -> str:
        return self.office.visit(e.visit or "").number


def msk(day: str, hhmm: str) -> datetime:
    """A Moscow wall-clock time as a UTC instant (Moscow has no DST: +03:00)."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00+03:00").astimezone(UTC)
