"""Daily and period timing reports over HTTP (head and admin)."""
from __future__ import annotations

from datetime import date

from flask import Response

from ..auth import require
from ..report_service import (
    FORMATS,
    build_quarter,
    build_report,
    file_name,
    local_today,
    quarter_days,
    render,
)
from .context import office_app
from .spec import Api, ApiError, Guard, endpoint

HEADS = Guard("head or admin", lambda p, kw: require(p, staff_roles=("head", "admin")))
# Years 2000–2099: the journal has no earlier day, and a date near year 1 or 9999 overflows
# when the day is cut in the office's time zone.
DATE = {"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "description": "a date YYYY-MM-DD, years 2000–2099"}
COMMON = {
    "format": {"type": "string", "enum": list(FORMATS), "default": "json"},
    "lang": {"type": "string", "enum": ["ru", "en"], "default": None},
}
MAX_PERIOD_DAYS = 400
REPORT_SCHEMA = {"type": "object"}
REPORT_TYPES = tuple(mimetype for mimetype, _renderer in FORMATS.values())  # as `format` asks


def _date(name: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "invalid", f"{name}: not a real date: {raw}") from None


def _answer(report: dict, fmt: str, lang: str | None, start: date, end: date | None,
            quarter: str | None = None) -> Response:
    app = office_app()
    body, content_type = render(report, fmt, lang or app.config.catalog.language)
    response = Response(body, content_type=content_type)  # "text/csv; charset=utf-8" as it is
    if fmt != "json":
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(start, end, fmt, quarter)}"'
    return response


def register(api: Api, flask) -> None:
    @endpoint(api, "GET", "/api/v1/reports/daily", summary="One day's timing report against the norms",
              tag="reports", guard=HEADS, query={"date": {**DATE, "required": True}, **COMMON},
              content_type=REPORT_TYPES,
              responses={200: REPORT_SCHEMA, 422: {"description": "Not a real date (2026-02-30)"}})
    def report_daily(query):
        app = office_app()
        day = _date("date", query["date"])
        report = build_report(app.store, app.config.catalog, day, now=app.clock.now(), hours=app.config.hours)
        return _answer(report, query["format"], query["lang"], day, None)

    @endpoint(api, "GET", "/api/v1/reports/period", summary="A period's timing report (inclusive days)",
              tag="reports", guard=HEADS,
              query={"from": {**DATE, "required": True}, "to": {**DATE, "required": True}, **COMMON},
              content_type=REPORT_TYPES,
              responses={200: REPORT_SCHEMA, 422: {"description": "Not a real date, or not a period"}})
    def report_period(query):
        app = office_app()
        start, end = _date("from", query["from"]), _date("to", query["to"])
        if end < start:
            raise ApiError(422, "invalid", "to: must not be before from")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ApiError(422, "invalid", f"a period is at most {MAX_PERIOD_DAYS} days")
        report = build_report(app.store, app.config.catalog, start, end, local_today(app.clock, app.config.catalog),
                              now=app.clock.now(), hours=app.config.hours)
        return _answer(report, query["format"], query["lang"], start, end)

    @endpoint(api, "GET", "/api/v1/reports/quarter", summary="The quarterly monitoring of appeals («Мониторинг "
              "обращений»): by kind, topic, in person and remote, with the registry's figures", tag="reports",
              guard=HEADS, query={"quarter": {"type": "string", "pattern": r"(19|2\d)\d\dQ[1-4]", "required": True,
                                              "description": "a quarter, e.g. 2026Q4"}, **COMMON},
              content_type=REPORT_TYPES, responses={200: REPORT_SCHEMA})
    def report_quarter(query):
        app = office_app()
        report = build_quarter(app.store, app.config.catalog, query["quarter"], now=app.clock.now())
        first, last = quarter_days(query["quarter"])
        return _answer(report, query["format"], query["lang"], first, last, report["quarter"])
