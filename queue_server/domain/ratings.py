"""Visitors' ratings of their visits (GOST R 53368 §8; seed 001 §2.3.3.2, §2.3.4.5).

Politeness and the other subjective criteria are measured only from what
visitors say, so after the last step a visitor may rate the visit 1–5, once,
within a day: from the tracking page (the ticket's QR), on the counter display
or on a rating pad at the counter. The rating is credited to every service,
counter and operator that served the visit, named in the event itself, so a
report needs nothing but the rating's line. A low score with a comment may
become a complaint in the appeals registry, registered by the visitor.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from . import events as ev
from .errors import InvalidInput, InvalidState
from .events import Event
from .model import FINISHED, TRANSFERRED
from .office import Office

SCORES = (1, 2, 3, 4, 5)
COMPLAINT_SCORES = (1, 2)  # with a comment: the page offers to register a complaint
COMMENT_LEN = 500


def rate_visit(office: Office, visit_id: str, score: int, comment: str | None, now: datetime, via: str,
               window: timedelta, keys: int | None = None) -> Event:
    """The `visit.rated` event for a finished visit not rated yet, within `window` of its end."""
    visit = office.visit(visit_id)
    if type(score) is not int or score not in SCORES:
        raise InvalidInput("score must be a whole number from 1 to 5")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LEN:
        raise InvalidInput("comment is longer than {n} characters", n=COMMENT_LEN)
    if visit.rating is not None:
        raise InvalidState("This visit has already been rated")
    last = visit.current_step
    if visit.closed_at is None or last.state != FINISHED:
        raise InvalidState("A visit is rated after its last service is finished")
    if now - visit.closed_at > window:
        raise InvalidState("A visit is rated within {hours} hours of its end", hours=int(window.total_seconds() // 3600))
    served, seen = [], set()
    for step in visit.steps:
        if step.state in (FINISHED, TRANSFERRED) and step.counter_id:
            who = (step.service_id, step.counter_id, step.operator)
            if who not in seen:
                seen.add(who)
                served.append({"service": step.service_id, "counter": step.counter_id, "operator": step.operator})
    data: dict = {"score": score, "comment": comment, "via": via, "served": served}
    if keys is not None:
        data["keys"] = keys
    return Event(ev.VISIT_RATED, now, visit=visit.id, step=last.index, service=last.service_id,
                 counter=last.counter_id, data=data)


def visit_just_served_at(office: Office, counter_id: str, now: datetime, within: timedelta) -> str:
    """The visit a counter display or rating pad rates: the last one finished at `counter_id`
    within `within`, while the counter has not called anyone since (that visitor has left)."""
    counter = office.counter(counter_id)
    if counter.current_visit is not None:
        raise InvalidState("Counter {counter_id} is with its next visitor", counter_id=counter_id)
    best = None
    for visit in office.visits.values():
        last = visit.current_step if visit.steps else None
        if (last is not None and visit.closed_at is not None and last.counter_id == counter_id
                and last.state == FINISHED and now - visit.closed_at <= within
                and (best is None or visit.closed_at > best.closed_at)):
            best = visit
    moved_on = best is not None and any(
        step.counter_id == counter_id and step.last_called_at is not None and step.last_called_at >= best.closed_at
        for visit in office.visits.values() if visit is not best for step in visit.steps)
    if best is None or best.rating is not None or moved_on:
        raise InvalidState("No visit just served at counter {counter_id} to rate", counter_id=counter_id)
    return best.id


def complaint_from_rating(office: Office, visit_id: str, contact: dict | None, now: datetime) -> Event:
    """A complaint the visitor registers from a rating of 1–2 with a comment: the comment is its
    text, the visit's last service its subject, the web its channel."""
    visit = office.visit(visit_id)
    if visit.rating is None or visit.rating[0] not in COMPLAINT_SCORES or not visit.rating[1]:
        raise InvalidState("A complaint is registered here after a rating of 1 or 2 with a comment")
    if visit.complained:
        raise InvalidState("A complaint about this visit is already registered")
    last = visit.current_step
    e = office.appeals.register(
        now, None, kind="complaint", topic="other", channel="web", text=visit.rating[1],
        service_id=last.service_id, visit_id=visit.id, contact=contact, counter_id=last.counter_id)
    return Event(e.type, e.at, service=e.service, counter=e.counter, data={**e.data, "rating": True})
