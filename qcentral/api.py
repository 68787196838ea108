"""The centre's JSON API: health, login, the offices' push, the network view, one office's state,
company reports.

Errors are `{"error": {"code", "message", "details"?}}` with a 4xx/5xx status, as on the
office. The centre never issues tickets nor calls visitors: there is no such endpoint.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Flask, Response, jsonify, request

from queue_server.domain.events import format_at
from queue_server.report_service import FORMATS
from queue_server.report_service import render as render_report
from queue_server.snapshot import state_snapshot
from queue_server.web.today import today_figures

from .accounts import AuthError, Forbidden, Principal
from .app import ApiError, bearer_token, central, principal
from .facts import Office, catalog_for, company_report
from .ingest import check_body, ingest
from .live import OFFICE_COLUMNS, as_of, catalog_names, local_day_start, office_summary


def json_body() -> object:
    """The body as JSON, refusing what is not (or is nested beyond reason) with a 400."""
    if not (request.mimetype or "").endswith("json"):
        raise ApiError(415, "unsupported_media_type", "Send JSON (Content-Type: application/json)")
    try:
        return json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):
        raise ApiError(400, "bad_json", "The body is not valid JSON") from None


def require_staff(p: Principal) -> None:
    if p.kind != "session":
        raise Forbidden("An office's push token may only push")


def network(conn, p: Principal, now) -> dict:
    app = central()
    rows = conn.execute(f"SELECT {OFFICE_COLUMNS} FROM offices ORDER BY name").fetchall()
    offices = []
    for row in rows:
        if not p.may_read(row[0]):
            continue
        folded = app.live.folded(conn, row[0], row[2], row[5], now)
        offices.append(office_summary(row, folded, now))
    return {"at": format_at(now), "offices": offices}


def office_view(conn, p: Principal, office_id: int, now) -> dict:
    """One office as its head's dashboard shows it, read from what it pushed."""
    app = central()
    row = conn.execute(f"SELECT {OFFICE_COLUMNS} FROM offices WHERE id = %s", (office_id,)).fetchone()
    if row is None:
        raise ApiError(404, "not_found", f"No office {office_id}")
    if not p.may_read(office_id):
        raise Forbidden("This office is not among the offices your account may see")
    folded = app.live.folded(conn, office_id, row[2], row[5], now)
    summary = office_summary(row, folded, now)
    if folded is None:
        return {"office": summary, "state": None, "today": None, "names": None}
    when = as_of(row[4], now)
    catalog = folded.catalog
    start = local_day_start(when, catalog.timezone)
    lines = ({"seq": seq, "at": format_at(at), "type": type_, "visit": visit, "step": step, "service": service,
              "counter": counter, "operator": operator, "data": data or {}}
             for seq, at, type_, visit, step, service, counter, operator, data in conn.execute(
                 "SELECT seq, at, type, visit, step, service, counter, operator, data FROM journal "
                 "WHERE office_id = %s AND at >= %s AND at < %s ORDER BY seq",
                 (office_id, start, local_day_start(when, catalog.timezone, -1))))
    return {"office": summary, "state": state_snapshot(folded.office, when),
            "today": today_figures(lines, catalog, start.date().isoformat()),
            "names": catalog_names(catalog), "unfolded_lines": folded.skipped}


MAX_PERIOD_DAYS = 400
MAX_OFFICES_ASKED = 1000


def _date(name: str, raw: str | None) -> date:
    if not raw or len(raw) != 10:
        raise ApiError(422, "invalid", f"{name}: a date YYYY-MM-DD is required")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid", f"{name}: not a real date: {raw[:10]}") from None


def report_offices(conn, p: Principal, raw: str | None) -> list[Office]:
    """The offices a report is asked for: `all` (or nothing) means every office the account
    may see; a list of ids must name offices that exist (404) and that it may see (403)."""
    require_staff(p)
    rows = conn.execute("SELECT id, name FROM offices ORDER BY name").fetchall()
    names = dict(rows)
    if raw is None or raw.strip() in ("", "all"):
        ids = [oid for oid, _name in rows if p.may_read(oid)]
    else:
        parts = raw.split(",")
        if len(parts) > MAX_OFFICES_ASKED or not all(part.strip().isdigit() and len(part.strip()) < 10
                                                     for part in parts):
            raise ApiError(422, "invalid", "offices: office ids separated by commas, or all")
        ids = list(dict.fromkeys(int(part) for part in parts))
        missing = [oid for oid in ids if oid not in names]
        if missing:
            raise ApiError(404, "not_found", f"No office {missing[0]}")
        if not all(p.may_read(oid) for oid in ids):
            raise Forbidden("These offices are not all among the offices your account may see")
    offices = []
    for oid in ids:
        catalog = catalog_for(conn, oid)
        if catalog is not None:  # an office that never pushed has nothing to report yet
            offices.append(Office(oid, names[oid], catalog))
    if not offices:
        raise ApiError(404, "not_found", "None of these offices has pushed its journal yet")
    return offices


def _format(args) -> tuple[str, str | None]:
    fmt, lang = args.get("format", "json"), args.get("lang")
    if fmt not in FORMATS:
        raise ApiError(422, "invalid", f"format: one of {', '.join(FORMATS)}")
    if lang not in (None, "ru", "en"):
        raise ApiError(422, "invalid", "lang: ru or en")
    return fmt, lang


def _report_answer(report: dict, fmt: str, lang: str | None, name: str):
    body, mimetype = render_report(report, fmt, lang or "ru")
    response = Response(body, mimetype=mimetype)
    if fmt != "json":
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def register(flask: Flask) -> None:
    @flask.get("/healthz")
    def healthz():
        with central().pool.connection() as conn:
            version = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        return jsonify({"status": "ok", "database": "ok", "schema": version})

    @flask.post("/api/v1/auth/login")
    def login():
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("login"), str) \
                or not isinstance(body.get("password"), str) or len(body["password"]) > 1000:
            raise ApiError(422, "invalid", "Send {\"login\": …, \"password\": …}")
        app = central()
        with app.pool.connection() as conn:
            token, p = app.accounts.login(conn, body["login"], body["password"], app.now())
        return jsonify({"token": token, "role": p.role, "counter_id": None,
                        "offices": list(p.offices) if p.offices is not None else None})

    @flask.post("/api/v1/auth/logout")
    def logout():
        app = central()
        with app.pool.connection() as conn:
            p = principal(conn)
            require_staff(p)
            app.accounts.revoke(conn, bearer_token() or "")
        return "", 204

    @flask.post("/api/v1/push")
    def push():
        app = central()
        body = json_body()
        with app.pool.connection() as conn:
            p = principal(conn)
            if p.kind != "office":
                raise Forbidden("Only an office's push token pushes journal lines")
            answer = ingest(conn, p.office_id, check_body(body), app.now())
        return jsonify(answer)

    def read(view, *args):
        """A staff member's read: their principal, one connection, the view's JSON."""
        app = central()
        with app.pool.connection() as conn:
            p = principal(conn)
            require_staff(p)
            return jsonify(view(conn, p, *args, app.now()))

    @flask.get("/api/v1/network")
    def network_view():
        return read(network)

    @flask.get("/api/v1/offices/<int:office_id>/state")
    def office_state(office_id: int):
        return read(office_view, office_id)

    @flask.get("/api/v1/reports/period")
    def company_period():
        """A period's report over offices (docs/central.md, "Company reports")."""
        args = request.args
        start, end = _date("from", args.get("from")), _date("to", args.get("to"))
        if end < start:
            raise ApiError(422, "invalid", "to: must not be before from")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ApiError(422, "invalid", f"a period is at most {MAX_PERIOD_DAYS} days")
        fmt, lang = _format(args)
        app = central()
        with app.pool.connection() as conn:
            offices = report_offices(conn, principal(conn), args.get("offices"))
            report = company_report(conn, offices, start, end, app.now(), pool=app.pool)
        return _report_answer(report, fmt, lang, f"company-report-{start}_{end}")

    @flask.get("/api/v1/reports/daily")
    def company_daily():
        args = request.args
        day = _date("date", args.get("date"))
        fmt, lang = _format(args)
        app = central()
        with app.pool.connection() as conn:
            offices = report_offices(conn, principal(conn), args.get("offices"))
            report = company_report(conn, offices, day, day, app.now(), kind="daily", pool=app.pool)
        return _report_answer(report, fmt, lang, f"company-report-{day}")


__all__ = ["register", "network", "office_view", "AuthError"]
