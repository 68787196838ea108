"""Call policy: which waiting visitor a counter calls next, and why.

Every waiting step gets an *urgency*: how many of its role's wait norms it
has already waited, plus a fixed head start for priority categories and for
visitors transferred from another counter. The highest urgency is called;
ties go to whoever came first in the journal (never by the wall clock, which
may step back).

Why this shape: norms differ by role (10 min for the administrator, 20 for a
consultant), so a counter serving several services must compare waits in
units of "norms", not minutes. The head start is bounded, so nobody starves:
an ordinary visitor who has waited one norm more than a fresh priority
arrival outranks it. See docs/call-policy.md.

A booked visitor checked in for a slot (`Visit.due`) waits as a walk-in until
the slot; from then on they stand APPOINTMENT_HEAD_START norms ahead of
their time since the slot, so they are called at it, ahead of anyone who
has waited less than two norms, and the reason names the slot («запись на
10:30»). Bookings take at most `booking.share` of the counters' time
(slots.py), so this never starves walk-ins either.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .catalog import Catalog
from .model import Step, Visit

PRIORITY_HEAD_START = {"disabled": 1.0, "veteran": 1.0, "appointment": 1.0}
TRANSFER_HEAD_START = 0.5
APPOINTMENT_HEAD_START = 2.0  # norms: more than any other head start (at most 1.5)

REASON_MESSAGES = {
    "priority": "Priority category ({priority}): waited {wait_min} min, norm {norm_min} min",
    "transfer": "Transferred from another counter: waited {wait_min} min, norm {norm_min} min",
    "over_norm": "Longest over its norm: waited {wait_min} min, norm {norm_min} min",
    "longest_wait": "Waited longest against its norm: {wait_min} min of {norm_min} min",
    "only": "The only visitor waiting: {wait_min} min, norm {norm_min} min",
    "appointment": "Appointment at {due}: called {wait_min} min after the booked time, norm {norm_min} min",
}


@dataclass(frozen=True)
class Choice:
    step: Step
    urgency: float
    reason: dict


def due_of(step: Step, visit: Visit) -> datetime | None:
    """The slot an appointment's step is due at (its first step only: a transfer after
    the appointment is an ordinary transfer)."""
    return visit.due if step.index == 1 else None


def since_due_s(step: Step, due: datetime, now: datetime) -> float:
    """How long a due appointment has waited that counts: from its slot, or from its
    check-in when that came later (a visitor a few minutes late)."""
    return max(0.0, (now - max(due, step.queued_at)).total_seconds())


def urgency(step: Step, visit: Visit, catalog: Catalog, now: datetime) -> tuple[float, float]:
    """(urgency, head start) of one waiting step."""
    norm = catalog.role_of(step.service_id).wait_norm_s or 1
    waited = step.wait_s(now) / norm
    due = due_of(step, visit)
    if due is not None:
        if now < due:
            return waited, 0.0  # early: a walk-in until the slot
        score = max(waited, APPOINTMENT_HEAD_START + since_due_s(step, due, now) / norm)
        return score, score - waited
    head = PRIORITY_HEAD_START.get(visit.priority or "", 0.0)
    if step.index > 1:
        head += TRANSFER_HEAD_START
    return waited + head, head


def choose_next(
    waiting: list[tuple[Step, Visit]], catalog: Catalog, now: datetime
) -> Choice | None:
    """The step to call from `waiting` (steps queued in this counter's services)."""
    scored = sorted(
        ((urgency(s, v, catalog, now), s, v) for s, v in waiting),
        key=lambda t: (-t[0][0], t[1].arrival),
    )
    if not scored:
        return None
    (score, head), step, visit = scored[0]
    runner_up = scored[1][0][0] if len(scored) > 1 else None
    decided_by_head_start = runner_up is not None and score - head < runner_up
    norm = catalog.role_of(step.service_id).wait_norm_s
    wait = step.wait_s(now)
    due = due_of(step, visit)
    params = {
        "priority": visit.priority or "",
        "wait_min": round(wait / 60, 1),
        "norm_min": round(norm / 60, 1),
    }
    if due is not None and now >= due:
        code = "appointment"
        params["due"] = due.astimezone(ZoneInfo(catalog.timezone)).strftime("%H:%M")
        params["wait_min"] = round(since_due_s(step, due, now) / 60, 1)
    elif runner_up is None:
        code = "only"
    elif decided_by_head_start and visit.priority in PRIORITY_HEAD_START:
        code = "priority"
    elif decided_by_head_start:
        code = "transfer"
    elif wait > norm:
        code = "over_norm"
    else:
        code = "longest_wait"
    reason = {
        "code": code,
        "template": REASON_MESSAGES[code],
        "params": params,
        "wait_s": round(wait, 1),
        "norm_s": norm,
        "priority": visit.priority,
        "urgency": round(score, 3),
        "waiting": len(waiting),
    }
    return Choice(step, score, reason)

