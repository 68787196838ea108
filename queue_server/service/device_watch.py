"""The office's device watch: heartbeats in memory, one sweep a second that journals changes.

A heartbeat (`POST /api/v1/devices/heartbeat`) costs a dictionary write under a small
lock: no I/O, nothing journaled. A thread of its own sweeps once a second: the domain's
rule (domain/devices.py) says which devices went down or came back, and all of one
sweep's changes are journaled together as one command (`MarkDevices`, one durable
commit), so twenty devices coming back after a network cut are twenty lines in one
transaction, and a server restart is none. When each device was last heard is kept in
the database about once a minute (so after a restart the office knows whom to expect).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from ..adapters import oplog
from ..auth import Accounts, Principal
from ..domain import commands as c
from ..domain import events as ev
from ..domain.devices import Liveness
from ..domain.events import Event, format_at, parse_at
from ..domain.hours import WorkingHours
from .authz import SYSTEM
from .office_service import OfficeService

log = logging.getLogger("queue_server.devices")

SWEEP_S = 1.0
SAVE_EVERY_S = 60.0
MIN_BEAT_S = 1.0  # heartbeats of one device closer than this are refused (429)


def beat_interval(silent_after_s: int) -> int:
    """How often a device should beat: three chances inside the window, 2–60 s."""
    return max(2, min(60, silent_after_s // 3)) if silent_after_s else 60


class DeviceWatch:
    def __init__(self, service: OfficeService, accounts: Accounts, silent_after_s: int,
                 hours: WorkingHours | None = None):
        self.service, self.accounts = service, accounts
        self.silent_after_s = silent_after_s
        self.every_s = beat_interval(silent_after_s)
        self.liveness = Liveness(timedelta(seconds=silent_after_s), service.clock.now(), hours)
        self._lock = threading.Lock()  # the liveness state: request threads and the sweep
        self._sweeping = threading.Lock()
        self._beats: dict[str, datetime] = {}  # device → the office clock's time of its last accepted heartbeat
        self.heard: Counter[str] = Counter()  # heartbeats taken per device since the start (diagnostics)
        self._unsaved: dict[str, datetime] = {}
        self._saved_at = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.every_second: list[Callable[[], None]] = []  # other one-a-second chores (Accounts.sync)
        for row in accounts.devices():
            self.liveness.known(row.name, row.kind, parse_at(row.last_seen_at) if row.last_seen_at else None)
        for e in service.store.events_of_types(ev.DEVICE_LIFE_TYPES):
            if isinstance(e, Event):
                self.liveness.apply(e)
        for kind in ev.DEVICE_LIFE_TYPES:
            service.on(kind, self._journaled)

    @property
    def enabled(self) -> bool:
        return self.silent_after_s > 0

    # ---- heartbeats (request threads) ------------------------------------------
    def beat(self, device: Principal) -> bool:
        """A heartbeat of `device`; False when it comes too soon after the last one."""
        at = self.service.clock.now()
        with self._lock:
            last = self._beats.get(device.subject)
            if last is not None and abs((at - last).total_seconds()) < MIN_BEAT_S:
                return False
            self._beats[device.subject] = at
            self.heard[device.subject] += 1
            self.liveness.seen(device.subject, device.role, at)
            self._unsaved[device.subject] = at
        return True

    def _journaled(self, e: Event) -> None:
        """A change journaled (by a sweep, or an administrator adding or revoking a device)."""
        with self._lock:
            self.liveness.apply(e)
            if e.type == ev.ADMIN_DEVICE_REVOKED:
                self._unsaved.pop(e.data.get("device", ""), None)
        if e.type == ev.DEVICE_DOWN:
            oplog.event(log, "device.down", logging.WARNING, device=e.operator, kind=e.data.get("kind"),
                        since=e.data.get("since"), silent_s=e.data.get("silent_s"))
        elif e.type == ev.DEVICE_UP:
            oplog.event(log, "device.up", device=e.operator, kind=e.data.get("kind"),
                        down_since=e.data.get("down_since"), down_s=e.data.get("down_s"))

    # ---- the sweep ---------------------------------------------------------------
    def sweep(self) -> list[Event]:
        """One round: journal who went down or came back; keep last-seen times when due."""
        with self._sweeping:
            stored: list[Event] = []
            if self.enabled:
                with self._lock:
                    down, up = self.liveness.changes(self.service.clock.now())
                if down or up:
                    stored = self.service.handle(c.MarkDevices(tuple(down), tuple(up)), SYSTEM)
            if time.monotonic() - self._saved_at >= SAVE_EVERY_S:
                self.save()
            return stored

    def save(self) -> None:
        with self._lock:
            unsaved, self._unsaved = self._unsaved, {}
        try:
            self.accounts.save_last_seen(unsaved)
        except Exception:  # a full disk: keep them for the next round
            with self._lock:
                for name, at in unsaved.items():
                    self._unsaved.setdefault(name, at)
            raise
        finally:
            self._saved_at = time.monotonic()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="device-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        try:
            self.save()
        except Exception:
            log.exception("could not keep the devices' last heartbeats")

    def _run(self) -> None:
        while not self._stop.wait(SWEEP_S):
            for chore in (self.sweep, *self.every_second):
                try:
                    chore()
                except Exception:  # the watch must outlive a full disk or a bug in one round
                    log.exception("device watch round failed")

    # ---- views -----------------------------------------------------------------
    def down_now(self) -> list[dict]:
        """Devices down now, for the dashboard's alerts: name, kind and since when."""
        with self._lock:
            return [{"device": name, "kind": kind, "since": format_at(since)}
                    for name, kind, since in self.liveness.down_now()]

    def status(self) -> dict[str, dict]:
        """Per device: last heard, and up / silent (not down yet: closed hours, the start's grace) /
        down (since) / never heard."""
        now = self.service.clock.now()
        window = timedelta(seconds=self.silent_after_s or 60)
        with self._lock:
            out = {}
            for name, d in self.liveness.devices.items():
                if d.last_seen is None:
                    state = "never"
                elif d.down_since is not None:
                    state = "down"
                else:
                    state = "up" if now - d.last_seen <= window else "silent"
                out[name] = {"last_seen": format_at(d.last_seen) if d.last_seen else None, "state": state,
                             "down_since": format_at(d.down_since) if d.down_since else None}
            return out
