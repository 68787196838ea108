"""The displays' Socket.IO client: :class:`~counter_display.link.RealtimeLink` delivered on the GUI thread.

The link runs on its own threads. Its events are put, in arrival order, into
a :class:`GuiInbox`, which wakes the GUI thread with a posted Qt event; there
the handlers run, one after another. So no widget is touched from a network
thread and the GUI never waits on the network.

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

from counter_display.link import RealtimeLink

_DRAIN = QEvent.Type(QEvent.registerEventType())


def _ignore(*_args) -> None:
    pass


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


class BoardClient(QObject):
    """A link whose ``on_*`` handlers run on the GUI thread.

    ``on_snapshot(dict)`` after every (re)connect, ``on_state(dict)`` after
    every change, ``on_called(dict)`` per call or recall, ``on_services(list)``
    with the service names, ``on_status(status, detail)`` on connection changes.
    """

    def __init__(self, server: str, token: str, *, counter: str | None = None,
                 on_snapshot: Callable = _ignore, on_state: Callable = _ignore,
                 on_called: Callable = _ignore, on_services: Callable = _ignore,
                 on_status: Callable = _ignore, parent: QObject | None = None, **link_options):
        super().__init__(parent)
        self.inbox = GuiInbox(self)
        post = self.inbox.post
        self.link = RealtimeLink(
            server, token, counter=counter,
            on_snapshot=lambda body: post(on_snapshot, body),
            on_state=lambda body: post(on_state, body),
            on_called=lambda body: post(on_called, body),
            on_status=lambda status, detail: post(on_status, status, detail),
            on_services=lambda services: post(on_services, services),
            **link_options,
        )

    def start(self) -> None:
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
