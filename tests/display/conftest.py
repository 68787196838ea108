"""Fixtures for the displays: a server that can be stopped and restarted, pty wires, helpers.

`restartable_office` is the shared `live_office` set-up with a fixed port, so a
display can watch the server die and come back on the same address and data
(device and staff tokens live in the SQLite file, so they stay valid).
Stopping also drops every open WebSocket, as a real process exit would.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from live_office import LiveOffice, start_live_office, start_server, stop_live_office

from queue_server.app import create_app

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class RestartableOffice:
    def __init__(self, data, clock):
        self.data, self.clock = data, clock
        self.live: LiveOffice | None = None
        self.tokens: dict = {}

    def start(self) -> LiveOffice:
        if self.live is None and not self.tokens:
            self.live = start_live_office(self.data, self.clock)
            self.tokens = self.live.tokens
            return self.live
        port = self.port
        url = f"http://127.0.0.1:{port}"
        app = create_app(self.data, clock=self.clock, base_url=url)
        server = start_server(app, port)  # the old socket may linger for a moment
        self.live = LiveOffice(app, url, port, self.tokens, server)
        return self.live

    @property
    def port(self) -> int:
        return int(self._url.rsplit(":", 1)[1])

    def stop(self) -> None:
        live, self.live = self.live, None
        if live is None:
            return
        self._url = live.url
        stop_live_office(live)  # cuts every connection, like a process exit


@pytest.fixture
def restartable_office(office_dir, clock):
    office = RestartableOffice(office_dir, clock)
    office.start()
    office._url = office.live.url
    yield office
    office.stop()


@pytest.fixture
def pty_pair():
    """(master fd, slave path): the device opens the path, the test plays the hardware on the master."""
    opened = []

    def make():
        master, slave = os.openpty()
        name = os.ttyname(slave)
        os.close(slave)
        opened.append(master)
        return master, name

    def unplug(master: int) -> None:
        """The hardware goes away: its end closes now, and teardown does not close that fd number
        again (by then it may be another open file's, a socket's, and closing it breaks that)."""
        opened.remove(master)
        os.close(master)

    make.unplug = unplug
    yield make
    for fd in opened:
        try:
            os.close(fd)
        except OSError:
            pass


# bench/ is not an installed package: the soak and full-screen tests share its device helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
