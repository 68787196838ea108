"""Working hours: when tickets may be issued.

Offices stop issuing tickets a little before closing (the last-ticket time)
so that everyone who took one can still be served the same day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import OfficeClosed

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DayHours:
    open: time
    last_ticket: time
    close: time


@dataclass(frozen=True)
class WorkingHours:
    days: dict[str, DayHours]  # weekday key → hours; a missing day is a day off
    timezone: str

    def hours_on(self, local: datetime) -> DayHours | None:
        return self.days.get(WEEKDAYS[local.weekday()])

    def check_issue(self, now: datetime) -> None:
        """Raise OfficeClosed, telling when it opens, outside ticket hours."""
        local = now.astimezone(ZoneInfo(self.timezone))
        today = self.hours_on(local)
        if today and today.open <= local.time() <= today.last_ticket:
            return
        opens = self.next_opening(local)
        if opens is None:
            raise OfficeClosed("The office is closed")
        raise OfficeClosed(
            "The office is closed, opens {day} at {time}",
            day=opens.strftime("%d.%m"), time=opens.strftime("%H:%M"), opens_at=opens.isoformat(),
        )

    def check_open(self, now: datetime) -> None:
        """Raise OfficeClosed outside opening hours: a booked visitor checks in until
        closing time, past the last-ticket time that stops walk-ins."""
        local = now.astimezone(ZoneInfo(self.timezone))
        today = self.hours_on(local)
        if today and today.open <= local.time() <= today.close:
            return
        self.check_issue(now)

    def next_opening(self, local: datetime) -> datetime | None:
        for offset in range(0, 8):
            day = (local + timedelta(days=offset)).date()
            hours = self.days.get(WEEKDAYS[day.weekday()])
            if not hours:
                continue
            start = datetime.combine(day, hours.open, tzinfo=local.tzinfo)
            if start > local:
                return start
        return None

    def closing_local(self, local: datetime) -> datetime | None:
        hours = self.hours_on(local)
        if not hours:
            return None
        return datetime.combine(local.date(), hours.close, tzinfo=local.tzinfo)


def always_open(timezone: str) -> WorkingHours:
    """The demo office: open round the clock so `make run` works at any hour."""
    whole_day = DayHours(time(0, 0), time(23, 59, 59), time(23, 59, 59))
    return WorkingHours({d: whole_day for d in WEEKDAYS}, timezone)
