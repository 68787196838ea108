"""Start-up of a bundled program (the entry scripts' one helper), for the PC with no console.

Each bundle has two executables from one entry script: ``qkiosk.exe`` with a console
(commissioning, ``test-print``, ``--help``, the bridges under NSSM) and ``qkioskw.exe``
without one, which Task Scheduler starts at logon so no console window sits behind
the kiosk. A program without a console has no stdout or stderr at all (Python sets
them to None), so its log, ``print()`` and any traceback would vanish; here they go to
``%LOCALAPPDATA%\\queue-office\\logs\\<program>.log`` instead, rotated at 1 MB, five kept,
so a PC that runs for months never fills its disk.
"""
from __future__ import annotations

import io
import logging
import logging.handlers
import os
import sys
from collections.abc import Callable
from pathlib import Path

LOG_BYTES = 1_000_000
LOG_KEEP = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # the programs' own (kiosk/cli.py)


def log_folder() -> Path:
    """Where a console-less program writes its log: the user's local application data."""
    base = os.environ.get("LOCALAPPDATA") or Path.home() / ".local" / "state"
    return Path(base) / "queue-office" / "logs"


class LogStream(io.TextIOBase):
    """A text stream that turns each line written to it into a log record."""

    def __init__(self, logger: logging.Logger, level: int):
        super().__init__()
        self.logger, self.level, self._pending = logger, level, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            if line.strip():
                self.logger.log(self.level, line.rstrip())
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            self.logger.log(self.level, self._pending.rstrip())
        self._pending = ""


def log_to_file(program: str, verbose: bool) -> Path:
    """Send logging, stdout and stderr of this process to its rotating log file."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{program}.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_KEEP,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)  # the program's own basicConfig() then leaves logging as it is
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    sys.stdout = LogStream(logging.getLogger(program), logging.INFO)
    sys.stderr = LogStream(logging.getLogger(program), logging.ERROR)
    return path


def run(program: str, main: Callable[[], int | None]) -> int:
    """``main()``'s exit status; without a console, everything it says goes to the log file."""
    if sys.stderr is not None:
        return main() or 0
    log_to_file(program, any(a in ("-v", "--verbose") for a in sys.argv[1:]))
    log = logging.getLogger(program)
    try:
        return main() or 0
    except SystemExit as exc:  # argparse and the programs' own "qdisplay: no server…"
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        log.error("%s", exc.code)
        return 1
    except BaseException:  # a windowed program's traceback would otherwise be lost
        log.exception("%s stopped on an unexpected error", program)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
