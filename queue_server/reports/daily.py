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
from datetime import date, timedelta

from queue_server.domain.catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES, Catalog

from .stats import mean_or_none, share, summarize
from .timing import Acc, Tally, scan

REPORT_VERSION = 1


def daily_report(events: Iterable, catalog: Catalog, day: date, tz: str | None = None) -> dict:
    """Timing report of one office day (local calendar day in ``tz``).

    ``events``: the journal in order, as ``Event`` objects, journal-line dicts
    or rows in the line's column order (see ``rows.py``); events outside the
    day are skipped, so the caller may pass a wider slice. ``tz`` defaults to
    the catalog's time zone.
    """
    report, _ = _build(events, catalog, day, day, tz or catalog.timezone)
    report["kind"] = "daily"
    report["date"] = day.isoformat()
    return report


def period_report(events: Iterable, catalog: Catalog, start: date, end: date,
                  tz: str | None = None) -> dict:
    """Timing report of the days ``start``..``end`` inclusive, with a row per day."""
    report, tally = _build(events, catalog, start, end, tz or catalog.timezone)
    report["kind"] = "period"
    report["from"] = start.isoformat()
    report["to"] = end.isoformat()
    report["days"] = _days(tally)
    return report


def _verdict(summary: dict, norm: int | None) -> bool | None:
    if norm is None or summary["mean_s"] is None:
        return None
    return summary["mean_s"] <= norm


def _figures(acc: Acc) -> tuple[dict, dict]:
    return (summarize(acc.wait, acc.wait_in, acc.wait_nn),
            summarize(acc.service, acc.service_in, acc.service_nn))


def _build(events: Iterable, catalog: Catalog, start: date, end: date,
           tz: str) -> tuple[dict, Tally]:
    T = scan(events, catalog, start, end, tz)
    report: dict = {
        "version": REPORT_VERSION,
        "office": catalog.office_name,
        "tz": tz,
        "roles": _roles(T, catalog),
        "visits": _visits(T, catalog),
        "hours": _hours(T, catalog),
        "services": _services(T, catalog),
        "counters": _counters(T, catalog),
        "operators": _operators(T),
        "appeals": _appeals(T),
    }
    return report, T


def _roles(T: Tally, catalog: Catalog) -> dict:
    out = {}
    for rid, role in catalog.roles.items():
        acc = T.roles[rid]
        wait, service = _figures(acc)
        out[rid] = {
            "name": {"ru": role.name_ru, "en": role.name_en},
            "steps": acc.steps,
            "no_shows": acc.no_shows,
            "recalls": acc.recalls,
            "open": acc.open,
            "norm": {"wait_s": role.wait_norm_s, "service_s": role.service_norm_s},
            "wait": wait,
            "service": service,
            "verdict": {"wait_ok": _verdict(wait, role.wait_norm_s),
                        "service_ok": _verdict(service, role.service_norm_s)},
        }
    return out


def _visits(T: Tally, catalog: Catalog) -> dict:
    total = summarize(T.totals, T.total_in, len(T.totals))
    return {
        "count": T.visits,
        "completed": len(T.totals),
        "no_shows": T.no_shows,
        "cancelled": T.cancelled,
        "transferred": T.multi_role,
        "transfers": T.transfers,
        "open_at_close": len(T.open_visits),
        "norm_s": catalog.visit_norm_s,
        "total": total,
        "verdict": {"total_ok": _verdict(total, catalog.visit_norm_s)},
        "by_priority": dict(sorted(T.by_priority.items())),
        "by_channel": dict(sorted(T.by_channel.items())),
    }


def _hours(T: Tally, catalog: Catalog) -> list[dict]:
    active = [h for h in range(24)
              if T.h_arrivals[h] or T.h_steps[h] or T.h_wait_n[h] or T.h_waiting_max[h]]
    if not active:
        return []
    nr = len(T.role_ids)
    rows = []
    for h in range(active[0], active[-1] + 1):
        n = T.h_wait_n[h]
        rows.append({
            "hour": h,
            "arrivals": T.h_arrivals[h],
            "steps": T.h_steps[h],
            "waiting_max": T.h_waiting_max[h],
            "wait_n": n,
            "wait_mean_s": mean_or_none(T.h_wait_sum[h], n),
            "wait_max_s": round(T.h_wait_max[h], 1) if n else None,
            "wait_within_norm_share": share(T.h_wait_in[h], T.h_wait_nn[h]),
            "wait_mean_by_role_s": {
                rid: mean_or_none(T.h_role_wait_sum[h * nr + i], T.h_role_wait_n[h * nr + i])
                for i, rid in enumerate(T.role_ids)
            },
        })
    return rows


def _group_row(acc: Acc, wait_norm: int | None, service_norm: int | None) -> dict:
    wait, service = _figures(acc)
    return {
        "steps": acc.steps,
        "no_shows": acc.no_shows,
        "wait": wait,
        "service": service,
        "verdict": {"wait_ok": _verdict(wait, wait_norm),
                    "service_ok": _verdict(service, service_norm)},
    }


def _services(T: Tally, catalog: Catalog) -> list[dict]:
    rows = []
    for sid, acc in T.services.items():
        svc = catalog.services.get(sid)
        role = catalog.roles.get(svc.role) if svc else None
        row = {
            "service": sid,
            "name": {"ru": svc.name_ru, "en": svc.name_en} if svc else {"ru": sid, "en": sid},
            "role": role.id if role else None,
            "recalls": acc.recalls,
            "open": acc.open,
        }
        row.update(_group_row(acc, role.wait_norm_s if role else None,
                              role.service_norm_s if role else None))
        rows.append(row)
    return rows


def _counters(T: Tally, catalog: Catalog) -> list[dict]:
    rows = []
    for cid, acc in T.counters.items():
        ctr = catalog.counters.get(cid)
        ct = T.counter_time.get(cid)
        open_s, paused_s, busy_s = (ct[2], ct[3], ct[5]) if ct else (0.0, 0.0, 0.0)
        working = open_s - paused_s
        row = {
            "counter": cid,
            "name": ctr.name if ctr else cid,
            "open_s": round(open_s, 1),
            "paused_s": round(paused_s, 1),
            "busy_s": round(busy_s, 1),
            "busy_share": round(min(busy_s / working, 1.0), 4) if working > 0 else None,
        }
        # a counter serves several roles: each step is held to its own role's
        # norm in the shares; the mean has no single norm, so no verdict
        row.update(_group_row(acc, None, None))
        del row["verdict"]
        rows.append(row)
    return rows


def _operators(T: Tally) -> list[dict]:
    rows = []
    for oid in sorted(T.operators):
        row = {"operator": oid}
        row.update(_group_row(T.operators[oid], None, None))
        del row["verdict"]
        rows.append(row)
    return rows


def _appeals(T: Tally) -> dict:
    def counts(known: tuple[str, ...], seen: dict[str, int]) -> dict[str, int]:
        out = {k: seen.get(k, 0) for k in known}
        for k in sorted(seen):
            if k not in out:
                out[k] = seen[k]
        return out

    return {
        "by_kind": counts(APPEAL_KINDS, T.by_kind),
        "by_topic": counts(APPEAL_TOPICS, T.by_topic),
        "by_outcome": counts(OUTCOMES, T.by_outcome),
    }


def _days(T: Tally) -> list[dict]:
    nr = len(T.role_ids)
    open_by_day = [0] * T.ndays
    for v in T.open_visits.values():
        open_by_day[v[1]] += 1
    rows = []
    for d in range(T.ndays):
        n = T.d_total_n[d]
        roles = {}
        for i, rid in enumerate(T.role_ids):
            k = d * nr + i
            roles[rid] = {
                "steps": T.d_role_steps[k],
                "wait_mean_s": mean_or_none(T.d_role_wait_sum[k], T.d_role_wait_n[k]),
                "service_mean_s": mean_or_none(T.d_role_service_sum[k], T.d_role_service_n[k]),
            }
        rows.append({
            "date": (T.start + timedelta(days=d)).isoformat(),
            "visits": T.d_visits[d],
            "no_shows": T.d_no_shows[d],
            "cancelled": T.d_cancelled[d],
            "open_at_close": open_by_day[d],
            "total_mean_s": mean_or_none(T.d_total_sum[d], n),
            "total_within_norm_share": share(T.d_total_in[d], n),
            "roles": roles,
        })
    return rows

