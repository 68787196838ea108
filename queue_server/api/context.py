"""Request context: the office app object and the caller, for the views."""
from __future__ import annotations

from flask import current_app, request

from ..auth import AuthError, Principal


def office_app():
    return current_app.extensions["office"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get("qtoken") or None


def current_principal(optional: bool = False) -> Principal | None:
    token = bearer_token()
    if token is None and optional:
        return None
    app = office_app()
    try:
        return app.accounts.authenticate(token, app.clock.now())
    except AuthError:
        if optional:
            return None
        raise
