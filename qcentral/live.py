"""The company's live picture: each office's state folded from the lines it pushed.

The fold is the office's own: `queue_server.domain.office.Office.apply` over the
journal lines of the office's today and yesterday (local time: any visit still
open started then), exactly as the office rebuilds itself at start-up. So the
centre's "waiting now", "longest wait against the norm" and "counters open"
are the office's rules, not a copy of them.

What a process keeps in memory is a cache of that fold, never the only copy of
anything: on every read it is brought up to the office's `last_seq` in
PostgreSQL (only the new lines are read), and built afresh when the catalog
changes, the day changes, or the stored journal went back (a resync). Several
`qcentral` processes behind a proxy each keep their own and all answer the same.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from queue_server.domain import events as ev
from queue_server.domain.catalog import Catalog
from queue_server.domain.events import Event, format_at
from queue_server.domain.hours import always_open
from queue_server.domain.model import COUNTER_OPEN, COUNTER_PAUSED
from queue_server.domain.office import Office

from .catalog import to_catalog

REPLAY_DAYS = 1  # today and yesterday, local time, as the office itself replays
PUSH_EVERY_S = 60  # the office's pusher contacts the centre at least this often
LINK_UP_S = 2 * PUSH_EVERY_S + 30
LINK_LATE_S = 10 * 60
_COLUMNS = "seq, at, type, visit, step, service, counter, operator, data"


@dataclass
class Folded:
    office_id: int
    catalog_hash: str
    catalog: Catalog
    day: str
    seq: int
    office: Office
    faults: dict[tuple[str, str], dict] = field(default_factory=dict)
    skipped: int = 0  # lines the fold could not apply (logged on the office's view)

    def apply(self, e: Event) -> None:
        if e.type in (ev.DEVICE_FAULT, ev.DEVICE_OK):
            where = (e.operator or "", str(e.data.get("component", "")))
            if e.type == ev.DEVICE_FAULT:
                self.faults[where] = {"device": where[0], "component": where[1],
                                      "kind": e.data.get("kind", ""), "message": e.data.get("message", ""),
                                      "since": format_at(e.at)}
            else:
                self.faults.pop(where, None)
        try:
            self.office.apply(e)
        except (KeyError, TypeError, ValueError, AttributeError):
            # A line this code cannot fold (pushed by a newer office) must not blank the
            # whole view; it stays stored, and the count shows on the office's page.
            self.skipped += 1
        self.seq = max(self.seq, e.seq or 0)


def _event(row: tuple) -> Event:
    seq, at, type_, visit, step, service, counter, operator, data = row
    return Event(type_, at, visit, step, service, counter, operator, data or {}, seq)


def local_day_start(now: datetime, tz: str, days_back: int = 0) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=days_back)


class LiveCache:
    """Per-process cache of each office's fold (see the module's docstring)."""

    def __init__(self) -> None:
        self._entries: dict[int, Folded] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, office_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(office_id, threading.Lock())

    def folded(self, conn: psycopg.Connection, office_id: int, last_seq: int, catalog_hash: str | None,
               now: datetime) -> Folded | None:
        if catalog_hash is None:
            return None  # nothing pushed yet
        with self._lock(office_id):
            entry = self._entries.get(office_id)
            if (entry is None or entry.catalog_hash != catalog_hash or entry.seq > last_seq
                    or entry.day != local_day_start(now, entry.catalog.timezone).date().isoformat()):
                entry = self._build(conn, office_id, last_seq, now)
                if entry is None:
                    return None
                self._entries[office_id] = entry
            elif entry.seq < last_seq:
                for row in conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE office_id = %s AND seq > %s "
                                        "AND seq <= %s ORDER BY seq", (office_id, entry.seq, last_seq)):
                    entry.apply(_event(row))
                entry.seq = last_seq
            return entry

    def _build(self, conn: psycopg.Connection, office_id: int, last_seq: int, now: datetime) -> Folded | None:
        row = conn.execute("SELECT hash, catalog FROM office_catalogs WHERE office_id = %s "
                           "ORDER BY from_seq DESC LIMIT 1", (office_id,)).fetchone()
        if row is None:
            return None
        catalog = to_catalog(row[1])
        office = Office(catalog, always_open(catalog.timezone))
        entry = Folded(office_id, row[0], catalog, local_day_start(now, catalog.timezone).date().isoformat(),
                       0, office)
        since = local_day_start(now, catalog.timezone, REPLAY_DAYS)
        for line in conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE office_id = %s AND at >= %s "
                                 "AND seq <= %s ORDER BY seq", (office_id, since, last_seq)):
            entry.apply(_event(line))
        entry.seq = last_seq
        return entry

    def warm(self, conn: psycopg.Connection, now: datetime) -> int:
        """Fold every office now (at a process's start), so the first person to open
        /network does not wait for it; returns how many offices were folded."""
        rows = conn.execute("SELECT id, last_seq, catalog_hash FROM offices").fetchall()
        for office_id, last_seq, catalog_hash in rows:
            self.folded(conn, office_id, last_seq, catalog_hash, now)
        return len(rows)

    def forget(self, office_id: int) -> None:
        with self._lock(office_id):
            self._entries.pop(office_id, None)


def link_state(last_contact: datetime | None, now: datetime) -> str:
    if last_contact is None:
        return "never"
    age = (now - last_contact).total_seconds()
    return "up" if age <= LINK_UP_S else "late" if age <= LINK_LATE_S else "down"


def as_of(last_contact: datetime | None, now: datetime) -> datetime:
    """The moment the picture is true for: now while the link is up; the last contact
    when it is not (waits are not counted on past what the centre has heard)."""
    if last_contact is None or link_state(last_contact, now) == "up":
        return now
    return min(now, last_contact)


OFFICE_COLUMNS = "id, name, last_seq, office_seq, last_contact, catalog_hash, diverged_seq, diverged_at"


def office_summary(row: tuple, folded: Folded | None, now: datetime) -> dict:
    """One line of the network view: link, waiting, the worst wait against its norm, counters, alerts."""
    office_id, name, last_seq, office_seq, last_contact, _hash, diverged_seq, diverged_at = row
    link = link_state(last_contact, now)
    when = as_of(last_contact, now)
    out = {
        "id": office_id, "name": name, "last_seq": last_seq, "office_seq": office_seq,
        "behind": max(0, (office_seq or 0) - last_seq),
        "last_contact": format_at(last_contact) if last_contact else None,
        "link": link, "as_of": format_at(when), "timezone": None,
        "waiting": 0, "worst_wait": None, "over_norm_queues": 0,
        "counters_open": 0, "counters_paused": 0, "counters_total": 0, "alerts": [],
    }
    alerts = out["alerts"]
    if link in ("late", "down"):
        alerts.append({"code": "link_" + link, "since": out["last_contact"]})
    elif link == "never":
        alerts.append({"code": "never_connected"})
    if diverged_seq is not None:
        alerts.append({"code": "diverged", "seq": diverged_seq,
                       "since": format_at(diverged_at) if diverged_at else None})
    if folded is None:
        return out
    office, catalog = folded.office, folded.catalog
    out["name"] = name
    out["timezone"] = catalog.timezone
    worst = None
    for sid, queue in office.queues.items():
        out["waiting"] += len(queue)
        if not queue or sid not in catalog.services:
            continue
        role = catalog.role_of(sid)
        wait = queue[0].wait_s(when)
        ratio = wait / role.wait_norm_s if role.wait_norm_s else 0.0
        if wait > role.wait_norm_s:
            out["over_norm_queues"] += 1
            alerts.append({"code": "over_norm", "service_id": sid, "service": _names(catalog, sid),
                           "wait_s": round(wait, 1), "norm_s": role.wait_norm_s})
        if worst is None or ratio > worst[0]:
            worst = (ratio, {"service_id": sid, "service": _names(catalog, sid), "role": role.id, "waiting": len(queue), "wait_s": round(wait, 1),
                             "norm_s": role.wait_norm_s, "over": wait > role.wait_norm_s})
    out["worst_wait"] = worst[1] if worst else None
    for c in office.counters.values():
        out["counters_total"] += 1
        out["counters_open"] += c.status == COUNTER_OPEN
        out["counters_paused"] += c.status == COUNTER_PAUSED
    for fault in sorted(folded.faults.values(), key=lambda f: f["since"]):
        alerts.append({"code": "device_fault", **fault})
    return out


def _names(catalog: Catalog, service_id: str) -> dict:
    s = catalog.services[service_id]
    return {"ru": s.name_ru, "en": s.name_en}


def catalog_names(catalog: Catalog) -> dict:
    """Names the page needs, in both languages (the page picks one)."""
    return {
        "services": {s.id: {"ru": s.name_ru, "en": s.name_en, "role": s.role} for s in catalog.services.values()},
        "roles": {r.id: {"ru": r.name_ru, "en": r.name_en, "wait_norm_s": r.wait_norm_s,
                         "service_norm_s": r.service_norm_s} for r in catalog.roles.values()},
        "counters": {c.id: c.name for c in catalog.counters.values()},
        "visit_norm_s": catalog.visit_norm_s,
        "timezone": catalog.timezone,
    }
