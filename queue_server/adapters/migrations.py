"""The database's layout, its version, and the numbered steps that upgrade it.

An office's database is meant to last years across software updates, so its
file says what it is and which layout it has: `PRAGMA application_id` marks it
as ours, `PRAGMA user_version` holds the layout's number. Opening a database
runs the steps it lacks, each in one transaction together with its new
number, so a step either happened or did not. A database made by a newer
version is refused rather than guessed at.

Adding a step (a new table, an index, a column):
  1. write `_vN(conn)` with plain SQL, here, below the last one;
  2. add `Step(N, "what it does", _vN)` at the end of STEPS;
  3. add N's tables to the fixture-based upgrade test if it adds any
     (tests/test_migrations.py checks that a fresh database and an upgraded
     one end with the same layout).
Never change a step that has been released: an office may have run it.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

# "QOFC" as a 32-bit number; `sqlite3 office.sqlite 'PRAGMA application_id'` shows 1364149827.
APPLICATION_ID = int.from_bytes(b"QOFC", "big")


class SchemaError(Exception):
    """A database this software must not open or restore; str() is the whole message."""


@dataclass(frozen=True)
class Step:
    version: int
    what: str
    apply: Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    """The first released layout (0.1.0), exactly as it was created then."""
    for sql in (
        'CREATE TABLE "events" (\n   "seq" INTEGER PRIMARY KEY,\n   "uid" TEXT,\n   "at" TEXT,\n'
        '   "type" TEXT,\n   "visit" TEXT,\n   "step" INTEGER,\n   "service" TEXT,\n'
        '   "counter" TEXT,\n   "operator" TEXT,\n   "data" TEXT\n)',
        'CREATE UNIQUE INDEX "idx_events_uid"\n    ON "events" ("uid")',
        'CREATE INDEX "idx_events_at"\n    ON "events" ("at")',
        'CREATE INDEX "idx_events_visit"\n    ON "events" ("visit")',
        'CREATE TABLE "users" (\n   "login" TEXT PRIMARY KEY,\n   "role" TEXT,\n   "name" TEXT,\n'
        '   "password_hash" TEXT,\n   "created_at" TEXT\n)',
        'CREATE TABLE "tokens" (\n   "hash" TEXT PRIMARY KEY,\n   "kind" TEXT,\n   "subject" TEXT,\n'
        '   "role" TEXT,\n   "counter_id" TEXT,\n   "created_at" TEXT,\n   "expires_at" TEXT\n)',
        'CREATE TABLE "devices" (\n   "name" TEXT PRIMARY KEY,\n   "kind" TEXT,\n   "created_at" TEXT\n)',
        'CREATE TABLE "meta" (\n   "key" TEXT PRIMARY KEY,\n   "value" TEXT\n)',
        "INSERT INTO meta (key, value) VALUES ('schema_version', '1')",
    ):
        conn.execute(sql)


def _v2(conn: sqlite3.Connection) -> None:
    """The file says what it is: our application id; the layout's number moves
    from the meta table (written, never read) into the file's header."""
    conn.execute("DELETE FROM meta WHERE key = 'schema_version'")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _v3(conn: sqlite3.Connection) -> None:
    """An index on the events' type: the appeals registry lives for years, and the start-up
    fold of its lines (a few hundred among millions) and the nightly blanking of expired
    appeal files read only those lines."""
    conn.execute('CREATE INDEX "idx_events_type" ON "events" ("type")')


def _v4(conn: sqlite3.Connection) -> None:
    """Staff and device administration: a user can be disabled (and enabled again) without
    losing the account; a device's last heartbeat is kept, so the office knows which devices
    to expect after a restart and `qserver device list` can say when each was last heard."""
    conn.execute('ALTER TABLE "users" ADD COLUMN "disabled_at" TEXT')
    conn.execute('ALTER TABLE "devices" ADD COLUMN "last_seen_at" TEXT')


def _per_day_facts(conn: sqlite3.Connection) -> None:
    """Per-day facts (docs/reports.md, "Stored facts"): each closed day's figures, added
    up by month and year, so a period report reads a few rows instead of the journal.
    Derived data: `qserver facts rebuild` makes them again from the journal."""
    prefix = '"office_id" INTEGER NOT NULL, "unit" TEXT NOT NULL, "start" TEXT NOT NULL, '
    tables = {
        "fact_day": '"visits" INTEGER, "no_shows" INTEGER, "cancelled" INTEGER, "open_at_close" INTEGER, '
                    '"multi_role" INTEGER, "transfers" INTEGER, "total_n" INTEGER, "total_sum" INTEGER, '
                    '"total_max" INTEGER, "total_within" INTEGER, "total_normed" INTEGER, "booked_n" INTEGER, '
                    '"booked_sum" INTEGER, "booked_max" INTEGER, "booked_within" INTEGER, "booked_normed" INTEGER',
        "fact_role": '"role" TEXT, "steps" INTEGER, "wait_n" INTEGER, "wait_sum" INTEGER, '
                     '"service_n" INTEGER, "service_sum" INTEGER',
        "fact_combo": '"service" TEXT, "role" TEXT, "counter" TEXT, "operator" TEXT, "steps" INTEGER, '
                      '"no_shows" INTEGER, "recalls" INTEGER, "open" INTEGER, "wait_n" INTEGER, '
                      '"wait_sum" INTEGER, "wait_max" INTEGER, "wait_within" INTEGER, "wait_normed" INTEGER, '
                      '"service_n" INTEGER, "service_sum" INTEGER, "service_max" INTEGER, '
                      '"service_within" INTEGER, "service_normed" INTEGER',
        "fact_hour": '"hour" INTEGER, "role" TEXT, "wait_n" INTEGER, "wait_sum" INTEGER, "wait_max" INTEGER, '
                     '"wait_within" INTEGER, "wait_normed" INTEGER',
        "fact_flow": '"hour" INTEGER, "arrivals" INTEGER, "steps" INTEGER, "waiting_max" INTEGER',
        "fact_count": '"what" TEXT, "a" TEXT, "b" TEXT, "c" TEXT, "n" INTEGER',
        "fact_counter": '"counter" TEXT, "open_us" INTEGER, "paused_us" INTEGER',
        "fact_hist": '"service" TEXT, "role" TEXT, "counter" TEXT, "operator" TEXT, "metric" TEXT, '
                     '"bin" INTEGER, "n" INTEGER, "us" INTEGER',
        "fact_hist_group": '"dim" TEXT, "key" TEXT, "metric" TEXT, "bin" INTEGER, "n" INTEGER, "us" INTEGER',
    }
    for name, figures in tables.items():
        conn.execute(f'CREATE TABLE "{name}" ({prefix}{figures})')
        conn.execute(f'CREATE INDEX "idx_{name}" ON "{name}" ("office_id", "unit", "start")')
    conn.execute('CREATE TABLE "fact_built" ("office_id" INTEGER NOT NULL, "day" TEXT NOT NULL, '
                 '"events" INTEGER, "built_at" TEXT, PRIMARY KEY ("office_id", "day"))')


# The days' and weeks' histograms by (service, role, counter, operator) as the report's groups
# (reports/facts.py `group_rows` says which durations count where), in the order a report reads
# them; the centre's migration 0004_group_histograms.sql does the same office by office.
_GROUPS = (
    ("service", "COALESCE(service, '')", "metric NOT IN ('t', 'b')"),
    ("role", "role", "metric NOT IN ('t', 'b') AND role IS NOT NULL"),
    ("counter", "counter", "counter IS NOT NULL"),
    ("operator", "operator", "operator IS NOT NULL"),
    ("visit", "''", "metric IN ('t', 'b')"),
)
_REGROUP = ("INSERT INTO fact_hist_group (office_id, unit, start, dim, key, metric, bin, n, us) "
            + " UNION ALL ".join(
                f"SELECT office_id, unit, start, '{dim}' AS dim, {key} AS key, metric, bin, sum(n), sum(us) "
                f"FROM fact_hist WHERE {where} GROUP BY office_id, unit, start, {key}, metric, bin"
                for dim, key, where in _GROUPS)
            + " ORDER BY office_id, unit, start, dim, key, metric, bin")


def _group_histograms(conn: sqlite3.Connection) -> None:
    """Days' and weeks' histograms kept by group, as months' and years' already were: a period
    report then adds up stored groups instead of regrouping every day's rows (most of a
    50-office unaligned year at the centre), and may subtract them (facts_sql.histogram_units).
    A busy office's year (1.07 million rows) takes about 12 s, once."""
    conn.execute(_REGROUP)
    conn.execute('DROP TABLE "fact_hist"')


STEPS: tuple[Step, ...] = (
    Step(1, "events, users, tokens, devices, meta", _v1),
    Step(2, "application id; layout version in the header", _v2),
    Step(3, "index on the events' type (the appeals registry)", _v3),
    Step(4, "users can be disabled; devices keep their last heartbeat", _v4),
    Step(5, "per-day facts for period reports", _per_day_facts),
    Step(6, "days' and weeks' histograms by group", _group_histograms),
)
CURRENT = STEPS[-1].version
assert [s.version for s in STEPS] == list(range(1, CURRENT + 1)), "steps are numbered 1, 2, 3…"


def found_version(conn: sqlite3.Connection, name: str = "the database") -> int:
    """The layout a database has: 0 for an empty file, or SchemaError if it is not ours."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != 0:
        raise SchemaError(f"{name}: not an office database (application id {app_id}, ours is {APPLICATION_ID})")
    tables = _tables(conn)
    if not tables:
        return 0
    if "meta" in tables and "events" in tables:  # layout 1 predates the application id
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0] == "1":
            return 1
    raise SchemaError(f"{name}: not an office database (it has tables {', '.join(sorted(tables))} "
                      "but no mark of this software)")


def check_version(version: int, name: str = "the database", current: int = CURRENT) -> None:
    if version > current:
        raise SchemaError(f"{name} was made by a newer version of the software (database layout {version}); "
                          f"this one knows layouts up to {current}: upgrade the software or restore a backup")


def upgrade(conn: sqlite3.Connection, name: str = "the database",
            before: Callable[[int], None] | None = None,
            done: Callable[[Step, float], None] | None = None,
            steps: tuple[Step, ...] = STEPS) -> tuple[int, int]:
    """Run the steps the database lacks; returns (layout found, layout now).

    `conn` is in autocommit mode (isolation_level=None). `before(found)` runs
    once before the first step of an existing database (a copy is kept there);
    `done(step, seconds)` after each step (the log). Another process may be
    upgrading at the same moment: each step re-reads the version under the
    write lock and is skipped if it has run meanwhile.
    """
    start = found_version(conn, name)
    check_version(start, name, steps[-1].version)
    if start == steps[-1].version:
        return start, start
    if start > 0 and before is not None:
        before(start)
    for step in steps[start:]:
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if found_version(conn, name) >= step.version:
                conn.execute("ROLLBACK")
                continue
            step.apply(conn)
            conn.execute(f"PRAGMA user_version = {step.version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if done is not None:
            done(step, time.perf_counter() - t0)
    return start, steps[-1].version


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}


def layout(conn: sqlite3.Connection) -> dict[str, list[tuple[str, str]]]:
    """Tables and their (column, type), in order: what "our layout" means."""
    return {t: [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_info("{t}")')] for t in sorted(_tables(conn))}


def expected_layout() -> dict[str, list[tuple[str, str]]]:
    """The current layout, as a fresh database gets it."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        upgrade(conn)
        return layout(conn)
    finally:
        conn.close()


def check_layout(conn: sqlite3.Connection, name: str = "the database") -> None:
    """SchemaError unless the tables and columns are the current layout's."""
    want, have = expected_layout(), layout(conn)
    if want == have:
        return
    missing = sorted(set(want) - set(have))
    extra = sorted(set(have) - set(want))
    changed = sorted(t for t in set(want) & set(have) if want[t] != have[t])
    parts = ([f"missing tables {', '.join(missing)}"] if missing else []) + (
        [f"unknown tables {', '.join(extra)}"] if extra else []) + (
        [f"different columns in {', '.join(changed)}"] if changed else [])
    raise SchemaError(f"{name}: not an office database of layout {CURRENT} ({'; '.join(parts)})")
