"""Routes for a counter: call, recall, start, finish, transfer, no-show, pause."""
from __future__ import annotations

from flask import g, jsonify

from ..auth import require, require_counter
from ..domain.errors import NotFound
from ..snapshot import step_view
from . import schemas as S
from .context import office_app
from .spec import Api, Guard, endpoint

AT_COUNTER = Guard("the operator logged in at this counter, an admin, or a call-button pad",
                   lambda p, kw: require_counter(p, kw["counter_id"]))
STAFF = Guard("operator or admin", lambda p, kw: require(p, staff_roles=("operator", "admin")))
STEP_OK = {200: S.STEP_VIEW, 404: {"description": "No such counter"},
           409: {"description": "Not possible in the counter's present state"}}


def _known_counter(counter_id: str) -> None:
    if counter_id not in office_app().config.catalog.counters:
        raise NotFound("No counter {counter_id}", counter_id=counter_id)


def _act(counter_id: str, command):
    """Run a counter command and answer with the counter's current step after it."""
    _known_counter(counter_id)
    app = office_app()
    operator = g.principal.subject
    events = app.service.run(lambda o, now: command(o, operator, now))

    def view(office, now):
        step = office.current_step(counter_id)
        if step is None and events:
            visit = office.visits.get(events[-1].visit or "")
            step = visit.steps[(events[-1].step or 1) - 1] if visit else None
        return step_view(office, step, now) if step else None
    return app.service.read(view)


def register(api: Api) -> None:
    def action(name: str, summary: str, body: dict, run):
        path = "/api/v1/counters/{counter_id}/" + name

        def handler(counter_id, body):
            result = _act(counter_id, lambda o, op, now: run(o, counter_id, op, now, body))
            return jsonify(result or {})
        handler.__name__ = "counter_" + name.replace("-", "_")
        endpoint(api, "POST", path, summary=summary, tag="counter", body=body, guard=AT_COUNTER,
                 responses=STEP_OK)(handler)

    @endpoint(api, "POST", "/api/v1/counters/{counter_id}/next",
              summary="Call the visitor who most needs it; the answer says why", tag="counter",
              body=S.EMPTY, guard=AT_COUNTER, responses={**STEP_OK, 204: None})
    def counter_next(counter_id, body):
        result = _act(counter_id, lambda o, op, now: o.call_next(counter_id, op, now))
        if result is None:
            return "", 204
        return jsonify(result)

    action("recall", "Call the current visitor again (after the limit: a no-show)", S.EMPTY,
           lambda o, c, op, now, b: o.recall(c, op, now))
    action("start", "The visitor has come: service starts", S.EMPTY,
           lambda o, c, op, now, b: o.start(c, op, now))
    action("finish", "Service is over: outcome and the appeal's kind and topic", S.FINISH,
           lambda o, c, op, now, b: o.finish(c, op, now, b.get("outcome"), b.get("kind"), b.get("topic")))
    action("transfer", "Send the visitor to another service (same ticket, same visit)", S.TRANSFER,
           lambda o, c, op, now, b: o.transfer(c, op, now, b["service_id"], b.get("note", "")))
    action("no-show", "The called visitor did not come", S.EMPTY,
           lambda o, c, op, now, b: o.no_show(c, op, now))

    @endpoint(api, "POST", "/api/v1/counters/{counter_id}/pause", summary="Pause the counter with a reason",
              tag="counter", body=S.PAUSE, guard=AT_COUNTER, responses={204: None, 404: {"description": "No such counter"}, 409: {"description": "Busy"}})
    def counter_pause(counter_id, body):
        _known_counter(counter_id)
        office_app().service.run(lambda o, now: o.pause(counter_id, g.principal.subject, now,
                                                        body.get("reason", "break")))
        return "", 204

    @endpoint(api, "POST", "/api/v1/counters/{counter_id}/resume", summary="End the pause",
              tag="counter", body=S.EMPTY, guard=AT_COUNTER, responses={204: None, 404: {"description": "No such counter"},
                         409: {"description": "Not paused"}})
    def counter_resume(counter_id, body):
        _known_counter(counter_id)
        office_app().service.run(lambda o, now: o.resume(counter_id, g.principal.subject, now))
        return "", 204

    @endpoint(api, "POST", "/api/v1/visits/{visit_id}/cancel", summary="Cancel a visit (the visitor left)",
              tag="counter", body=S.CANCEL, guard=STAFF,
              responses={204: None, 404: {"description": "No such visit"}, 409: {"description": "Already over"}})
    def cancel_visit(visit_id, body):
        app = office_app()
        p = g.principal

        def command(o, now):
            visit = o.visit(visit_id)
            step = visit.current_step
            if step.counter_id and step.state in ("called", "serving"):
                require_counter(p, step.counter_id)
            return o.cancel(visit_id, p.subject, now, body.get("reason", ""))
        app.service.run(command)
        return "", 204
