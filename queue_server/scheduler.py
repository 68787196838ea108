"""Things the server does by itself at set local times: the midnight sweep,
the nightly backup and the closed day's reports, so that the head finds them
without asking. Each job logs what it did (adapters/oplog.py); a job that
fails logs `job.failed` with its traceback and runs again the next day."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .adapters import oplog

log = logging.getLogger(__name__)


class DailyJob:
    """Runs `action(local_now)` once a day, at the first tick at or after `at_time`."""

    def __init__(self, name: str, at_time: Callable[[datetime], datetime | None], action: Callable[[datetime], None]):
        self.name, self.at_time, self.action = name, at_time, action
        self.last_day: str | None = None

    def tick(self, local_now: datetime) -> bool:
        due = self.at_time(local_now)
        day = local_now.date().isoformat()
        if due is None or local_now < due or self.last_day == day:
            return False
        self.last_day = day
        try:
            self.action(local_now)
        except Exception as exc:  # the office goes on; the IT person reads why
            oplog.event(log, "job.failed", logging.ERROR, exc_info=exc, job=self.name, error=str(exc))
        return True


class Scheduler:
    def __init__(self, clock, timezone: str, jobs: list[DailyJob], interval_s: float = 30):
        self.clock, self.tz, self.jobs, self.interval_s = clock, ZoneInfo(timezone), jobs, interval_s
        self._stop = threading.Event()
        local = clock.now().astimezone(self.tz)
        for job in jobs:  # a job whose time today has already passed waits for tomorrow
            due = job.at_time(local)
            if due is not None and local >= due:
                job.last_day = local.date().isoformat()

    def tick(self) -> None:
        local = self.clock.now().astimezone(self.tz)
        for job in self.jobs:
            job.tick(local)

    def start(self) -> None:
        threading.Thread(target=self._loop, name="scheduler", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.tick()


def at_local(hhmm: str) -> Callable[[datetime], datetime]:
    t = time.fromisoformat(hhmm)
    return lambda local: datetime.combine(local.date(), t, tzinfo=local.tzinfo)


def after_closing(hours, delay_min: int) -> Callable[[datetime], datetime | None]:
    def due(local: datetime) -> datetime | None:
        closing = hours.closing_local(local)
        return closing + timedelta(minutes=delay_min) if closing else None
    return due
