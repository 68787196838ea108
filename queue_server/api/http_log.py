"""What each HTTP request leaves in the log: the access line, logins, device reports.

Hooked into Flask itself (before/after request), not into the server that
runs it, so the lines are the same under any serving stack. The access line
carries the path without its query string, the status, the time spent and who
asked; never a token, a password or a body. Socket.IO traffic does not pass
through Flask and is not logged per message.
"""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from ..adapters import oplog

log = logging.getLogger("queue_server.http")
auth_log = logging.getLogger("queue_server.auth")
device_log = logging.getLogger("queue_server.devices")
_MAX_TEXT = 64  # a login field can hold anything a stranger typed


def _who() -> str | None:
    p = g.get("principal")
    return f"{p.kind}:{p.subject}" if p is not None else None


def _text(value) -> str:
    return value[:_MAX_TEXT] if isinstance(value, str) else ""


def _error_code(response: Response) -> str:
    if response.is_json:
        body = response.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return _text(body["error"].get("code"))
    return ""


_LOGIN_REASONS = {401: "wrong login or password", 403: "page security token missing",
                  409: "counter in use by another operator", 422: "invalid request"}


def _login(response: Response, via: str, login: str) -> None:
    fields = {"login": login, "addr": request.remote_addr, "via": via}
    if response.status_code in (200, 302, 303):
        oplog.event(auth_log, "auth.login", **fields)
    else:
        reason = _LOGIN_REASONS.get(response.status_code) or _error_code(response) or str(response.status_code)
        oplog.event(auth_log, "auth.login_failed", logging.WARNING, **fields, reason=reason)


def _body() -> dict | None:
    """The request's JSON object, if it is one; a hostile body (nested a thousand deep,
    already refused by the endpoint) must not fail the log line."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    return body if isinstance(body, dict) else None


def _api_login(response: Response) -> None:
    body = _body()
    _login(response, "api", _text(body.get("login")) if body else "")


def _page_login(response: Response) -> None:
    _login(response, "page", _text(request.form.get("login", "").strip()))


def _device_status(response: Response) -> None:
    p = g.get("principal")
    body = _body()
    if response.status_code != 204 or p is None or body is None:
        return
    fault = body.get("status") == "fault"
    oplog.event(device_log, "device.fault" if fault else "device.ok", logging.WARNING if fault else logging.INFO,
                device=p.subject, kind=p.role, component=body.get("component", ""),
                message=body.get("message", ""))


# Acts worth a line of their own, by Flask endpoint name.
ACTS = {"api.login": _api_login, "web.login": _page_login, "api.device_status": _device_status}


def install(flask: Flask, access_log: bool = True) -> None:
    """Register the hooks; call before any other before_request (one that answers
    early, like the CSRF check, stops the ones after it)."""

    @flask.before_request
    def _started():
        g.log_started = time.perf_counter()

    @flask.after_request
    def _finished(response: Response) -> Response:
        act = ACTS.get(request.endpoint or "")
        if act is not None:
            act(response)
        status = response.status_code
        if status >= 500 or access_log:
            started = g.get("log_started")
            oplog.event(log, "http.request", logging.ERROR if status >= 500 else logging.INFO,
                        method=request.method, path=request.path, status=status,
                        ms=round((time.perf_counter() - started) * 1000, 2) if started else None,
                        who=_who(), addr=request.remote_addr,
                        **({"code": _error_code(response)} if status >= 400 else {}))
        return response
