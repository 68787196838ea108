"""Nightly online backups and restore.

Backups use SQLite's backup API, so they are consistent while the office
keeps issuing tickets. Restore refuses a file that is not a sound office
database and keeps the current one aside rather than deleting it.
"""
from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from .journal_store import JournalStore

BACKUP_DIR = "backups"
PREFIX = "office-"


def backup_now(store: JournalStore, data_dir: Path, local_day: str) -> Path:
    folder = Path(data_dir) / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{PREFIX}{local_day}.sqlite"
    tmp = dest.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    store.backup_to(tmp)
    tmp.replace(dest)
    return dest


def prune(data_dir: Path, keep_days: int) -> list[Path]:
    """Remove all but the newest `keep_days` backups."""
    folder = Path(data_dir) / BACKUP_DIR
    backups = sorted(folder.glob(f"{PREFIX}*.sqlite"))
    doomed = backups[:-keep_days] if keep_days > 0 else backups
    for path in doomed:
        path.unlink()
    return doomed


class RestoreError(Exception):
    pass


def check_database(path: Path) -> int:
    """Number of journal events in a sound office database, or RestoreError."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RestoreError(f"{path}: the database is damaged (integrity check failed)")
            return conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{path}: not an office database ({exc})") from None


def restore(backup: Path, db_path: Path, now: datetime) -> tuple[int, Path | None]:
    """Put a backup in place of the office database (the server must be stopped)."""
    backup, db_path = Path(backup), Path(db_path)
    if not backup.exists():
        raise RestoreError(f"{backup}: no such file")
    events = check_database(backup)
    kept = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        src = sqlite3.connect(str(db_path))
        dst = sqlite3.connect(str(kept))
        src.backup(dst)
        src.close()
        dst.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, db_path)
    return events, kept
