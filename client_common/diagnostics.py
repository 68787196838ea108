"""`--diagnostics FILE`: how a device that runs all day is doing, written once a second.

A heartbeat timer on the GUI thread measures how late it fires: a late beat is
time the GUI thread spent on something else (a long paint, blocking I/O) while
the hall saw a frozen screen. The file (JSON, replaced atomically) holds the
longest stall, the recent stalls over 50 ms with their times, the process's
RSS from /proc, and what the window covers, so soak tests, benchmarks and an IT
person can all read the same numbers. Off unless the option is given.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QWidget

log = logging.getLogger(__name__)

BEAT_MS = 50
NOTED_STALL_MS = 50.0  # stalls longer than this are listed with their time
LOGGED_STALL_MS = 200.0  # and longer than this also logged as a warning


def rss_kib(pid: int | str = "self") -> int:
    """Resident set size of a process in KiB, from /proc (0 where there is no /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def buttons_outside(window: QWidget) -> list[str]:
    """Visible buttons of ``window`` not wholly inside it (cut off at the screen's edge)."""
    inside = window.rect()
    outside = []
    for button in window.findChildren(QAbstractButton):
        if button.isVisible():
            top_left = button.mapTo(window, button.rect().topLeft())
            rect = button.rect().translated(top_left)
            if not inside.contains(rect):
                outside.append(f"{button.objectName() or button.text()!r} at {rect.getRect()}")
    return outside


class Diagnostics(QObject):
    """The heartbeat and its status file; ``extra()`` adds the device's own counters."""

    def __init__(self, path: Path | str, window: QWidget, extra: Callable[[], dict] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path, self.window, self.extra = Path(path), window, extra
        self.started = time.monotonic()
        self.beats = 0
        self.max_stall_ms = 0.0
        self.stalls: deque[tuple[float, float]] = deque(maxlen=500)  # (seconds since start, ms)
        self._last = self.started
        self._written = 0.0
        self.max_gc_ms = 0.0  # the longest garbage collection, any thread: a stall the heartbeat may see
        self._gc_started = 0.0
        self.timer = QTimer(self, interval=BEAT_MS, timeout=self._beat)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)

    def start(self) -> None:
        self._last = time.monotonic()
        gc.callbacks.append(self._gc)
        self.timer.start()
        self.write()

    def stop(self) -> None:
        self.timer.stop()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)
        self.write()

    def _gc(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started:
            self.max_gc_ms = max(self.max_gc_ms, (time.perf_counter() - self._gc_started) * 1000)

    def _beat(self) -> None:
        now = time.monotonic()
        late = (now - self._last) * 1000.0 - BEAT_MS
        self._last = now
        self.beats += 1
        if late > self.max_stall_ms:
            self.max_stall_ms = late
        if late > NOTED_STALL_MS:
            self.stalls.append((round(now - self.started, 3), round(late, 1)))
            if late > LOGGED_STALL_MS:
                log.warning("the screen stalled for %.0f ms", late)
        if now - self._written >= 1.0:
            self.write()

    def snapshot(self) -> dict:
        window, screen = self.window, self.window.screen()
        frame = window.frameGeometry()
        state = {
            "pid": os.getpid(),
            "clock_start": round(self.started, 3),  # CLOCK_MONOTONIC, shared by the machine's processes
            "uptime_s": round(time.monotonic() - self.started, 3),
            "beats": self.beats,
            "max_stall_ms": round(self.max_stall_ms, 1),
            "stalls": list(self.stalls),
            "rss_kib": rss_kib(),
            "max_gc_ms": round(self.max_gc_ms, 1),
            "window": [frame.x(), frame.y(), frame.width(), frame.height()],
            "screen": list(screen.geometry().getRect()) if screen is not None else None,
            "fullscreen": bool(window.windowState() & Qt.WindowState.WindowFullScreen),
            "buttons_outside": buttons_outside(window),
        }
        if self.extra is not None:
            state.update(self.extra())
        return state

    def write(self) -> None:
        self._written = time.monotonic()
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.snapshot(), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk must not take the screen down
            log.warning("diagnostics: cannot write %s: %s", self.path, exc)
