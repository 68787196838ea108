"""Daily and period timing reports over HTTP (head and admin)."""
from __future__ import annotations

from datetime import date

from flask import Response

from ..auth import require
from ..report_service import FORMATS, build_report, file_name, local_today, render
from .context import office_app
from .spec import Api, ApiError, Guard, endpoint

HEADS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
DATE = {"type": "string", "pattern": r"\d{4}-\d{2}-\d{2}", "description": "a date YYYY-MM-DD"}
COMMON = {
    "format": {"type": "string", "enum": list(FORMATS), "default": "json"},
    "lang": {"type": "string", "enum": ["ru", "en"], "default": None},
}
MAX_PERIOD_DAYS = 400
REPORT_SCHEMA = {"type": "object"}


def _date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid", f"{name}: not a real date: {raw}") from None


def _answer(report: dict, fmt: str, lang: str | None, start: date, end: date | None) -> Response:
    app = office_app()
    body, mimetype = render(report, fmt, lang or app.config.catalog.language)
    response = Response(body, mimetype=mimetype)
    if fmt != "json":
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(start, end, fmt)}"'
    return response


def register(api: Api, flask) -> None:
    @endpoint(api, "GET", "/api/v1/reports/daily", summary="One day's timing report against the norms",
              tag="reports", guard=HEADS, query={"date": {**DATE, "required": True}, **COMMON},
              responses={200: REPORT_SCHEMA})
    def report_daily(query):
        app = office_app()
        day = _date("date", query["date"])
        report = build_report(app.store, app.config.catalog, day)
        return _answer(report, query["format"], query["lang"], day, None)

    @endpoint(api, "GET", "/api/v1/reports/period", summary="A period's timing report (inclusive days)",
              tag="reports", guard=HEADS,
              query={"from": {**DATE, "required": True}, "to": {**DATE, "required": True}, **COMMON},
              responses={200: REPORT_SCHEMA})
    def report_period(query):
        app = office_app()
        start, end = _date("from", query["from"]), _date("to", query["to"])
        if end < start:
            raise ApiError(422, "invalid", "to: must not be before from")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ApiError(422, "invalid", f"a period is at most {MAX_PERIOD_DAYS} days")
        report = build_report(app.store, app.config.catalog, start, end, local_today(app.clock, app.config.catalog))
        return _answer(report, query["format"], query["lang"], start, end)
