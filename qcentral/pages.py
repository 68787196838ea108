"""The company's pages: /network (every office at a glance) and /network/offices/<id>.

Rendered with the labels already translated (gettext catalogs in
qcentral/locale, read by Babel as the office does) and the first picture
embedded as JSON; the page's own script (no inline script: a strict CSP)
refreshes it from the API every few seconds. The browser holds no bearer
token: it lives in an HttpOnly cookie; the login and logout forms carry a
double-submit CSRF token.
"""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from flask import Blueprint, Flask, g, make_response, redirect, render_template, request, url_for

from queue_server.i18n import LANGUAGES, translations

from .accounts import SESSION_HOURS, AuthError
from .app import central

TOKEN_COOKIE = "qctoken"
CSRF_COOKIE = "qccsrf"
LANG_COOKIE = "qclang"
LOCALE_DIR = str(Path(__file__).with_name("locale"))
REFRESH_S = 5
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")

# Strings the pages' scripts show, shipped to them already translated.
JS_STRINGS = (
    "up", "late", "down", "no data", "{n} min ago", "{n} h ago", "{n} d ago", "just now",
    "min", "norm {minutes} min", "{open} of {total}", "paused: {n}", "nobody waiting",
    "Link lost since {time}", "Link late: last contact {time}", "Never connected",
    "The journal differs from the centre's from line {seq}: resync needed",
    "{service}: waited {time}, norm {minutes} min", "Device {device} ({component}): {message}",
    "Offices: {n}", "waiting: {n}", "links down: {n}", "alerts: {n}", "No alerts.",
    "The centre cannot be reached: the figures are not refreshing.", "as of {time}",
    "open", "paused", "closed", "queued", "called", "serving", "—", "Visits today: {issued}, finished: {completed}, "
    "mean time in the office {time} (norm {minutes} min).", "{n} lines not understood by the centre",
    "Your session has ended: log in again.",
)


def current_lang() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.qc_set_lang = asked
        return asked
    saved = request.cookies.get(LANG_COOKIE)
    return saved if saved in LANGUAGES else "ru"


def gettext(lang: str):
    return translations(LOCALE_DIR, "qcentral", lang).gettext


def _csrf() -> str:
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = g.get("qc_new_csrf") or secrets.token_urlsafe(24)
        g.qc_new_csrf = token
    return token


def _check_csrf() -> bool:
    sent, expected = request.form.get("csrf_token", ""), request.cookies.get(CSRF_COOKIE, "")
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def _principal():
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    app = central()
    try:
        with app.pool.connection() as conn:
            p = app.accounts.authenticate(conn, token, app.now())
    except AuthError:
        return None
    return p if p.kind == "session" else None


def _context(lang: str, p, title: str) -> dict:
    _ = gettext(lang)
    return {"_": _, "lang": lang, "principal": p, "title": title, "csrf": _csrf(),
            "other_lang": "en" if lang == "ru" else "ru"}


def _page_config(lang: str, **extra) -> dict:
    _ = gettext(lang)
    return {"lang": lang, "refresh_s": REFRESH_S, "strings": {s: _(s) for s in JS_STRINGS}, **extra}


def register(flask: Flask) -> None:
    bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/network/static")

    @bp.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        cookie = {"httponly": True, "samesite": "Strict", "secure": request.is_secure, "path": "/"}
        if g.get("qc_new_csrf"):
            response.set_cookie(CSRF_COOKIE, g.qc_new_csrf, **cookie)
        if g.get("qc_set_lang"):
            response.set_cookie(LANG_COOKIE, g.qc_set_lang, max_age=365 * 24 * 3600, samesite="Lax", path="/",
                                secure=request.is_secure)
        return response

    @bp.get("/")
    def root():
        return redirect(url_for("pages.network"))

    def live_page(template: str, api: str, view, *args, title=None):
        """A page showing what `api` answers: the login form first when there is no session."""
        lang = current_lang()
        p = _principal()
        if p is None:
            return login_page(lang)
        app = central()
        with app.pool.connection() as conn:
            data = view(conn, p, *args, app.now())
        _ = gettext(lang)
        return render_template(template, **_context(lang, p, title(data) if title else _("Offices of the company")),
                               config=_page_config(lang, api=api), data=data)

    @bp.get("/network")
    def network():
        from .api import network as network_data

        return live_page("qcentral/network.html", "/api/v1/network", network_data)

    @bp.get("/network/offices/<int:office_id>")
    def office(office_id: int):
        from .api import office_view

        return live_page("qcentral/office.html", f"/api/v1/offices/{office_id}/state", office_view, office_id,
                         title=lambda data: data["office"]["name"])

    @bp.post("/login")
    def login():
        lang = current_lang()
        _ = gettext(lang)
        if not _check_csrf():
            return login_page(lang, _("The page's security token is missing or out of date: try again."), 403)
        app = central()
        try:
            with app.pool.connection() as conn:
                token, _p = app.accounts.login(conn, request.form.get("login", "").strip(),
                                               request.form.get("password", ""), app.now())
        except AuthError:
            return login_page(lang, _("Wrong login or password."), 401)
        response = redirect(url_for("pages.network"))
        response.set_cookie(TOKEN_COOKIE, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="Strict",
                            secure=request.is_secure, path="/")
        g.qc_new_csrf = secrets.token_urlsafe(24)  # a fresh one after login
        return response

    @bp.post("/logout")
    def logout():
        if _check_csrf() and request.cookies.get(TOKEN_COOKIE):
            app = central()
            with app.pool.connection() as conn:
                app.accounts.revoke(conn, request.cookies[TOKEN_COOKIE])
        response = redirect(url_for("pages.network"))
        response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
        return response

    def login_page(lang: str, error: str | None = None, status: int = 200):
        _ = gettext(lang)
        html = render_template("qcentral/login.html", **_context(lang, None, _("Log in")), error=error,
                               login_value=request.form.get("login", ""))
        return make_response(html, status)

    flask.register_blueprint(bp)
