"""The journal on disk: one SQLite file per office.

WAL with synchronous=FULL so that a commit that returned is on the disk:
the HTTP 201 for a ticket is sent only after it. One writer connection
behind a lock (the "one serialized writer"); readers get their own
connections and never block it.
"""
from __future__ import annotations

import collections
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .adapters import db_files, migrations, oplog
from .adapters.storage_faults import classify
from .domain.catalog import Catalog
from .domain.event_schema import (
    APPEAL,
    APPEAL_TEXT,
    BOOKING,
    BOOKING_TEXT,
    FREE_TEXT,
    NOT_TYPED,
    PERSONAL,
    check_event,
    without_free_text,
)
from .domain.events import (
    BOOKING_CREATED,
    BOOKING_RESCHEDULED,
    JOURNAL_SET_ASIDE,
    Event,
    format_at,
    parse_at,
)
from .domain.journal_check import JournalCheck
from .journal_io import ImportRefused, Numbered

# Commits between WAL checkpoints. The checkpoint (copying the WAL into the
# database and syncing it) runs on its own thread, in the first pause of
# CHECKPOINT_QUIET_S between commits, so no ticket waits for it; under load
# without a pause it runs anyway once CHECKPOINT_LATEST commits are waiting,
# which bounds the WAL (docs/performance.md, the checkpoint's notes).
CHECKPOINT_EVERY = 200
CHECKPOINT_QUIET_S = 0.1
CHECKPOINT_LATEST = 1000
CHECKPOINT_LOCKED_FRAMES = 32  # the most WAL frames (pages) the locked pass copies, if it can
# Below this much free space the disk counts as full for /healthz: a few more
# tickets may still fit, but the office is one burst away from refusing them.
MIN_FREE_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA wal_autocheckpoint=0")  # JournalStore checkpoints in the background
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


def copy_database(source: sqlite3.Connection, dest: Path) -> None:
    """A consistent copy through SQLite's backup API, as one self-contained file (no WAL beside it)."""
    target = sqlite3.connect(str(dest))
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def open_schema(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the database to the current layout (adapters/migrations.py) and
    check that it is ours; returns the layout's number. Before the first step
    on an existing database, a copy is kept in the backups folder."""
    path = Path(path)

    def keep_copy(found: int) -> None:
        folder = path.parent / "backups"
        folder.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        dest = folder / f"before-upgrade-v{found}-{stamp}.sqlite"
        tmp = dest.with_suffix(".partial")
        copy_database(conn, tmp)
        tmp.replace(dest)
        oplog.event(log, "db.copy_before_upgrade", path=str(dest), layout=found)

    def done(step: migrations.Step, seconds: float) -> None:
        oplog.event(log, "db.upgraded", path=str(path), to_layout=step.version, what=step.what,
                    ms=round(seconds * 1000, 1))

    migrations.upgrade(conn, str(path), keep_copy, done)
    migrations.check_layout(conn, str(path))
    return migrations.CURRENT



_INSERT = (
    "INSERT OR IGNORE INTO events (uid, at, type, visit, step, service, counter, operator, data) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _occurrence_uid(base: str, n: int) -> str:
    """The n-th repeat of the same fact (two resumes in one millisecond) is a
    fact of its own: its key says which repeat it is."""
    return base if n == 0 else hashlib.sha256(f"{base}#{n}".encode()).hexdigest()[:32]


def _occurrence_number(base: str, uid: str) -> int:
    """Which repeat of the fact `base` the stored key `uid` names (see _occurrence_uid)."""
    n = 0
    while uid != _occurrence_uid(base, n) and n < 10_000:
        n += 1
    return n if n < 10_000 else 0


def _data_text(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _row(e: Event, uid: str) -> tuple:
    return (uid, format_at(e.at), e.type, e.visit, e.step, e.service, e.counter, e.operator,
            _data_text(e.data))


class JournalRefused(ValueError):
    """An event that does not fit the event schema: it is not written."""


class UnreadableRow(ValueError):
    """A journal row that is not an event at all (its time or data does not parse)."""

    def __init__(self, seq: int, reason: str):
        super().__init__(f"seq {seq}: {reason}")
        self.seq, self.reason = seq, reason


def _event(row: tuple) -> Event:
    seq, at, type_, visit, step, service, counter, operator, data = row
    try:
        return Event(type_, parse_at(at), visit, step, service, counter, operator,
                     json.loads(data) if data else {}, seq)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise UnreadableRow(seq, f"unreadable row ({exc})") from None


_COLUMNS = "seq, at, type, visit, step, service, counter, operator, data"


def read_events(conn: sqlite3.Connection, where: str = "", params: tuple = ()) -> Iterator[Event | UnreadableRow]:
    """The journal's events in seq order (`where` narrows them), a row that does not
    read as an event given as its UnreadableRow instead of raising it: the start-up
    replay names it, `qserver doctor` goes on past it."""
    for row in conn.execute(f"SELECT {_COLUMNS} FROM events {where} ORDER BY seq", params):
        try:
            yield _event(row)
        except UnreadableRow as exc:
            yield exc


class JournalStore:
    """The office's database. Opening it finishes a restore a kill interrupted,
    upgrades the layout (refusing one it does not know), and holds a shared lock
    on it so that a restore cannot pull it away from under a running server."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file_lock = db_files.StoreLock(self.path)
        if db_files.interrupted_restore(self.path) and self._file_lock.try_exclusive():
            kept = db_files.recover(self.path)
            oplog.event(log, "restore.finished_at_start", path=str(self.path), kept=str(kept or ""))
        self._file_lock.shared()
        conn = None
        try:
            conn = connect(self.path)
            self.layout = open_schema(conn, self.path)
        except BaseException:
            if conn is not None:
                conn.close()
            self._file_lock.release()
            raise
        self.conn = conn
        self.lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self.write_fault: tuple[str, str] | None = None  # the last failed commit's (code, message)
        self._commits = 0
        self._checkpointed = 0  # self._commits when the last checkpoint started
        self._last_commit = 0.0  # time.monotonic() of the last commit
        self._checkpoint_due = threading.Event()
        self._checkpoint_overdue = threading.Event()
        self._checkpointer: threading.Thread | None = None
        self._closed = False

    # ---- writing (callers hold self.lock) ---------------------------------
    @contextmanager
    def _transaction(self):
        """BEGIN IMMEDIATE … COMMIT under the writer lock; ROLLBACK on any error."""
        with self.lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException as exc:
                # SQLite has already rolled back after some errors (a full disk at
                # COMMIT): a second ROLLBACK would hide the real error behind
                # "cannot rollback - no transaction is active".
                if self.conn.in_transaction:
                    try:
                        self.conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                fault = classify(exc)
                if fault is not None:
                    self.write_fault = (fault.code, str(exc))
                raise
            self.write_fault = None
            self._commits += 1
            self._last_commit = time.monotonic()
            waiting = self._commits - self._checkpointed
            if waiting == CHECKPOINT_EVERY:
                self._request_checkpoint()
            elif waiting >= CHECKPOINT_LATEST:
                self._checkpoint_overdue.set()

    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT under the writer lock, for the accounts' tables (auth.py)."""
        return self._transaction()

    def _request_checkpoint(self) -> None:
        if self._checkpointer is None:
            self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="wal-checkpoint",
                                                  daemon=True)
            self._checkpointer.start()
        self._checkpoint_due.set()

    def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database without making a ticket wait for it.

        The bulk is a PASSIVE checkpoint, which blocks neither the writer nor the
        readers. Under steady load it never quite catches up (commits keep
        arriving while it copies), and SQLite starts the WAL over only once every
        frame is copied: the WAL would grow without end, and a commit that extends
        the file costs a slower fdatasync (measured: 0.4–0.7 ms against ~0.2 ms).
        So a second pass copies what came in meanwhile, a few commits' pages,
        while holding the writer off; the next commit then starts the WAL over
        and writes over blocks the file already has.

        Both passes wait for a pause in the commits: the locked pass would hold
        a ticket for its database sync (5–10 ms), and the unlocked one competes
        with the tickets' own syncs for the disk (measured: the one or two
        tickets beside a checkpoint took 5–10 ms, against a median of 1.8).
        """
        conn = connect(self.path)
        try:
            while True:
                self._checkpoint_due.wait()
                self._wait_for_a_pause()
                self._checkpoint_due.clear()
                self._checkpoint_overdue.clear()
                if self._closed:
                    return
                self._checkpointed = self._commits
                try:
                    self._checkpoint(conn)
                except sqlite3.Error as exc:  # a full disk: the next round tries again
                    oplog.event(log, "db.checkpoint_failed", logging.WARNING, error=str(exc))
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        """Unlocked passes while each leaves more than a few commits' frames behind (at most
        three), then the locked pass for what came in meanwhile: the writer waits only for
        that. (Even when a pass leaves nothing behind, a commit may land before the next
        one starts the WAL over, so the locked pass always runs; in a pause it copies nothing.)"""
        for _ in range(3):
            _busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames - copied <= CHECKPOINT_LOCKED_FRAMES:
                break
        with self.lock:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _wait_for_a_pause(self) -> None:
        """Until no commit came for CHECKPOINT_QUIET_S, or CHECKPOINT_LATEST are waiting."""
        while not self._closed and not self._checkpoint_overdue.is_set():
            quiet = time.monotonic() - self._last_commit
            if quiet >= CHECKPOINT_QUIET_S:
                return
            self._checkpoint_overdue.wait(CHECKPOINT_QUIET_S - quiet)

    def append(self, events: list[Event], also: Callable[[sqlite3.Connection], None] | None = None) -> list[Event]:
        """Commit events durably and return them with their seq numbers.

        Each is held to the event schema first: a line the office could not
        replay never reaches the journal (a bug refused here is one request's
        error, not an office that cannot start). `also(conn)` runs in the same
        transaction first: a change the events record (an account disabled) is
        made together with its line, or neither is (it may raise to refuse both)."""
        for e in events:
            problem = check_event(e)
            if problem:
                raise JournalRefused(problem)
        out = []
        with self._transaction() as conn:
            if also is not None:
                also(conn)
            for e in events:
                base, n = e.uid(), 0
                while not (cur := conn.execute(_INSERT, _row(e, _occurrence_uid(base, n)))).rowcount:
                    n += 1
                out.append(_replace_seq(e, cur.lastrowid))
        return out

    def import_events(self, events: Iterable[Event | Numbered], catalog: Catalog | None = None,
                      dry_run: bool = False) -> int:
        """Insert what is new and return how many; facts already in the journal are
        skipped (idempotent). `events` may be a stream of events or of (line number,
        event): nothing is held but keys and each visit's current step.

        All or nothing: every new line is checked against the event schema, the
        office's services and counters, and what the office could apply after the
        journal and the lines before it (`JournalCheck`), and the first that fails
        raises ImportRefused with its line number, before anything is written.
        `dry_run` checks only, on a reader connection (`qserver import`'s first pass).
        Repeats of one fact within the file count as first, second… repeat,
        exactly as append numbered them, so a re-import matches them again.
        """
        if dry_run:
            return self._import(self.reader(), events, catalog, write=False)
        with self._transaction() as conn:
            added = self._import(conn, events, catalog, write=True)
            if added:  # older lines may carry texts to blank: the next pass reads all again
                conn.execute("DELETE FROM meta WHERE key = 'texts_blanked_before'")
        if added:
            self._request_checkpoint()  # a big import leaves a big WAL behind
        return added

    def _import(self, conn: sqlite3.Connection, events: Iterable[Event | Numbered], catalog: Catalog | None,
                write: bool) -> int:
        check = JournalCheck(catalog, history=lambda visit: self._visit_history(conn, visit))
        added = 0
        seen: collections.Counter[str] = collections.Counter()
        for n, e in _numbered(events):
            problem = check.shape(e)
            if problem:
                raise ImportRefused(n, problem)
            base = e.uid()
            k = seen[base]
            seen[base] += 1
            uid = _occurrence_uid(base, k)
            if _stored(conn, uid):
                continue
            blanks = tuple(without_free_text(e, keep) for keep in (PERSONAL, BOOKING, APPEAL))
            if any(b is not None and _stored(conn, _occurrence_uid(b.uid(), k)) for b in blanks):
                continue  # here already, its text blanked since
            problem = check.follow(e)
            if problem:
                raise ImportRefused(n, problem)
            if write:
                conn.execute(_INSERT, _row(e, uid))
            added += 1
        return added

    @staticmethod
    def _visit_history(conn: sqlite3.Connection, visit: str) -> Iterator[Event]:
        """A visit's events in the journal, in order; a row that does not read is passed over
        (an import cannot mend it; `qserver doctor` names it)."""
        for row in conn.execute(f"SELECT {_COLUMNS} FROM events WHERE visit = ? ORDER BY seq", (visit,)):
            try:
                yield _event(row)
            except UnreadableRow:
                continue

    def blank_texts(self, before: datetime) -> int:
        """Blank what clerks typed (events.FREE_TEXT) in events before `before`;
        returns how many events changed.

        A blanked event gets the key its blanked line has, so an export taken
        after this imports as "already there"; an older export, with the text,
        is recognised on import too (`import_events`). Only the span since the
        last pass is read (its end is kept in `meta`), so a nightly pass over a
        year-long journal reads one day; an import makes the next read all.
        """
        until = format_at(before)
        typed = " OR ".join(
            f"(type = '{type_}' AND COALESCE(json_extract(data, '$.{key}'), '') NOT IN "
            f"({', '.join(repr(v) for v in ('', *NOT_TYPED))}))" for type_, key in FREE_TEXT)
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'texts_blanked_before'").fetchone()
            since = row[0] if row else ""
            rows = conn.execute(f"SELECT uid, {_COLUMNS} FROM events WHERE at >= ? AND at < ? AND ({typed})",
                                (since, until)).fetchall()
            changed = _blank_rows(conn, rows, PERSONAL)
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('texts_blanked_before', ?)",
                         (until,))
        return changed

    def blank_bookings(self, slot_before: datetime) -> int:
        """Blank the names and contacts of bookings whose slot (the latest, after any move)
        is before `slot_before` (`privacy.keep_booking_days`, docs/bookings.md): the same
        blanking as `blank_texts`, keys and import included. Reads `booking.*` lines only."""
        until = format_at(slot_before)
        typed = " OR ".join(f"COALESCE(json_extract(c.data, '$.{key}'), '') != ''" for _type, key in BOOKING_TEXT)
        with self._transaction() as conn:
            rows = conn.execute(
                f"""WITH moved AS (SELECT json_extract(data, '$.code') AS code, MAX(json_extract(data, '$.start')) AS start
                                   FROM events WHERE type = ? GROUP BY 1)
                    SELECT c.uid, {', '.join('c.' + col for col in _COLUMNS.split(', '))}
                    FROM events c LEFT JOIN moved m ON m.code = json_extract(c.data, '$.code')
                    WHERE c.type = ? AND MAX(json_extract(c.data, '$.start'), COALESCE(m.start, '')) < ?
                      AND ({typed})""",
                (BOOKING_RESCHEDULED, BOOKING_CREATED, until)).fetchall()
            return _blank_rows(conn, rows, BOOKING)

    def blank_appeals(self, codes: Iterable[str]) -> int:
        """Blank the file of these appeals (events_schema.APPEAL_TEXT: the customer's name and
        contacts, contract, what they wrote, the answer) in every event of theirs; returns how
        many events changed. Each blanked event takes its blanked line's key, as in
        `blank_texts`, so exports from before and after import as "already there"."""
        codes = list(codes)
        if not codes:
            return 0
        types = sorted({t for t, _key in APPEAL_TEXT})
        changed = 0
        with self._transaction() as conn:
            for i in range(0, len(codes), 500):
                chunk = codes[i:i + 500]
                rows = conn.execute(
                    f"SELECT uid, {_COLUMNS} FROM events WHERE type IN ({', '.join('?' * len(types))}) "
                    f"AND json_extract(data, '$.code') IN ({', '.join('?' * len(chunk))})",
                    (*types, *chunk)).fetchall()
                changed += _blank_rows(conn, rows, APPEAL)
        return changed

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self.lock:
            return self.conn.execute(sql, params)

    # ---- reading -------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            self._readers.append(conn)
        return conn

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.reader().execute(sql, params).fetchall()

    def events_after(self, seq: int = 0, limit: int | None = None) -> Iterator[Event]:
        sql = f"SELECT {_COLUMNS} FROM events WHERE seq > ? ORDER BY seq"
        if limit:
            sql += f" LIMIT {int(limit)}"
        for row in self.reader().execute(sql, (seq,)):
            yield _event(row)

    def events_of_types(self, types: Iterable[str], before: datetime | None = None,
                        since: datetime | None = None) -> Iterator[Event | UnreadableRow]:
        """Events of the given types (through the type index), in seq order, with
        since <= at < before: the appeals registry's own history."""
        types = tuple(types)
        where = f"WHERE type IN ({', '.join('?' * len(types))})"
        params: tuple = types
        if before is not None:
            where, params = where + " AND at < ?", (*params, format_at(before))
        if since is not None:
            where, params = where + " AND at >= ?", (*params, format_at(since))
        return read_events(self.reader(), where, params)

    def lines_of_types(self, types: Iterable[str], start: datetime, end: datetime) -> list[dict]:
        """Journal lines of the given types with start <= at < end (reports' extra sections)."""
        return [e.to_line() for e in self.events_of_types(types, end, start) if isinstance(e, Event)]

    def replay_events(self, start: datetime) -> Iterator[Event | UnreadableRow]:
        """Every event from `start` on (the start-up replay), unreadable rows included."""
        return read_events(self.reader(), "WHERE at >= ?", (format_at(start),))

    def set_aside(self, seq: int, problem: str) -> list[int]:
        """Take event `seq` and the later events of its visit out of the replay (`qserver
        doctor --set-aside`): each becomes a `journal.set_aside` line that keeps its
        seq, its time and visit, and the whole original line as text. Returns the seqs."""
        with self._transaction() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM events WHERE seq = ?", (seq,)).fetchall()
            if not rows:
                raise KeyError(seq)
            visit = rows[0][3]
            if isinstance(visit, str) and visit:
                rows += conn.execute(f"SELECT {_COLUMNS} FROM events WHERE visit = ? AND seq > ? ORDER BY seq",
                                     (visit, seq)).fetchall()
            done, at = [], None
            for row in rows:
                if row[2] == JOURNAL_SET_ASIDE:
                    continue
                try:
                    at = parse_at(row[1])
                except (ValueError, TypeError, AttributeError):
                    at = at or datetime(1970, 1, 1, tzinfo=UTC)  # the line keeps its own text in `line`
                line = json.dumps(dict(zip(_COLUMNS.split(", "), row, strict=True)), ensure_ascii=False, default=str)
                e = Event(JOURNAL_SET_ASIDE, at, visit=row[3] if isinstance(row[3], str) else None, data={
                    "line": line, "problem": problem if row[0] == seq else f"follows seq {seq}, set aside with it"})
                base, n = e.uid(), 0
                while _stored(conn, _occurrence_uid(base, n)):
                    n += 1
                conn.execute("UPDATE events SET uid = ?, at = ?, type = ?, visit = ?, step = NULL, service = NULL, "
                             "counter = NULL, operator = NULL, data = ? WHERE seq = ?",
                             (_occurrence_uid(base, n), format_at(at), e.type, e.visit, _data_text(e.data), row[0]))
                done.append(row[0])
        return done

    def events_between(self, start: datetime, end: datetime) -> Iterator[Event]:
        """Events with start <= at < end, in journal order."""
        sql = f"SELECT {_COLUMNS} FROM events WHERE at >= ? AND at < ? ORDER BY seq"
        for row in self.reader().execute(sql, (format_at(start), format_at(end))):
            yield _event(row)

    def lines_between(self, start: datetime, end: datetime) -> Iterator[dict]:
        """The same as plain journal lines, without building Event objects (reports)."""
        sql = f"SELECT {_COLUMNS} FROM events WHERE at >= ? AND at < ? ORDER BY seq"
        for seq, at, type_, visit, step, service, counter, operator, data in self.reader().execute(
            sql, (format_at(start), format_at(end))
        ):
            yield {"seq": seq, "at": at, "type": type_, "visit": visit, "step": step,
                   "service": service, "counter": counter, "operator": operator,
                   "data": json.loads(data) if data else {}}

    def visit_events(self, visit_id: str) -> list[Event]:
        sql = f"SELECT {_COLUMNS} FROM events WHERE visit = ? ORDER BY seq"
        return [_event(r) for r in self.reader().execute(sql, (visit_id,))]

    def last_seq(self) -> int:
        return self.reader().execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def backup_to(self, dest: Path) -> None:
        """Online backup through SQLite's backup API from a reader of its own: one
        step inside one read transaction is a consistent picture, and in WAL mode
        a reader never holds the writer up, so tickets go on during a long backup.
        The copy is a single self-contained file (no WAL beside it)."""
        source = connect(self.path)
        try:
            copy_database(source, dest)
        finally:
            source.close()

    def write_problem(self) -> tuple[str, str] | None:
        """Why a commit would fail now, as (code, message), or None (for /healthz).

        Cheap enough for a health probe: a few system calls; only after a failed
        commit does it try a small real one, so the office reports itself well
        again as soon as space is freed, without waiting for a ticket.
        """
        folder = self.path.parent
        for p in (self.path, Path(f"{self.path}-wal"), folder):
            if p.exists() and not os.access(p, os.W_OK):
                return "journal_read_only", f"{p} cannot be written (read-only)"
        st = os.statvfs(folder)
        free = st.f_bavail * st.f_frsize
        if free < MIN_FREE_BYTES:
            return "disk_full", f"the disk holding {folder} is full ({free // 1024} KiB free)"
        if self.write_fault is not None:
            try:
                with self._transaction() as conn:
                    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', ?)",
                                 (format_at(datetime.now(UTC)),))
            except sqlite3.Error:
                pass
        return self.write_fault

    def close(self) -> None:
        self._closed = True
        self._checkpoint_due.set()
        self._checkpoint_overdue.set()
        if self._checkpointer is not None:
            self._checkpointer.join(5)
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        with self.lock:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                oplog.event(log, "db.checkpoint_failed", logging.WARNING, error=str(exc))
            self.conn.close()
        self._file_lock.release()


def _blank_rows(conn: sqlite3.Connection, rows: list, keep: str) -> int:
    """Rewrite each (uid, *line) row with its typed text blanked (`keep`: which texts), under
    the key its blanked line has; returns how many changed."""
    changed = 0
    for uid, *line in rows:
        e = _event(tuple(line))
        blank = without_free_text(e, keep)
        if blank is None:
            continue
        n = _occurrence_number(e.uid(), uid)
        conn.execute("UPDATE events SET uid = ?, data = ? WHERE seq = ?",
                     (_occurrence_uid(blank.uid(), n), _data_text(blank.data), e.seq))
        changed += 1
    return changed


def _stored(conn: sqlite3.Connection, uid: str) -> bool:
    return conn.execute("SELECT 1 FROM events WHERE uid = ?", (uid,)).fetchone() is not None


def _numbered(events: Iterable[Event | Numbered]) -> Iterator[Numbered]:
    """(line number, event) pairs: as given, or numbered from 1 when bare events come."""
    for i, item in enumerate(events, start=1):
        yield item if isinstance(item, tuple) else (i, item)


def _replace_seq(e: Event, seq: int) -> Event:
    return Event(e.type, e.at, e.visit, e.step, e.service, e.counter, e.operator, e.data, seq)
