"""Routes for the hall: log in, services, state, tickets, tracking, devices."""
from __future__ import annotations

from flask import g, jsonify, request

from ..domain import commands as c
from ..domain.errors import DomainError
from ..domain.events import format_at
from ..realtime import track_view
from ..snapshot import board_snapshot, state_snapshot
from . import schemas as S
from .context import bearer_token, office_app
from .routes_counter import guard
from .spec import Api, ApiError, Guard, endpoint

ANY = Guard("any staff member or device")


def ticket_view(app, office, e) -> dict:
    """The answer to a new ticket (`visit.issued` event `e`): what the kiosk prints."""
    step = office.visits[e.visit].current_step
    service = office.catalog.services[e.service]
    ahead = office.ahead_of(step)
    return {"visit_id": e.visit, "number": e.data["number"], "service_id": e.service,
            "service_name": service.name(e.data["lang"]), "office": office.catalog.office_name,
            "issued_at": format_at(e.at), "ahead": ahead, "position": ahead + 1,
            "estimated_wait_s": office.estimate_for(step, ahead), "track_url": app.track_url(e.visit)}


def register(api: Api) -> None:
    @endpoint(api, "GET", "/healthz", summary="Liveness, journal position, and whether the journal can be written",
              tag="system", responses={200: {"type": "object", "required": ["status"]},
                                       503: {"type": "object", "required": ["status", "error"]}})
    def healthz():
        app = office_app()
        body = {"status": "ok", "office": app.config.catalog.office_name, "seq": app.service.office.last_seq}
        problem = app.store.write_problem()
        if problem is None:
            return jsonify(body)
        code, message = problem
        return jsonify({**body, "status": "unavailable", "error": {
            "code": code, "message": f"the journal cannot be written: {message}"}}), 503

    @endpoint(api, "POST", "/api/v1/auth/login", summary="Staff login; an operator names the counter",
              tag="auth", body=S.LOGIN, responses={200: S.LOGIN_OK, 401: {"description": "Wrong login or password"},
                                                   429: {"description": "Too many failed attempts: wait Retry-After seconds"}})
    def login(body):
        app = office_app()
        counter_id = body.get("counter_id")
        if counter_id is not None and counter_id not in app.config.catalog.counters:
            raise ApiError(422, "invalid", f"counter_id: no counter {counter_id}")
        now = app.clock.now()
        token, principal = app.accounts.login(body["login"], body["password"], now, counter_id,
                                              address=request.remote_addr or "")
        if counter_id is not None and principal.role in ("operator", "admin"):
            try:  # the domain's one rule for an occupied counter: refused unless `takeover`
                app.service.handle(c.OpenCounter(counter_id, takeover=body.get("takeover", False)), principal)
            except DomainError:
                app.accounts.revoke(token)
                raise
        return jsonify({"token": token, "role": principal.role, "counter_id": principal.counter_id})

    @endpoint(api, "POST", "/api/v1/auth/logout", summary="End the session and close the operator's counter",
              tag="auth", guard=ANY, responses={204: None, 409: {"description": "A visitor is still at the counter"}})
    def logout():
        app = office_app()
        p = g.principal
        if p.is_staff and p.role in ("operator", "admin") and p.counter_id:
            app.service.handle(c.CloseCounter(p.counter_id), p)
        app.accounts.revoke(bearer_token())
        return "", 204

    @endpoint(api, "GET", "/api/v1/services", summary="Services with names, hints, roles and norms",
              tag="hall", responses={200: S.SERVICES})
    def services():
        catalog = office_app().config.catalog
        out = []
        for s in catalog.services.values():
            role = catalog.roles[s.role]
            out.append({"id": s.id, "name": s.name_ru, "name_en": s.name_en, "hint": s.hint_ru,
                        "hint_en": s.hint_en, "role": s.role, "prefix": s.prefix,
                        "norm": {"wait_s": role.wait_norm_s, "service_s": role.service_norm_s},
                        "counters": [c.id for c in catalog.counters_serving(s.id)]})
        return jsonify({"office": catalog.office_name, "language": catalog.language,
                        "timezone": catalog.timezone, "services": out})

    @endpoint(api, "GET", "/api/v1/state", summary="Queues, counters and recent calls (devices: what a "
              "hall board shows, without operators or notes)", tag="hall", guard=ANY, responses={200: S.STATE})
    def state():
        # Devices stand in the hall: they get the board-sized picture, never staff logins or notes.
        build = board_snapshot if g.principal.kind == "device" else state_snapshot
        return jsonify(office_app().service.read(build))

    @endpoint(api, "POST", "/api/v1/tickets", summary="Issue a ticket (a new visit)", tag="hall",
              body=S.TICKET, guard=guard(c.IssueTicket),
              responses={201: S.TICKET_OK, 409: {"description": "The office is closed"}},
              links={201: {"TrackIt": ("track", {"visit_id": "$response.body#/visit_id"}),
                           "CancelIt": ("cancel_visit", {"visit_id": "$response.body#/visit_id"})}})
    def issue_ticket(body):
        app = office_app()
        (e,) = app.service.handle(c.IssueTicket(**body), g.principal)
        return jsonify(app.service.read(lambda office, now: ticket_view(app, office, e))), 201

    @endpoint(api, "GET", "/api/v1/track/{visit_id}", summary="One ticket's place in the queue (public)",
              tag="hall", responses={200: S.TRACK})
    def track(visit_id):
        return jsonify(office_app().service.read(lambda o, now: track_view(o, visit_id, now)))

    @endpoint(api, "POST", "/api/v1/devices/status", summary="A device reports a fault or recovery",
              tag="devices", body=S.DEVICE_STATUS, guard=guard(c.ReportDevice), responses={204: None})
    def device_status(body):
        office_app().service.handle(c.ReportDevice(**body), g.principal)
        return "", 204
