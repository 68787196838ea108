"""Reports for the API, the CLI and the closing-time writer.

The report engine (queue_server/reports) is pure: it takes journal lines or
facts. This module picks a day's lines out of the store, or a period's stored
facts (adapters/facts.py), and renders the result in the format asked for.
"""
from __future__ import annotations

import importlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from .adapters.facts import OFFICE, FactsStore
from .domain.catalog import Catalog
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


def build_report(store: JournalStore, catalog: Catalog, start: date, end: date | None = None,
                 today: date | None = None) -> dict:
    """The JSON report of one day (end None) or of a period of days, inclusive.

    A day's report reads its journal lines; a period's reads the stored facts of its
    closed days (building any a day lacks first) and today's lines when it holds today
    (adapters/facts.py). ``today``: the office's local date (default: the real one).
    """
    from .reports.daily import Book, daily_report, dated, days, render

    tz = catalog.timezone
    if end is None:
        first, last = _period_bounds(start, start, tz)
        return daily_report(store.lines_between(first, last), catalog, start, tz)
    if end < start:
        raise ValueError("the period ends before it starts")
    today = today or datetime.now(ZoneInfo(tz)).date()
    facts, ranks = FactsStore(store, catalog).period(start, end, today)
    book = Book.of(catalog, tz, OFFICE)
    return dated(render(facts, book, ranks, OFFICE), start, end, days(facts, book))


def local_today(clock, catalog: Catalog) -> date:
    """The office's date now (its clock, its time zone): the day still going on."""
    return clock.now().astimezone(ZoneInfo(catalog.timezone)).date()


def refresh_facts(store: JournalStore, catalog: Catalog, today: date) -> list[date]:
    """Build the facts of every closed day that lacks them (the nightly job, imports)."""
    return FactsStore(store, catalog).refresh(today)


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
