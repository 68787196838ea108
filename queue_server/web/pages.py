"""Page routes: /console (operators), /dashboard (head, admin), the login form.

Pages are rendered on the server with the labels already translated and the
current hall picture embedded, so they show something useful before the
Socket.IO connection is up; after that the page follows `state` pushes.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, g, jsonify, make_response, redirect, render_template, request, url_for

from ..api.spec import Api, ApiError, Guard, endpoint
from ..auth import AuthError, Throttled, require
from ..domain.commands import CloseCounter, OpenCounter
from ..domain.errors import CounterTaken
from ..domain.model import COUNTER_CLOSED
from ..snapshot import state_snapshot
from . import bookings
from . import security as sec
from .lang import current_lang, js_strings, labels, page_gettext, reason_templates, remember_lang
from .today import day_bounds, today_figures

STATIC = Path(__file__).with_name("static")
HEADS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
ANYONE = Guard("any staff member or device")
COUNTER_COOKIE = "qcounter"
PAGES = ("console", "dashboard", "bookings")


def asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.glob("*")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def base_context(_, principal) -> dict:
    app = sec.office_app()
    lang = current_lang()
    return {"_": _, "lang": lang, "office": app.config.catalog.office_name, "principal": principal,
            "csrf": sec.csrf_token(), "asset_v": g.get("web_asset_v", ""), "path": request.path}


def counter_label(counter, lang: str, _) -> str:
    return counter.name if lang == "ru" else _("Counter {counter}").format(counter=counter.id)


def page_config(_, principal) -> dict:
    """Everything the page's script needs to render: names, labels, norms, strings."""
    app = sec.office_app()
    catalog = app.config.catalog
    lang = current_lang()
    return {
        "lang": lang,
        "csrf": sec.csrf_token(),
        "login": principal.subject,
        "role": principal.role,
        "counter_id": principal.counter_id,
        "services": {s.id: {"name": s.name(lang), "role": s.role} for s in catalog.services.values()},
        "roles": {r.id: {"name": r.name(lang), "wait_norm_s": r.wait_norm_s,
                         "service_norm_s": r.service_norm_s} for r in catalog.roles.values()},
        "counters": {c.id: counter_label(c, lang, _) for c in catalog.counters.values()},
        "visit_norm_s": catalog.visit_norm_s,
        "timezone": catalog.timezone,
        "reasons": reason_templates(_),
        "labels": labels(_),
        "strings": js_strings(_),
    }


def register(api: Api, flask) -> None:
    bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/web/static")
    version = asset_version()

    @bp.before_request
    def _version():
        g.web_asset_v = version

    bp.after_request(remember_lang)
    bp.after_request(sec.save_cookies)

    @bp.get("/console")
    def console():
        _ = page_gettext()
        p = sec.session_principal()
        if p is None or (p.role in ("operator", "admin") and not p.counter_id):
            notice = _("Choose a counter to work at.") if p else None
            return login_page("console", notice=notice)
        if p.role not in ("operator", "admin"):
            return refused(_("The console is for operators at a counter. The office head uses the dashboard."),
                           p, link=("web.dashboard", _("Open the dashboard")))
        app = sec.office_app()
        counter = app.config.catalog.counters.get(p.counter_id)
        if counter is None:
            return login_page("console", notice=_("Choose a counter to work at."))
        return render_template("web/console.html", **base_context(_, p),
                               counter=counter, counter_name=counter_label(counter, current_lang(), _),
                               config=page_config(_, p), state=app.service.read(state_snapshot),
                               pause_reasons=("break", "paperwork", "lunch", "other"))

    @bp.get("/dashboard")
    def dashboard():
        _ = page_gettext()
        p = sec.session_principal()
        if p is None:
            return login_page("dashboard")
        if p.role not in ("head", "admin"):
            return refused(_("The dashboard is for the office head and the administrator. "
                             "You are logged in as an operator."), p, link=("web.console", _("Open the console")))
        app = sec.office_app()
        start, _end = day_bounds(app.clock.now(), app.config.catalog.timezone)
        days = [(start.date().isoformat(), _("Today")),
                ((start.date() - timedelta(days=1)).isoformat(), _("Yesterday"))]
        return render_template("web/dashboard.html", **base_context(_, p), config=page_config(_, p),
                               state=app.service.read(state_snapshot), report_days=days,
                               today=start.date().isoformat(), formats=("pdf", "csv", "xlsx", "json"))

    @bp.post("/login")
    def login():
        _ = page_gettext()
        form = request.form
        target = form.get("next") if form.get("next") in PAGES else "console"
        app = sec.office_app()
        catalog = app.config.catalog
        counter_id = form.get("counter_id") or None
        if counter_id is not None and counter_id not in catalog.counters:
            return login_page(target, error=_("Choose a counter from the list."), status=422)
        try:
            token, p = app.accounts.login(form.get("login", "").strip(), form.get("password", ""),
                                          app.clock.now(), counter_id if target == "console" else None,
                                          address=request.remote_addr or "")
        except Throttled as exc:
            response = login_page(target, status=429, error=_(
                "Too many login attempts: try again in {seconds} s").format(seconds=exc.retry_after))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except AuthError:
            return login_page(target, error=_("Wrong login or password."), status=401)
        if target == "console" and p.role == "head":
            target = "dashboard"
        elif target == "console" and p.role in ("operator", "admin"):
            if counter_id is None:
                app.accounts.revoke(token)
                return login_page(target, error=_("Choose the counter you work at."), status=422)
            takeover = form.get("takeover") == "1"
            try:  # the domain's one rule, as for the API: an occupied counter only by a takeover
                app.service.handle(OpenCounter(counter_id, takeover=takeover), p)
            except CounterTaken as exc:
                app.accounts.revoke(token)
                return login_page(target, status=409, taken_by=exc.params["operator"], error=_(
                    "Counter {counter} is already in use by another operator ({operator}). "
                    "Choose another counter, ask them to log out, or take the counter over."
                ).format(counter=counter_id, operator=exc.params["operator"]))
        response = redirect(url_for("web." + target))
        sec.set_session(response, token)
        sec.rotate_csrf()
        if counter_id:
            response.set_cookie(COUNTER_COOKIE, counter_id, max_age=365 * 24 * 3600, httponly=True,
                                samesite="Strict", secure=request.is_secure, path="/")
        return response

    def login_page(target: str, error: str | None = None, notice: str | None = None, status: int = 200,
                   taken_by: str | None = None):
        _ = page_gettext()
        app = sec.office_app()
        lang = current_lang()
        snapshot = app.service.read(state_snapshot)
        counters = [{"id": c["counter_id"], "in_use": c["status"] != COUNTER_CLOSED,
                     "name": counter_label(app.config.catalog.counters[c["counter_id"]], lang, _)}
                    for c in snapshot["counters"]]
        html = render_template("web/login.html", **base_context(_, None), target=target, error=error,
                               notice=notice, counters=counters, taken_by=taken_by,
                               chosen=request.form.get("counter_id") or request.cookies.get(COUNTER_COOKIE),
                               login_value=request.form.get("login", ""))
        return make_response(html, status)

    def refused(message: str, p, link=None):
        _ = page_gettext()
        config = {"lang": current_lang(), "csrf": sec.csrf_token(), "strings": js_strings(_)}
        return render_template("web/refused.html", **base_context(_, p), message=message, config=config,
                               title=_("Not for this account"), link=link), 403

    bookings.register(bp, flask)
    flask.register_blueprint(bp)
    flask.before_request(sec.csrf_guard)
    flask.after_request(sec.page_headers)
    _register_api(api)


def _register_api(api: Api) -> None:
    @endpoint(api, "POST", "/api/v1/web/logout", summary="End a browser session (the qtoken cookie): close "
              "the operator's counter, revoke the token, clear the cookie", tag="web", guard=ANYONE,
              responses={204: None, 409: {"description": "A visitor is still at the counter"}})
    def web_logout():
        if request.headers.get("Authorization"):
            raise ApiError(400, "not_a_browser_session", "This ends a browser session (the qtoken cookie); "
                           "API clients log out with POST /api/v1/auth/logout")
        app = sec.office_app()
        p = g.principal
        if p.is_staff and p.counter_id and p.role in ("operator", "admin"):
            app.service.handle(CloseCounter(p.counter_id), p)  # only its operator closes a counter
        app.accounts.revoke(request.cookies.get(sec.TOKEN_COOKIE))
        response = make_response("", 204)
        sec.clear_session(response)
        return response

    @endpoint(api, "GET", "/api/v1/dashboard/today", summary="Today so far: mean wait and service per "
              "role against the norms, visits, open device faults", tag="web", guard=HEADS,
              responses={200: {"type": "object", "required": ["date", "roles", "visits", "device_faults"]}})
    def dashboard_today():
        app = sec.office_app()
        catalog = app.config.catalog
        start, end = day_bounds(app.clock.now(), catalog.timezone)
        lines = app.store.lines_between(start, end)
        return jsonify(today_figures(lines, catalog, start.date().isoformat()))
