"""Which devices are alive, from their heartbeats: the rule, without clocks, threads or I/O.

Every device program (kiosk, hall board, counter display, LED and button bridges) sends
a heartbeat every few seconds from its own clock: a screen from its GUI thread's timer,
so a frozen screen goes silent even while its socket stays open. The office calls a
device *down* once it has been silent for longer than `silent_after` while the office is
open, and *up* again at its next heartbeat. Only those changes are journaled
(`device.down`, `device.up`), never the heartbeats themselves.

No false alarms:
- a device never heard from is not watched (it may not be installed yet);
- nobody goes down before `silent_after` has passed since the watch started (a server
  restart: devices need a moment for their first heartbeat) or since the office opened
  today (devices switched on in the morning);
- outside working hours nobody goes down (devices switched off at night); one still
  silent at opening goes down `silent_after` after it, "since" its last heartbeat.
A device already down stays down across a restart (the journal says so) until it is heard.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import events as ev
from .commands import DeviceChange
from .events import Event, format_at, parse_at
from .hours import WorkingHours


@dataclass
class Watched:
    kind: str
    last_seen: datetime | None  # its last heartbeat; None: never heard from
    down_since: datetime | None = None  # when down: its last heartbeat before it went silent


class Liveness:
    def __init__(self, silent_after: timedelta, started_at: datetime, hours: WorkingHours | None = None):
        self.silent_after = silent_after
        self.started_at = started_at
        self.hours = hours
        self.devices: dict[str, Watched] = {}

    # ---- what is known ------------------------------------------------------
    def known(self, name: str, kind: str, last_seen: datetime | None) -> None:
        """A device of the office (at start: its last heartbeat kept in the database)."""
        d = self.devices.get(name)
        if d is None:
            self.devices[name] = Watched(kind, last_seen)
            return
        d.kind = kind
        if last_seen is not None and (d.last_seen is None or last_seen > d.last_seen):
            d.last_seen = last_seen

    def seen(self, name: str, kind: str, at: datetime) -> None:
        """A heartbeat (kept to the journal's millisecond, so a `device.down` read back names
        exactly the heartbeat it was declared after)."""
        self.known(name, kind, at.replace(microsecond=at.microsecond // 1000 * 1000))

    def apply(self, e: Event) -> None:
        """Fold a journaled change: down, up, a device added again (a fresh start) or revoked."""
        data = e.data if isinstance(e.data, dict) else {}
        if e.type in (ev.DEVICE_DOWN, ev.DEVICE_UP) and e.operator:
            d = self.devices.setdefault(e.operator, Watched(data.get("kind") or "", None))
            if e.type == ev.DEVICE_DOWN:
                since = _time(data.get("since")) or e.at
                d.down_since = since
                if d.last_seen is None:
                    d.last_seen = since
            else:
                d.down_since = None
        elif e.type == ev.ADMIN_DEVICE_ADDED and data.get("device"):
            self.devices[data["device"]] = Watched(data.get("kind") or "", None)
        elif e.type == ev.ADMIN_DEVICE_REVOKED and data.get("device"):
            self.devices.pop(data["device"], None)

    # ---- the rule -----------------------------------------------------------
    def watching_since(self, now: datetime) -> datetime | None:
        """Since when silence counts now: the later of the watch's start and today's
        opening; None while the office is closed."""
        if self.hours is None:
            return self.started_at
        local = now.astimezone(ZoneInfo(self.hours.timezone))
        today = self.hours.hours_on(local)
        if today is None or not today.open <= local.time() <= today.close:
            return None
        opening = datetime.combine(local.date(), today.open, tzinfo=local.tzinfo)
        return max(self.started_at, opening)

    def changes(self, now: datetime) -> tuple[list[DeviceChange], list[DeviceChange]]:
        """(gone down, come back) as of `now`; nothing changes until they are applied."""
        down, up = [], []
        since = self.watching_since(now)
        may_go_down = since is not None and now - since >= self.silent_after
        for name, d in sorted(self.devices.items()):
            if d.last_seen is None:
                continue
            if d.down_since is not None:
                if d.last_seen > d.down_since:
                    up.append(DeviceChange(name, d.kind, d.down_since, _seconds(now - d.down_since)))
            elif may_go_down and now - d.last_seen > self.silent_after:
                down.append(DeviceChange(name, d.kind, d.last_seen, _seconds(now - d.last_seen)))
        return down, up

    def down_now(self) -> list[tuple[str, str, datetime]]:
        """(name, kind, since) of every device down now."""
        return [(name, d.kind, d.down_since) for name, d in sorted(self.devices.items())
                if d.down_since is not None]


def change_events(down: tuple[DeviceChange, ...], up: tuple[DeviceChange, ...], now: datetime) -> list[Event]:
    """The journal lines of one sweep's changes; `operator` holds the device's name."""
    out = [Event(ev.DEVICE_DOWN, now, operator=c.name, data={
        "kind": c.kind or None, "since": format_at(c.since), "silent_s": c.seconds}) for c in down]
    out += [Event(ev.DEVICE_UP, now, operator=c.name, data={
        "kind": c.kind or None, "down_since": format_at(c.since), "down_s": c.seconds}) for c in up]
    return out


def _seconds(span: timedelta) -> int:
    return max(0, int(span.total_seconds()))


def _time(text) -> datetime | None:
    try:
        return parse_at(text) if isinstance(text, str) else None
    except ValueError:
        return None
