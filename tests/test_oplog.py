"""Logs an IT person can use: JSON lines on stdout for a normal day and for its faults.

The first test reads the stdout of a real `qserver run` the way journald
would keep it; the others build the same app in-process and read the same
JSON lines through the server's own log set-up.
"""
from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from live_office import PASSWORD, free_port
from oplog_support import background_logger, json_log
from tests_support import KIOSK

from queue_server.adapters import oplog
from queue_server.app import DB_NAME, create_app
from queue_server.auth import Accounts, password_hasher
from queue_server.clock import FakeClock
from queue_server.domain.commands import IssueTicket
from queue_server.journal_store import JournalStore

ROOT = Path(__file__).parents[1]
QSERVER = str(Path(sys.executable).with_name("qserver"))


def _devices(data: Path) -> dict[str, str]:
    store = JournalStore(data / DB_NAME)
    try:
        accounts = Accounts(store, hasher=password_hasher(1, 1024))
        now = datetime.now(UTC)
        return {"kiosk": accounts.add_device("kiosk-hall", "kiosk", now),
                "board": accounts.add_device("board-hall", "display", now)}
    finally:
        store.close()


def test_a_normal_day_leaves_readable_json_lines_on_the_stdout_of_qserver_run(office_dir):
    tokens = _devices(office_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([QSERVER, "run", "--data", str(office_dir), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{url}/healthz?probe=hunter2", timeout=0.5).ok:
                    break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.1)
        kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
        assert requests.post(f"{url}/api/v1/tickets", json={"service_id": "reception"}, headers=kiosk,
                             timeout=5).status_code == 201
        wrong = requests.post(f"{url}/api/v1/auth/login", json={"login": "op1", "password": "guess-123"}, timeout=5)
        assert wrong.status_code == 401
        staff = requests.post(f"{url}/api/v1/auth/login", timeout=5,
                              json={"login": "op1", "password": PASSWORD, "counter_id": "1"}).json()["token"]
        op1 = {"Authorization": f"Bearer {staff}"}
        assert requests.post(f"{url}/api/v1/counters/1/next", json={}, headers=op1, timeout=5).status_code == 200
        board = {"Authorization": f"Bearer {tokens['board']}"}
        for status in ("fault", "ok"):
            assert requests.post(f"{url}/api/v1/devices/status", headers=board, timeout=5, json={
                "status": status, "component": "led", "message": "no answer on /dev/ttyUSB0"}).status_code == 204
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _err = proc.communicate(timeout=30)

    lines = [json.loads(line) for line in out.splitlines()]  # every line is one JSON object
    assert lines and all({"ts", "level", "logger", "event"} <= set(x) for x in lines)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", x["ts"]) for x in lines)

    def find(event, **match):
        return [x for x in lines if x["event"] == event and all(x.get(k) == v for k, v in match.items())]

    (start,) = find("server.start")
    assert start["version"] and start["data"] == str(office_dir.resolve()) and start["layout"] >= 2
    (ticket,) = find("http.request", method="POST", path="/api/v1/tickets")
    assert ticket["status"] == 201 and ticket["who"] == "device:kiosk-hall" and ticket["addr"] == "127.0.0.1"
    assert isinstance(ticket["ms"], float | int) and ticket["ms"] >= 0
    (failed,) = find("auth.login_failed")
    assert failed == {**failed, "login": "op1", "addr": "127.0.0.1", "via": "api",
                      "reason": "wrong login or password", "level": "warning"}
    assert find("auth.login", login="op1", via="api")
    assert find("http.request", path="/api/v1/counters/1/next", who="staff:op1", status=200)
    (fault,) = find("device.fault")
    assert fault == {**fault, "device": "board-hall", "kind": "display", "component": "led",
                     "message": "no answer on /dev/ttyUSB0", "level": "warning"}
    assert find("device.ok", device="board-hall")
    assert find("http.request", path="/healthz")  # the path only: its query may carry anything
    for secret in ("hunter2", "guess-123", PASSWORD, staff, tokens["kiosk"], tokens["board"]):
        assert secret not in out


def test_a_bug_is_logged_with_method_path_and_traceback_and_answered_in_words(office_dir):
    with json_log() as log:
        app = create_app(office_dir)
        try:
            def broken():
                raise RuntimeError("the developer's mistake")

            app.flask.add_url_rule("/api/v1/broken", "broken", broken, methods=["POST"])
            r = app.flask.test_client().post("/api/v1/broken?x=1")
        finally:
            app.close()
    assert r.status_code == 500 and r.get_json()["error"]["code"] == "internal"
    (bug,) = log.events("http.unexpected")
    assert bug["method"] == "POST" and bug["path"] == "/api/v1/broken" and bug["level"] == "error"
    assert "RuntimeError: the developer's mistake" in bug["traceback"]
    (line,) = log.events("http.request", path="/api/v1/broken")
    assert line["status"] == 500 and line["level"] == "error" and line["code"] == "internal"
    assert log.events("server.stop")


def test_logins_on_the_page_are_logged_too(office_dir):
    with json_log() as log:
        app = create_app(office_dir)
        try:
            client = app.flask.test_client()
            client.get("/console", environ_base={"REMOTE_ADDR": "10.0.0.7"})
            csrf = client.get_cookie("qcsrf").value
            form = {"login": "op2", "password": "nope-nope", "counter_id": "2", "next": "console", "csrf_token": csrf}
            assert client.post("/login", data=form, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 401
            form["password"] = PASSWORD
            assert client.post("/login", data=form, environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302
        finally:
            app.close()
    assert log.events("auth.login_failed", login="op2", via="page", addr="10.0.0.7", reason="wrong login or password")
    assert log.events("auth.login", login="op2", via="page", addr="10.0.0.7")
    assert "nope-nope" not in log.text() and PASSWORD not in log.text()


def test_the_midnight_sweep_and_the_nightly_backup_say_what_they_did(office_dir):
    clock = FakeClock(datetime(2026, 11, 19, 17, 0, tzinfo=UTC))  # 20:00 in Moscow
    backups = office_dir / "backups"
    backups.mkdir()
    for day in range(1, 16):  # fifteen old nightly backups: one more than backup.keep_days
        (backups / f"office-2026-10-{day:02d}.sqlite").write_bytes(b"old")
    with json_log() as log:
        app = create_app(office_dir, clock=clock)
        try:
            app.service.handle(IssueTicket("reception"), KIOSK)
            app.service.handle(IssueTicket("payments"), KIOSK)
            clock.set(datetime(2026, 11, 19, 21, 0, 30, tzinfo=UTC))  # 00:00:30 local
            app.extras["scheduler"].tick()
            clock.set(datetime(2026, 11, 20, 0, 0, 30, tzinfo=UTC))  # 03:00:30 local
            app.extras["scheduler"].tick()
        finally:
            app.close()
    assert log.events("day.over", when="start", cancelled=0)
    assert log.events("day.over", when="midnight", cancelled=2)
    assert log.events("privacy.blanked", events=0)
    (done,) = log.events("backup.done")
    assert done["path"] == str(backups / "office-2026-11-20.sqlite") and done["bytes"] > 0 and done["ms"] >= 0
    (pruned,) = log.events("backup.pruned")
    assert pruned["removed"] == [str(backups / f"office-2026-10-{d:02d}.sqlite") for d in (1, 2)]


def test_a_failing_job_logs_why_and_the_office_goes_on(office_dir):
    clock = FakeClock(datetime(2026, 11, 19, 23, 59, tzinfo=UTC))  # 02:59 local
    (office_dir / "backups").write_text("a file where the backups folder should be")
    with json_log() as log:
        app = create_app(office_dir, clock=clock)
        try:
            clock.advance(120)
            app.extras["scheduler"].tick()
            assert app.service.handle(IssueTicket("reception"), KIOSK)  # the office goes on
        finally:
            app.close()
    (failed,) = log.events("job.failed", job="backup")
    assert failed["level"] == "error" and "FileExistsError" in failed["traceback"]


def test_log_admin_act_for_the_administration_to_come():
    with json_log() as log:
        oplog.log_admin_act("admin", "device.revoke", "kiosk-hall", reason="stolen")
    (act,) = log.events("admin.act")
    assert act == {**act, "actor": "admin", "act": "device.revoke", "target": "kiosk-hall", "reason": "stolen",
                   "logger": "queue_server.admin", "level": "info"}


def test_every_log_event_is_listed_and_documented():
    names = set()
    for path in (ROOT / "queue_server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "event"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)):
                names.add(node.args[1].value)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(
                    r"(device|storage)\.[a-z_]+", node.value):
                names.add(node.value)  # names chosen at run time (faults, device reports)
    assert names - {"device.fault", "device.ok"} and names <= set(oplog.EVENTS), names - set(oplog.EVENTS)
    doc = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    missing = [e for e in oplog.EVENTS if f"`{e}`" not in doc]
    assert not missing, f"log events not in docs/operations.md: {missing}"


def test_the_access_log_can_be_turned_off(office_dir):
    config = office_dir / "office.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("access = true", "access = false"), encoding="utf-8")
    with json_log() as log:
        app = create_app(office_dir)
        try:
            client = app.flask.test_client()
            assert client.get("/healthz").status_code == 200
            assert client.post("/api/v1/auth/login", json={"login": "op1", "password": "x-wrong"}).status_code == 401
        finally:
            app.close()
    assert not log.events("http.request")
    assert log.events("auth.login_failed", login="op1")  # acts are logged all the same



def test_info_lines_are_written_by_the_log_thread_and_warnings_at_once_in_order():
    import logging

    with background_logger("queue_server.test_background") as (log, stream, _handler):
        oplog.event(log, "http.request", status=201)
        oplog.event(log, "auth.login_failed", logging.WARNING, login="op1")
        # the warning is out before event() returns, behind the info line queued before it
        assert [json.loads(x)["event"] for x in stream.getvalue().splitlines()] == ["http.request",
                                                                                   "auth.login_failed"]
        oplog.event(log, "http.request", status=204)
        deadline = time.monotonic() + 5
        while stream.getvalue().count("\n") < 3:  # written by the thread, without a flush
            assert time.monotonic() < deadline
            time.sleep(0.01)


def test_a_stranger_cannot_forge_or_flood_log_lines_through_a_login(office_dir):
    """What a stranger types as a login ends up in the log: one line, escaped, cut short."""
    forged = 'op1"}\n{"event": "auth.login", "login": "admin"' + "x" * 10_000
    with json_log() as log:
        app = create_app(office_dir)
        try:
            r = app.flask.test_client().post("/api/v1/auth/login", json={"login": forged, "password": "whatever1"})
            assert r.status_code in (401, 422)
        finally:
            app.close()
    assert not log.events("auth.login")  # nothing forged
    (failed,) = log.events("auth.login_failed")
    assert failed["login"] == forged[:64]
    assert all(len(line) < 2000 for line in log.text().splitlines())


def test_the_log_keeps_every_line_and_each_threads_order_under_load():
    """A soak in small: threads logging as fast as they can, as request threads do all day;
    the queue is drained as it fills and nothing is lost or reordered."""
    import logging
    import threading

    per_thread = 5000
    with background_logger("queue_server.test_soak") as (log, stream, handler):
        def work(t: int) -> None:
            for i in range(per_thread):
                oplog.event(log, "http.request", logging.WARNING if i % 1000 == 999 else logging.INFO, t=t, i=i)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        handler.flush()
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    assert len(lines) == 4 * per_thread
    for t in range(4):
        assert [x["i"] for x in lines if x["t"] == t] == list(range(per_thread))
