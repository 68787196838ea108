"""Request context: the office app object and the caller, for the views."""
from __future__ import annotations

from flask import current_app, request

from ..auth import AuthError, Principal


def office_app():
    return current_app.extensions["office"]


def credential() -> tuple[str | None, str]:
    """The request's token and where it came from: ("…", "bearer"), ("…", "cookie") or (None, "").

    An Authorization header of any scheme is the request's credential: one that is
    not `Bearer <token>` authenticates nobody, and never falls back to the page's
    cookie (which would let a script skip the CSRF check by sending `Basic x`)."""
    header = request.headers.get("Authorization")
    if header is not None:
        if header[:7].lower() == "bearer " and header[7:].strip():
            return header[7:].strip(), "bearer"
        return None, "header"
    token = request.cookies.get("qtoken")
    return (token, "cookie") if token else (None, "")


def bearer_token() -> str | None:
    return credential()[0]


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
