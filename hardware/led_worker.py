"""Keep an LED board showing what it should, from a thread of its own.

The hall board's GUI must never wait on a serial line, and a board that was
unplugged for a minute should show the current call once it is back, not the
one from before. So callers only say what the board *should* show; the worker
sends the latest wish, and after a :class:`DeviceFault` retries it when the
board's backoff says so. Older wishes that were never delivered are dropped:
a board shows one thing at a time.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from hardware.led_boards import LedBoard
from hardware.serial_port import DeviceFault

log = logging.getLogger(__name__)


class LedBoardWorker:
    """Non-blocking front of one :class:`LedBoard`; ``start()`` before use."""

    def __init__(
        self,
        board: LedBoard,
        on_fault: Callable[[DeviceFault], None] | None = None,
        on_recover: Callable[[], None] | None = None,
        *,
        default_retry_s: float = 1.0,
    ):
        self.board = board
        self.on_fault, self.on_recover = on_fault, on_recover
        self.default_retry_s = default_retry_s
        self.faulty = False
        self._wish: tuple[str, tuple[str, ...]] | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def show_call(self, number: str, counter: str) -> None:
        self._want("show_call", number, counter)

    def show_text(self, text: str) -> None:
        self._want("show_text", text)

    def clear(self) -> None:
        self._want("clear")

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"led:{self.board.name}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.board.close()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once the latest wish reached the board (for tests and shutdown)."""
        return self._idle.wait(timeout)

    def _want(self, method: str, *args: str) -> None:
        with self._lock:
            self._wish = (method, args)
            self._idle.clear()
        self._wake.set()

    def _run(self) -> None:
        delay: float | None = None
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            with self._lock:
                wish = self._wish
            if self._stop.is_set() or wish is None:
                delay = None
                continue
            delay = self._deliver(wish)

    def _deliver(self, wish: tuple[str, tuple[str, ...]]) -> float | None:
        method, args = wish
        try:
            getattr(self.board, method)(*args)
        except DeviceFault as fault:
            log.warning("LED board fault: %s", fault)
            if not self.faulty and self.on_fault is not None:
                self._safe(self.on_fault, fault)
            self.faulty = True
            return max(0.05, fault.retry_in if fault.retry_in is not None else self.default_retry_s)
        with self._lock:
            if self._wish == wish:
                self._wish = None
                self._idle.set()
        if self.faulty:
            self.faulty = False
            log.info("LED board back: %s", self.board.name)
            if self.on_recover is not None:
                self._safe(self.on_recover)
        return None

    @staticmethod
    def _safe(callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception:  # a broken callback must not kill the worker
            log.exception("LED worker callback failed")
