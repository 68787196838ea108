"""A kill -9 mid-stream never loses an acknowledged ticket.

The real `qserver run` (gunicorn) runs as a subprocess group; a thread issues
tickets as fast as it can while the whole group is SIGKILLed, as in a power
cut. After a restart every ticket that got a 201 is there, once, and
numbering continues after the last one.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from live_office import free_port


def start_server(data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("qserver")), "run", "--data", str(data), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError("server did not start")


def test_kill_dash_nine_loses_no_acknowledged_ticket(office_dir):
    from queue_server.app import DB_NAME
    from queue_server.auth import Accounts, password_hasher
    from queue_server.journal_store import JournalStore

    store = JournalStore(office_dir / DB_NAME)
    token = Accounts(store, hasher=password_hasher(1, 1024)).add_device("kiosk", "kiosk", __import__("datetime").datetime.now().astimezone())
    store.close()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(office_dir, port)
    acknowledged: list[str] = []
    stop = threading.Event()

    def issue_forever():
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while not stop.is_set():
            try:
                r = session.post(f"{url}/api/v1/tickets", json={"service_id": "reception"}, timeout=2)
            except requests.RequestException:
                return
            if r.status_code == 201:
                acknowledged.append(r.json()["number"])

    threads = [threading.Thread(target=issue_forever) for _ in range(4)]
    for t in threads:
        t.start()
    while len(acknowledged) < 150:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole server, mid-stream
    proc.wait()
    stop.set()
    for t in threads:
        t.join()

    proc = start_server(office_dir, port)
    try:
        lines = [json.loads(x) for x in requests.get(
            f"{url}/api/v1/journal", headers={"Authorization": f"Bearer {_head_token(url)}"}, timeout=10).text.splitlines()]
        numbers = [x["data"]["number"] for x in lines if x["type"] == "visit.issued"]
        assert set(acknowledged) <= set(numbers), "an acknowledged ticket was lost"
        assert len(numbers) == len(set(numbers)), "a number was issued twice"
        r = requests.post(f"{url}/api/v1/tickets", json={"service_id": "reception"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 201
        assert int(r.json()["number"][1:]) == max(int(n[1:]) for n in numbers) + 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def _head_token(url: str) -> str:
    from live_office import PASSWORD

    return requests.post(f"{url}/api/v1/auth/login", json={"login": "head", "password": PASSWORD}, timeout=5).json()["token"]
