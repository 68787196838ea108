"""Logs an office's IT person can read: one JSON object per line on stdout.

Under systemd, stdout goes to the journal (`journalctl -u qserver -o cat`),
and every line is a JSON object a person can read and `jq` can filter:

    {"ts": "2026-11-20T07:32:05.120Z", "level": "info", "logger": "queue_server.http",
     "event": "http.request", "method": "POST", "path": "/api/v1/tickets", "status": 201, ...}

Each kind of line has a name (`event`) listed in EVENTS and explained in
docs/operations.md; a test keeps the two in step. Lines written by libraries
or by plain `log.info(...)` calls come out the same way, with event "message".
Secrets never go in: callers pass logins and paths, not tokens or passwords.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import weakref
from datetime import UTC, datetime
from typing import IO

EVENTS: dict[str, str] = {
    "server.start": "the office opened: version, data folder, database layout, journal position",
    "server.stop": "the office closed cleanly",
    "http.request": "one HTTP request: method, path (no query), status, ms, who (staff:login or device:name), addr",
    "http.unexpected": "a request failed on a bug: method, path and the traceback (answered 500)",
    "auth.login": "a staff login succeeded: login, addr, via (api or page)",
    "auth.login_failed": "a staff login was refused: login, addr, via, reason",
    "admin.act": "an administrator changed the office: actor, act, target",
    "device.fault": "a device reported a fault: device, kind, component, message",
    "device.ok": "a device reported it works again: device, kind, component",
    "device.down": "a device's heartbeat stopped (devices.silent_after_s): device, kind, since, silent_s",
    "device.up": "a silent device is heard again: device, kind, down_since, down_s",
    "storage.disk_full": "a write was refused because the disk is full (answered 507): method, path",
    "storage.read_only": "a write was refused because the journal is read-only (answered 503)",
    "storage.unavailable": "a write was refused on a disk error or a busy journal (answered 503)",
    "backup.done": "a backup was written: path, bytes, ms",
    "backup.failed": "a backup could not be written: error (nothing half-written is left)",
    "backup.pruned": "old backups and a killed backup's leftovers were removed: removed",
    "restore.done": "a backup was put in place: source, events, kept (the database set aside)",
    "restore.finished_at_start": "a restore killed half-way was finished at start: kept",
    "db.upgraded": "the database layout was upgraded one step: to_layout, what, ms",
    "db.copy_before_upgrade": "a copy of the database was kept before upgrading it: path",
    "db.checkpoint_failed": "copying the WAL into the database failed (a full disk); retried later",
    "day.over": "the midnight sweep (or the one at start): cancelled tickets left from earlier days, "
                "bookings nobody came for marked",
    "privacy.blanked": "what clerks typed, older than privacy.keep_personal_days, was blanked: events",
    "privacy.bookings_blanked": "names and contacts of bookings older than privacy.keep_booking_days were "
                                "blanked: bookings",
    "reports.written": "a closed day's reports were written: paths",
    "facts.built": "closed days' facts were built from the journal for period reports: days, first, last",
    "job.failed": "a scheduled job (backup, reports, day over) failed: job and the traceback",
}


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: ts (UTC), level, logger, event, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
                          .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "message"),
        }
        fields = getattr(record, "fields", None)
        if fields is None:
            out["message"] = record.getMessage()
        else:
            for key, value in fields.items():
                out.setdefault(key, value)
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


_HANDLER_NAME = "queue_server.jsonlog"


class BackgroundHandler(logging.Handler):
    """Queues info records for a thread of its own, which formats and writes
    them ten times a second.

    A request thread then neither formats JSON nor waits on the pipe to
    journald, and nobody is woken per line: on the office's two cores a write
    per request (it hands the GIL over) or a wake-up per line each cost a
    ticket more than the line itself (measured: bench/bench_access_log.py,
    docs/performance.md). Warnings and errors are written at once by the
    thread that logs them, after everything queued before them, so a crash
    right after a refusal cannot lose its line and order is kept. The writer
    thread starts with the first record of each process, so a server that
    forks its worker logs from the worker.
    """

    INTERVAL_S = 0.1

    def __init__(self, target: logging.Handler):
        super().__init__()
        self.target = target
        self._reset()
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (h := ref()) is not None and h._reset())

    def _reset(self) -> None:
        """A fresh start (also in a forked child, where the parent's thread does not exist)."""
        self._pid: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._starting = threading.Lock()
        self._writing = threading.Lock()
        self._stopped = threading.Event()

    def _started(self) -> None:
        if self._pid != os.getpid():
            with self._starting:
                if self._pid != os.getpid():
                    threading.Thread(target=self._write, name="log-writer", daemon=True).start()
                    self._pid = os.getpid()

    def _write(self) -> None:
        while not self._stopped.wait(self.INTERVAL_S):
            self._drain()

    def _drain(self) -> None:
        with self._writing:
            self._write_queued()

    def _write_queued(self) -> None:
        """Write what is queued (the caller holds `_writing`)."""
        while True:
            try:
                record = self._queue.get_nowait()
            except queue.Empty:
                return
            self.target.handle(record)  # reports its own errors (Handler.handleError)

    def emit(self, record: logging.LogRecord) -> None:
        self._started()
        if record.levelno >= logging.WARNING:
            with self._writing:
                self._write_queued()
                self.target.handle(record)
        else:
            self._queue.put(record)

    def flush(self) -> None:
        """Write every record handed over so far."""
        self._drain()
        try:
            self.target.flush()
        except (OSError, ValueError):  # the stream is gone (shutting down)
            pass

    def stop(self) -> None:
        """Write what is queued and end the writer thread (the stream stays open)."""
        self._stopped.set()
        self.flush()

    def close(self) -> None:
        self.stop()
        self.target.close()
        super().close()


def setup(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send every log record to `stream` (stdout) as JSON lines, written by a
    thread of their own. Idempotent: called again, it replaces its own handler
    and leaves others alone. Returns the handler (its flush() waits for the writer)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if h.get_name() == _HANDLER_NAME:
            root.removeHandler(h)
            h.close()
    writer = logging.StreamHandler(stream or sys.stdout)
    writer.setFormatter(JsonFormatter())
    handler = BackgroundHandler(writer)
    handler.set_name(_HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return handler


class _Line:
    """The plain-text message of an event, made only if a plain handler asks for it."""

    __slots__ = ("name", "fields")

    def __init__(self, name: str, fields: dict):
        self.name, self.fields = name, fields

    def __str__(self) -> str:
        return " ".join([self.name, *(f"{k}={v}" for k, v in self.fields.items())])


def event(logger: logging.Logger, name: str, level: int = logging.INFO, /,
          exc_info: BaseException | None = None, **fields) -> None:
    """Log the event `name` (one of EVENTS) with its fields (and a traceback, if given)."""
    if logger.isEnabledFor(level):
        logger.log(level, _Line(name, fields), exc_info=exc_info, extra={"event": name, "fields": fields})


def log_admin_act(actor: str, act: str, target: str = "", **fields) -> None:
    """For administration (users, devices, settings): who did what to whom.
    `actor` is a staff login or "cli"; never pass a password or a token."""
    event(logging.getLogger("queue_server.admin"), "admin.act", actor=actor, act=act, target=target, **fields)
