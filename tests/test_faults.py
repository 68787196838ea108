"""Honest faults: a full disk and a read-only journal, on a real small file system.

The office's data folder lives on a tmpfs the test mounts (the test machine
runs as root); it is filled with a real file or remounted read-only. The
server must say what is wrong (507 `disk_full`, 503 `journal_read_only`),
log it as such, lose nothing it acknowledged, and recover by itself once
space is freed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from live_office import (
    PASSWORD,
    free_port,
    make_office_dir,
    start_live_office,
    start_server,
    stop_live_office,
)
from oplog_support import json_log

from queue_server.app import DB_NAME, create_app
from queue_server.auth import Accounts, password_hasher
from queue_server.clock import FakeClock
from queue_server.journal_store import JournalStore

QSERVER = str(Path(sys.executable).with_name("qserver"))


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 8 MiB mounted for the test; skipped (and said so) where mounting is impossible."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
    yield mnt
    if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system with one file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as exc:
        assert exc.errno == 28  # ENOSPC
    try:
        while True:
            os.write(fd, b"\0")
    except OSError:
        pass
    os.close(fd)
    return filler


def test_a_full_disk_refuses_with_507_loses_nothing_and_recovers_when_space_is_freed(small_disk):
    data = make_office_dir(small_disk / "office")
    clock = FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC))
    with json_log() as log:
        live = start_live_office(data, clock)
        try:
            acknowledged = [live.ticket()["number"] for _ in range(10)]
            filler = fill(small_disk)
            refused = None
            for _ in range(5000):  # the WAL may have room for a few more: they are real tickets
                r = live.post("/api/v1/tickets", "kiosk", {"service_id": "reception"})
                if r.status_code != 201:
                    refused = r
                    break
                acknowledged.append(r.json()["number"])
            assert refused is not None and refused.status_code == 507, refused and refused.text
            assert refused.json() == {"error": {"code": "disk_full", "message": (  # Russian first
                "Диск сервера заполнен: действие не сохранено. Сообщите системному администратору; "
                "офис снова заработает, как только место освободится.")}}
            en = requests.post(live.url + "/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                               headers={**live.headers("kiosk"), "Accept-Language": "en"})
            assert en.status_code == 507 and en.json()["error"]["message"] == (
                "The server's disk is full: the action was not saved. "
                "Tell the IT person; the office works again as soon as space is freed.")

            health = live.get("/healthz")
            assert health.status_code == 503 and health.json()["error"]["code"] == "disk_full"
            assert "cannot be written" in health.json()["error"]["message"]
            # A login writes its session: refused the same clear way, never a 500.
            login = requests.post(live.url + "/api/v1/auth/login", timeout=5,
                                  json={"login": "op1", "password": PASSWORD, "counter_id": "1"})
            assert login.status_code == 507 and login.json()["error"]["code"] == "disk_full"
            # Reading goes on: the hall board and the console still see the hall.
            assert live.get("/api/v1/state", "display").status_code == 200

            filler.unlink()  # the IT person frees space; no restart
            assert live.get("/healthz").status_code == 200
            acknowledged.append(live.ticket()["number"])
            assert live.login("op1", "1")
        finally:
            stop_live_office(live)

    lines = log.lines()
    full = log.events("storage.disk_full", method="POST", path="/api/v1/tickets")
    assert full and full[0]["level"] == "error" and "full" in full[0]["error"]
    assert log.events("http.request", status=507, path="/api/v1/auth/login")
    assert not log.events("http.unexpected")
    assert "cannot rollback" not in log.text()
    assert all(x["level"] != "error" or x["event"].startswith(("storage.", "http.request")) for x in lines)

    store = JournalStore(data / DB_NAME)  # after a restart: every acknowledged ticket, once
    try:
        numbers = [e.data["number"] for e in store.events_after(0) if e.type == "visit.issued"]
    finally:
        store.close()
    assert numbers == acknowledged
    assert numbers == [f"А{i:03d}" for i in range(1, len(numbers) + 1)]  # no gap, no repeat


def _serve(app) -> tuple[str, object]:
    port = free_port()
    return f"http://127.0.0.1:{port}", start_server(app, port)


def test_a_read_only_journal_is_reported_by_healthz_and_every_write_says_why(small_disk):
    data = make_office_dir(small_disk / "office")
    store = JournalStore(data / DB_NAME)
    kiosk = Accounts(store, hasher=password_hasher(1, 1024)).add_device("kiosk-1", "kiosk", datetime.now(UTC))
    store.close()
    # The server was killed (its WAL is still there), then the disk came back read-only.
    subprocess.run([sys.executable, "-c", "import os; from queue_server.journal_store import JournalStore; "
                    f"s = JournalStore({str(data / DB_NAME)!r}); s.last_seq(); os._exit(0)"], check=True)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)

    with json_log() as log:
        app = create_app(data, clock=FakeClock(datetime(2026, 11, 20, 7, 0, tzinfo=UTC)))
        url, server = _serve(app)
        try:
            health = requests.get(url + "/healthz", timeout=5)
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            assert health.json()["error"]["code"] == "journal_read_only"
            assert "read-only" in health.json()["error"]["message"]
            r = requests.post(url + "/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                              headers={"Authorization": f"Bearer {kiosk}"})
            assert r.status_code == 503 and r.json()["error"]["code"] == "journal_read_only"
            assert "только для чтения" in r.json()["error"]["message"]
            assert requests.get(url + "/api/v1/services", timeout=5).status_code == 200  # reads go on
        finally:
            server.stop()  # closes the office too
    (start,) = log.events("server.start")
    assert start["level"] == "error" and "read-only" in start["journal_problem"]
    assert log.events("storage.read_only", path="/api/v1/tickets")


def test_an_office_that_cannot_open_its_journal_says_so_at_start(small_disk):
    data = make_office_dir(small_disk / "office")  # closed cleanly: no WAL to read with
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    proc = subprocess.run([QSERVER, "run", "--data", str(data)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot use the office database" in proc.stderr and "read-only" in proc.stderr
