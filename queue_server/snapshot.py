"""The picture of the hall every client renders: queues, counters, recent calls.

One function builds it for `GET /api/v1/state`, the Socket.IO `snapshot` sent
on connect and the `state` pushes, so all three always agree.
"""
from __future__ import annotations

from datetime import datetime

from .domain.events import format_at
from .domain.model import Step
from .domain.office import Office
from .i18n import server_gettext

PRIORITY_NAMES = {"disabled": "disabled person", "veteran": "veteran", "appointment": "pre-booked appointment"}


def explain(reason: dict | None, lang: str) -> dict | None:
    """The call's reason with its sentence in the given language."""
    if not reason:
        return reason
    _ = server_gettext(lang)
    params = dict(reason["params"])
    if params.get("priority") in PRIORITY_NAMES:
        params["priority"] = _(PRIORITY_NAMES[params["priority"]])
    return {**reason, "message": _(reason["template"]).format(**params)}


def step_view(office: Office, step: Step, now: datetime) -> dict:
    visit = office.visits[step.visit_id]
    role = office.catalog.role_of(step.service_id)
    service_s = step.service_s(now)
    history = [
        {"service_id": s.service_id, "counter_id": s.counter_id, "state": s.state, "note": s.note}
        for s in visit.steps[:-1]
    ]
    return {
        "visit_id": visit.id,
        "number": visit.number,
        "step": step.index,
        "service_id": step.service_id,
        "role": role.id,
        "state": step.state,
        "priority": visit.priority,
        "lang": visit.lang,
        "queued_at": format_at(step.queued_at),
        "called_at": format_at(step.last_called_at) if step.last_called_at else None,
        "started_at": format_at(step.started_at) if step.started_at else None,
        "recalls": step.recalls,
        "wait_s": round(step.wait_s(now), 1),
        "service_s": round(service_s, 1) if service_s is not None else None,
        "visit_s": round(visit.elapsed_s(now), 1),
        "norm": {"wait_s": role.wait_norm_s, "service_s": role.service_norm_s},
        "note": step.note,
        "reason": explain(step.reason, office.catalog.language),
        "history": history,
    }


def board_step_view(office: Office, step: Step, now: datetime) -> dict:
    """A counter's visitor as a board shows it: the number and what is happening."""
    visit = office.visits[step.visit_id]
    return {
        "visit_id": visit.id,
        "number": visit.number,
        "step": step.index,
        "service_id": step.service_id,
        "state": step.state,
        "lang": visit.lang,
        "called_at": format_at(step.last_called_at) if step.last_called_at else None,
    }


def state_snapshot(office: Office, now: datetime) -> dict:
    """The whole picture, every detail of each counter's visitor (staff screens)."""
    return _snapshot(office, now, step_view, with_operator=True)


def board_snapshot(office: Office, now: datetime) -> dict:
    """The same keys as `state_snapshot`, each counter's visitor reduced to what
    a hall board, counter screen or kiosk shows (no operator, reason or history).
    About half the bytes in a busy hall, and no staff logins: it goes to every device."""
    return _snapshot(office, now, board_step_view, with_operator=False)


def _snapshot(office: Office, now: datetime, current_view, with_operator: bool) -> dict:
    catalog = office.catalog
    queues = []
    for sid, service in catalog.services.items():
        waiting = office.queues.get(sid, [])
        # Queues are sorted by queuing time (Office._enqueue): the head waited longest.
        oldest = waiting[0].wait_s(now) if waiting else 0.0
        role = catalog.roles[service.role]
        queues.append({
            "service_id": sid,
            "role": service.role,
            "waiting": len(waiting),
            "oldest_wait_s": round(oldest, 1),
            "wait_norm_s": role.wait_norm_s,
            "over_norm": oldest > role.wait_norm_s,
        })
    counters = []
    for cid, counter in catalog.counters.items():
        st = office.counters[cid]
        current = office.current_step(cid)
        entry = {
            "counter_id": cid,
            "name": counter.name,
            "services": list(counter.services),
            "status": st.status,
            "pause_reason": st.pause_reason,
            "since": format_at(st.since) if st.since else None,
            "current": current_view(office, current, now) if current else None,
        }
        if with_operator:
            entry["operator"] = st.operator
        counters.append(entry)
    return {
        "office": catalog.office_name,
        "at": format_at(now),
        "seq": office.last_seq,
        "queues": queues,
        "counters": counters,
        "recent_calls": list(office.recent_calls),
    }
