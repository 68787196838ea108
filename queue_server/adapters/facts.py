"""The office's stored facts (SQLite): each closed day's figures, for period reports.

Facts are derived data, never the truth: each closed local day's journal lines are
read by the report engine's one pass (reports/timing.py, the domain's fold of waits
and services) into that day's facts (reports/facts.py), stored as rows
(adapters/facts_sql.py) and added up by month and year. The journal stays the
truth, and `qserver facts rebuild` makes every fact again from it.

Which days need (re)building is found from the journal itself: `meta.facts_seq`
is the journal line up to which every line of a closed day is in the facts. Lines
after it (the day that just closed, an import of old history, a day the server
was off for) name their days; each of those days that is over is built again
whole. That runs every night after midnight, after `qserver import`, and before
every period report, so a report never reads a closed day without its facts.
Today stays journal-only: a period report reads today from the journal.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.catalog import Catalog
from queue_server.domain.events import format_at
from queue_server.reports.facts import Facts, from_tally, group_rows
from queue_server.reports.timing import scan

from . import oplog
from .facts_sql import DAY, HIST_NOW, SQLITE, TABLES, delete_days, read_period, roll_up, write_day

OFFICE = 0  # the office's own id in the fact tables (the centre's tables hold many)
META_KEY = "facts_seq"
log = logging.getLogger(__name__)
_refreshing: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def _lock_for(path) -> threading.Lock:
    with _guard:
        return _refreshing.setdefault(str(path), threading.Lock())


@contextmanager
def writing(store):
    """One write transaction on the journal's writer connection, under its lock."""
    with store.lock:
        conn = store.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    first = datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
    last = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    return first, last


def day_facts(store, catalog: Catalog, day: date) -> tuple[Facts, int]:
    """One day's facts from its journal lines (and how many lines were read)."""
    first, last = day_bounds(day, ZoneInfo(catalog.timezone))
    count = [0]

    def lines():
        for line in store.lines_between(first, last):
            count[0] += 1
            yield line
    facts = from_tally(scan(lines(), catalog, day, catalog.timezone), catalog, OFFICE)
    return facts, count[0]


class FactsStore:
    """The facts of one office database (see the module docstring)."""

    def __init__(self, store, catalog: Catalog) -> None:
        self.store, self.catalog = store, catalog
        self.zone = ZoneInfo(catalog.timezone)

    # ---- keeping them ----------------------------------------------------------------
    def watermark(self) -> int:
        found = self.store.query("SELECT value FROM meta WHERE key = ?", (META_KEY,))
        return int(found[0][0]) if found else 0

    def stale_days(self, today: date) -> tuple[list[date], int]:
        """Closed days with lines after the watermark, and the watermark to keep after
        building them (just before the first line of a day still going on)."""
        mark = self.watermark()
        days: set[date] = set()
        local: dict[str, date] = {}
        keep, first_open = mark, None
        for seq, at in self.store.reader().execute(
                "SELECT seq, at FROM events WHERE seq > ? ORDER BY seq", (mark,)):
            minute = at[:16]  # the local date of a UTC minute holds in every zone
            d = local.get(minute)
            if d is None:
                d = local[minute] = datetime.fromisoformat(at).astimezone(self.zone).date()
            if d < today:
                days.add(d)
            elif first_open is None:
                first_open = seq
            keep = seq
        if first_open is not None:
            keep = first_open - 1
        return sorted(days), keep

    def refresh(self, today: date) -> list[date]:
        """Build every closed day (before `today`, local) whose lines the facts lack."""
        with _lock_for(self.store.path):
            return self._refresh(today)

    def _refresh(self, today: date, done: frozenset[date] = frozenset()) -> list[date]:
        started = time.monotonic()
        self._forget_from(today)
        days, keep = self.stale_days(today)
        days = [d for d in days if d not in done]
        if days:
            self.build(days)
        if keep != self.watermark():
            with writing(self.store) as conn:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (META_KEY, str(keep)))
        if days:
            oplog.event(log, "facts.built", days=len(days), first=days[0].isoformat(),
                        last=days[-1].isoformat(), seq=keep, ms=round((time.monotonic() - started) * 1000))
        return days

    def _forget_from(self, today: date) -> None:
        """Facts of today or later exist only if the clock went back (they were built when
        it was ahead): today is read from the journal, so they go, and the journal lines
        after them will build them again once their days close."""
        ahead = [date.fromisoformat(d) for (d,) in self.store.query(
            "SELECT day FROM fact_built WHERE office_id = ? AND day >= ?", (OFFICE, today.isoformat()))]
        if not ahead:
            return
        with writing(self.store) as conn:
            delete_days(conn, SQLITE, OFFICE, ahead)
            conn.execute("DELETE FROM fact_built WHERE office_id = ? AND day >= ?", (OFFICE, today.isoformat()))
            mark = conn.execute("SELECT min(seq) FROM events WHERE at >= ?",
                                (format_at(day_bounds(today, self.zone)[0]),)).fetchone()[0]
            if mark is not None:
                conn.execute("UPDATE meta SET value = ? WHERE key = ? AND CAST(value AS INTEGER) >= ?",
                             (str(mark - 1), META_KEY, mark))
        with writing(self.store) as conn:
            roll_up(conn, SQLITE, OFFICE, ahead)

    def build(self, days: list[date]) -> None:
        """(Re)build these days' facts from the journal, then their months and years.
        A day at a time (a short write each), so tickets never wait long for the writer."""
        built_at = format_at(datetime.now(UTC))
        for day in days:
            facts, lines = day_facts(self.store, self.catalog, day)
            with writing(self.store) as conn:
                if lines:
                    write_day(conn, SQLITE, OFFICE, day, facts)
                else:
                    delete_days(conn, SQLITE, OFFICE, [day])
                conn.execute("INSERT OR REPLACE INTO fact_built (office_id, day, events, built_at) "
                             "VALUES (?, ?, ?, ?)", (OFFICE, day.isoformat(), lines, built_at))
        by_month: dict[date, list[date]] = {}
        for d in days:
            by_month.setdefault(d.replace(day=1), []).append(d)
        for month_days in by_month.values():
            with writing(self.store) as conn:
                roll_up(conn, SQLITE, OFFICE, month_days)

    def rebuild(self, start: date | None, end: date | None, today: date) -> list[date]:
        """Throw the facts of start..end away and make them again from the journal
        (closed days only; either end open means the journal's first or last day)."""
        with _lock_for(self.store.path):
            first, last = self._journal_days()
            if first is None:
                return []
            start = max(start or first, first)
            end = min(end or last, last, today - timedelta(days=1))
            if end < start:
                return []
            days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
            with writing(self.store) as conn:
                delete_days(conn, SQLITE, OFFICE, days)
                conn.execute("DELETE FROM fact_built WHERE office_id = ? AND day >= ? AND day <= ?",
                             (OFFICE, start.isoformat(), end.isoformat()))
            self.build(days)
            self._refresh(today, frozenset(days))  # the lines read now need no second build
            return days

    def _journal_days(self) -> tuple[date | None, date | None]:
        found = self.store.query("SELECT min(at), max(at) FROM events")
        if not found or found[0][0] is None:
            return None, None
        first, last = found[0]
        return (datetime.fromisoformat(first).astimezone(self.zone).date(),
                datetime.fromisoformat(last).astimezone(self.zone).date())

    # ---- reading them ------------------------------------------------------------------
    def period(self, start: date, end: date, today: date) -> tuple[Facts, dict]:
        """The period's facts (stored days, plus today from the journal when the period
        holds it) and the percentiles off their histograms."""
        self.refresh(today)
        conn = self.store.reader()
        now = None
        if start <= today <= end:
            now, _lines = day_facts(self.store, self.catalog, today)
            _fill_hist_now(conn, now, today)
        try:
            _per, total, ranks = read_period(conn, SQLITE, [OFFICE], start, end, with_hist_now=now is not None,
                                             totals=False)
        finally:
            if now is not None:
                conn.execute(f"DELETE FROM temp.{HIST_NOW}")
        if now is not None:
            total.merge(now)
        return total, ranks

    def days_built(self) -> list[tuple[str, int]]:
        return [(d, n) for d, n in self.store.query(
            "SELECT day, events FROM fact_built WHERE office_id = ? ORDER BY day", (OFFICE,))]


def _fill_hist_now(conn, facts: Facts, day: date) -> None:
    cols = ", ".join(("office_id", "unit", "start") + TABLES["fact_hist_group"][0] + TABLES["fact_hist_group"][1])
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {HIST_NOW} AS SELECT {cols} FROM fact_hist_group WHERE 0")
    conn.execute(f"DELETE FROM temp.{HIST_NOW}")
    conn.executemany(f"INSERT INTO temp.{HIST_NOW} ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(OFFICE, DAY, day.isoformat(), *key, n, us) for key, (n, us) in group_rows(facts).items()])
