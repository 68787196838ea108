"""Results from worker threads delivered on the GUI thread, in order, with one wake-up per burst.

The displays' Socket.IO link and the kiosk's HTTP and printer workers run on
threads of their own; what they produce is put into a :class:`GuiInbox`, which
wakes the GUI thread with a posted Qt event, where the callables run one after
another. So no widget is touched from another thread and the GUI never waits.

Why a posted event and not a queued signal: one posted event drains every
item queued meanwhile, so a burst of pushes wakes the GUI once, in order.
(PySide6 6.12.0 also broke Python-side ``emit()``; the binding is pinned by
measurement now, see tests/display/test_qt_binding.py.)
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject

_DRAIN = QEvent.Type(QEvent.registerEventType())


class GuiInbox(QObject):
    """Run callables on the thread that owns this object (the GUI), in the order posted."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._items: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._woken = False

    def post(self, fn: Callable, *args) -> None:
        """From any thread: ``fn(*args)`` will run on the GUI thread."""
        self._items.put((fn, args))
        with self._lock:
            if self._woken:
                return  # a drain is already on its way and will see this item
            self._woken = True
        QCoreApplication.postEvent(self, QEvent(_DRAIN))

    def event(self, e: QEvent) -> bool:  # noqa: D401 - Qt's name
        if e.type() == _DRAIN:
            self.drain()
            return True
        return super().event(e)

    def drain(self) -> None:
        with self._lock:
            self._woken = False
        while True:
            try:
                fn, args = self._items.get_nowait()
            except queue.Empty:
                return
            fn(*args)
