"""The report as a plain JSON-ready dict: what every format and endpoint shows.

Keeping the report a dict of plain values (no datetimes, no objects) means
the HTTP endpoint can return it as is, the nightly writer can store it, and
the CSV/XLSX/PDF writers need nothing but the dict and a language.
Durations are seconds (to 0.1 s), shares are fractions 0..1; a figure that
has no data is ``None`` (``null``), never 0, so "nobody came" is not
mistaken for "everybody was served at once".

Every report is rendered from facts (facts.py) by `render`: a day's report
from the facts of that day's journal, a period's from its days' facts added
up -- read from the journal here, or from the facts stored as days closed
(report_service.py, qcentral/facts.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import (
    APPEAL_KINDS,
    APPEAL_TOPICS,
    OUTCOMES,
    Catalog,
    Role,
    Service,
)
from queue_server.domain.hours import WorkingHours

from .appeal_figures import registry_figures
from .bookings import booking_counts
from .devices import device_downtime
from .facts import METRIC_BOOKED, Facts, from_tally
from .feedback import feedback_of
from .groups import US_PER_S, Figures, Folded, Group, fold, mean_s, seconds
from .stats import share
from .timing import EXTRA_TYPES, scan, scan_days

REPORT_VERSION = 1


def daily_report(events: Iterable, catalog: Catalog, day: date, tz: str | None = None, *,
                 bookings: Iterable | None = None, appeal_lines: Iterable | None = None,
                 as_of: datetime | None = None, device_lines: Iterable | None = None,
                 hours: WorkingHours | None = None) -> dict:
    """Timing report of one office day (the local calendar day in ``tz``).

    ``events``: the journal in order, as ``Event`` objects, journal-line dicts
    or rows in the line's column order (see ``rows.py``); events outside the
    day are skipped, so the caller may pass a wider slice. ``tz`` defaults to
    the catalog's time zone. ``bookings``: the `booking.*` lines of a span wide
    enough to hold the day's bookings from when they were made to their outcome
    (bookings.py); None counts those among ``events``.
    """
    tz = tz or catalog.timezone
    T = scan(events, catalog, day, tz)
    report = render(from_tally(T, catalog), Book.of(catalog, tz))
    registers(report, day, day, tz, T.booking_rows if bookings is None else bookings,
              _appeal_lines(T.extra) if appeal_lines is None else appeal_lines, as_of)
    downtime(report, day, day, tz, T.extra if device_lines is None else device_lines, hours, as_of)
    return dated(report, day)


def period_report(events: Iterable, catalog: Catalog, start: date, end: date,
                  tz: str | None = None, *, bookings: Iterable | None = None,
                  appeal_lines: Iterable | None = None, as_of: datetime | None = None,
                  device_lines: Iterable | None = None, hours: WorkingHours | None = None) -> dict:
    """Timing report of the days ``start``..``end`` inclusive, plus a row per day:
    the sum of the days' reports (each day read as ``daily_report`` reads it).

    ``bookings``: the ``booking.*`` lines that tell what became of the period's bookings
    (report_service.booking_lines); without them, the period's own lines.
    ``appeal_lines``: every ``appeal.*`` line up to the period's end (the registry's
    history, for what is overdue or decided of earlier appeals); without it, the
    period's own lines. ``as_of``: now, when the period has not ended yet."""
    tz = tz or catalog.timezone
    tallies = scan_days(events, catalog, start, end, tz)
    facts = Facts(start, (end - start).days + 1)
    for tally in tallies:
        facts.merge(from_tally(tally, catalog))
    book = Book.of(catalog, tz)
    report = render(facts, book)
    if bookings is None:
        bookings = [row for T in tallies for row in T.booking_rows]
    if appeal_lines is None:
        appeal_lines = _appeal_lines(line for T in tallies for line in T.extra)
    registers(report, start, end, tz, bookings, appeal_lines, as_of)
    if device_lines is None:
        device_lines = [line for T in tallies for line in T.extra]
    downtime(report, start, end, tz, device_lines, hours, as_of)
    return dated(report, start, end, days(facts, book))


def _appeal_lines(extra: Iterable[dict]) -> list[dict]:
    return [line for line in extra if line["type"] in EXTRA_TYPES and line["type"].startswith("appeal.")]


def downtime(report: dict, start: date, end: date, tz: str, device_lines: Iterable,
             hours: WorkingHours | None = None, as_of: datetime | None = None) -> dict:
    """Device downtime within working hours (devices.py), read from the devices' own lines,
    which reach back before the period (a device down since yesterday): like the registers,
    not a per-day fact."""
    report["devices"] = device_downtime(device_lines, *period_bounds(start, end, tz), hours, as_of)
    return report


def registers(report: dict, start: date, end: date, tz: str, bookings: Iterable, appeal_lines: Iterable,
              as_of: datetime | None = None) -> dict:
    """The figures a report reads from whole registers rather than from facts: what became
    of the bookings of the period's slots (bookings.py; the wait from the slot stays from
    the facts) and the appeals registry (appeal_figures.py), from their lines."""
    counts, registry = register_figures(start, end, tz, bookings, appeal_lines, as_of)
    report["bookings"] = {**counts, "wait_from_slot": report["bookings"]["wait_from_slot"]}
    report["appeals_registry"] = registry
    return report


def register_figures(start: date, end: date, tz: str, bookings: Iterable, appeal_lines: Iterable,
                     as_of: datetime | None = None) -> tuple[dict, dict]:
    """One office's bookings' counts and appeals registry figures of the days start..end
    (both are counts: several offices' add up, `add_up`)."""
    return booking_counts(bookings, start, end, tz), registry_figures(appeal_lines, *period_bounds(start, end, tz),
                                                                      as_of)


def period_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """The days start..end in zone `tz` as [local midnight of start, local midnight after end).

    A visit belongs to the day it was issued and what it does after that day's midnight
    is not read (docs/reports.md): the period's events are all a report takes."""
    zone = ZoneInfo(tz)
    return datetime.combine(start, time(0), zone), datetime.combine(end + timedelta(days=1), time(0), zone)


def add_up(into: dict, other: dict) -> dict:
    """Add nested counts (dicts of ints, as `register_figures` gives) into `into`."""
    for key, value in other.items():
        if isinstance(value, dict):
            add_up(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value
    return into


def dated(report: dict, start: date, end: date | None = None, day_rows: list | None = None) -> dict:
    """The report's kind and dates: a day's, or a period's with its row per day."""
    if end is None:
        report["kind"] = "daily"
        report["date"] = start.isoformat()
    else:
        report["kind"] = "period"
        report["from"] = start.isoformat()
        report["to"] = end.isoformat()
        report["days"] = day_rows if day_rows is not None else []
    return report


@dataclass
class Book:
    """What a report names things by and judges them against: the office (or the
    offices, added up), its zone, roles with their norms, services and counters."""

    office: str
    tz: str
    visit_norm_s: int
    roles: dict[str, Role]
    services: dict[str, Service]
    counters: dict[tuple, str]  # (office, counter id) -> name
    several: bool = False  # a report over several offices: counters and operators name theirs
    office_names: dict = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog, tz: str | None = None, office=None) -> Book:
        return cls(catalog.office_name, tz or catalog.timezone, catalog.visit_norm_s, dict(catalog.roles),
                   dict(catalog.services), {(office, c.id): c.name for c in catalog.counters.values()})

    @classmethod
    def merged(cls, books: dict, office: str, tz: str) -> Book:
        """Several offices' books as one: roles and services by id (the first office to
        name one names it), every office's counters."""
        first = next(iter(books.values()))
        out = cls(office, tz, first.visit_norm_s, {}, {}, {}, True,
                  {oid: b.office for oid, b in books.items()})
        for book in books.values():
            for rid, role in book.roles.items():
                out.roles.setdefault(rid, role)
            for sid, svc in book.services.items():
                out.services.setdefault(sid, svc)
            out.counters.update(book.counters)
        return out


def render(facts: Facts, book: Book, ranks: dict | None = None, scope=None) -> dict:
    """The report of the facts (every key but the kind and the dates).

    ``ranks``: percentiles read from stored histograms, {(office, "service"|"counter"|
    "operator"|"role"|"visit", id, "w"|"s"|"t"): (p50 µs, p90 µs)}, office None for
    several offices added up; ``scope`` the office the facts are of (None: all of
    them). Without ranks the facts hold their exact durations.
    """
    F = fold(facts.combos, book.roles, book.services, book.counters)
    total, booked = Figures(), Figures()
    for day in facts.days:
        total.add(day.total)
        booked.add(day.booked)
    if ranks is not None:
        _rank(F, total, ranks, scope)
        if booked.n:
            booked.ranked = ranks[(scope, "visit", None, METRIC_BOOKED)]
    return {
        "version": REPORT_VERSION,
        "office": book.office,
        "tz": book.tz,
        "roles": _roles(F, book),
        "visits": _visits(facts, total, book),
        "hours": _hours(facts, book),
        "services": _services(F, book),
        "counters": _counters(facts, F, book),
        "operators": _operators(F, book),
        "appeals": _appeals(facts),
        # the counts of the bookings come from their lines (`registers`); the wait that counts
        # for a booked visitor, from the later of check-in and the slot, from the facts
        "bookings": {"wait_from_slot": booked.summary()},
        "feedback": feedback_of(facts.counts),
    }


def _rank(F: Folded, total: Figures, ranks: dict, office) -> None:
    """Put the stored histograms' percentiles on the groups (see `render`)."""
    def put(group: Group, office, dim: str, key) -> None:
        for figures, metric in ((group.wait, "w"), (group.service, "s")):
            if figures.n:
                figures.ranked = ranks[(office, dim, key, metric)]
    for rid, g in F.roles.items():
        put(g, office, "role", rid)
    for sid, g in F.services.items():
        put(g, office, "service", sid)
    for (oid, cid), g in F.counters.items():
        put(g, oid, "counter", cid)
    for (oid, op), g in F.operators.items():
        put(g, oid, "operator", op)
    if total.n:
        total.ranked = ranks[(office, "visit", None, "t")]


def _verdict(summary: dict, norm: int | None) -> bool | None:
    """The standard's norms are averages: the mean within the norm is ok."""
    if norm is None or summary["mean_s"] is None:
        return None
    return summary["mean_s"] <= norm


def _timing(g: Group, wait_norm: int | None, service_norm: int | None,
            verdict: bool = True) -> dict:
    wait, service = g.wait.summary(), g.service.summary()
    row = {"steps": g.steps, "no_shows": g.no_shows, "wait": wait, "service": service}
    if verdict:
        row["verdict"] = {"wait_ok": _verdict(wait, wait_norm),
                          "service_ok": _verdict(service, service_norm)}
    return row


def _roles(F: Folded, book: Book) -> dict:
    out = {}
    for rid, g in F.roles.items():
        role = book.roles.get(rid)
        names = {"ru": role.name_ru, "en": role.name_en} if role else {"ru": rid, "en": rid}
        wait_norm, service_norm = (role.wait_norm_s, role.service_norm_s) if role else (None, None)
        row = {"name": names, "norm": {"wait_s": wait_norm, "service_s": service_norm},
               "recalls": g.recalls, "open": g.open}
        row.update(_timing(g, wait_norm, service_norm))
        out[rid] = row
    return out


def _visits(facts: Facts, total: Figures, book: Book) -> dict:
    summary = total.summary()
    return {
        "count": sum(d.visits for d in facts.days),
        "completed": total.n,
        "no_shows": sum(d.no_shows for d in facts.days),
        "cancelled": sum(d.cancelled for d in facts.days),
        "transferred": sum(d.multi_role for d in facts.days),
        "transfers": sum(d.transfers for d in facts.days),
        "open_at_close": sum(d.open for d in facts.days),
        "norm_s": book.visit_norm_s,
        "total": summary,
        "verdict": {"total_ok": _verdict(summary, book.visit_norm_s)},
        "by_priority": _count(facts.counts, "ticket", 1, ()),
        "by_channel": _count(facts.counts, "ticket", 0, ()),
    }


def _count(counts: dict[tuple, int], what: str, i: int, known: tuple[str, ...],
           missing: str | None = None) -> dict[str, int]:
    """Counts by the i-th element after `what` of the count keys: the known values
    first (with zeros), then any others seen, sorted; ``None`` values are
    counted under ``missing`` or dropped."""
    seen: dict[str, int] = {}
    for key, n in counts.items():
        if key[0] != what:
            continue
        value = key[1 + i] if key[1 + i] is not None else missing
        if value is not None:
            seen[value] = seen.get(value, 0) + n
    out = {k: seen.pop(k, 0) for k in known}
    out.update(sorted(seen.items()))
    return out


def _hours(facts: Facts, book: Book) -> list[dict]:
    by_hour: dict[int, list] = {}
    for (h, _role), (n, total, top, within, normed) in facts.hours.items():
        row = by_hour.setdefault(h, [0, 0, None, 0, 0])
        row[0] += n
        row[1] += total
        if top is not None and (row[2] is None or top > row[2]):
            row[2] = top
        row[3] += within
        row[4] += normed
    active = [h for h in range(24) if h in by_hour or any(facts.flow.get(h, ()))]
    if not active:
        return []
    rows = []
    for h in range(active[0], active[-1] + 1):
        n, total, top, within, normed = by_hour.get(h, (0, 0, None, 0, 0))
        arrivals, steps, waiting_max = facts.flow.get(h, (0, 0, 0))
        by_role = {}
        for rid in book.roles:
            hr = facts.hours.get((h, rid))
            by_role[rid] = mean_s(hr[1], hr[0]) if hr else None
        rows.append({
            "hour": h,
            "arrivals": arrivals,
            "steps": steps,
            "waiting_max": waiting_max,
            "wait_n": n,
            "wait_mean_s": mean_s(total, n),
            "wait_max_s": seconds(top) if n else None,
            "wait_within_norm_share": share(within, normed),
            "wait_mean_by_role_s": by_role,
        })
    return rows


def _services(F: Folded, book: Book) -> list[dict]:
    rows = []
    for sid, g in F.services.items():
        svc = book.services.get(sid)
        role = book.roles.get(svc.role) if svc else None
        row = {
            "id": sid,
            "name": {"ru": svc.name_ru, "en": svc.name_en} if svc else {"ru": sid, "en": sid},
            "role": role.id if role else None,
            "recalls": g.recalls,
            "open": g.open,
        }
        row.update(_timing(g, role.wait_norm_s if role else None,
                           role.service_norm_s if role else None))
        rows.append(row)
    return rows


def _counters(facts: Facts, F: Folded, book: Book) -> list[dict]:
    rows = []
    for key, g in F.counters.items():
        office, cid = key
        open_us, paused_us = facts.counters.get(key, (0, 0))
        open_s, paused_s = open_us / US_PER_S, paused_us / US_PER_S
        busy_s = F.counter_busy.get(key, 0) / US_PER_S
        working = open_s - paused_s
        row = {"office": office} if book.several else {}
        row.update({
            "id": cid,
            "name": book.counters.get(key, cid),
            "open_s": round(open_s, 1),
            "paused_s": round(paused_s, 1),
            "busy_s": round(busy_s, 1),
            "busy_share": round(min(busy_s / working, 1.0), 4) if working > 0 else None,
        })
        # a counter serves several roles: each step is held to its own role's
        # norm in the shares, but the mean has no single norm, so no verdict
        row.update(_timing(g, None, None, verdict=False))
        rows.append(row)
    return rows


def _operators(F: Folded, book: Book) -> list[dict]:
    rows = []
    for key in sorted(F.operators, key=lambda k: (str(k[0]), k[1])):
        office, oid = key
        row = {"office": office} if book.several else {}
        row["id"] = oid
        row.update(_timing(F.operators[key], None, None, verdict=False))
        rows.append(row)
    return rows


def _appeals(facts: Facts) -> dict:
    return {
        "by_kind": _count(facts.counts, "appeal", 0, APPEAL_KINDS, "unspecified"),
        "by_topic": _count(facts.counts, "appeal", 1, APPEAL_TOPICS, "unspecified"),
        "by_outcome": _count(facts.counts, "appeal", 2, OUTCOMES, "unspecified"),
    }


def days(facts: Facts, book: Book) -> list[dict]:
    """A row per day of the period."""
    rows = []
    for d, day in enumerate(facts.days):
        roles = {}
        for rid in book.roles:
            steps, wn, ws, sn, ss = facts.day_roles.get((d, rid), (0, 0, 0, 0, 0))
            roles[rid] = {"steps": steps, "wait_mean_s": mean_s(ws, wn), "service_mean_s": mean_s(ss, sn)}
        t = day.total
        rows.append({
            "date": (facts.start + timedelta(days=d)).isoformat(),
            "visits": day.visits,
            "no_shows": day.no_shows,
            "cancelled": day.cancelled,
            "open_at_close": day.open,
            "total_mean_s": mean_s(t.total, t.n),
            "total_within_norm_share": share(t.within, t.normed),
            "roles": roles,
        })
    return rows
