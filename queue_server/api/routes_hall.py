"""Routes for the hall: log in, services, state, tickets, tracking, devices."""
from __future__ import annotations

from flask import g, jsonify, request

from ..auth import Forbidden, require
from ..domain import events as ev
from ..domain.errors import InvalidInput
from ..domain.events import Event, format_at
from ..realtime import track_view
from ..snapshot import board_snapshot, state_snapshot
from . import schemas as S
from .context import bearer_token, office_app
from .spec import Api, ApiError, Guard, endpoint

ANY = Guard("any staff member or device")
TICKET_ISSUERS = Guard("a kiosk device or staff", lambda p, kw: require(
    p, staff_roles=("operator", "head", "admin"), device_kinds=("kiosk",)))
DEVICES = Guard("any device", lambda p, kw: None if p.kind == "device" else _deny())


def _deny():
    raise Forbidden("Only a device reports device status")


def register(api: Api) -> None:
    @endpoint(api, "GET", "/healthz", summary="Liveness and journal position", tag="system",
              responses={200: {"type": "object", "required": ["status"]}})
    def healthz():
        app = office_app()
        return jsonify({"status": "ok", "office": app.config.catalog.office_name,
                        "seq": app.service.office.last_seq})

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
        if counter_id is not None and principal.role == "operator":
            app.service.run(lambda o, t: o.open_counter(counter_id, principal.subject, t))
        return jsonify({"token": token, "role": principal.role, "counter_id": principal.counter_id})

    @endpoint(api, "POST", "/api/v1/auth/logout", summary="End the session and close the operator's counter",
              tag="auth", guard=ANY, responses={204: None, 409: {"description": "A visitor is still at the counter"}})
    def logout():
        app = office_app()
        p = g.principal
        if p.is_staff and p.role == "operator" and p.counter_id:
            app.service.run(lambda o, t: o.close_counter(p.counter_id, p.subject, t))
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
              body=S.TICKET, guard=TICKET_ISSUERS,
              responses={201: S.TICKET_OK, 409: {"description": "The office is closed"}},
              links={201: {"TrackIt": ("track", {"visit_id": "$response.body#/visit_id"}),
                           "CancelIt": ("cancel_visit", {"visit_id": "$response.body#/visit_id"})}})
    def issue_ticket(body):
        app = office_app()
        p = g.principal
        channel = body.get("channel") or ("kiosk" if p.kind == "device" else "counter")
        if body["service_id"] not in app.config.catalog.services:
            raise InvalidInput("Unknown service {service_id}", service_id=body["service_id"])
        lang = body.get("lang") or app.config.catalog.language
        (e,) = app.service.run(lambda o, now: o.issue(body["service_id"], now, body.get("priority"),
                                                      channel, lang))

        def view(office, now):
            step = office.visits[e.visit].current_step
            service = office.catalog.services[e.service]
            ahead = office.ahead_of(step)
            return {"visit_id": e.visit, "number": e.data["number"], "service_id": e.service,
                    "service_name": service.name(lang), "office": office.catalog.office_name,
                    "issued_at": format_at(e.at), "ahead": ahead, "position": ahead + 1,
                    "estimated_wait_s": office.estimate_for(step, ahead), "track_url": app.track_url(e.visit)}
        return jsonify(app.service.read(view)), 201

    @endpoint(api, "GET", "/api/v1/track/{visit_id}", summary="One ticket's place in the queue (public)",
              tag="hall", responses={200: S.TRACK})
    def track(visit_id):
        return jsonify(office_app().service.read(lambda o, now: track_view(o, visit_id, now)))

    @endpoint(api, "POST", "/api/v1/devices/status", summary="A device reports a fault or recovery",
              tag="devices", body=S.DEVICE_STATUS, guard=DEVICES, responses={204: None})
    def device_status(body):
        p = g.principal
        kind = ev.DEVICE_FAULT if body["status"] == "fault" else ev.DEVICE_OK
        data = {"kind": p.role, "component": body.get("component", ""), "message": body.get("message", "")}
        office_app().service.run(lambda o, now: Event(kind, now, operator=p.subject, data=data))
        return "", 204
