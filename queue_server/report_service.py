"""Reports from the journal, for the API, the CLI and the closing-time writer.

The report engine (queue_server/reports) is pure: it takes journal lines.
This module picks the lines for a period out of the store, and renders the
result in the format asked for.
"""
from __future__ import annotations

import importlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .domain.catalog import Catalog
from .domain.events import Event
from .domain.slots import MAX_HORIZON_DAYS
from .journal_store import JournalStore

REPORTS_DIR = "reports"

FORMATS = {
    "json": ("application/json", None),
    "csv": ("text/csv; charset=utf-8", ("queue_server.reports.csv_export", "to_csv")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ("queue_server.reports.xlsx_export", "to_xlsx")),
    "pdf": ("application/pdf", ("queue_server.reports.pdf_export", "to_pdf")),
}


def _period_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)
    first = datetime.combine(start, time(0), tzinfo=zone)
    # A visit belongs to the day it was issued and what it does after that day's
    # midnight is not read (docs/reports.md): the period's events are all it takes.
    last = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    return first, last


def build_report(store: JournalStore, catalog: Catalog, start: date, end: date | None = None) -> dict:
    """The JSON report of one day (end None) or of a period of days, inclusive."""
    from .reports.daily import daily_report, period_report

    tz = catalog.timezone
    first, last = _period_bounds(start, end or start, tz)
    lines = store.lines_between(first, last)
    bookings = booking_lines(store, first, last)
    if end is None:
        return daily_report(lines, catalog, start, tz, bookings)
    return period_report(lines, catalog, start, end, tz, bookings)


def booking_lines(store: JournalStore, first: datetime, last: datetime) -> list[dict]:
    """The `booking.*` lines that tell what became of the period's bookings: from the earliest
    a booking of the period can have been made to the day after it (a no-show is marked once
    its day is over). A few per booking, read by the type index."""
    since = first - timedelta(days=MAX_HORIZON_DAYS + 1)
    return [e.to_line() for e in store.booking_events(since, last + timedelta(days=2)) if isinstance(e, Event)]


def render(report: dict, fmt: str, lang: str) -> tuple[bytes, str]:
    """(body, content type) of a report in json, csv, xlsx or pdf."""
    mimetype, renderer = FORMATS[fmt]
    if renderer is None:
        return json.dumps(report, ensure_ascii=False, indent=1).encode(), mimetype
    module, name = renderer
    return getattr(importlib.import_module(module), name)(report, lang), mimetype


def file_name(start: date, end: date | None, fmt: str) -> str:
    span = start.isoformat() if end is None else f"{start.isoformat()}_{end.isoformat()}"
    return f"report-{span}.{fmt}"


def write_day(store: JournalStore, catalog: Catalog, data_dir: Path, day: date,
              formats: tuple[str, ...] = ("pdf", "csv")) -> list[Path]:
    """Write one closed day's reports into DATA/reports/, where the head finds them."""
    folder = Path(data_dir) / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    report = build_report(store, catalog, day)
    written = []
    for fmt in formats:
        body, _ = render(report, fmt, catalog.language)
        path = folder / file_name(day, None, fmt)
        tmp = path.with_suffix(path.suffix + ".partial")
        tmp.write_bytes(body)
        tmp.replace(path)
        written.append(path)
    return written
