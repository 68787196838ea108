"""The database's files on disk: locks, atomic swaps, and what a killed run leaves.

SQLite keeps an office in up to three files (`office.sqlite`, `-wal`, `-shm`);
a restore must move them as one, and a restore or backup killed half-way must
leave an office that starts and nothing that piles up. Everything here works
by rename (atomic on one file system) followed by an fsync of the folder, so
that after a power cut a file is either wholly in its new place or not at all.

Names next to `office.sqlite`:
  office.sqlite.lock                       held (shared) while any process has the office
                                           open, exclusively by a restore
  office.sqlite.restore-partial            a restore's copy being checked (removed at start)
  office.sqlite.restore-ready-STAMP        a checked copy about to go in (put in at start)
  office.sqlite.before-restore-STAMP[-wal] the database a restore replaced
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

SIDE_SUFFIXES = ("-journal", "-wal", "-shm")
PARTIAL = ".restore-partial"
READY = ".restore-ready-"
ASIDE = ".before-restore-"


class Busy(Exception):
    """The office is open in another process (or being restored)."""


def fsync(path: Path) -> None:
    """Put a file's bytes, or a folder's renames, on the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def side_files(path: Path) -> list[Path]:
    return [Path(f"{path}{s}") for s in SIDE_SUFFIXES]


def remove_with_side_files(path: Path) -> list[Path]:
    removed = []
    for p in (Path(path), *side_files(path)):
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
    return removed


class StoreLock:
    """An flock on `<database>.lock`: shared by every process that has the office
    open, exclusive for a restore. The kernel drops it when the process dies,
    so a killed run never leaves the office locked."""

    def __init__(self, db_path: Path):
        self.path = Path(f"{db_path}.lock")
        self.fd: int | None = None

    def _open(self) -> int | None:
        """The lock file's descriptor; None on a read-only folder without one, where
        nobody can restore or write anyway (the journal reports itself unwritable)."""
        if self.fd is None:
            try:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                try:
                    self.fd = os.open(self.path, os.O_RDONLY)  # flock works on a read-only file
                except OSError:
                    return None
        return self.fd

    def _try(self, mode: int, wait_s: float) -> bool:
        fd = self._open()
        if fd is None:
            return True
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.05)

    def shared(self, wait_s: float = 5.0) -> None:
        if not self._try(fcntl.LOCK_SH, wait_s):
            self.release()
            raise Busy(f"{self.path.with_suffix('')}: a restore is under way; try again when it is done")

    def exclusive(self, wait_s: float = 0.0) -> None:
        if not self._try(fcntl.LOCK_EX, wait_s):
            self.release()
            raise Busy(f"{self.path.with_suffix('')} is open: stop the server (and any other qserver command) first")

    def try_exclusive(self) -> bool:
        return self._try(fcntl.LOCK_EX, 0.0)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


def interrupted_restore(db_path: Path) -> bool:
    """Whether a killed restore left files next to the database."""
    folder, name = Path(db_path).parent, Path(db_path).name
    return any(folder.glob(f"{name}{PARTIAL}*")) or any(folder.glob(f"{name}{READY}*"))


def recover(db_path: Path) -> Path | None:
    """Finish what a killed restore left (the caller holds the lock exclusively).

    An unchecked copy is removed; a checked one goes in, exactly as the restore
    would have put it. Returns the database kept aside, if one was.
    """
    db_path = Path(db_path)
    folder, name = db_path.parent, db_path.name
    for partial in folder.glob(f"{name}{PARTIAL}*"):
        partial.unlink(missing_ok=True)
    ready = sorted(folder.glob(f"{name}{READY}*"))
    kept = None
    for extra in ready[:-1]:  # only the last restore counts
        extra.unlink()
    if ready:
        kept = swap_in(ready[-1], db_path)
    return kept


def ready_name(db_path: Path, stamp: str) -> Path:
    """A free name for a checked copy, whose stamp also names the kept-aside database."""
    db_path = Path(db_path)
    n, suffix = 0, ""
    while (db_path.with_name(f"{db_path.name}{ASIDE}{stamp}{suffix}").exists()
           or db_path.with_name(f"{db_path.name}{READY}{stamp}{suffix}").exists()):
        n += 1
        suffix = f"-{n}"
    return db_path.with_name(f"{db_path.name}{READY}{stamp}{suffix}")


def swap_in(ready: Path, db_path: Path) -> Path | None:
    """Put a checked copy in place of the database; the old one (with its WAL)
    is renamed aside, or removed if it is an empty file. Every step is a rename,
    and doing it again after a kill at any point finishes the same way."""
    ready, db_path = Path(ready), Path(db_path)
    stamp = ready.name[len(db_path.name) + len(READY):]
    aside = db_path.with_name(f"{db_path.name}{ASIDE}{stamp}")
    if db_path.exists():
        if db_path.stat().st_size == 0 and not Path(f"{db_path}-wal").exists():
            db_path.unlink()
        else:
            os.replace(db_path, aside)
    for suffix in ("-wal", "-journal"):  # they belong to the old database: they go with it
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            if aside.exists():
                os.replace(side, Path(f"{aside}{suffix}"))
            else:
                side.unlink()  # no database to go with: nothing to keep
    Path(f"{db_path}-shm").unlink(missing_ok=True)  # an index of the old WAL, rebuilt on open
    os.replace(ready, db_path)
    fsync(db_path.parent)
    return aside if aside.exists() else None


def clean_partials(folder: Path, pattern: str = "*.partial") -> list[Path]:
    """Remove a killed run's temporary files (`pattern`) and SQLite's files beside them."""
    removed = []
    for path in Path(folder).glob(pattern):
        removed += remove_with_side_files(path)
    for suffix in SIDE_SUFFIXES:  # a side file whose partial is already gone
        for path in Path(folder).glob(pattern + suffix):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
