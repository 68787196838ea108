"""Domain fixtures: an office driven the way the service layer drives it."""
from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from queue_server.cli import demo_config
from queue_server.config import parse_config
from queue_server.domain import events as ev
from queue_server.domain.office import Office

T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)  # 10:00 Moscow


class Harness:
    """Runs commands the way the service layer does: events first, then apply."""

    def __init__(self, office: Office):
        self.office = office
        self.now = T0
        self.seq = 0
        self.journal: list[ev.Event] = []

    def do(self, command, *args, **kw):
        result = command(*args, now=self.now, **kw) if "now" in command.__code__.co_varnames else command(*args, **kw)
        events = [] if result is None else result if isinstance(result, list) else [result]
        for e in events:
            self.seq += 1
            e = ev.Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data, self.seq)
            self.journal.append(e)
            self.office.apply(e)
        return events

    def tick(self, minutes: float):
        self.now += timedelta(minutes=minutes)

    def issue(self, service="reception", priority=None):
        (e,) = self.do(self.office.issue, service, priority=priority)
        return e

    def open(self, counter):
        self.do(self.office.open_counter, counter, f"op{counter}")

    def next(self, counter):
        events = self.do(self.office.call_next, counter, f"op{counter}")
        return events[0] if events else None


@pytest.fixture
def office():
    config = parse_config(tomllib.loads(demo_config()), Path("office.toml"))
    return Harness(Office(config.catalog, config.hours))


