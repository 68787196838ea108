"""The bookings of a report's period: made, kept, late, no-show, cancelled.

A booking counts in the period its SLOT falls in (local dates), whenever it
was made and whenever its outcome was journaled (a no-show is marked when the
day is over, possibly after midnight), so these figures read `booking.*` lines
from a wider span than the period's visits: `report_service` passes them.
"Made" counts the bookings made during the period, for whatever day.
The wait that counts for a booked visitor (from the later of check-in and the
slot to the call) comes from the main pass (`timing.py`, the one fold).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from queue_server.domain import events as ev
from queue_server.domain.fold import data_of

from .rows import source

_TYPES = frozenset(ev.BOOKING_TYPES)


def booking_counts(lines: Iterable, start: date, end: date, tz: str) -> dict:
    """Counts of the bookings whose slot is on a local date from `start` to `end` inclusive."""
    zone = ZoneInfo(tz)
    rows, keys, parse = source(lines)
    k_type, k_at, _v, _s, _svc, _c, k_op, k_data = keys
    slot: dict[str, datetime] = {}
    state: dict[str, str] = {}
    late: dict[str, bool] = {}
    by_staff: set[str] = set()
    made = 0
    for e in rows:
        kind = e[k_type]
        if kind not in _TYPES:
            continue
        data = data_of(e[k_data])
        code = data.get("code")
        if not code:
            continue
        if kind == ev.BOOKING_CREATED:
            if start <= parse(e[k_at]).astimezone(zone).date() <= end:
                made += 1
            state[code] = "booked"
            if e[k_op] or data.get("via") == "staff":
                by_staff.add(code)
        elif code not in state:
            continue
        if kind in (ev.BOOKING_CREATED, ev.BOOKING_RESCHEDULED):
            try:
                slot[code] = datetime.fromisoformat(data["start"].replace("Z", "+00:00"))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        elif kind == ev.BOOKING_CANCELLED:
            state[code] = "cancelled"
        elif kind == ev.BOOKING_CHECKED_IN:
            state[code] = "checked_in"
            late[code] = bool(data.get("late"))
        elif kind == ev.BOOKING_NO_SHOW:
            state[code] = "no_show"
    counts = {"made": made, "booked": 0, "kept": 0, "late": 0, "no_show": 0, "cancelled": 0, "pending": 0,
              "by_staff": 0}
    for code, at in slot.items():
        if not start <= at.astimezone(zone).date() <= end:
            continue
        s = state[code]
        if s == "cancelled":
            counts["cancelled"] += 1
            continue
        counts["booked"] += 1
        counts["by_staff"] += code in by_staff
        if s == "checked_in":
            counts["late" if late.get(code) else "kept"] += 1
        elif s == "no_show":
            counts["no_show"] += 1
        else:
            counts["pending"] += 1
    return counts
