"""Timing reports for office heads, computed from the journal alone.

Pure functions (no Flask, no SQLite): the server picks the journal lines
and calls these; docs/reports.md defines every figure.

* ``daily_report(events, catalog, day, tz)`` / ``period_report(events,
  catalog, start, end, tz)`` -> a JSON-ready dict;
* ``to_csv(report, lang)``, ``to_xlsx(report, lang)``, ``to_pdf(report,
  lang)`` -> bytes of the same report for people (Russian by default).
"""
from __future__ import annotations

from .daily import daily_report, period_report

__all__ = ["daily_report", "period_report"]
