"""Shared fixtures: a real office on a real SQLite file, served on 127.0.0.1.

`office_dir` writes the example office (open round the clock); `live_office`
starts the real WSGI app (HTTP + Socket.IO) on a free port in a thread and
hands back URLs, tokens and the app object. Nothing is mocked. The machinery
lives in tests/live_office.py.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from live_office import (  # noqa: F401  (re-exported for older imports)
    PASSWORD,
    STAFF,
    TEST_SECURITY,
    LiveOffice,
    free_port,
    make_office_dir,
    start_live_office,
    stop_live_office,
)

from queue_server.clock import FakeClock


@pytest.fixture
def office_dir(tmp_path) -> Path:
    return make_office_dir(tmp_path / "office")


@pytest.fixture
def office_dir_factory(tmp_path):
    return lambda name: make_office_dir(tmp_path / name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))  # 10:00 in Moscow


@pytest.fixture
def live_office(office_dir, clock):
    """A real server with a fake clock; staff op1–op4 logged in at counters 1–4."""
    live = start_live_office(office_dir, clock)
    yield live
    stop_live_office(live)


@pytest.fixture
def live_office_realtime(office_dir):
    """A real server on the system clock (for clients that measure real time)."""
    live = start_live_office(office_dir)
    yield live
    stop_live_office(live)


@pytest.fixture
def smtp_server(tmp_path):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; `.inbox.wait_for(n)` gives the messages."""
    from notify_servers import SmtpServer

    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway():
    """An HTTP stub of an SMS gateway on 127.0.0.1; `.wait_for(n)` gives the requests."""
    from notify_servers import SmsStub

    stub = SmsStub()
    yield stub
    stub.stop()
