"""Runs commands against the office, one at a time.

Each command sees the current state, returns events, and those are journaled
(durable commit) before they touch the in-memory state; only then does the
caller get its answer. Published events go to an outbox that the real-time
broadcaster drains on its own thread, so a slow client never slows a ticket.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .config import OfficeConfig
from .domain.events import Event
from .domain.office import Office
from .journal_store import JournalStore

Command = Callable[[Office, datetime], Event | list[Event] | None]
REPLAY_DAYS = 1  # today and yesterday, local time: covers any visit still open


class OfficeService:
    def __init__(self, config: OfficeConfig, store: JournalStore, clock):
        self.config = config
        self.store = store
        self.clock = clock
        self.outbox: queue.Queue[list[Event]] = queue.Queue()
        self.committed = threading.Event()  # set after each commit: wakes the push to the centre
        self.office = Office(config.catalog, config.hours)
        self.rebuild()

    def rebuild(self) -> None:
        """Fold recent journal events into a fresh office state (start-up, after import)."""
        office = Office(self.config.catalog, self.config.hours)
        local = self.clock.now().astimezone(ZoneInfo(self.config.catalog.timezone))
        start = (local - timedelta(days=REPLAY_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
        with self.store.lock:
            for e in self.store.events_between(start, local + timedelta(days=3650)):
                office.apply(e)
            office.last_seq = self.store.last_seq()
            self.office = office

    def run(self, command: Command) -> list[Event]:
        with self.store.lock:
            now = self.clock.now()
            result = command(self.office, now)
            events = [] if result is None else result if isinstance(result, list) else [result]
            if not events:
                return []
            stored = self.store.append(events)
            for e in stored:
                self.office.apply(e)
            self.outbox.put(stored)
        self.committed.set()
        return stored

    def read(self, fn: Callable[[Office, datetime], object]):
        """Read a consistent picture of the state (under the writer's lock: it is quick)."""
        with self.store.lock:
            return fn(self.office, self.clock.now())

    def import_events(self, events: Iterable[Event]) -> int:
        added = self.store.import_events(events)
        if added:
            self.rebuild()
            self.outbox.put([])  # a state refresh for everyone
            self.committed.set()
        return added
