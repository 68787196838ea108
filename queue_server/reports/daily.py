"""The report as a plain JSON-ready dict: what every format and endpoint shows.

Keeping the report a dict of plain values (no datetimes, no objects) means
the HTTP endpoint can return it as is, the nightly writer can store it, and
the CSV/XLSX/PDF writers need nothing but the dict and a language.
Durations are seconds (to 0.1 s), shares are fractions 0..1; a figure that
has no data is ``None`` (``null``), never 0, so "nobody came" is not
mistaken for "everybody was served at once".
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, Catalog
from queue_server.domain.hours import WorkingHours

from .appeal_figures import registry_figures
from .bookings import booking_counts
from .devices import device_downtime
from .feedback import feedback
from .groups import Figures, Folded, Group, fold, seconds, within_norm
from .stats import mean_or_none, share, summarize
from .timing import K_OPEN_T, K_PAUSED_T, V_DAY, Tally, scan

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
    report, _, _ = _build(events, catalog, day, day, tz or catalog.timezone, bookings, appeal_lines, as_of,
                          device_lines, hours)
    report["kind"] = "daily"
    report["date"] = day.isoformat()
    return report


def period_report(events: Iterable, catalog: Catalog, start: date, end: date,
                  tz: str | None = None, *, bookings: Iterable | None = None,
                  appeal_lines: Iterable | None = None, as_of: datetime | None = None,
                  device_lines: Iterable | None = None, hours: WorkingHours | None = None) -> dict:
    """Timing report of the days ``start``..``end`` inclusive, plus a row per day.

    ``bookings``: the ``booking.*`` lines that tell what became of the period's bookings
    (report_service.booking_lines); without them, the period's own lines.
    ``appeal_lines``: every ``appeal.*`` line up to the period's end (the registry's
    history, for what is overdue or decided of earlier appeals); without it, the
    period's own lines. ``as_of``: now, when the period has not ended yet."""
    report, tally, folded = _build(events, catalog, start, end, tz or catalog.timezone, bookings, appeal_lines,
                                   as_of, device_lines, hours)
    report["kind"] = "period"
    report["from"] = start.isoformat()
    report["to"] = end.isoformat()
    report["days"] = _days(tally, folded, catalog, tally.seconds_by_day)
    return report


def _build(events: Iterable, catalog: Catalog, start: date, end: date, tz: str,
           bookings: Iterable | None = None, appeal_lines: Iterable | None = None,
           as_of: datetime | None = None, device_lines: Iterable | None = None,
           hours: WorkingHours | None = None) -> tuple[dict, Tally, Folded]:
    T = scan(events, catalog, start, end, tz)
    F = fold(T, catalog)
    T.seconds_by_day = [seconds(day) for day in T.totals]
    report: dict = {
        "version": REPORT_VERSION,
        "office": catalog.office_name,
        "tz": tz,
        "roles": _roles(F, catalog),
        "visits": _visits(T, catalog),
        "hours": _hours(T, F, catalog),
        "services": _services(F, catalog),
        "counters": _counters(T, F, catalog),
        "operators": _operators(F),
        "appeals": _appeals(T),
        "bookings": _bookings(T, start, end, tz, bookings),
        "feedback": feedback(T.extra),
    }
    zone = ZoneInfo(tz)
    first = datetime.combine(start, time(0), zone)
    last = datetime.combine(end + timedelta(days=1), time(0), zone)
    report["appeals_registry"] = registry_figures(T.extra if appeal_lines is None else appeal_lines,
                                                  first, last, as_of)
    # device downtime within working hours (reports/devices.py): `device_lines` reach back before the period
    report["devices"] = device_downtime(T.extra if device_lines is None else device_lines, first, last, hours, as_of)
    return report, T, F


def _summary(f: Figures) -> dict:
    return f.summary()


def _verdict(summary: dict, norm: int | None) -> bool | None:
    """The standard's norms are averages: the mean within the norm is ok."""
    if norm is None or summary["mean_s"] is None:
        return None
    return summary["mean_s"] <= norm


def _timing(g: Group, wait_norm: int | None, service_norm: int | None,
            verdict: bool = True) -> dict:
    wait, service = _summary(g.wait), _summary(g.service)
    row = {"steps": g.steps, "no_shows": g.no_shows, "wait": wait, "service": service}
    if verdict:
        row["verdict"] = {"wait_ok": _verdict(wait, wait_norm),
                          "service_ok": _verdict(service, service_norm)}
    return row


def _roles(F: Folded, catalog: Catalog) -> dict:
    out = {}
    for rid, role in catalog.roles.items():
        g = F.roles[rid]
        row = {"name": {"ru": role.name_ru, "en": role.name_en},
               "norm": {"wait_s": role.wait_norm_s, "service_s": role.service_norm_s},
               "recalls": g.recalls, "open": g.open}
        row.update(_timing(g, role.wait_norm_s, role.service_norm_s))
        out[rid] = row
    return out


def _visits(T: Tally, catalog: Catalog) -> dict:
    totals: list[float] = []
    for day in T.seconds_by_day:
        totals.extend(day)
    total = summarize(totals, *within_norm(totals, catalog.visit_norm_s))
    return {
        "count": sum(T.visits),
        "completed": len(totals),
        "no_shows": sum(T.no_shows),
        "cancelled": sum(T.cancelled),
        "transferred": T.multi_role,
        "transfers": T.transfers,
        "open_at_close": len(T.open_visits),
        "norm_s": catalog.visit_norm_s,
        "total": total,
        "verdict": {"total_ok": _verdict(total, catalog.visit_norm_s)},
        "by_priority": _count(T.tickets, 1, ()),
        "by_channel": _count(T.tickets, 0, ()),
    }


def _count(tally: dict[tuple, int], i: int, known: tuple[str, ...],
           missing: str | None = None) -> dict[str, int]:
    """Counts by the i-th element of the tally's keys: the known values
    first (with zeros), then any others seen, sorted; ``None`` values are
    counted under ``missing`` or dropped."""
    seen: dict[str, int] = {}
    for key, n in tally.items():
        value = key[i] if key[i] is not None else missing
        if value is not None:
            seen[value] = seen.get(value, 0) + n
    out = {k: seen.pop(k, 0) for k in known}
    out.update(sorted(seen.items()))
    return out


def _hours(T: Tally, F: Folded, catalog: Catalog) -> list[dict]:
    active = [h for h in range(24)
              if T.h_arrivals[h] or T.h_steps[h] or F.hours[h][0] or T.h_waiting_max[h]]
    if not active:
        return []
    rows = []
    for h in range(active[0], active[-1] + 1):
        n, total, top, within, normed = F.hours[h]
        by_role = {}
        for rid in catalog.roles:
            hr = F.hour_roles.get((h, rid))
            by_role[rid] = mean_or_none(hr[1], hr[0]) if hr else None
        rows.append({
            "hour": h,
            "arrivals": T.h_arrivals[h],
            "steps": T.h_steps[h],
            "waiting_max": T.h_waiting_max[h],
            "wait_n": n,
            "wait_mean_s": mean_or_none(total, n),
            "wait_max_s": round(top, 1) if n else None,
            "wait_within_norm_share": share(within, normed),
            "wait_mean_by_role_s": by_role,
        })
    return rows


def _services(F: Folded, catalog: Catalog) -> list[dict]:
    rows = []
    for sid, g in F.services.items():
        svc = catalog.services.get(sid)
        role = catalog.roles.get(svc.role) if svc else None
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


def _counters(T: Tally, F: Folded, catalog: Catalog) -> list[dict]:
    rows = []
    for cid, g in F.counters.items():
        ctr = catalog.counters.get(cid)
        clock = T.counter_clock.get(cid)
        open_s, paused_s = ((clock[K_OPEN_T].total_seconds(), clock[K_PAUSED_T].total_seconds())
                            if clock else (0.0, 0.0))
        busy_s = F.counter_busy_s.get(cid, 0.0)
        working = open_s - paused_s
        row = {
            "id": cid,
            "name": ctr.name if ctr else cid,
            "open_s": round(open_s, 1),
            "paused_s": round(paused_s, 1),
            "busy_s": round(busy_s, 1),
            "busy_share": round(min(busy_s / working, 1.0), 4) if working > 0 else None,
        }
        # a counter serves several roles: each step is held to its own role's
        # norm in the shares, but the mean has no single norm, so no verdict
        row.update(_timing(g, None, None, verdict=False))
        rows.append(row)
    return rows


def _operators(F: Folded) -> list[dict]:
    rows = []
    for oid in sorted(F.operators):
        row = {"id": oid}
        row.update(_timing(F.operators[oid], None, None, verdict=False))
        rows.append(row)
    return rows


def _appeals(T: Tally) -> dict:
    return {
        "by_kind": _count(T.appeals, 0, APPEAL_KINDS, "unspecified"),
        "by_topic": _count(T.appeals, 1, APPEAL_TOPICS, "unspecified"),
        "by_outcome": _count(T.appeals, 2, OUTCOMES, "unspecified"),
    }


def _bookings(T: Tally, start: date, end: date, tz: str, lines: Iterable | None) -> dict:
    """Bookings of the period's slots, and the wait that counts for a booked visitor: from
    the later of check-in and the slot to the call (docs/bookings.md)."""
    out: dict = booking_counts(T.booking_rows if lines is None else lines, start, end, tz)
    waits = seconds(T.booked_waits)
    out["wait_from_slot"] = summarize(waits, T.booked_within, len(waits))
    return out


def _days(T: Tally, F: Folded, catalog: Catalog, by_day: list[list[float]]) -> list[dict]:
    open_by_day = [0] * T.ndays
    for v in T.open_visits.values():
        open_by_day[v[V_DAY]] += 1
    rows = []
    for d in range(T.ndays):
        totals = by_day[d]
        n = len(totals)
        roles = {}
        for rid in catalog.roles:
            steps, wn, ws, sn, ss = F.day_roles.get((d, rid), (0, 0, 0.0, 0, 0.0))
            roles[rid] = {"steps": steps, "wait_mean_s": mean_or_none(ws, wn),
                          "service_mean_s": mean_or_none(ss, sn)}
        rows.append({
            "date": (T.start + timedelta(days=d)).isoformat(),
            "visits": T.visits[d],
            "no_shows": T.no_shows[d],
            "cancelled": T.cancelled[d],
            "open_at_close": open_by_day[d],
            "total_mean_s": mean_or_none(sum(totals), n),
            "total_within_norm_share": share(*within_norm(totals, catalog.visit_norm_s)),
            "roles": roles,
        })
    return rows
