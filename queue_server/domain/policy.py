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
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .catalog import Catalog
from .model import Step, Visit

PRIORITY_HEAD_START = {"disabled": 1.0, "veteran": 1.0, "appointment": 1.0}
TRANSFER_HEAD_START = 0.5

REASON_MESSAGES = {
    "priority": "Priority category ({priority}): waited {wait_min} min, norm {norm_min} min",
    "transfer": "Transferred from another counter: waited {wait_min} min, norm {norm_min} min",
    "over_norm": "Longest over its norm: waited {wait_min} min, norm {norm_min} min",
    "longest_wait": "Waited longest against its norm: {wait_min} min of {norm_min} min",
    "only": "The only visitor waiting: {wait_min} min, norm {norm_min} min",
}


@dataclass(frozen=True)
class Choice:
    step: Step
    urgency: float
    reason: dict


def urgency(step: Step, visit: Visit, catalog: Catalog, now: datetime) -> tuple[float, float]:
    """(urgency, head start) of one waiting step."""
    norm = catalog.role_of(step.service_id).wait_norm_s or 1
    head = PRIORITY_HEAD_START.get(visit.priority or "", 0.0)
    if step.index > 1:
        head += TRANSFER_HEAD_START
    return step.wait_s(now) / norm + head, head


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
    if runner_up is None:
        code = "only"
    elif decided_by_head_start and visit.priority in PRIORITY_HEAD_START:
        code = "priority"
    elif decided_by_head_start:
        code = "transfer"
    elif wait > norm:
        code = "over_norm"
    else:
        code = "longest_wait"
    params = {
        "priority": visit.priority or "",
        "wait_min": round(wait / 60, 1),
        "norm_min": round(norm / 60, 1),
    }
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

