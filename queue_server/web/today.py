"""Today's figures for the dashboard: mean wait and service per role so far, open faults.

Deliberately small: one pass over today's journal lines (an office day is a few
thousand events). WAIT is queued (ticket or transfer) → first call; SERVICE is
start (else the last call) → finish or transfer, the same definitions as the
daily report (docs/reports.md). The daily report itself stays the reference.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain import events as ev
from ..domain.catalog import Catalog
from ..domain.events import parse_at


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


def today_figures(lines: Iterable[dict], catalog: Catalog, day: str) -> dict:
    """Figures of the journal lines of one day (in journal order)."""
    roles = {rid: _Role() for rid in catalog.roles}
    steps: dict[tuple[str, int], dict] = {}
    issued: dict[str, datetime] = {}
    totals: list[float] = []
    faults: dict[tuple[str, str], dict] = {}
    for line in lines:
        kind, at = line["type"], parse_at(line["at"])
        key = (line["visit"], line["step"] or 1)
        if kind == ev.VISIT_ISSUED:
            issued[line["visit"]] = at
            steps[key] = _new_step(line["service"], at)
            continue
        if kind in (ev.DEVICE_FAULT, ev.DEVICE_OK):
            data = line["data"] or {}
            where = (line["operator"] or "", data.get("component", ""))
            if kind == ev.DEVICE_FAULT:
                faults[where] = {"device": where[0], "component": where[1], "kind": data.get("kind", ""),
                                 "message": data.get("message", ""), "at": line["at"]}
            else:
                faults.pop(where, None)
            continue
        step = steps.get(key)
        if step is None or step["service"] not in catalog.services:
            continue
        role_id = catalog.services[step["service"]].role
        role, norms = roles[role_id], catalog.roles[role_id]
        if kind == ev.STEP_CALLED and step["last_call"] is None:
            wait = (at - step["queued"]).total_seconds()
            role.wait.append(wait)
            role.wait_in += wait <= norms.wait_norm_s
        if kind in (ev.STEP_CALLED, ev.STEP_RECALLED):
            step["last_call"] = at
        elif kind == ev.STEP_STARTED:
            step["started"] = at
        elif kind in (ev.STEP_FINISHED, ev.STEP_TRANSFERRED) and step["last_call"] is not None:
            seconds = (at - (step["started"] or step["last_call"])).total_seconds()
            role.service.append(seconds)
            role.service_in += seconds <= norms.service_norm_s
        if kind == ev.STEP_TRANSFERRED:
            steps[(line["visit"], key[1] + 1)] = _new_step(line["data"]["to_service"], at)
        elif kind in (ev.STEP_FINISHED, ev.STEP_NO_SHOW, ev.VISIT_CANCELLED) and line["visit"] in issued:
            totals.append((at - issued.pop(line["visit"])).total_seconds())
    used_roles = {s.role for s in catalog.services.values()}
    return {
        "date": day,
        "roles": [_role_row(rid, catalog, roles[rid]) for rid in catalog.roles if rid in used_roles],
        "visits": {"issued": len(issued) + len(totals), "completed": len(totals),
                   "total_mean_s": _mean(totals), "norm_s": catalog.visit_norm_s,
                   "within_norm_share": _share(sum(t <= catalog.visit_norm_s for t in totals), len(totals))},
        "device_faults": sorted(faults.values(), key=lambda f: f["at"]),
    }


def _new_step(service_id: str, queued: datetime) -> dict:
    return {"service": service_id, "queued": queued, "last_call": None, "started": None}


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
