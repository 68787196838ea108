"""Wiring of the centre: one function builds the app for `qcentral run` and the tests alike.

Nothing that matters lives in the process: accounts, tokens, offices and every
journal line are in PostgreSQL, and the live fold (live.py) is a cache that
any process rebuilds from it. So several `qcentral run` processes can stand
behind one proxy and any of them can answer any request.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from flask import Flask, current_app, jsonify, request
from psycopg_pool import ConnectionPool, PoolTimeout
from werkzeug.exceptions import HTTPException

from .accounts import Accounts, AuthError, Principal
from .db import make_pool
from .ingest import PushRefused
from .live import LiveCache

log = logging.getLogger("qcentral")
MAX_BODY = 8 * 1024 * 1024  # a full push batch is well under 1 MB


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CentralApp:
    pool: ConnectionPool
    accounts: Accounts
    flask: Flask
    now: Callable[[], datetime]
    live: LiveCache = field(default_factory=LiveCache)

    @property
    def wsgi(self):
        return self.flask.wsgi_app

    def close(self) -> None:
        self.pool.close()


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}


def central() -> CentralApp:
    return current_app.extensions["qcentral"]


def bearer_token() -> str | None:
    """The Authorization header's token; the pages' session cookie counts only for reading
    (GET), so a forged cross-site form can change nothing with it."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    if request.method not in ("GET", "HEAD"):
        return None
    from .pages import TOKEN_COOKIE

    return request.cookies.get(TOKEN_COOKIE) or None


def principal(conn: psycopg.Connection) -> Principal:
    app = central()
    return app.accounts.authenticate(conn, bearer_token(), app.now())


def create_app(db_url: str, *, pool_size: int = 10, accounts: Accounts | None = None,
               now: Callable[[], datetime] | None = None) -> CentralApp:
    flask = Flask("qcentral")
    flask.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    flask.json.ensure_ascii = False
    app = CentralApp(make_pool(db_url, pool_size), accounts or Accounts(), flask, now or utc_now)
    flask.extensions["qcentral"] = app
    from . import api, pages

    api.register(flask)
    pages.register(flask)
    _install_error_handlers(flask)
    return app


def error(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


def _install_error_handlers(flask: Flask) -> None:
    @flask.errorhandler(ApiError)
    @flask.errorhandler(PushRefused)
    def api_error(exc):
        return error(exc.status, exc.code, exc.message, exc.details)

    @flask.errorhandler(AuthError)
    def auth_error(exc: AuthError):
        return error(exc.status, exc.code, str(exc))

    @flask.errorhandler(PoolTimeout)
    @flask.errorhandler(psycopg.OperationalError)
    def database_down(exc):
        log.warning("database unavailable: %s", exc)
        return error(503, "database_unavailable", "The central database is unavailable; try again shortly")

    @flask.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error(exc.code or 400, (exc.name or "error").lower().replace(" ", "_"), exc.description or "")

    @flask.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error")
        return error(500, "internal", "Something went wrong on the centre; nothing was changed")
