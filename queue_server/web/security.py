"""The browser session: an HttpOnly token cookie and a double-submit CSRF token.

The page never holds the bearer token: it lives in the `qtoken` cookie
(HttpOnly, SameSite=Strict, Secure over HTTPS), which the API accepts as a
bearer token (api/context.py) and Socket.IO accepts at connect
(realtime.py). Because a cookie is sent by the browser on its own, every
state-changing request that authenticates by that cookie must also carry
the CSRF token in the `X-CSRF-Token` header (or the `csrf_token` field of
the login form) equal to the `qcsrf` cookie. A request that authenticates
with `Authorization: Bearer <token>` (kiosks, boards, scripts) carries no
ambient credential and is not checked; any other Authorization header
authenticates nobody (api/context.py `credential`), so a cookie-carrying
write is checked whatever other headers say.

Pages also get the headers a browser needs to keep them to themselves
(`page_headers`): a CSP with no inline script, no framing, no sniffing,
and no caching of staff pages.
"""
from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response, current_app, g, jsonify, render_template, request

from ..auth import AuthError, Principal

TOKEN_COOKIE = "qtoken"
CSRF_COOKIE = "qcsrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_ENDPOINT = "web.login"
# The public booking page's forms (booking_page.py): a browser that also holds a staff
# session sends the token in the form, as the login form does.
BOOKING_FORMS = frozenset({"book_form", "booking_cancel", "booking_move", "booking_check_in"})


def office_app():
    return current_app.extensions["office"]


def session_principal() -> Principal | None:
    """Who the page's cookie belongs to, or None (no cookie, expired, revoked)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    app = office_app()
    try:
        return app.accounts.authenticate(token, app.clock.now())
    except AuthError:
        return None


def csrf_token() -> str:
    """The CSRF token of this browser: the cookie's value, or a new one."""
    return request.cookies.get(CSRF_COOKIE) or _new_csrf()


def _new_csrf() -> str:
    # Kept for the rest of this request in flask.g, Flask's place for a request's own data.
    if "web_new_csrf" not in g:
        g.web_new_csrf = secrets.token_urlsafe(24)
    return g.web_new_csrf


def rotate_csrf() -> str:
    """A fresh CSRF token (after login), set on the response by `save_cookies`."""
    g.web_new_csrf = secrets.token_urlsafe(24)
    return g.web_new_csrf


def _cookie_args(max_age: int | None) -> dict:
    return {"httponly": True, "samesite": "Strict", "secure": request.is_secure,
            "max_age": max_age, "path": "/"}


def save_cookies(response: Response) -> Response:
    """after_request: store a CSRF token minted during this request."""
    token = g.get("web_new_csrf")
    if token is not None:
        response.set_cookie(CSRF_COOKIE, token, **_cookie_args(None))
    return response


def set_session(response: Response, token: str) -> None:
    hours = office_app().config.get("server.token_hours")
    response.set_cookie(TOKEN_COOKIE, token, **_cookie_args(hours * 3600))


def clear_session(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="Strict",
                           secure=request.is_secure)


def _cross_origin() -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc != request.host


def csrf_guard():
    """before_request for the whole app: refuse cookie-authenticated writes without the token."""
    from ..api.context import credential  # late: api imports web

    if request.method in SAFE_METHODS:
        return None
    is_login = request.endpoint == LOGIN_ENDPOINT
    if not is_login and credential()[1] != "cookie":
        return None
    in_form = is_login or request.endpoint in BOOKING_FORMS
    sent = request.headers.get(CSRF_HEADER) or (request.form.get(CSRF_FIELD) if in_form else None)
    expected = request.cookies.get(CSRF_COOKIE)
    if sent and expected and hmac.compare_digest(sent, expected) and not _cross_origin():
        return None
    return _refuse(is_login)


def _refuse(is_login: bool):
    from .lang import page_gettext  # late: lang imports this module

    _ = page_gettext()
    message = _("The page's security token is missing or out of date: reload the page and try again.")
    if is_login or not request.path.startswith("/api/"):
        return render_template("web/refused.html", message=message, title=_("Refused"),
                               **_plain_context(_)), 403
    return jsonify({"error": {"code": "csrf", "message": message}}), 403


def _plain_context(_):
    from .pages import base_context  # late: pages imports this module

    return base_context(_, None)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
STAFF_PATHS = ("/console", "/dashboard", "/login")


def page_headers(response: Response) -> Response:
    """after_request for the whole app: browsers keep our pages to themselves.

    No script runs but our own files (the pages embed their data as JSON, never
    as script), no other site may frame them (clickjacking a "call next"), no
    response is sniffed into another type, and staff pages are never stored
    (a shared hall PC's back button must not show the last clerk's console)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith(STAFF_PATHS) or request.path.startswith("/api/"):
        headers["Cache-Control"] = "no-store"
    return response
