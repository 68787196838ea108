"""Routes for a counter: call, recall, start, finish, transfer, no-show, pause.

Each route builds a named command from the checked body (its fields are the
command's) and hands it to the service layer, which decides who may run it
(service/authz.py) and maps nothing: domain errors become 4xx answers in app.py.
"""
from __future__ import annotations

from flask import g, jsonify

from ..domain import commands as c
from ..service.authz import RULES
from ..snapshot import step_view
from . import schemas as S
from .context import office_app
from .spec import Api, Guard, endpoint

STEP_OK = {200: S.STEP_VIEW, 404: {"description": "No such counter"},
           409: {"description": "Not possible in the counter's present state"}}
NO_CONTENT = {204: None, 404: {"description": "No such counter"},
              409: {"description": "Not possible in the counter's present state"}}
# path, command, summary, body: the body's fields are the command's
STEP_ACTIONS = (
    ("recall", c.Recall, "Call the current visitor again (after the limit: a no-show)", S.EMPTY),
    ("start", c.StartService, "The visitor has come: service starts", S.EMPTY),
    ("finish", c.FinishService, "Service is over: outcome and the appeal's kind and topic", S.FINISH),
    ("transfer", c.Transfer, "Send the visitor to another service (same ticket, same visit)", S.TRANSFER),
    ("no-show", c.NoShow, "The called visitor did not come", S.EMPTY),
)
COUNTER_ACTIONS = (
    ("pause", c.PauseCounter, "Pause the counter with a reason", S.PAUSE),
    ("resume", c.ResumeCounter, "End the pause", S.EMPTY),
)


def guard(command: type[c.Command]) -> Guard:
    """Any token gets in; the service layer checks the command's rule, described here for the API docs."""
    return Guard(RULES[command].describe())


def _act(counter_id: str, command: c.CounterCommand):
    """Run a counter command and answer with the counter's current step after it."""
    app = office_app()
    events = app.service.handle(command, g.principal)

    def view(office, now):
        step = office.current_step(counter_id)
        if step is None and events:
            visit = office.visits.get(events[-1].visit or "")
            step = visit.steps[(events[-1].step or 1) - 1] if visit else None
        return step_view(office, step, now) if step else None
    return app.service.read(view)


def register(api: Api) -> None:
    def step_action(name: str, command: type[c.CounterCommand], summary: str, body: dict) -> None:
        def handler(counter_id, body):
            return jsonify(_act(counter_id, command(counter_id, **body)) or {})
        handler.__name__ = "counter_" + name.replace("-", "_")
        endpoint(api, "POST", "/api/v1/counters/{counter_id}/" + name, summary=summary, tag="counter",
                 body=body, guard=guard(command), responses=STEP_OK)(handler)

    def counter_action(name: str, command: type[c.CounterCommand], summary: str, body: dict) -> None:
        def handler(counter_id, body):
            office_app().service.handle(command(counter_id, **body), g.principal)
            return "", 204
        handler.__name__ = "counter_" + name
        endpoint(api, "POST", "/api/v1/counters/{counter_id}/" + name, summary=summary, tag="counter",
                 body=body, guard=guard(command), responses=NO_CONTENT)(handler)

    @endpoint(api, "POST", "/api/v1/counters/{counter_id}/next",
              summary="Call the visitor who most needs it; the answer says why", tag="counter",
              body=S.EMPTY, guard=guard(c.CallNext), responses={**STEP_OK, 204: None})
    def counter_next(counter_id, body):
        result = _act(counter_id, c.CallNext(counter_id))
        if result is None:
            return "", 204
        return jsonify(result)

    for action in STEP_ACTIONS:
        step_action(*action)
    for action in COUNTER_ACTIONS:
        counter_action(*action)

    @endpoint(api, "POST", "/api/v1/visits/{visit_id}/cancel", summary="Cancel a visit (the visitor left)",
              tag="counter", body=S.CANCEL, guard=guard(c.CancelVisit),
              responses={204: None, 404: {"description": "No such visit"}, 409: {"description": "Already over"}})
    def cancel_visit(visit_id, body):
        office_app().service.handle(c.CancelVisit(visit_id, **body), g.principal)
        return "", 204
