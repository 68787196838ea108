"""Today's figures for the dashboard: mean wait and service per role so far, open faults, devices down.

Read by the domain's one fold of waits and services (`domain/fold.py`), the same
the daily report reads, over the same span (the visits issued today, local time),
so the dashboard's "today" and the day's report agree figure for figure
(tests/web/test_today_matches_the_report.py). An office day is a few thousand
events: one pass per request.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..domain import events as ev
from ..domain.catalog import Catalog
from ..domain.fold import V_ISSUED, V_SVC, Fold
from ..reports.rows import source


def day_bounds(now: datetime, tz: str) -> tuple[datetime, datetime]:
    local = now.astimezone(ZoneInfo(tz))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


class _Role:
    __slots__ = ("wait", "wait_in", "service", "service_in")

    def __init__(self) -> None:
        self.wait: list[float] = []
        self.service: list[float] = []
        self.wait_in = self.service_in = 0


class _Today(Fold):
    def __init__(self, catalog: Catalog, start: datetime, end: datetime):
        super().__init__(start, end)
        self.catalog = catalog
        self.roles = {rid: _Role() for rid in catalog.roles}
        self.issued_n = 0
        self.totals: list[float] = []
        self.faults: dict[tuple[str, str], dict] = {}
        self.down: dict[str, dict] = {}  # devices gone silent today and not back

    def issued(self, v, t, at, e) -> None:
        self.issued_n += 1

    def step_ended(self, v, t, how, wait, service) -> None:
        svc = self.catalog.services.get(v[V_SVC])
        if svc is None:
            return
        role, norms = self.roles[svc.role], self.catalog.roles[svc.role]
        if wait is not None:
            seconds = wait.total_seconds()
            role.wait.append(seconds)
            role.wait_in += seconds <= norms.wait_norm_s
        if service is not None:
            seconds = service.total_seconds()
            role.service.append(seconds)
            role.service_in += seconds <= norms.service_norm_s

    def visit_ended(self, v, t, how, e) -> None:
        self.totals.append((t - v[V_ISSUED]).total_seconds())

    def other(self, e) -> None:
        data = e["data"] if isinstance(e["data"], dict) else {}
        if e["type"] in (ev.ADMIN_DEVICE_ADDED, ev.ADMIN_DEVICE_REVOKED):  # a fresh start: its alerts go
            for where in [w for w in self.faults if w[0] == data.get("device")]:
                del self.faults[where]
            self.down.pop(data.get("device"), None)
            return
        if e["type"] == ev.DEVICE_DOWN:
            self.down[e["operator"] or ""] = {"device": e["operator"] or "", "kind": data.get("kind"),
                                              "since": data.get("since") or e["at"]}
            return
        if e["type"] == ev.DEVICE_UP:
            self.down.pop(e["operator"] or "", None)
            return
        if e["type"] not in (ev.DEVICE_FAULT, ev.DEVICE_OK):
            return
        where = (e["operator"] or "", data.get("component", ""))
        if e["type"] == ev.DEVICE_FAULT:
            self.faults[where] = {"device": where[0], "component": where[1], "kind": data.get("kind", ""),
                                  "message": data.get("message", ""), "at": e["at"]}
        else:
            self.faults.pop(where, None)


def today_figures(lines: Iterable[dict], catalog: Catalog, day: str) -> dict:
    """Figures of one local day from its journal lines (dicts, in journal order)."""
    start = datetime.combine(date.fromisoformat(day), time(), ZoneInfo(catalog.timezone))
    fold = _Today(catalog, start, start + timedelta(days=1))
    fold.run(*source(lines))
    fold.close()
    roles, totals = fold.roles, fold.totals
    used_roles = {s.role for s in catalog.services.values()}
    return {
        "date": day,
        "roles": [_role_row(rid, catalog, roles[rid]) for rid in catalog.roles if rid in used_roles],
        "visits": {"issued": fold.issued_n, "completed": len(totals),
                   "total_mean_s": _mean(totals), "norm_s": catalog.visit_norm_s,
                   "within_norm_share": _share(sum(t <= catalog.visit_norm_s for t in totals), len(totals))},
        "device_faults": sorted(fold.faults.values(), key=lambda f: f["at"]),
        # from today's lines; the office's own dashboard reads its device watch (down since any day)
        "devices_down": [fold.down[k] for k in sorted(fold.down)],
    }


def _role_row(rid: str, catalog: Catalog, acc: _Role) -> dict:
    role = catalog.roles[rid]
    return {
        "role": rid,
        "name": {"ru": role.name_ru, "en": role.name_en},
        "called": len(acc.wait),
        "served": len(acc.service),
        "wait_mean_s": _mean(acc.wait),
        "wait_norm_s": role.wait_norm_s,
        "wait_within_share": _share(acc.wait_in, len(acc.wait)),
        "service_mean_s": _mean(acc.service),
        "service_norm_s": role.service_norm_s,
        "service_within_share": _share(acc.service_in, len(acc.service)),
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
