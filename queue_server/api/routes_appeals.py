"""The appeals registry and visitors' ratings over HTTP.

Staff register appeals (at a counter or for a remote channel), the head works
the registry (extend, decide, close); anyone with a code sees its status and
nothing else; a visitor rates a finished visit with its tracking link. Routes
build named commands for the service layer (authorisation: service/authz.py)
and, after the journal has the change, hand the customer's e-mail to the
Notifier (service/appeal_notices.py).
"""
from __future__ import annotations

import re

from flask import g, jsonify

from ..auth import require
from ..domain import appeals as ap
from ..domain import commands as c
from ..domain.events import Event, format_at
from ..service.appeal_slips import print_at_counter
from ..service.authz import PUBLIC
from .context import office_app
from .routes_counter import guard
from .spec import Api, ApiError, Guard, endpoint

HEADS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
STAFF = Guard("staff (operator, head, admin)", lambda p, kw: require(p, staff_roles=("operator", "head", "admin")))
VISITOR_OR_DEVICE = Guard("the visitor with the tracking link (no login), or a counter display or rating pad",
                          optional=True)
_VISIT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

STR = {"type": "string"}
NULL_STR = {"type": ["string", "null"]}
CONTACT = {"type": ["object", "null"], "additionalProperties": False, "properties": {
    k: {"type": ["string", "null"], "maxLength": ap.LEN[k]} for k in ap.CONTACT_KEYS}}
REGISTER = {
    "type": "object", "required": ["kind", "topic", "channel", "text"], "additionalProperties": False,
    "properties": {
        "kind": {"enum": list(ap.KINDS)}, "topic": {"enum": list(ap.TOPICS)}, "channel": {"enum": list(ap.CHANNELS)},
        "text": {"type": "string", "minLength": 1, "maxLength": ap.LEN["text"]},
        "requested_action": {"type": ["string", "null"], "maxLength": ap.LEN["requested_action"]},
        "immediate_measures": {"type": ["string", "null"], "maxLength": ap.LEN["immediate_measures"]},
        "service_id": {"type": ["string", "null"], "maxLength": 64},
        "visit_id": {"type": ["string", "null"], "maxLength": 64, "pattern": _VISIT_ID.pattern},
        "contract": {"type": ["string", "null"], "maxLength": ap.LEN["contract"]},
        "contact": CONTACT,
        "counter_id": {"type": ["string", "null"], "maxLength": 16},
        "repeat_of": {"type": ["string", "null"], "maxLength": 20}}}
REGISTERED = {"type": "object", "required": ["code", "status", "registered_at", "due_at", "status_url"],
              "properties": {"code": STR, "status": STR, "registered_at": STR, "due_at": STR, "status_url": STR}}
EXTEND = {"type": "object", "required": ["days", "reason"], "additionalProperties": False, "properties": {
    "days": {"type": "integer", "minimum": 1, "maximum": ap.MAX_TERM_DAYS},
    "reason": {"type": "string", "minLength": 1, "maxLength": ap.LEN["reason"]}}}
DECIDE = {"type": "object", "required": ["decision", "answer"], "additionalProperties": False, "properties": {
    "decision": {"enum": list(ap.DECISIONS)},
    "answer": {"type": "string", "minLength": 1, "maxLength": ap.LEN["answer"]}}}
CLOSE = {"type": "object", "required": ["accepted"], "additionalProperties": False,
         "properties": {"accepted": {"type": "boolean"}}}
SLIP = {"type": "object", "additionalProperties": False,
        "properties": {"counter_id": {"type": ["string", "null"], "maxLength": 16}}}
PUBLIC_STATUS = {"type": "object", "required": ["code", "status", "registered_at", "due_at"], "additionalProperties": False,
          "properties": {"code": STR, "status": {"enum": list(ap.STATUSES)}, "registered_at": STR, "due_at": STR,
                         "decided_at": STR}}
RATE = {"type": "object", "required": ["score"], "additionalProperties": False, "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 5},
    "comment": {"type": ["string", "null"], "maxLength": 500},
    "keys": {"enum": [3, 5, None]}}}
RATE_AT_COUNTER = {"type": "object", "required": ["score"], "additionalProperties": False, "properties": {
    "score": {"type": "integer", "minimum": 1, "maximum": 5}, "keys": {"enum": [3, 5, None]}}}
COMPLAIN = {"type": "object", "additionalProperties": False, "properties": {"contact": CONTACT}}
DETAIL = {"type": "object", "required": ["code", "status", "kind", "topic", "channel", "due_at", "history"]}
LISTING = {"type": "object", "required": ["appeals"], "properties": {"appeals": {"type": "array"}}}
STATUS_QUERY = {"type": "string", "enum": [*ap.STATUSES, "open", ""], "default": None}
NOT_FOUND = {"description": "No such appeal"}
CONFLICT = {"description": "Not possible in the appeal's present status"}


def _time(at) -> str | None:
    return format_at(at) if at is not None else None


def summary(a: ap.Appeal, now) -> dict:
    """A row of the registry: no name, no contact (the list may be on a shared screen)."""
    return {"code": a.code, "kind": a.kind, "topic": a.topic, "channel": a.channel, "status": a.status,
            "service_id": a.service_id, "registered_at": _time(a.registered_at), "due_date": a.due_date,
            "due_at": _time(a.due_at), "overdue": a.overdue(now),
            "days_left": (a.due_at - now).total_seconds() / 86400 if a.awaiting else None,
            "decision": a.decision, "decided_at": _time(a.decided_at), "extended_days": a.extended_days,
            "repeat_of": a.repeat_of, "missing": list(a.missing)}


def detail(a: ap.Appeal, now) -> dict:
    """The whole record, for staff: §7.3's facts, the contact, every change."""
    out = summary(a, now)
    out.update(text=a.text, requested_action=a.requested_action, immediate_measures=a.immediate_measures,
               contract=a.contract, contact=dict(a.contact), visit_id=a.visit_id, counter_id=a.counter_id,
               registered_by=a.registered_by, answer=a.answer, accepted=a.accepted, closed_at=_time(a.closed_at),
               first_decided_at=_time(a.first_decided_at), decided_in_time=a.decided_in_time,
               slips=a.slips, blanked=a.blanked,
               history=[{k: (_time(v) if k == "at" else v) for k, v in h.items()} for h in a.history])
    return out


def registered_view(app, e: Event) -> dict:
    """The pinned answer to a registration."""
    return {"code": e.data["code"], "status": ap.REGISTERED, "registered_at": format_at(e.at),
            "due_at": e.data["due_at"], "status_url": app.appeal_notices.url(e.data["code"])}


def after_change(app, events: list[Event]) -> None:
    """Tell the customer (e-mail) about what the journal now holds."""
    app.appeal_notices.after(events, lambda code: app.service.office.appeals.find(code))


def register(api: Api) -> None:
    @endpoint(api, "POST", "/api/v1/appeals", summary="Register an appeal (GOST R 53368 §7.2–7.3): its code, "
              "answer date and status link; the customer's e-mail gets the acknowledgement", tag="appeals",
              body=REGISTER, guard=guard(c.RegisterAppeal),
              responses={201: REGISTERED, 404: NOT_FOUND, 422: {"description": "Invalid input"}})
    def appeal_register(body):
        app = office_app()
        events = app.service.handle(c.RegisterAppeal(**body), g.principal)
        after_change(app, events)
        return jsonify(registered_view(app, events[0])), 201

    @endpoint(api, "GET", "/api/v1/appeals", summary="The registry by due date: a status, overdue ones, or "
              "those due within some days", tag="appeals", guard=HEADS,
              query={"status": STATUS_QUERY, "overdue": {"type": "string", "enum": ["true", "false"], "default": None},
                     "due_within_days": {"type": "integer", "minimum": 0, "maximum": 3660}},
              responses={200: LISTING})
    def appeal_list(query):
        app = office_app()
        overdue = query["overdue"] == "true"
        return jsonify(app.service.read(lambda o, now: {"now": format_at(now), "appeals": [
            summary(a, now) for a in o.appeals.listing(now, query["status"], overdue, query["due_within_days"])]}))

    @endpoint(api, "GET", "/api/v1/appeals/{code}", summary="One appeal's whole record and history",
              tag="appeals", guard=STAFF, responses={200: DETAIL, 404: NOT_FOUND})
    def appeal_get(code):
        return jsonify(office_app().service.read(lambda o, now: detail(o.appeals.get(code), now)))

    def change(name: str, command, body_schema: dict, summary_text: str) -> None:
        def view(code, body):
            app = office_app()
            clean = app.service.read(lambda o, now: o.appeals.get(code).code)
            events = app.service.handle(command(clean, **body), g.principal)
            after_change(app, events)
            return jsonify(app.service.read(lambda o, now: detail(o.appeals.get(clean), now)))
        view.__name__ = "appeal_" + name
        endpoint(api, "POST", "/api/v1/appeals/{code}/" + name, summary=summary_text, tag="appeals",
                 body=body_schema, guard=guard(command), responses={200: DETAIL, 404: NOT_FOUND, 409: CONFLICT})(view)

    change("extend", c.ExtendAppeal, EXTEND, "Move the answer date, with a reason; the customer is notified (§7.6)")
    change("decide", c.DecideAppeal, DECIDE, "Decide: justified, unjustified or partly, with the answer (§7.7–7.8)")
    change("close", c.CloseAppeal, CLOSE, "The customer accepts the decision (closed) or not (open again, §7.8)")

    @endpoint(api, "POST", "/api/v1/appeals/{code}/slip", summary="Print the acknowledgement slip on the "
              "counter's printer; 409 with the printable page's address when it cannot", tag="appeals",
              body=SLIP, guard=guard(c.RecordAppealSlip),
              responses={200: {"type": "object"}, 404: NOT_FOUND, 409: {"description": "Not printed"}})
    def appeal_slip(code, body):
        app = office_app()
        counter_id = body.get("counter_id") or g.principal.counter_id
        return jsonify(print_at_counter(app, code, counter_id, g.principal))

    @endpoint(api, "GET", "/api/v1/public/appeals/{code}", summary="An appeal's status and dates, for anyone "
              "with its code (§7.5): nothing personal", tag="public", responses={200: PUBLIC_STATUS, 404: NOT_FOUND,
                                                                             429: {"description": "Too many"}})
    def appeal_public(code):
        office_app().public_limits["status"].check()
        view = office_app().service.read(lambda o, now: o.appeals.get(code).public())
        response = jsonify(view)
        response.headers["Cache-Control"] = "no-store"
        return response

    @endpoint(api, "POST", "/api/v1/visits/{visit_id}/rating", summary="Rate a finished visit 1–5 with an "
              "optional comment, once, within a day of its end", tag="public", body=RATE, guard=VISITOR_OR_DEVICE,
              responses={201: {"type": "object", "required": ["visit_id", "score"]},
                         404: {"description": "No such visit"}, 409: {"description": "Rated already, or not finished"},
                         429: {"description": "Too many"}})
    def visit_rating(visit_id, body):
        office_app().public_limits["rating"].check()
        _check_visit_id(visit_id)
        app = office_app()
        who = g.principal or PUBLIC
        app.service.handle(c.RateVisit(visit_id, body["score"], body.get("comment"), body.get("keys")), who)
        comment = (body.get("comment") or "").strip()
        return jsonify({"visit_id": visit_id, "score": body["score"],
                        "complaint_offered": body["score"] <= 2 and bool(comment)}), 201

    @endpoint(api, "POST", "/api/v1/counters/{counter_id}/rating", summary="Rate the visit just served at "
              "this counter (its display or rating pad)", tag="counter", body=RATE_AT_COUNTER,
              guard=guard(c.RateAtCounter), responses={
                  201: {"type": "object", "required": ["visit_id", "number", "score"]},
                  404: {"description": "No such counter"},
                  409: {"description": "No visit just served there, or rated already"}})
    def counter_rating(counter_id, body):
        app = office_app()
        (e,) = app.service.handle(c.RateAtCounter(counter_id, body["score"], body.get("keys")), g.principal)
        number = app.service.read(lambda o, now: o.visits[e.visit].number if e.visit in o.visits else None)
        return jsonify({"visit_id": e.visit, "number": number, "score": e.data["score"]}), 201

    @endpoint(api, "POST", "/api/v1/visits/{visit_id}/complaint", summary="Register the low rating's comment "
              "as a complaint (the visitor, from the tracking page)", tag="public", body=COMPLAIN,
              responses={201: REGISTERED, 404: {"description": "No such visit"},
                         409: {"description": "No low rating with a comment, or already registered"},
                         429: {"description": "Too many"}})
    def visit_complaint(visit_id, body):
        office_app().public_limits["rating"].check()
        _check_visit_id(visit_id)
        app = office_app()
        events = app.service.handle(c.ComplainAfterRating(visit_id, body.get("contact")), PUBLIC)
        after_change(app, events)
        return jsonify(registered_view(app, events[0])), 201


def _check_visit_id(visit_id: str) -> None:
    if not _VISIT_ID.match(visit_id):
        raise ApiError(404, "not_found", "No such visit")
