"""The displays' Socket.IO client: :class:`~counter_display.link.RealtimeLink` delivered on the GUI thread.

The link runs on its own threads. Its events are put, in arrival order, into
a :class:`~client_common.gui_inbox.GuiInbox` (shared with the kiosk), which wakes
the GUI thread with a posted Qt event; there the handlers run, one after another.
So no widget is touched from a network thread and the GUI never waits on the network.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from client_common.gui_inbox import GuiInbox
from counter_display.link import RealtimeLink


def _ignore(*_args) -> None:
    pass


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
