"""The public booking pages: ``/book`` (choose a service, a day, a time; give a name and a
contact) and ``/b/<code>`` (the booking: its code and QR, move, cancel, check in by phone).

Rendered on the server as plain forms, so they work on any phone, with a screen
reader and without JavaScript; the script (static/book/book.js) only reloads the
times when the service or the day changes and solves the proof of work in the
background (api/booking_guard.py). Russian first, English on ``?lang=en``; the
words are the "booking" gettext catalog. The same commands and limits as the
API: this page is one more way to call them.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import wraps
from pathlib import Path

from babel.dates import format_date
from flask import Flask, make_response, redirect, render_template, request, url_for
from markupsafe import Markup

from .api.booking_guard import BookingGuard
from .api.context import office_app
from .api.routes_bookings import masked
from .api.spec import ApiError
from .domain import commands as c
from .domain.bookings import BOOKED, CHECKED_IN
from .domain.codes import read_code, spaced
from .domain.errors import DomainError
from .domain.events import parse_at
from .domain.slots import hhmm, iso_local
from .i18n import normalize_language, server_gettext, translations
from .service.authz import PUBLIC

LOCALE_DIR = str(Path(__file__).with_name("locale"))
DOMAIN = "booking"
LANG_COOKIE = "qlang"
_CODE_PATH = re.compile(r"^[0-9A-Za-z-]{1,24}$")

# What book.js shows (already translated into the page's language); msgids are English.
SCRIPT_STRINGS = {
    "checking": "One moment: checking the request…",
}


def gettext(lang: str):
    return translations(LOCALE_DIR, DOMAIN, lang).gettext


def page_lang() -> str:
    asked = request.args.get("lang") or request.form.get("lang")
    if asked in ("ru", "en"):
        return asked
    saved = request.cookies.get(LANG_COOKIE)
    if saved in ("ru", "en"):
        return saved
    return normalize_language(office_app().config.catalog.language)


def qr_svg(text: str) -> Markup:
    """A QR code as inline SVG: one path, dark modules on white with the standard's four-module
    quiet zone, for the kiosk's scanner."""
    import qrcode  # only the booking page needs it

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    cells = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" class="qr" role="img" '
                  f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
                  f'<path d="{cells}" fill="#000"/></svg>')


def _guard() -> BookingGuard:
    return office_app().extras["booking_guard"]


def _gate() -> None:
    office_app().public_limits["booking"].check(request.remote_addr or "")


def _refusal(lang: str, exc: Exception) -> str:
    """A refusal in the visitor's words."""
    _ = gettext(lang)
    if isinstance(exc, DomainError):
        s = server_gettext(lang)
        return s(exc.template).format(**exc.params) if exc.params else s(exc.template)
    if isinstance(exc, ApiError) and exc.code == "challenge_required":
        return _("Many bookings come from this network just now: wait a few seconds and send the form again.")
    return _("Too many requests from this network: try again in a minute.")


def _day_choices(app, lang: str, service_id: str | None) -> list[dict]:
    """The days a slot may be booked, from today to the horizon, as the page lists them."""
    def read(office, now):
        book = office.bookings
        services = [service_id] if service_id else [s for s in office.catalog.services
                                                   if book.rules.bookable(office.catalog, s)]
        today = book.day(now)
        out = []
        for i in range(book.rules.horizon_days + 1):
            day = today + timedelta(days=i)
            if any(book.unavailable(s, day, now) is None for s in services):
                out.append({"date": day.isoformat(), "label": format_date(day, "EEE, d MMM", locale=lang),
                            "long": format_date(day, "EEEE, d MMMM", locale=lang)})
        return out
    return app.service.read(read)


def _slot_choices(app, service_id: str, day: date, exclude: str | None = None) -> list[dict]:
    def read(office, now):
        tz = office.catalog.timezone
        own = office.bookings.bookings.get(exclude or "")
        out = []
        for s, free in office.bookings.slots(service_id, day, now):
            if own is not None and own.start == s.start:
                continue
            if free > 0:
                out.append({"start": iso_local(s.start, tz), "time": hhmm(s.start, tz), "free": free})
        return out
    return app.service.read(read)


def _services(app, lang: str) -> list[dict]:
    catalog = app.config.catalog
    rules = app.config.booking
    return [{"id": s.id, "name": s.name(lang), "hint": s.hint(lang),
             "minutes": rules.slot_s(catalog, s.id) // 60}
            for s in catalog.services.values() if rules.bookable(catalog, s.id)]


def _picked_date(raw: str | None, days: list[dict]) -> date | None:
    if raw and any(d["date"] == raw for d in days):
        return date.fromisoformat(raw)
    return None


def _page(template: str, lang: str, status: int = 200, **context):
    app = office_app()
    _ = gettext(lang)
    html = render_template(template, _=_, lang=lang, office=app.config.catalog.office_name,
                           strings={k: _(v) for k, v in SCRIPT_STRINGS.items()},
                           csrf=request.cookies.get("qcsrf", ""),
                           keep_days=app.config.get("privacy.keep_booking_days"), **context)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Content-Language"] = lang
    if request.args.get("lang") in ("ru", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", path="/",
                            secure=request.is_secure)
    return response


def _too_many(lang: str, exc: ApiError):
    response = _page("book_refused.html", lang, 429, message=_refusal(lang, exc))
    response.headers["Retry-After"] = "60"
    return response


def _gated(view):
    """The public pages' per-address rate (`public_limits["booking"]`) before the view runs."""
    @wraps(view)
    def gated(*args, **kwargs):
        try:
            _gate()
        except ApiError as exc:
            return _too_many(page_lang(), exc)
        return view(*args, **kwargs)
    return gated


def register(api, flask: Flask) -> None:
    @_gated
    def book_page():
        return _book(office_app(), page_lang(), request.args)

    def _book(app, lang: str, values, error: str | None = None, status: int = 200):
        services = _services(app, lang)
        service_id = values.get("service")
        if not any(s["id"] == service_id for s in services):
            service_id = services[0]["id"] if len(services) == 1 else None
        days = _day_choices(app, lang, service_id)
        day = _picked_date(values.get("date"), days)
        slots = _slot_choices(app, service_id, day) if service_id and day else None
        return _page("book.html", lang, status, services=services, service_id=service_id, days=days,
                     day=day.isoformat() if day else None,
                     day_long=next((d["long"] for d in days if day and d["date"] == day.isoformat()), ""),
                     slots=slots, values=values, error=error)

    def book_form():
        app = office_app()
        form = request.form
        lang = page_lang()
        try:
            _gate()
            guard = _guard()
            address = request.remote_addr or ""
            if guard.needs_proof(address) and guard.check_proof(form.get("proof")) is not None:
                raise ApiError(429, "challenge_required", "")
            try:
                start = parse_at(form.get("slot") or "")
            except ValueError:
                _ = gettext(lang)
                return _book(app, lang, form, _("Choose a time."), 422)
            if form.get("consent") != "yes":
                _ = gettext(lang)
                return _book(app, lang, form, _("Tick the consent to the processing of your data: "
                                                "without it the booking cannot be made."), 422)
            (e,) = app.service.handle(c.MakeBooking(form.get("service") or "", start, form.get("name") or "",
                                                    form.get("phone") or None, form.get("email") or None, lang),
                                      PUBLIC)
            guard.booked(address)
        except ApiError as exc:
            return _too_many(lang, exc)
        except DomainError as exc:
            return _book(app, lang, form, _refusal(lang, exc), exc.status)
        return redirect(url_for("booking_page", code=e.data["code"], made=1, lang=lang), 303)

    def _booking_context(app, code: str):
        def read(office, now):
            b = office.bookings.bookings.get(code)
            if b is None:
                return None
            visit = office.visits.get(b.visit_id or "")
            tz = office.catalog.timezone
            rules = office.bookings.rules
            window = timedelta(minutes=rules.checkin_window_min)
            today = office.bookings.day(now) == office.bookings.day(b.start)
            service = office.catalog.services.get(b.service_id)
            return {"b": b, "booking_status": b.status(now, rules.late_min), "number": visit.number if visit else None,
                    "service": service, "time": hhmm(b.start, tz), "day": b.start.astimezone(office.tz).date(),
                    "can_check_in": b.state == BOOKED and b.start - window <= now <= b.start + window,
                    "check_in_from": hhmm(b.start - window, tz), "check_in_to": hhmm(b.start + window, tz),
                    "today": today, "changeable": b.state == BOOKED and now < b.start,
                    "checked_in": b.state == CHECKED_IN, "window": rules.checkin_window_min,
                    "late_min": rules.late_min}
        return app.service.read(read)

    @_gated
    def booking_page(code: str):
        return _show(code, page_lang())

    def _show(code: str, lang: str, error: str | None = None, status: int = 200):
        """The booking's page; `error`: a refusal of what the visitor just asked (shown here,
        never carried in the address, where anyone could write any words into a link)."""
        read = read_code(code) if _CODE_PATH.match(code) else None
        ctx = _booking_context(office_app(), read) if read else None
        if ctx is None:
            return _page("book_unknown.html", lang, 404)
        b = ctx["b"]
        return _page("book_manage.html", lang, status, **ctx, code_spaced=spaced(b.code), qr=qr_svg(b.code),
                     day_long=format_date(ctx["day"], "EEEE, d MMMM y", locale=lang),
                     service_name=ctx["service"].name(lang) if ctx["service"] else b.service_id,
                     phone=masked(b.phone), email=masked(b.email), notice=None if error else _notice(lang),
                     error=error, confirm_cancel=request.args.get("cancel") == "1")

    def _notice(lang: str) -> str | None:
        _ = gettext(lang)
        for key, text in (("made", _("You are booked. The confirmation is on its way to your phone or e-mail.")),
                          ("moved", _("The booking has been moved.")),
                          ("cancelled", _("The booking is cancelled: the time is free for others.")),
                          ("checked", _("You are checked in: wait for your number on the hall screen."))):
            if request.args.get(key):
                return text
        return None

    def _act(code: str, command, then: str):
        lang = page_lang()
        code = read_code(code) or ""
        try:
            office_app().service.handle(command(code), PUBLIC)
        except DomainError as exc:
            return _show(code, lang, _refusal(lang, exc), exc.status)
        return redirect(url_for("booking_page", code=code, lang=lang, **{then: 1}), 303)

    @_gated
    def booking_cancel(code: str):
        return _act(code, c.CancelBooking, "cancelled")

    @_gated
    def booking_check_in(code: str):
        return _act(code, c.CheckInBooking, "checked")

    @_gated
    def booking_move(code: str):
        app = office_app()
        lang = page_lang()
        code = read_code(code) or ""
        ctx = _booking_context(app, code)
        if ctx is None:
            return _page("book_unknown.html", lang, 404)
        b = ctx["b"]
        error, status = None, 200
        if request.method == "POST":
            try:
                app.service.handle(c.RescheduleBooking(code, parse_at(request.form.get("slot") or "")), PUBLIC)
                return redirect(url_for("booking_page", code=code, lang=lang, moved=1), 303)
            except ValueError:
                error, status = gettext(lang)("Choose a time."), 422
            except DomainError as exc:
                error, status = _refusal(lang, exc), exc.status
        values = request.form if request.method == "POST" else request.args
        days = _day_choices(app, lang, b.service_id)
        day = _picked_date(values.get("date"), days)
        return _page("book_move.html", lang, status, b=b, code_spaced=spaced(b.code), days=days,
                     day=day.isoformat() if day else None, time=ctx["time"],
                     day_long=format_date(ctx["day"], "EEEE, d MMMM", locale=lang),
                     slots=_slot_choices(app, b.service_id, day, exclude=code) if day else None, error=error)

    flask.add_url_rule("/book", "book_page", book_page, methods=["GET"])
    flask.add_url_rule("/book", "book_form", book_form, methods=["POST"])
    flask.add_url_rule("/b/<code>", "booking_page", booking_page, methods=["GET"])
    flask.add_url_rule("/b/<code>/cancel", "booking_cancel", booking_cancel, methods=["POST"])
    flask.add_url_rule("/b/<code>/check-in", "booking_check_in", booking_check_in, methods=["POST"])
    flask.add_url_rule("/b/<code>/move", "booking_move", booking_move, methods=["GET", "POST"])


__all__ = ["qr_svg", "register"]
