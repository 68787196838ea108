"""Reports for the API, the CLI and the closing-time writer.

The report engine (queue_server/reports) is pure: it takes journal lines or
facts. This module picks a day's lines out of the store, or a period's stored
facts (adapters/facts.py), and renders the result in the format asked for.
"""
from __future__ import annotations

import importlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .adapters.facts import OFFICE, FactsStore
from .domain.catalog import Catalog
from .domain.events import APPEAL_TYPES, BOOKING_TYPES, DEVICE_LIFE_TYPES
from .domain.hours import WorkingHours
from .domain.slots import MAX_HORIZON_DAYS
from .journal_store import JournalStore
from .reports.daily import period_bounds

REPORTS_DIR = "reports"

FORMATS = {
    "json": ("application/json", None),
    "csv": ("text/csv; charset=utf-8", ("queue_server.reports.csv_export", "to_csv")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ("queue_server.reports.xlsx_export", "to_xlsx")),
    "pdf": ("application/pdf", ("queue_server.reports.pdf_export", "to_pdf")),
}


def build_report(store: JournalStore, catalog: Catalog, start: date, end: date | None = None,
                 today: date | None = None, *, now: datetime | None = None,
                 hours: WorkingHours | None = None) -> dict:
    """The JSON report of one day (end None) or of a period of days, inclusive.

    A day's report reads its journal lines; a period's reads the stored facts of its
    closed days (building any a day lacks first) and today's lines when it holds today
    (adapters/facts.py). ``today``: the office's local date (default: the date of ``now``,
    or the real one). The bookings' counts and the appeals registry's figures read their
    own lines through the type index (the registry's whole history up to the period's
    end); ``now`` cuts "overdue" when the period has not ended yet. Device downtime counts
    within ``hours`` (the office's working hours) from the devices' lines before the period too.
    """
    from .reports.daily import Book, daily_report, dated, days, downtime, registers, render

    tz = catalog.timezone
    first, last = period_bounds(start, end or start, tz)
    appeal_lines = store.events_of_types(APPEAL_TYPES, before=last)
    bookings = booking_lines(store, first, last)
    device_lines = store.events_of_types(DEVICE_LIFE_TYPES, before=last)
    if end is None:
        return daily_report(store.lines_between(first, last), catalog, start, tz, bookings=bookings,
                            appeal_lines=appeal_lines, as_of=now, device_lines=device_lines, hours=hours)
    if end < start:
        raise ValueError("the period ends before it starts")
    today = today or (now or datetime.now(UTC)).astimezone(ZoneInfo(tz)).date()
    facts, ranks = FactsStore(store, catalog).period(start, end, today)
    book = Book.of(catalog, tz, OFFICE)
    report = render(facts, book, ranks, OFFICE)
    registers(report, start, end, tz, bookings, appeal_lines, now)
    downtime(report, start, end, tz, device_lines, hours, now)
    return dated(report, start, end, days(facts, book))


def booking_lines(store: JournalStore, first: datetime, last: datetime) -> list[dict]:
    """The `booking.*` lines that tell what became of the period's bookings: from the earliest
    a booking of the period can have been made to the day after it (a no-show is marked once
    its day is over). A few per booking (SQLite reads the span by the events' time index)."""
    since = first - timedelta(days=MAX_HORIZON_DAYS + 1)
    return store.lines_of_types(BOOKING_TYPES, since, last + timedelta(days=2))


def local_today(clock, catalog: Catalog) -> date:
    """The office's date now (its clock, its time zone): the day still going on."""
    return clock.now().astimezone(ZoneInfo(catalog.timezone)).date()


def refresh_facts(store: JournalStore, catalog: Catalog, today: date) -> list[date]:
    """Build the facts of every closed day that lacks them (the nightly job, imports)."""
    return FactsStore(store, catalog).refresh(today)


QUARTER = re.compile(r"^((?:19|2\d)\d\d)[-\s]?[Qq]([1-4])$")  # 1900Q1 … 2999Q4


def quarter_days(quarter: str) -> tuple[date, date]:
    """"2026Q4" → (2026-10-01, 2026-12-31); ValueError for anything else."""
    m = QUARTER.match(quarter.strip())
    if not m:
        raise ValueError(f"not a quarter: {quarter!r} (expected e.g. 2026Q4)")
    year, q = int(m.group(1)), int(m.group(2))
    first = date(year, 3 * q - 2, 1)
    last = (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)) - timedelta(days=1)
    return first, last


def build_quarter(store: JournalStore, catalog: Catalog, quarter: str, now: datetime | None = None) -> dict:
    """The quarterly «Мониторинг обращений» (seed 002, slide 10) of the appeals registry."""
    from .reports.appeal_figures import quarter_report

    first_day, last_day = quarter_days(quarter)
    first, last = period_bounds(first_day, last_day, catalog.timezone)
    year, q = first_day.year, (first_day.month + 2) // 3
    return quarter_report(store.events_of_types(APPEAL_TYPES, before=last), catalog.office_name, catalog.timezone,
                          f"{year}Q{q}", (first_day.isoformat(), last_day.isoformat()), first, last, now)


def render(report: dict, fmt: str, lang: str) -> tuple[bytes, str]:
    """(body, content type) of a report in json, csv, xlsx or pdf."""
    mimetype, renderer = FORMATS[fmt]
    if renderer is None:
        return json.dumps(report, ensure_ascii=False, indent=1).encode(), mimetype
    module, name = renderer
    if fmt == "pdf" and report.get("kind") == "appeals_quarter":  # the monitoring form's own page
        module, name = "queue_server.reports.monitoring_pdf", "to_pdf"
    return getattr(importlib.import_module(module), name)(report, lang), mimetype


def file_name(start: date, end: date | None, fmt: str, quarter: str | None = None) -> str:
    if quarter:
        return f"appeals-{quarter}.{fmt}"
    span = start.isoformat() if end is None else f"{start.isoformat()}_{end.isoformat()}"
    return f"report-{span}.{fmt}"


def write_day(store: JournalStore, catalog: Catalog, data_dir: Path, day: date,
              formats: tuple[str, ...] = ("pdf", "csv"), hours: WorkingHours | None = None) -> list[Path]:
    """Write one closed day's reports into DATA/reports/, where the head finds them."""
    folder = Path(data_dir) / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    report = build_report(store, catalog, day, hours=hours)
    written = []
    for fmt in formats:
        body, _ = render(report, fmt, catalog.language)
        path = folder / file_name(day, None, fmt)
        tmp = path.with_suffix(path.suffix + ".partial")
        tmp.write_bytes(body)
        tmp.replace(path)
        written.append(path)
    return written
