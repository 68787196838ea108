"""Device downtime in a report: from the journal's `device.down` and `device.up` lines.

A device is down from the `since` of its `device.down` (its last heartbeat) until the
`device.up` that follows it, or until an administrator adds it again or revokes it.
Only the time within the office's working hours counts (kiosks and boards are switched
off at night), cut to the report's days; a device still down counts until `as_of`
(now) or the period's end. Lines from before the period say who was already down
when it began, so the caller passes every device line up to the period's end (they are
few: two per outage, never one per heartbeat).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain import events as ev
from queue_server.domain.events import format_at, parse_at
from queue_server.domain.hours import WorkingHours


def device_downtime(lines: Iterable, first: datetime, last: datetime, hours: WorkingHours | None = None,
                    as_of: datetime | None = None) -> list[dict]:
    """Per device down at some time in [first, last): `{device, kind, outages, down_s, periods:
    [{from, to}]}` (`to` null: still down), sorted by device; `down_s` within working hours."""
    end = min(last, as_of) if as_of is not None else last
    periods: list[tuple[str, str, datetime, datetime | None]] = []
    open_: dict[str, tuple[str, datetime]] = {}
    for line in lines:
        e = line.to_line() if hasattr(line, "to_line") else line
        if not isinstance(e, dict) or e.get("type") not in ev.DEVICE_LIFE_TYPES:
            continue
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        at = _time(e.get("at"))
        if at is None or at >= last:
            continue
        if e["type"] == ev.DEVICE_DOWN:
            name = e.get("operator")
            since = _time(data.get("since")) or at
            if name and name not in open_:
                open_[name] = (data.get("kind") or "", since)
            continue
        name = e.get("operator") if e["type"] == ev.DEVICE_UP else data.get("device")
        if name in open_:
            kind, since = open_.pop(name)
            periods.append((name, kind, since, at))
    periods += [(name, kind, since, None) for name, (kind, since) in open_.items()]
    out: dict[str, dict] = {}
    windows = _open_windows(first, end, hours)
    for name, kind, since, until in sorted(periods, key=lambda p: (p[0], p[2])):
        stop = until if until is not None else end
        if stop <= first or since >= end:
            continue
        row = out.setdefault(name, {"device": name, "kind": kind or None, "outages": 0, "down_s": 0.0,
                                    "periods": []})
        row["outages"] += 1
        row["down_s"] += sum(_overlap(since, stop, a, b) for a, b in windows)
        row["periods"].append({"from": format_at(since), "to": format_at(until) if until is not None else None})
    for row in out.values():
        row["down_s"] = round(row["down_s"], 1)
    return [out[k] for k in sorted(out)]


def _open_windows(first: datetime, end: datetime, hours: WorkingHours | None) -> list[tuple[datetime, datetime]]:
    """The office's open hours within [first, end), as UTC intervals (all of it without hours)."""
    if end <= first:
        return []
    if hours is None:
        return [(first, end)]
    zone = ZoneInfo(hours.timezone)
    day: date = first.astimezone(zone).date()
    out = []
    while True:
        start_of_day = datetime.combine(day, datetime.min.time(), zone)
        if start_of_day >= end:
            return out
        h = hours.hours_on(start_of_day)
        if h is not None:
            a = datetime.combine(day, h.open, zone).astimezone(UTC)
            b = datetime.combine(day, h.close, zone).astimezone(UTC)
            a, b = max(a, first), min(b, end)
            if a < b:
                out.append((a, b))
        day += timedelta(days=1)


def _overlap(a: datetime, b: datetime, c: datetime, d: datetime) -> float:
    return max(0.0, (min(b, d) - max(a, c)).total_seconds())


def _time(text) -> datetime | None:
    if isinstance(text, datetime):  # a report's own lines of the period carry parsed times
        return text
    try:
        return parse_at(text) if isinstance(text, str) else None
    except ValueError:
        return None
