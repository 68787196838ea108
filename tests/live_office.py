"""A real office for tests: an office folder, and the real app served on 127.0.0.1.

Import from here (`from live_office import start_live_office`), not from
conftest: with several conftest.py files the name `conftest` is ambiguous.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from queue_server.app import CONFIG_NAME, DB_NAME, create_app
from queue_server.auth import Accounts, password_hasher
from queue_server.cli import demo_config
from queue_server.journal_store import JournalStore
from queue_server.serve import ServerThread

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
PASSWORD = "hall-secret-2468"
COUNTERS = {"op1": "1", "op2": "2", "op3": "3", "op4": "4"}
# Real argon2, at the cheapest cost: the standard cost (0.3 s a hash here) would
# make every fixture take seconds. Production keeps the defaults.
TEST_SECURITY = "\n[security]\nargon2_time_cost = 1\nargon2_memory_kib = 1024\n"
# Tests come from 127.0.0.1 only, faster than any hall: the public rate limit is raised here;
# tests of the limits themselves set their own (tests/api/test_edge.py).
TEST_LIMITS = "\n[limits]\npublic_requests_per_second = 1000\nlogins_per_minute = 60000\n"
STAFF = [("op1", "operator"), ("op2", "operator"), ("op3", "operator"), ("op4", "operator"),
         ("head", "head"), ("admin", "admin")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_office_dir(data: Path) -> Path:
    """An office folder with the example config (always open) and staff accounts."""
    data.mkdir(parents=True)
    (data / CONFIG_NAME).write_text(demo_config() + TEST_SECURITY + TEST_LIMITS, encoding="utf-8")
    store = JournalStore(data / DB_NAME)
    accounts = Accounts(store, hasher=password_hasher(1, 1024))
    for login, role in STAFF:
        accounts.add_user(login, role, PASSWORD, now=datetime.now(UTC))
    store.close()
    return data


@dataclass
class LiveOffice:
    app: object
    url: str
    port: int
    tokens: dict
    server: object

    def headers(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def login(self, login: str, counter_id: str | None = None) -> str:
        r = requests.post(f"{self.url}/api/v1/auth/login",
                          json={"login": login, "password": PASSWORD, "counter_id": counter_id}, timeout=5)
        r.raise_for_status()
        return r.json()["token"]

    def relogin(self) -> None:
        """Everyone logs in again (a new working day: yesterday's sessions expired)."""
        for login, _role in STAFF:
            self.tokens[login] = self.login(login, COUNTERS.get(login))

    def post(self, path: str, who: str, json: dict | None = None) -> requests.Response:
        return requests.post(self.url + path, json=json or {}, headers=self.headers(who), timeout=5)

    def get(self, path: str, who: str | None = None, **kw) -> requests.Response:
        return requests.get(self.url + path, headers=self.headers(who) if who else {}, timeout=5, **kw)

    def ticket(self, service_id: str = "reception", **extra) -> dict:
        r = self.post("/api/v1/tickets", "kiosk", {"service_id": service_id, **extra})
        assert r.status_code == 201, r.text
        return r.json()


def start_server(app, port: int, attempts: int = 100) -> ServerThread:
    """Serve `app` on `port` with the production stack, waiting while an old server's
    socket on that port goes away (a restart on the same address)."""
    for _ in range(attempts):
        try:
            return ServerThread(app, "127.0.0.1", port).start()
        except RuntimeError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} stays busy")


def start_live_office(data: Path, clock=None, login_staff: bool = True) -> LiveOffice:
    """The production serving stack (uvicorn, Socket.IO on the loop, Flask in its thread
    pool: queue_server/serve.py) in a thread on a free port; staff logged in unless
    `login_staff` is False (device tokens only: an office run with the shipped limits)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(data, clock=clock, base_url=url)
    now = (clock or app.clock).now()
    tokens = {
        "kiosk": app.accounts.add_device("kiosk-1", "kiosk", now),
        "display": app.accounts.add_device("board-1", "display", now),
        "buttons": app.accounts.add_device("pad-1", "buttons", now),
    }
    server = ServerThread(app, "127.0.0.1", port).start()
    live = LiveOffice(app, url, port, tokens, server)
    if login_staff:
        live.relogin()
    return live


def stop_live_office(live: LiveOffice) -> None:
    live.server.stop()
