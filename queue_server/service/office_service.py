"""Runs commands against the office, one at a time.

Each command sees the current state, returns events, and those are journaled
(durable commit) before they touch the in-memory state; only then does the
caller get its answer. Published events go to an outbox that the real-time
broadcaster drains on its own thread, so a slow client never slows a ticket.
"""
from __future__ import annotations

import itertools
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..auth import Principal
from ..config import OfficeConfig
from ..domain import events as ev
from ..domain.commands import Command
from ..domain.events import Event
from ..domain.journal_check import JournalCheck
from ..domain.office import Office
from ..domain.slots import MAX_HORIZON_DAYS
from ..journal_io import Numbered
from ..journal_store import JournalStore, UnreadableRow
from .authz import SYSTEM, authorize
from .handlers import HANDLERS

REPLAY_DAYS = 1  # today and yesterday, local time: covers any visit still open
# Bookings are made up to `booking.horizon_days` (at most MAX_HORIZON_DAYS) ahead: their
# book folds its own events from that far back (docs/bookings.md, "The journal").
BOOKINGS_BACK = timedelta(days=MAX_HORIZON_DAYS + 2)
REGISTRY_TYPES = (*ev.APPEAL_TYPES, ev.MESSAGE_SENT, ev.MESSAGE_FAILED)
Reaction = Callable[[Event], None]
# A change outside the journal that a command's events record (an account disabled): made in
# the journal's own transaction, so both happen or neither; it may raise to refuse the command.
Effect = Callable[[sqlite3.Connection, Command, Principal, datetime], None]
Refuse = Callable[[int | None, str, Event | None], None]


class ReplayRefused(Exception):
    """The journal holds an event the office cannot apply: it does not start rather
    than start wrong. The message names the seq and the way out."""

    def __init__(self, seq: int | None, problem: str, data_dir: str = "…"):
        super().__init__(f"event seq {seq} cannot be applied: {problem}; "
                         f"run `qserver doctor --data {data_dir}` (docs/journal.md, \"When the office does not start\")")
        self.seq, self.problem = seq, problem


def replay_start(now: datetime, timezone: str) -> datetime:
    """Where the start-up replay begins: yesterday's local midnight."""
    local = now.astimezone(ZoneInfo(timezone))
    return (local - timedelta(days=REPLAY_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)


def replay(office: Office, items: Iterable[Event | UnreadableRow], refuse: Refuse) -> None:
    """Fold journal events into `office`, each checked first (`JournalCheck`, as an
    import checks it). For one the office cannot apply, `refuse(seq, problem, event)`
    is called: the start-up raises ReplayRefused; `qserver doctor` notes it and goes
    on, and then that event and the rest of its visit are skipped, exactly as
    `qserver doctor --set-aside` would take them out."""
    check = JournalCheck(strict=False, partial=True)
    skipped: set[str] = set()
    for e in items:
        if isinstance(e, UnreadableRow):
            refuse(e.seq, e.reason, None)
            continue
        if e.visit in skipped:
            continue
        problem = check.check(e)
        if problem is None:
            try:
                office.apply(e)
                continue
            except Exception as exc:  # the check should make this unreachable: still no traceback
                problem = f"{type(exc).__name__}: {exc}"
        refuse(e.seq, problem, e)
        if isinstance(e.visit, str):
            skipped.add(e.visit)


class Outbox:
    """Committed batches of events for the real-time pushes, in journal order.

    A put wakes the taker only when `wake_for(batch)` says someone must hear of it at
    once (a call, a device's fault, a followed ticket's own change); the rest waits for
    the taker's next look, at most `take`'s timeout later. Waking a thread per ticket
    cost the ticket ~0.15 ms of its 1.5 (bench_server, docs/performance.md): on the
    office's two cores the woken thread competes with the request for a core and the
    GIL. A new ticket needs no one at once: screens learn of it from `state`, which
    goes out at most ten times a second anyway.
    """

    def __init__(self) -> None:
        self._batches: deque[list[Event]] = deque()
        self._ready = threading.Condition(threading.Lock())
        self.wake_for: Callable[[list[Event]], bool] = lambda batch: True  # the consumer's say

    def put(self, batch: list[Event]) -> None:
        """Queue `batch` (an empty one asks for a refresh of everything: always wakes)."""
        wake = not batch or self.wake_for(batch)
        with self._ready:
            self._batches.append(batch)
            if wake:
                self._ready.notify()

    def take(self, timeout: float | None = None) -> list[list[Event]]:
        """Every batch queued so far, oldest first; waits until woken or `timeout`
        passes (then returns what came without waking, maybe nothing)."""
        with self._ready:
            if not self._batches:
                self._ready.wait(timeout)
            out = list(self._batches)
            self._batches.clear()
        return out


class OfficeService:
    def __init__(self, config: OfficeConfig, store: JournalStore, clock, replay: bool = True):
        """`replay=False`: no office state (the command line's administration needs none)."""
        self.config = config
        self.store = store
        self.clock = clock
        self.outbox = Outbox()
        self.reactions: dict[str, list[Reaction]] = {}
        self.effects: dict[type[Command], Effect] = {}
        self.committed = threading.Event()  # set after each commit: wakes the push to the centre
        self.office = self._new_office()
        if replay:
            self.rebuild()

    def _new_office(self) -> Office:
        return Office(self.config.catalog, self.config.hours, self.config.appeal_rules, self.config.booking)

    def rebuild(self) -> None:
        """Fold recent journal events into a fresh office state (start-up, after import).
        An event the office cannot apply raises ReplayRefused; the state stays as it was."""
        office = self._new_office()

        def refuse(seq: int | None, problem: str, e: Event | None) -> None:
            raise ReplayRefused(seq, problem, self._data_dir())

        with self.store.lock:
            start = replay_start(self.clock.now(), self.config.catalog.timezone)
            # appeals live for years, bookings up to a quarter ahead: their own events from
            # before the two days, through the type index
            replay(office, self.store.events_of_types(REGISTRY_TYPES, before=start), refuse)
            older_bookings = self.store.events_of_types(ev.BOOKING_TYPES, before=start, since=start - BOOKINGS_BACK)
            replay(office, itertools.chain(older_bookings, self.store.replay_events(start)), refuse)
            office.bookings.forget_before(start)
            office.last_seq = self.store.last_seq()
            self.office = office

    def _data_dir(self) -> str:
        return str(self.store.path.parent)

    def handle(self, command: Command, actor: Principal = SYSTEM) -> list[Event]:
        """Run a command for `actor` if the rules allow it; return the events journaled."""
        handler = HANDLERS[type(command)]
        with self.store.lock:
            authorize(actor, command, self.office)
            now = self.clock.now()
            events = handler(self.office, command, actor, now)
            if not events:
                return []
            effect = self.effects.get(type(command))
            stored = self.store.append(events, None if effect is None else (
                lambda conn: effect(conn, command, actor, now)))
            for e in stored:
                self.office.apply(e)
            self.outbox.put(stored)
            for e in stored:
                for react in self.reactions.get(e.type, ()):
                    react(e)
        self.committed.set()
        return stored

    def on(self, event_type: str, reaction: Reaction) -> None:
        """Run `reaction` right after an event of this type is journaled and applied
        (still under the writer's lock, before the command's caller gets its answer)."""
        self.reactions.setdefault(event_type, []).append(reaction)

    def effect(self, command_type: type[Command], fn: Effect) -> None:
        """Make `fn` part of every `command_type` command's transaction (see Effect)."""
        self.effects[command_type] = fn

    def read(self, fn: Callable[[Office, datetime], object]):
        """Read a consistent picture of the state (under the writer's lock: it is quick)."""
        with self.store.lock:
            return fn(self.office, self.clock.now())

    def import_events(self, events: Iterable[Event | Numbered]) -> int:
        """Import checked lines (all or nothing, see JournalStore.import_events) and refresh the state."""
        with self.store.lock:
            added = self.store.import_events(events, self.config.catalog)
            if added:
                self.rebuild()
                self.outbox.put([])  # a state refresh for everyone
        if added:
            self.committed.set()
        return added
