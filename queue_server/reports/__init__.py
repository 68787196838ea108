"""Timing reports for office heads, computed from the journal alone.

Pure functions (no Flask, no SQLite): the server picks the journal lines
and calls these; docs/reports.md defines every figure.

* ``daily_report(events, catalog, day, tz)`` / ``period_report(events,
  catalog, start, end, tz)`` -> a JSON-ready dict;
* ``to_csv(report, lang)``, ``to_xlsx(report, lang)``, ``to_pdf(report,
  lang)`` -> bytes of the same report for people (Russian by default).

The writers are imported on first use, so computing a report (the nightly
job, the JSON endpoint) does not load reportlab or openpyxl.
"""
from __future__ import annotations

from importlib import import_module

from .daily import daily_report, period_report

_WRITERS = {"to_csv": ".csv_export", "to_xlsx": ".xlsx_export", "to_pdf": ".pdf_export"}

__all__ = ["daily_report", "period_report", "to_csv", "to_xlsx", "to_pdf"]


def __getattr__(name: str):
    if name in _WRITERS:
        return getattr(import_module(_WRITERS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
