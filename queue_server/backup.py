"""Nightly online backups and restore.

Backups use SQLite's backup API, so they are consistent while the office
keeps issuing tickets. A backup is written under a temporary name and renamed
when complete, so `backups/` only ever holds whole backups; a killed run's
temporary files are removed by the next backup, by pruning and at start.

A restore checks the file before it touches anything: that it is one of ours
(application id, or the first layout's mark), of a layout this version knows,
undamaged (`PRAGMA integrity_check`), with our tables, and that its journal
replays to the end. Only then does the checked copy replace the database,
which is renamed aside (never copied, so a damaged one is kept as it is).
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .adapters import db_files, migrations, oplog
from .config import OfficeConfig
from .domain.office import Office
from .journal_store import JournalStore

BACKUP_DIR = "backups"
PREFIX = "office-"
PARTIAL_SUFFIX = ".partial"
SQLITE_HEADER = b"SQLite format 3\x00"
log = logging.getLogger(__name__)


@contextmanager
def backup_folder(data_dir: Path, wait: bool = True) -> Iterator[Path | None]:
    """The backups folder, held by this process alone (an flock on `.lock`, which
    the kernel drops if we are killed), so one run never cleans up after another
    that is still writing. Yields None if `wait` is false and it is taken."""
    folder = Path(data_dir) / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        yield folder
    finally:
        os.close(fd)


def backup_now(store: JournalStore, data_dir: Path, local_day: str) -> Path:
    started = time.perf_counter()
    with backup_folder(data_dir) as folder:
        assert folder is not None
        db_files.clean_partials(folder, f"*{PARTIAL_SUFFIX}")
        dest = folder / f"{PREFIX}{local_day}.sqlite"
        tmp = folder / f"{PREFIX}{local_day}{PARTIAL_SUFFIX}"
        try:
            store.backup_to(tmp)
            db_files.fsync(tmp)
            os.replace(tmp, dest)
            db_files.fsync(folder)
        except BaseException as exc:
            db_files.remove_with_side_files(tmp)
            oplog.event(log, "backup.failed", logging.ERROR, path=str(dest), error=str(exc))
            raise
    oplog.event(log, "backup.done", path=str(dest), bytes=dest.stat().st_size,
                ms=round((time.perf_counter() - started) * 1000, 1))
    return dest


def prune(data_dir: Path, keep_days: int) -> list[Path]:
    """Remove all but the newest `keep_days` backups, and a killed backup's leftovers."""
    with backup_folder(data_dir) as folder:
        assert folder is not None
        leftovers = db_files.clean_partials(folder, f"*{PARTIAL_SUFFIX}")
        backups = sorted(folder.glob(f"{PREFIX}*.sqlite"))
        doomed = backups[:-keep_days] if keep_days > 0 else backups
        for path in doomed:
            path.unlink()
    if doomed or leftovers:
        oplog.event(log, "backup.pruned", removed=[str(p) for p in doomed + leftovers])
    return doomed


def clean_leftovers(data_dir: Path) -> list[Path]:
    """At start: remove what a killed backup left, unless a backup is running now."""
    if not (Path(data_dir) / BACKUP_DIR).is_dir():
        return []
    with backup_folder(data_dir, wait=False) as folder:
        removed = [] if folder is None else db_files.clean_partials(folder, f"*{PARTIAL_SUFFIX}")
    if removed:
        oplog.event(log, "backup.pruned", removed=[str(p) for p in removed])
    return removed


class RestoreError(Exception):
    """A restore refused; nothing was changed. str() is the whole message."""


def check_replays(path: Path, config: OfficeConfig) -> int:
    """Replay the whole journal through a fresh office, each event checked as the
    start-up replay checks it (service.office_service.replay); returns how many events.
    The one place a restore asks "does this journal make sense?"."""
    from .service.office_service import replay

    def refuse(seq: int | None, problem: str, e) -> None:
        raise RestoreError(f"the journal does not replay at event {seq}: {problem}")

    store = JournalStore(path)
    try:
        replay(Office(config.catalog, config.hours), store.replay_events(datetime.min.replace(tzinfo=UTC)), refuse)
        return store.query("SELECT COUNT(*) FROM events")[0][0]
    finally:
        store.close()


def _check_copy(copy: Path, config: OfficeConfig, name: str) -> int:
    """Every check on the copy that would go in; it is upgraded if it is older."""
    conn = sqlite3.connect(str(copy), isolation_level=None)
    ours = False
    try:
        version = migrations.found_version(conn, name)
        if version == 0:
            raise RestoreError(f"{name}: not an office database (it is empty)")
        migrations.check_version(version, name)
        ours = True
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise RestoreError(f"{name}: the database is damaged (integrity check: {'; '.join(problems)})")
        migrations.upgrade(conn, name)
        migrations.check_layout(conn, name)
    except migrations.SchemaError as exc:
        raise RestoreError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        what = "the database is damaged" if ours else "not an office database"
        raise RestoreError(f"{name}: {what} ({exc})") from None
    finally:
        conn.close()
    try:
        return check_replays(copy, config)
    except RestoreError as exc:
        raise RestoreError(f"{name}: {exc}") from None


def restore(backup: Path, db_path: Path, now: datetime, config: OfficeConfig) -> tuple[int, Path | None]:
    """Put a backup in place of the office database; returns (events, the database kept aside).

    Refused (RestoreError, nothing changed) while the office is open anywhere,
    or when the file fails a check. A kill at any point leaves an office that
    starts: before the checked copy is complete, with the old database and no
    leftovers (the next start removes the partial copy); after, with the
    restore finished by the next start.
    """
    backup, db_path = Path(backup), Path(db_path)
    if not backup.is_file():
        raise RestoreError(f"{backup}: no such file")
    with backup.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise RestoreError(f"{backup}: not an office database (not an SQLite file)")
    lock = db_files.StoreLock(db_path)
    try:
        lock.exclusive()
    except db_files.Busy as exc:
        raise RestoreError(str(exc)) from None
    try:
        db_files.recover(db_path)
        partial = db_path.with_name(db_path.name + db_files.PARTIAL)
        try:
            shutil.copyfile(backup, partial)
            if Path(f"{backup}-wal").exists():  # a copy of a live database: its last commits
                shutil.copyfile(f"{backup}-wal", f"{partial}-wal")
            events = _check_copy(partial, config, str(backup))
            if Path(f"{partial}-wal").exists():
                raise RestoreError(f"{backup}: the checked copy could not be closed cleanly")
            ready = db_files.ready_name(db_path, f"{now:%Y%m%d-%H%M%S}")
            db_files.fsync(partial)
            os.replace(partial, ready)
            db_files.fsync(db_path.parent)
        except OSError as exc:
            raise RestoreError(f"{backup}: could not copy it beside {db_path} ({exc}); nothing was changed") from None
        finally:
            db_files.remove_with_side_files(partial)
            Path(f"{partial}.lock").unlink(missing_ok=True)
        kept = db_files.swap_in(ready, db_path)
    finally:
        lock.release()
    oplog.event(log, "restore.done", source=str(backup), events=events, kept=str(kept or ""))
    return events, kept
