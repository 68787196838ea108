"""The company's per-day facts and reports: each office's closed days, computed here.

The centre never depends on offices sending facts: it reads each office's pushed
journal with the office's own report code (queue_server/reports: the domain's fold of
waits and services) and the office's catalog, day by day in the office's time zone,
and stores the same tables an office does (queue_server/adapters/facts_sql.py) with
the office's id. Which days to (re)build is found as at the office: `offices.facts_seq`
is the line up to which every line of a closed day is in the facts; lines after it
(a day that closed, a backlog pushed after an outage) name their days. That runs
hourly in every process, and before every report for the offices it covers.

Reports over any set of offices are rendered by the office's own report code
(reports/daily.py) from these facts added up by SQL: each office's figures, and their
sum, with the pinned keys of an office's report plus `offices`.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from queue_server.adapters.facts_sql import (
    HIST_NOW,
    POSTGRES,
    TABLES,
    delete_days,
    rank_parts,
    read_period,
    roll_up,
    write_day,
)
from queue_server.domain.catalog import Catalog
from queue_server.domain.events import APPEAL_TYPES, BOOKING_TYPES, DEVICE_LIFE_TYPES
from queue_server.domain.slots import MAX_HORIZON_DAYS
from queue_server.reports.daily import (
    Book,
    add_up,
    dated,
    days,
    period_bounds,
    register_figures,
    render,
)
from queue_server.reports.devices import device_downtime
from queue_server.reports.facts import Facts, from_tally, group_rows
from queue_server.reports.timing import scan

from .catalog import to_catalog

log = logging.getLogger("qcentral")
_LOCK = 19_0004  # pg_advisory_lock(_LOCK, office): one process builds an office's facts at a time
_COLUMNS = "seq, at, type, visit, step, service, counter, operator, data"
# a company report reads its offices' facts in this many parts at once, one connection each:
# the two cores the centre is sized for (docs/central.md, docs/performance.md)
REPORT_PARTS = 2
REPORT_WORK_MEM = "256MB"  # per sort or hash of a report's query, while it runs (docs/central.md)
# what a company report shows of each office, besides its id, name and zone
OFFICE_KEYS = ("visits", "roles")


def local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), ZoneInfo(tz))


def catalog_for(conn: psycopg.Connection, office_id: int, seq: int | None = None) -> Catalog | None:
    """The office's catalog as it was at line `seq` (the latest when None)."""
    row = None
    if seq is not None:
        row = conn.execute("SELECT catalog FROM office_catalogs WHERE office_id = %s AND from_seq <= %s "
                           "ORDER BY from_seq DESC LIMIT 1", (office_id, seq)).fetchone()
    if row is None:
        row = conn.execute("SELECT catalog FROM office_catalogs WHERE office_id = %s "
                           "ORDER BY from_seq DESC LIMIT 1", (office_id,)).fetchone()
    return to_catalog(row[0]) if row else None


def day_facts(conn: psycopg.Connection, office_id: int, day: date, catalog: Catalog) -> tuple[Facts, int]:
    """One office day's facts from its pushed lines, read with the catalog in force at the
    day's first line (its norms and roles then); and how many lines were read."""
    rows_ = conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE office_id = %s AND at >= %s AND at < %s "
                         "ORDER BY seq", (office_id, local_midnight(day, catalog.timezone),
                                          local_midnight(day + timedelta(days=1), catalog.timezone))).fetchall()
    if rows_:
        catalog = catalog_for(conn, office_id, rows_[0][0]) or catalog
    return from_tally(scan(rows_, catalog, day, catalog.timezone), catalog, office_id), len(rows_)


def refresh(conn: psycopg.Connection, office_id: int, now: datetime, wait: bool = True) -> list[date]:
    """Build the office's closed days whose lines the facts lack (see the module docstring).
    `wait=False` skips an office another process is building right now."""
    if wait:
        conn.execute("SELECT pg_advisory_lock(%s, %s)", (_LOCK, office_id))
    elif not conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LOCK, office_id)).fetchone()[0]:
        return []
    try:
        return _refresh(conn, office_id, now)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK, office_id))


def _refresh(conn: psycopg.Connection, office_id: int, now: datetime, done: frozenset = frozenset()) -> list[date]:
    row = conn.execute("SELECT facts_seq, last_seq FROM offices WHERE id = %s", (office_id,)).fetchone()
    catalog = catalog_for(conn, office_id)
    if row is None or catalog is None:
        return []
    mark, last_seq = row
    tz = catalog.timezone
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    midnight = local_midnight(today, tz)
    started = time.monotonic()
    _forget_from(conn, office_id, today, midnight)
    stale = sorted({at.astimezone(zone).date() for (at,) in conn.execute(
        "SELECT at FROM journal WHERE office_id = %s AND seq > %s AND seq <= %s AND at < %s",
        (office_id, mark, last_seq, midnight))} - done)
    first_open = conn.execute("SELECT min(seq) FROM journal WHERE office_id = %s AND seq > %s AND seq <= %s "
                              "AND at >= %s", (office_id, mark, last_seq, midnight)).fetchone()[0]
    keep = first_open - 1 if first_open is not None else last_seq
    build(conn, office_id, stale)
    if keep != mark:
        conn.execute("UPDATE offices SET facts_seq = %s WHERE id = %s", (keep, office_id))
    if stale:
        log.info("facts: office %s, %d closed day(s) built (%s … %s) in %.1f s", office_id, len(stale),
                 stale[0], stale[-1], time.monotonic() - started)
    return stale


def build(conn: psycopg.Connection, office_id: int, days: list[date]) -> None:
    """(Re)build these office days from their lines: a transaction a day, then a transaction
    a month for its weeks, month, quarter and year."""
    by_month: dict[date, list[date]] = {}
    catalog = catalog_for(conn, office_id)
    for day in days:
        facts, lines = day_facts(conn, office_id, day, catalog)
        with conn.transaction():
            if lines:
                write_day(conn, POSTGRES, office_id, day, facts)
            else:
                delete_days(conn, POSTGRES, office_id, [day])
            conn.execute("INSERT INTO fact_built (office_id, day, events) VALUES (%s, %s, %s) "
                         "ON CONFLICT (office_id, day) DO UPDATE SET events = EXCLUDED.events, built_at = now()",
                         (office_id, day, lines))
        by_month.setdefault(day.replace(day=1), []).append(day)
    for month_days in by_month.values():
        with conn.transaction():
            roll_up(conn, POSTGRES, office_id, month_days)


def _forget_from(conn: psycopg.Connection, office_id: int, today: date, midnight: datetime) -> None:
    """Facts of today or later exist only if the clock went back: today is read from the
    journal, so they go (the lines will build them again when their days close)."""
    ahead = [d for (d,) in conn.execute("SELECT day FROM fact_built WHERE office_id = %s AND day >= %s",
                                        (office_id, today))]
    if not ahead:
        return
    with conn.transaction():
        delete_days(conn, POSTGRES, office_id, ahead)
        conn.execute("DELETE FROM fact_built WHERE office_id = %s AND day >= %s", (office_id, today))
        conn.execute("UPDATE offices SET facts_seq = LEAST(facts_seq, COALESCE((SELECT min(seq) - 1 FROM journal "
                     "WHERE office_id = %s AND at >= %s), facts_seq)) WHERE id = %s", (office_id, midnight, office_id))
        roll_up(conn, POSTGRES, office_id, ahead)


def forget_after(conn: psycopg.Connection, office_id: int, keep_seq: int) -> None:
    """The office's lines after `keep_seq` are about to go (a resync): their days' facts go
    with them, and come back as the office pushes those days again."""
    catalog = catalog_for(conn, office_id)
    if catalog is None:
        return
    zone = ZoneInfo(catalog.timezone)
    gone = sorted({at.astimezone(zone).date() for (at,) in conn.execute(
        "SELECT at FROM journal WHERE office_id = %s AND seq > %s", (office_id, keep_seq))})
    if gone:
        delete_days(conn, POSTGRES, office_id, gone)
        conn.execute("DELETE FROM fact_built WHERE office_id = %s AND day = ANY(%s)", (office_id, gone))
        roll_up(conn, POSTGRES, office_id, gone)
    conn.execute("UPDATE offices SET facts_seq = LEAST(facts_seq, %s) WHERE id = %s", (keep_seq, office_id))


def rebuild(conn: psycopg.Connection, office_id: int, now: datetime, start: date | None = None,
            end: date | None = None) -> list[date]:
    """Throw an office's facts of start..end away and make them again from its lines."""
    conn.execute("SELECT pg_advisory_lock(%s, %s)", (_LOCK, office_id))
    try:
        catalog = catalog_for(conn, office_id)
        first_last = conn.execute("SELECT min(at), max(at) FROM journal WHERE office_id = %s",
                                  (office_id,)).fetchone()
        if catalog is None or first_last[0] is None:
            return []
        zone = ZoneInfo(catalog.timezone)
        first, last = (t.astimezone(zone).date() for t in first_last)
        yesterday = now.astimezone(zone).date() - timedelta(days=1)
        start, end = max(start or first, first), min(end or last, last, yesterday)
        if end < start:
            return []
        days_ = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        with conn.transaction():
            delete_days(conn, POSTGRES, office_id, days_)
            conn.execute("DELETE FROM fact_built WHERE office_id = %s AND day >= %s AND day <= %s",
                         (office_id, start, end))
        build(conn, office_id, days_)
        _refresh(conn, office_id, now, frozenset(days_))
        return days_
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK, office_id))


def refresh_all(conn: psycopg.Connection, now: datetime) -> int:
    """Every office's closed days (the hourly upkeep); returns how many days were built."""
    built = 0
    for (office_id,) in conn.execute("SELECT id FROM offices ORDER BY id").fetchall():
        built += len(refresh(conn, office_id, now, wait=False))
    return built


# ---- reports ------------------------------------------------------------------------------
@dataclass
class Office:
    id: int
    name: str
    catalog: Catalog


def company_report(conn: psycopg.Connection, offices: list[Office], start: date, end: date,
                   now: datetime, kind: str = "period", pool: ConnectionPool | None = None) -> dict:
    """The report of the days start..end over these offices: the office report's keys for
    all of them added up, plus `offices` with each one's own figures. With a `pool`, the
    offices' facts are read in REPORT_PARTS parts at once, each on its own connection."""
    if end < start:
        raise ValueError("the period ends before it starts")
    ids = [o.id for o in offices]
    for o in offices:
        refresh(conn, o.id, now)
    today: dict[int, Facts] = {}
    for o in offices:
        local = now.astimezone(ZoneInfo(o.catalog.timezone)).date()
        if start <= local <= end:
            today[o.id] = day_facts(conn, o.id, local, o.catalog)[0]
    if pool is None or len(ids) < 2:
        per, total, ranks = _read_part(conn, ids, start, end, today, None)
    else:
        per, total, ranks = _read_in_parts(conn, pool, ids, start, end, today)
    for oid, facts in today.items():
        per[oid].merge(facts)
        total.merge(facts)
    books = {o.id: Book.of(o.catalog, o.catalog.timezone, o.id) for o in offices}
    zones = sorted({o.catalog.timezone for o in offices})
    book = Book.merged(books, "; ".join(o.name for o in offices), "; ".join(zones))
    report = render(total, book, ranks, None)
    report["offices"] = []
    for o in offices:
        own = render(per[o.id], books[o.id], ranks, o.id)
        report["offices"].append({"id": o.id, "name": o.name, "tz": o.catalog.timezone,
                                  **{k: own[k] for k in OFFICE_KEYS}})
    _registers(conn, offices, start, end, now, report)
    if kind == "daily":
        return dated(report, start)
    return dated(report, start, end, days(total, book))


def _read_part(conn: psycopg.Connection, ids: list[int], start: date, end: date, today: dict[int, Facts],
               parts: list | None) -> tuple[dict[int, Facts], Facts, dict]:
    """read_period over these offices, in one transaction with the report's settings."""
    with conn.transaction():
        # a year of 50 offices groups about a million histogram rows: in memory, not on disk
        conn.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        # one process sums the histograms faster than three (two workers and a final merge of
        # their partial sums) on the two cores the centre is sized for (docs/performance.md)
        conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        # compiling the percentile query took 0.6 s of a 2.4 s year: more than it saves
        conn.execute("SET LOCAL jit = off")
        mine = {oid: facts for oid, facts in today.items() if oid in ids}
        if mine:
            _fill_hist_now(conn, mine)
        return read_period(conn, POSTGRES, ids, start, end, with_hist_now=bool(mine), parts=parts)


def _read_in_parts(conn: psycopg.Connection, pool: ConnectionPool, ids: list[int], start: date,
                   end: date, today: dict[int, Facts]) -> tuple[dict[int, Facts], Facts, dict]:
    """The offices in up to REPORT_PARTS parts, each on its own connection at once (this one
    and the pool's; a busy pool leaves more to this one), their facts put together, and the
    sum's percentiles ranked off the parts' histograms added up (facts_sql.rank_parts)."""
    with ExitStack() as stack:
        conns = [conn]
        for _ in range(REPORT_PARTS - 1):
            try:
                conns.append(stack.enter_context(pool.connection(timeout=0.5)))
            except PoolTimeout:
                break
        groups = [ids[i::len(conns)] for i in range(len(conns))]
        hists: list[list] = [[] for _ in conns]
        with ThreadPoolExecutor(max(1, len(conns) - 1)) as ex:  # none to submit when the pool was busy
            futures = [ex.submit(_read_part, c, g, start, end, today, h)
                       for c, g, h in zip(conns[1:], groups[1:], hists[1:], strict=True)]
            results = [_read_part(conns[0], groups[0], start, end, today, hists[0])]
            results += [f.result() for f in futures]
    per: dict[int, Facts] = {}
    ranks: dict = {}
    total = results[0][1]
    for i, (part_per, part_total, part_ranks) in enumerate(results):
        per.update(part_per)
        ranks.update(part_ranks)
        if i:
            total.merge(part_total)
    ranks.update(rank_parts([row for h in hists for row in h]))
    return per, total, ranks


def _registers(conn: psycopg.Connection, offices: list[Office], start: date, end: date, now: datetime,
               report: dict) -> None:
    """What a report reads from lines rather than facts, each office's as the office reads its
    own, then put together: the bookings' counts and the appeals registry's figures (report_service:
    the registry's history up to the period's end, the bookings' lines from the horizon before it
    to two days after), added up; and device downtime (reports/devices.py), listed office by
    office. The centre has no office's working hours, so it counts downtime round the clock;
    over several offices each row names its office and zone (a kiosk-1 is in most of them)."""
    counts: dict = {}
    registry: dict = {}
    devices: list[dict] = []
    names = _COLUMNS.split(", ")
    for o in offices:
        tz = o.catalog.timezone
        first, last = period_bounds(start, end, tz)
        since = first - timedelta(days=MAX_HORIZON_DAYS + 1)
        lines = conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE office_id = %s AND at < %s AND "
                             "(type LIKE 'appeal.%%' OR type LIKE 'booking.%%') ORDER BY seq",
                             (o.id, last + timedelta(days=2))).fetchall()
        appeals = [dict(zip(names, row, strict=True)) for row in lines if row[2] in APPEAL_TYPES and row[1] < last]
        bookings = [row for row in lines if row[2] in BOOKING_TYPES and row[1] >= since]
        one, reg = register_figures(start, end, tz, bookings, appeals, now)
        add_up(counts, one)
        add_up(registry, reg)
        lines = conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE office_id = %s AND at < %s AND "
                             f"{_DEVICE_LINES} ORDER BY seq", (o.id, last)).fetchall()
        rows = device_downtime([dict(zip(names, row, strict=True)) for row in lines], first, last, None, now)
        devices += [{**row, "office": o.name, "tz": tz} for row in rows] if len(offices) > 1 else rows
    report["bookings"] = {**counts, "wait_from_slot": report["bookings"]["wait_from_slot"]}
    report["appeals_registry"] = registry
    report["devices"] = devices


# the same predicate as 0003's partial index, so the planner reads the index
_DEVICE_LINES = "type IN (" + ", ".join(f"'{t}'" for t in DEVICE_LIFE_TYPES) + ")"


def _fill_hist_now(conn: psycopg.Connection, today: dict[int, Facts]) -> None:
    keys, figures = TABLES["fact_hist_group"]
    cols = ", ".join(("office_id", "unit", "start") + keys + figures)
    conn.execute(f"CREATE TEMP TABLE {HIST_NOW} (LIKE fact_hist_group) ON COMMIT DROP")
    with conn.cursor().copy(f"COPY {HIST_NOW} ({cols}) FROM STDIN") as copy:
        for oid, facts in today.items():
            day = facts.start
            for key, (n, us) in group_rows(facts).items():
                copy.write_row((oid, "D", day, *key, n, us))
