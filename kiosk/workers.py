"""Running blocking work (HTTP, the printer) off the GUI thread.

``Tasks.run(fn, on_done, on_error)`` runs ``fn`` on a worker thread; the
callback runs later on the GUI thread. The printer gets its own single
thread, so print jobs never overlap and a stalled printer never holds up a
request to the server.

Workers are plain Python threads and results reach the GUI through the same
posted-event inbox as the displays' (``client_common.gui_inbox.GuiInbox``):
callbacks run in the order the results came, and a burst of results costs one
wake-up of the GUI thread. (Earlier PySide6 releases gave other reasons too;
the binding is now pinned by measurement, see tests/display/test_qt_binding.py.)
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from client_common.gui_inbox import GuiInbox

log = logging.getLogger(__name__)


def _deliver(callback: Callable | None, value: Any) -> None:
    if callback is not None:
        try:
            callback(value)
        except Exception:  # a bad callback must not take the kiosk down
            log.exception("kiosk callback failed")


class Tasks:
    def __init__(self, threads: int = 3) -> None:
        self.inbox = GuiInbox()
        self.network = ThreadPoolExecutor(threads, thread_name_prefix="kiosk-net")
        self.printer = ThreadPoolExecutor(1, thread_name_prefix="kiosk-printer")  # in order
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], Any], on_done=None, on_error=None) -> None:
        self._submit(self.network, fn, on_done, on_error)

    def run_printer(self, fn: Callable[[], Any], on_done=None, on_error=None) -> None:
        self._submit(self.printer, fn, on_done, on_error)

    def _submit(self, pool: ThreadPoolExecutor, fn, on_done, on_error) -> None:
        def job() -> None:
            callback = on_done
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the GUI as a value
                callback, result = on_error, exc
            self.inbox.post(_deliver, callback, result)

        future = pool.submit(job)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait(self, ms: int = 3000) -> bool:
        """Wait for the jobs under way (not their GUI callbacks); True when all ended."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=ms / 1000)
        return not not_done
