"""Helpers for the centre's tests: the real CLI, a real `qcentral run` process, offices that push.

Plain functions and classes (import them by name); fixtures are in conftest.py.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests
from live_office import free_port, make_office_dir, start_live_office

ROOT = Path(__file__).parents[2]
HEAD_PASSWORD = "head-pass-123"


def qcentral(db_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The real command line, as an installer types it."""
    result = subprocess.run([sys.executable, "-m", "qcentral", "--db", db_url, *args], capture_output=True,
                            text=True, timeout=120, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"qcentral {' '.join(args)} failed: {result.stderr}")
    return result


def add_office(db_url: str, name: str) -> tuple[int, str]:
    """`qcentral office add NAME`: the token is the last line; the id is in the first."""
    out = qcentral(db_url, "office", "add", name).stdout.strip().splitlines()
    return int(out[0].split()[1]), out[-1]


def wait_for(condition, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


class CentralProcess:
    """`qcentral --db URL run` in a process of its own, which a test may SIGKILL and start again."""

    def __init__(self, db_url: str, log_path: Path, port: int | None = None, tls: tuple[Path, Path] | None = None):
        self.db_url = db_url
        self.log_path = log_path
        self.port = port or free_port()
        self.tls = tls
        self.scheme = "https" if tls else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> CentralProcess:
        args = [sys.executable, "-m", "qcentral", "--db", self.db_url, "run", "--host", "127.0.0.1",
                "--port", str(self.port)]
        if self.tls:
            args += ["--certfile", str(self.tls[0]), "--keyfile", str(self.tls[1])]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        if not self.tls:
            wait_for(self.healthy, 30, 0.05, "qcentral to answer /healthz")
        else:
            wait_for(lambda: self._listening(), 30, 0.05, "qcentral to listen")
        return self

    def _listening(self) -> bool:
        import socket

        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def healthy(self) -> bool:
        try:
            return requests.get(self.url + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what PostgreSQL committed is all that stays."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def login(self, login: str, password: str = HEAD_PASSWORD) -> str:
        r = requests.post(self.url + "/api/v1/auth/login", json={"login": login, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def get(self, path: str, token: str) -> requests.Response:
        return requests.get(self.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def central_section(url: str, token: str, interval_s: int = 60, ca_file: str = "") -> str:
    return (f'\n[central]\nurl = "{url}"\ntoken = "{token}"\ninterval_s = {interval_s}\n'
            f'ca_file = "{ca_file}"\n')


def pushing_office(data: Path, centre_url: str, token: str, interval_s: int = 60, ca_file: str = "",
                   name: str | None = None):
    """A real office (in-process, real server on 127.0.0.1) configured to push to the centre."""
    make_office_dir(data)
    config = data / "office.toml"
    text = config.read_text(encoding="utf-8")
    if name:
        text = text.replace('name = "', f'name = "{name}"  # was "', 1)
    config.write_text(text + central_section(centre_url, token, interval_s, ca_file), encoding="utf-8")
    return start_live_office(data)


def office_lines(live) -> list[tuple]:
    """Every journal line of an office, as (seq, uid, type, visit) in seq order."""
    return [tuple(r) for r in live.app.store.query("SELECT seq, uid, type, visit FROM events ORDER BY seq")]


def centre_lines(db_url: str, office_id: int) -> list[tuple]:
    with psycopg.connect(db_url) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT seq, uid, type, visit FROM journal WHERE office_id = %s ORDER BY seq", (office_id,))]


def pusher(live):
    return live.app.extras["central_push"]


def caught_up(live, db_url: str, office_id: int):
    """A condition: the centre holds exactly the office's journal."""
    return lambda: office_lines(live) == centre_lines(db_url, office_id)


def now() -> datetime:
    return datetime.now(UTC)


__all__ = ["os"]
