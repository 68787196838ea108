"""Bookings over HTTP: slots, book, look up, move, cancel, check in; the day's list for staff.

Booking needs no account: the public endpoints act on what the caller holds a
code for, within the limits of booking_guard.py (a rate per address, and a
proof of work for an address or an office booking a lot). Staff (a contact
centre clerk, a counter) book for a caller with their token, outside those
limits; a kiosk checks in with its device token. Who may run which command
is the service layer's one table (service/authz.py), as for tickets.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import jsonify, request

from ..auth import require
from ..domain import commands as c
from ..domain.bookings import Booking
from ..domain.codes import read_code, spaced
from ..domain.errors import NotFound
from ..domain.events import parse_at
from ..domain.slots import hhmm, iso_local
from ..service.authz import PUBLIC, STAFF
from . import schemas as S
from .booking_guard import BookingGuard
from .context import current_principal, office_app
from .routes_hall import ticket_view
from .spec import Api, ApiError, Guard, endpoint

CODE_PATH = "/api/v1/bookings/{code}"
PROOF_HEADER = "X-Proof-Of-Work"
WHO_BOOKS = Guard("anyone (no token; rate-limited, see docs/bookings.md), or staff for a caller", optional=True)
STAFF_ONLY = Guard("staff", lambda p, kw: require(p, staff_roles=STAFF))
DATE = {"type": "string", "pattern": r"\d{4}-\d{2}-\d{2}", "description": "a date YYYY-MM-DD"}


def guard_of(app) -> BookingGuard:
    return app.extras["booking_guard"]


def who() -> object:
    """The caller: a token in the Authorization header must be good (401 otherwise); a page's
    cookie that no longer is, or none at all, is the public."""
    if request.headers.get("Authorization"):
        return current_principal()
    return current_principal(optional=True) or PUBLIC


def client_address() -> str:
    return request.remote_addr or ""


def public_gate(app, principal) -> None:
    """The per-address rate of the public endpoints (staff and devices are not held to it)."""
    if principal is not PUBLIC:
        return
    app.public_limits["booking"].check(client_address())


def parse_start(text: str) -> datetime:
    try:
        return parse_at(text)
    except ValueError:
        raise ApiError(422, "invalid", "start: a time with its offset is expected, e.g. "
                                       "2026-11-20T10:30:00+03:00") from None


def code_of(text: str) -> str:
    code = read_code(text)
    if code is None:
        raise NotFound("No booking {code}", code=text[:16])
    return code


def manage_url(app, code: str) -> str:
    return f"{app.base_url.rstrip('/')}/b/{code}"


def masked(contact: str | None) -> str | None:
    """Enough of a contact for its owner to recognise it, not for a stranger to use it."""
    if not contact:
        return None
    if "@" in contact:
        name, _, domain = contact.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{contact[:2]}*******{contact[-2:]}"


def booking_view(app, office, b: Booking, now: datetime, full: bool = False) -> dict:
    """One booking as its holder sees it (`full`: as staff see it, contacts and all)."""
    tz = office.catalog.timezone
    rules = office.bookings.rules
    visit = office.visits.get(b.visit_id or "")
    view = {
        "code": b.code, "code_spaced": spaced(b.code), "service_id": b.service_id,
        "start": iso_local(b.start, tz), "time": hhmm(b.start, tz), "minutes": b.seconds // 60,
        "state": b.state, "status": b.status(now, rules.late_min), "late": b.late,
        "name": b.name, "manage_url": manage_url(app, b.code),
        "phone": b.phone if full else masked(b.phone), "email": b.email if full else masked(b.email),
        "visit_id": b.visit_id, "number": visit.number if visit else None,
        "checkin_window_min": rules.checkin_window_min, "late_min": rules.late_min,
        "today": office.bookings.day(b.start) == office.bookings.day(now),
        "changeable": b.state == "booked" and now < b.start,
    }
    if full:
        view.update(made_by=b.made_by, via=b.via, checked_in_via=b.checked_in_via)
    return view


def register(api: Api) -> None:
    @endpoint(api, "GET", "/api/v1/slots", summary="A service's slots on a day and how many bookings each "
              "still takes", tag="bookings", guard=WHO_BOOKS,
              query={"service_id": {"type": "string", "maxLength": 64, "required": True},
                     "date": {**DATE, "required": True}},
              responses={200: S.SLOTS})
    def slots(query):
        app = office_app()
        public_gate(app, who())
        try:
            day = date.fromisoformat(query["date"])
        except ValueError:
            raise ApiError(422, "invalid", f"date: not a real date: {query['date']}") from None
        service_id = query["service_id"]
        if service_id not in app.config.catalog.services:
            raise ApiError(422, "invalid", f"service_id: no service {service_id}")

        def read(office, now):
            book = office.bookings
            tz = office.catalog.timezone
            return {"service_id": service_id, "date": day.isoformat(),
                    "minutes": book.rules.slot_s(office.catalog, service_id) // 60,
                    "unavailable": book.unavailable(service_id, day, now),
                    "slots": [{"start": iso_local(s.start, tz), "time": hhmm(s.start, tz), "free": free}
                              for s, free in book.slots(service_id, day, now)]}
        return jsonify(app.service.read(read))

    @endpoint(api, "GET", "/api/v1/bookings/challenge", summary="A proof-of-work challenge for booking "
              "(needed after a few bookings from one address; docs/bookings.md)", tag="bookings",
              responses={200: S.CHALLENGE})
    def booking_challenge():
        app = office_app()
        public_gate(app, PUBLIC)
        return jsonify(guard_of(app).challenge())

    @endpoint(api, "POST", "/api/v1/bookings", summary="Book a slot (no account needed; staff book for a "
              "caller)", tag="bookings", body=S.BOOKING, guard=WHO_BOOKS,
              responses={201: S.BOOKING_OK, 409: {"description": "The slot is taken or too soon, or the "
                                                                 "contact already has a booking that day"},
                         422: {"description": "Not a slot, or bad input"},
                         429: {"description": "Too many requests, or a proof of work is needed"}})
    def make_booking(body):
        app = office_app()
        principal = who()
        public_gate(app, principal)
        guard = guard_of(app)
        address = client_address()
        if principal is PUBLIC and guard.needs_proof(address):
            problem = guard.check_proof(request.headers.get(PROOF_HEADER))
            if problem is not None:
                raise ApiError(429, "challenge_required", "Many bookings come from your address: the page "
                               f"must solve a challenge first (GET /api/v1/bookings/challenge, {PROOF_HEADER})",
                               {"problem": problem})
        command = c.MakeBooking(body["service_id"], parse_start(body["start"]), body["name"],
                                body.get("phone") or None, body.get("email") or None, body.get("lang"))
        (e,) = app.service.handle(command, principal)
        if principal is PUBLIC:
            guard.booked(address)
        code = e.data["code"]

        def read(office, now):
            return booking_view(app, office, office.bookings.get(code), now, full=principal is not PUBLIC)
        return jsonify(app.service.read(read)), 201

    @endpoint(api, "GET", CODE_PATH, summary="One booking by its code (public: the code is the key)",
              tag="bookings", guard=WHO_BOOKS, responses={200: S.BOOKING_OK, 404: {"description": "No such code"}})
    def get_booking(code):
        app = office_app()
        principal = who()
        public_gate(app, principal)
        code = code_of(code)

        def read(office, now):
            return booking_view(app, office, office.bookings.get(code), now, full=principal is not PUBLIC)
        return jsonify(app.service.read(read))

    @endpoint(api, "DELETE", CODE_PATH, summary="Cancel a booking by its code: the slot is free again",
              tag="bookings", guard=WHO_BOOKS,
              responses={204: None, 404: {"description": "No such code"},
                         409: {"description": "Checked in, over, or already cancelled"}})
    def cancel_booking(code):
        app = office_app()
        principal = who()
        public_gate(app, principal)
        app.service.handle(c.CancelBooking(code_of(code)), principal)
        return "", 204

    @endpoint(api, "POST", CODE_PATH + "/reschedule", summary="Move a booking to another slot of its service",
              tag="bookings", body=S.RESCHEDULE, guard=WHO_BOOKS,
              responses={200: S.BOOKING_OK, 404: {"description": "No such code"},
                         409: {"description": "The slot is taken or too soon, or the booking cannot move"}})
    def reschedule_booking(code, body):
        app = office_app()
        principal = who()
        public_gate(app, principal)
        code = code_of(code)
        app.service.handle(c.RescheduleBooking(code, parse_start(body["start"])), principal)

        def read(office, now):
            return booking_view(app, office, office.bookings.get(code), now, full=principal is not PUBLIC)
        return jsonify(app.service.read(read))

    @endpoint(api, "POST", CODE_PATH + "/check-in", summary="The booked visitor came: a ticket (a kiosk, "
              "staff, or the visitor's phone near the slot)", tag="bookings", body=S.EMPTY, guard=WHO_BOOKS,
              responses={201: S.CHECK_IN_OK, 404: {"description": "No such code"},
                         409: {"description": "Another day, cancelled, already checked in, or outside the "
                                              "phone's window"}})
    def check_in_booking(code, body):
        app = office_app()
        principal = who()
        public_gate(app, principal)
        issued, checked = app.service.handle(c.CheckInBooking(code_of(code)), principal)

        def read(office, now):
            view = ticket_view(app, office, issued)
            b = office.bookings.get(checked.data["code"])
            tz = office.catalog.timezone
            if not b.late:  # called at the slot, or earlier if a walk-in's turn comes first
                until = max(0, int((b.start - now).total_seconds()))
                view["estimated_wait_s"] = min(view["estimated_wait_s"], until) if until else 0
            view["booking"] = {"code": b.code, "start": iso_local(b.start, tz), "time": hhmm(b.start, tz),
                               "late": b.late, "late_min": office.bookings.rules.late_min}
            return view
        return jsonify(app.service.read(read)), 201

    @endpoint(api, "GET", "/api/v1/bookings", summary="A day's bookings with their state (staff)",
              tag="bookings", guard=STAFF_ONLY, query={"date": DATE},
              responses={200: S.BOOKING_LIST})
    def list_bookings(query):
        app = office_app()

        def read(office, now):
            book = office.bookings
            day = date.fromisoformat(query["date"]) if query.get("date") else book.day(now)
            items = [booking_view(app, office, b, now, full=True) for b in book.on_day(day)]
            counts: dict[str, int] = {}
            for item in items:
                counts[item["status"]] = counts.get(item["status"], 0) + 1
            return {"date": day.isoformat(), "bookings": items, "counts": counts}
        try:
            return jsonify(app.service.read(read))
        except ValueError:
            raise ApiError(422, "invalid", "date: not a real date") from None
