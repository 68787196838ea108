"""Running blocking work (HTTP, the printer) off the GUI thread.

``Tasks.run(fn, on_done, on_error)`` runs ``fn`` on a QThreadPool; the callbacks
run later on the GUI thread, delivered through one queued signal. The printer
gets its own pool of one thread, so print jobs never overlap and a stalled
printer never holds up a request to the server.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Dispatcher(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call to ``_deliver``."""

    finished = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Any, value: Any) -> None:
        if callback is not None:
            try:
                callback(value)
            except Exception:  # a bad callback must not take the kiosk down
                log.exception("kiosk callback failed")


class _Job(QRunnable):
    def __init__(self, dispatcher: _Dispatcher, fn: Callable[[], Any], on_done, on_error):
        super().__init__()
        self.dispatcher, self.fn, self.on_done, self.on_error = dispatcher, fn, on_done, on_error
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI as a value
            self.dispatcher.finished.emit(self.on_error, exc)
        else:
            self.dispatcher.finished.emit(self.on_done, result)


class Tasks:
    def __init__(self, threads: int = 3) -> None:
        self.dispatcher = _Dispatcher()
        self.network = QThreadPool()
        self.network.setMaxThreadCount(threads)
        self.printer = QThreadPool()
        self.printer.setMaxThreadCount(1)  # one job at a time, in order

    def run(self, fn: Callable[[], Any], on_done=None, on_error=None) -> None:
        self.network.start(_Job(self.dispatcher, fn, on_done, on_error))

    def run_printer(self, fn: Callable[[], Any], on_done=None, on_error=None) -> None:
        self.printer.start(_Job(self.dispatcher, fn, on_done, on_error))

    def wait(self, ms: int = 3000) -> bool:
        a = self.network.waitForDone(ms)
        b = self.printer.waitForDone(ms)
        return a and b
