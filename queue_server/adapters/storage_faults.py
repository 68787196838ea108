"""What a failed write to disk means for the people in the office.

A full disk or a read-only file system is not a bug in the server: the action
was refused and nothing acknowledged was lost, and the person at the kiosk or
counter should be told that plainly, with a code their IT person can look up
(docs/operations.md), instead of a generic 500.
"""
from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class StorageFault:
    status: int
    code: str
    message: str  # an English msgid; the server's catalogs translate it
    event: str  # the log line's name (adapters/oplog.py)


DISK_FULL = StorageFault(507, "disk_full", "The server's disk is full: the action was not saved. "
                         "Tell the IT person; the office works again as soon as space is freed.", "storage.disk_full")
READ_ONLY = StorageFault(503, "journal_read_only", "The server cannot write its journal (the disk "
                         "is read-only): the action was not saved. Tell the IT person.", "storage.read_only")
UNAVAILABLE = StorageFault(503, "journal_unavailable", "The server cannot write its journal "
                           "(a disk error): the action was not saved. Tell the IT person.", "storage.unavailable")
BUSY = StorageFault(503, "journal_busy", "The journal is busy with another program: "
                    "the action was not saved. Try again in a moment.", "storage.unavailable")
FAULTS = (DISK_FULL, READ_ONLY, UNAVAILABLE, BUSY)

_SQLITE = {sqlite3.SQLITE_FULL: DISK_FULL, sqlite3.SQLITE_READONLY: READ_ONLY,
           sqlite3.SQLITE_IOERR: UNAVAILABLE, sqlite3.SQLITE_CANTOPEN: UNAVAILABLE,
           sqlite3.SQLITE_BUSY: BUSY, sqlite3.SQLITE_LOCKED: BUSY}
_OS = {errno.ENOSPC: DISK_FULL, errno.EDQUOT: DISK_FULL, errno.EROFS: READ_ONLY, errno.EIO: UNAVAILABLE}


def classify(exc: BaseException) -> StorageFault | None:
    """The storage fault behind an exception, or None if it is not one."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return _SQLITE.get(code & 0xFF) if code is not None else None
    if isinstance(exc, OSError):
        return _OS.get(exc.errno)
    return None
