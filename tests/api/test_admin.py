"""Staff and device administration (issue #15, item 5): each finding of the issue, and every act journaled.

Findings: no `user remove/disable`, no `device list/revoke`; re-adding an admin as an
operator left the old admin token valid; re-adding a device left its old token issuing
tickets; `make run` minted new demo tokens and the old ones stayed valid. Sockets are
real python-socketio clients against the real server; the command line runs as a
separate process while the server runs, as an office's IT person would run it.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from live_office import PASSWORD, free_port
from tests_support import socket_client, wait_until

from queue_server.app import DB_NAME

QSERVER = str(Path(sys.executable).with_name("qserver"))
NEW_PASSWORD = "a-quite-new-phrase-7"
LONG_PASSWORD = ("Ab3-" + "a-quite-new-phrase-7-" * 13)[:257]  # good but for its length


client = socket_client


def admin_call(live, method: str, path: str, json_body: dict | None = None, who: str = "admin",
               lang: str = "ru") -> requests.Response:
    return requests.request(method, live.url + path, json=json_body, timeout=10,
                            headers={**live.headers(who), "Accept-Language": lang})


def login(live, login_: str, password: str = PASSWORD, lang: str = "ru") -> requests.Response:
    return requests.post(f"{live.url}/api/v1/auth/login", json={"login": login_, "password": password},
                         headers={"Accept-Language": lang}, timeout=10)


def admin_lines(live) -> list[dict]:
    return [e.to_line() for e in live.app.store.events_after(0) if e.type.startswith("admin.")]


def qserver(*args: str, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([QSERVER, *args, "--data", str(data)], capture_output=True, text=True, timeout=60,
                          input=stdin)


# ---- finding: no `user disable` / `user remove` ---------------------------------------
def test_disabling_a_user_ends_tokens_and_sockets_at_once_and_refuses_their_login_clearly(live_office):
    head_socket = client(live_office, live_office.tokens["head"])
    other = client(live_office, live_office.tokens["op2"])
    r = admin_call(live_office, "POST", "/api/v1/admin/users/head/disable")
    assert r.status_code == 204, r.text
    assert wait_until(lambda: not head_socket.connected), "the disabled user's socket outlived the act"
    assert other.connected
    assert live_office.get("/api/v1/state", "head").status_code == 401
    refused = login(live_office, "head")
    assert refused.status_code == 403 and refused.json()["error"] == {
        "code": "account_disabled", "message": "Учётная запись отключена: обратитесь к администратору офиса"}
    assert login(live_office, "head", "wrong-password-123").status_code == 401  # no hint without the password
    assert admin_call(live_office, "POST", "/api/v1/admin/users/head/enable").status_code == 204
    assert login(live_office, "head").status_code == 200
    assert [(x["type"], x["operator"], x["data"]) for x in admin_lines(live_office)] == [
        ("admin.user_disabled", "admin", {"login": "head", "via": "api"}),
        ("admin.user_enabled", "admin", {"login": "head", "via": "api"})]
    other.disconnect()


def test_removing_a_user_ends_tokens_and_sockets_at_once(live_office):
    sock = client(live_office, live_office.tokens["op3"])
    assert admin_call(live_office, "DELETE", "/api/v1/admin/users/op3").status_code == 204
    assert wait_until(lambda: not sock.connected)
    assert live_office.get("/api/v1/state", "op3").status_code == 401
    assert login(live_office, "op3").status_code == 401
    assert "op3" not in [u["login"] for u in admin_call(live_office, "GET", "/api/v1/admin/users").json()["users"]]
    assert admin_lines(live_office)[-1]["type"] == "admin.user_removed"


def test_a_password_reset_by_the_admin_obeys_the_policy_and_ends_sessions(live_office):
    sock = client(live_office, live_office.tokens["op4"])
    weak = admin_call(live_office, "POST", "/api/v1/admin/users/op4/password", {"password": "123456"})
    assert weak.status_code == 422 and weak.json()["error"]["message"] == "пароль: не короче 10 символов"
    assert sock.connected and live_office.get("/api/v1/state", "op4").status_code == 200  # nothing done
    ok = admin_call(live_office, "POST", "/api/v1/admin/users/op4/password", {"password": NEW_PASSWORD})
    assert ok.status_code == 204
    assert wait_until(lambda: not sock.connected)
    assert live_office.get("/api/v1/state", "op4").status_code == 401
    assert login(live_office, "op4", NEW_PASSWORD).status_code == 200
    assert admin_lines(live_office)[-1]["type"] == "admin.password_set"
    assert "argon2" not in json.dumps(admin_lines(live_office))  # no hash in the journal


# ---- finding: re-adding an admin as an operator left the admin token valid -----------
def test_re_adding_an_admin_as_an_operator_ends_the_old_admin_token(live_office):
    old_admin = live_office.tokens["admin"]
    sock = client(live_office, old_admin)
    live_office.app.accounts.add_user("admin2", "admin", PASSWORD)  # someone stays an administrator
    live_office.app.accounts.add_user("admin", "operator", PASSWORD)  # what `qserver user add` did
    assert wait_until(lambda: not sock.connected)
    assert live_office.get("/api/v1/admin/users", "admin").status_code == 401
    assert live_office.get("/api/v1/journal", "admin").status_code == 401


def test_re_adding_over_the_api_ends_the_old_sessions_too_and_keeps_a_last_admin(live_office):
    head_token = live_office.tokens["head"]
    r = admin_call(live_office, "POST", "/api/v1/admin/users", {"login": "head", "role": "operator",
                                                                "password": NEW_PASSWORD, "name": "Иванова"})
    assert r.status_code == 201 and r.json() == {"login": "head", "role": "operator"}
    assert requests.get(f"{live_office.url}/api/v1/dashboard/today", timeout=5,
                        headers={"Authorization": f"Bearer {head_token}"}).status_code == 401
    demote = admin_call(live_office, "POST", "/api/v1/admin/users", {"login": "admin", "role": "head",
                                                                     "password": NEW_PASSWORD})
    assert demote.status_code == 409 and "последний администратор" in demote.json()["error"]["message"]
    for refused in (admin_call(live_office, "POST", "/api/v1/admin/users/admin/disable"),
                    admin_call(live_office, "DELETE", "/api/v1/admin/users/admin")):
        assert refused.status_code == 409
    assert live_office.get("/api/v1/admin/users", "admin").status_code == 200  # still the admin


# ---- finding: re-adding a device left its old token issuing tickets --------------------
def test_re_adding_a_device_ends_its_old_token_and_socket(live_office):
    old = live_office.tokens["kiosk"]
    sock = client(live_office, old)
    new = live_office.app.accounts.add_device("kiosk-1", "kiosk", live_office.app.clock.now())
    assert wait_until(lambda: not sock.connected)
    refused = requests.post(f"{live_office.url}/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                            headers={"Authorization": f"Bearer {old}"})
    assert refused.status_code == 401
    assert requests.post(f"{live_office.url}/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                         headers={"Authorization": f"Bearer {new}"}).status_code == 201


# ---- finding: no `device list` / `device revoke` -------------------------------------
def test_devices_are_listed_added_with_their_token_shown_once_and_revoked(live_office):
    listed = admin_call(live_office, "GET", "/api/v1/admin/devices").json()
    assert {(d["name"], d["kind"], d["state"]) for d in listed["devices"]} == {
        ("kiosk-1", "kiosk", "never"), ("board-1", "display", "never"), ("pad-1", "buttons", "never")}
    added = admin_call(live_office, "POST", "/api/v1/admin/devices", {"name": "kiosk-2", "kind": "kiosk"})
    assert added.status_code == 201
    token = added.json()["token"]
    assert token not in json.dumps(admin_call(live_office, "GET", "/api/v1/admin/devices").json())  # once only
    sock = client(live_office, token)
    assert requests.post(f"{live_office.url}/api/v1/devices/heartbeat", json={}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200
    (row,) = [d for d in admin_call(live_office, "GET", "/api/v1/admin/devices").json()["devices"]
              if d["name"] == "kiosk-2"]
    assert row["state"] == "up" and row["last_seen"]
    assert admin_call(live_office, "DELETE", "/api/v1/admin/devices/kiosk-2").status_code == 204
    assert wait_until(lambda: not sock.connected)
    assert requests.post(f"{live_office.url}/api/v1/tickets", json={"service_id": "reception"}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert admin_call(live_office, "DELETE", "/api/v1/admin/devices/kiosk-2").status_code == 404
    assert [(x["type"], x["data"]) for x in admin_lines(live_office)] == [
        ("admin.device_added", {"device": "kiosk-2", "kind": "kiosk", "via": "api"}),
        ("admin.device_revoked", {"device": "kiosk-2", "via": "api"})]


@pytest.mark.parametrize("who", ["head", "op1", "kiosk", "display", "buttons"])
def test_only_an_administrator_may_administer(live_office, who):
    before = live_office.app.store.last_seq()
    for method, path, body in (("GET", "/api/v1/admin/users", None), ("GET", "/api/v1/admin/devices", None),
                               ("POST", "/api/v1/admin/users", {"login": "x1", "role": "admin",
                                                               "password": NEW_PASSWORD}),
                               ("POST", "/api/v1/admin/users/op2/disable", None),
                               ("POST", "/api/v1/admin/users/op2/password", {"password": NEW_PASSWORD}),
                               ("DELETE", "/api/v1/admin/users/op2", None),
                               ("POST", "/api/v1/admin/devices", {"name": "x", "kind": "kiosk"}),
                               ("DELETE", "/api/v1/admin/devices/kiosk-1", None)):
        assert admin_call(live_office, method, path, body, who=who).status_code == 403, (who, method, path)
    assert live_office.app.store.last_seq() == before


def test_bad_input_is_refused_with_a_clear_error(live_office):
    for body, status in (({"login": "a b", "role": "operator", "password": NEW_PASSWORD}, 422),
                         ({"login": "x" * 65, "role": "operator", "password": NEW_PASSWORD}, 422),
                         ({"login": "nina", "role": "boss", "password": NEW_PASSWORD}, 422),
                         ({"login": "nina", "role": "operator", "password": "qwerty123456"}, 422),
                         ({"login": "nina", "role": "operator", "password": "nina-is-my-password"}, 422),
                         ({"login": "nina", "role": "operator"}, 422)):
        r = admin_call(live_office, "POST", "/api/v1/admin/users", body)
        assert r.status_code == status, (body, r.text)
    assert admin_call(live_office, "POST", "/api/v1/admin/users/nobody/disable").status_code == 404
    assert admin_call(live_office, "POST", "/api/v1/admin/users/op1/enable").json()["error"]["code"] == "unchanged"
    assert admin_call(live_office, "POST", "/api/v1/admin/devices", {"name": "k/1", "kind": "kiosk"}).status_code == 422
    assert admin_call(live_office, "POST", "/api/v1/admin/devices", {"name": "k1", "kind": "robot"}).status_code == 422
    assert admin_lines(live_office) == []


# ---- the command line, while the server runs in another process ------------------------
def test_the_command_line_administers_and_the_running_server_drops_sockets_within_a_second(live_office):
    data = live_office.app.data_dir
    listed = qserver("user", "list", data=data)
    assert listed.returncode == 0 and re.search(r"^op1\s+operator\s+active", listed.stdout, re.M)
    sock = client(live_office, live_office.tokens["op2"])
    board = client(live_office, live_office.tokens["display"])
    out = qserver("user", "disable", "op2", data=data)
    assert out.returncode == 0 and "disabled" in out.stdout
    assert wait_until(lambda: not sock.connected, 5), "the server did not see the other process's act"
    assert live_office.get("/api/v1/state", "op2").status_code == 401
    assert re.search(r"^op2\s+operator\s+disabled since", qserver("user", "list", data=data).stdout, re.M)
    assert "already disabled" in qserver("user", "disable", "op2", data=data).stdout
    assert qserver("user", "enable", "op2", data=data).returncode == 0
    assert qserver("user", "passwd", "op2", data=data, stdin=NEW_PASSWORD + "\n").returncode == 0
    assert login(live_office, "op2", NEW_PASSWORD).status_code == 200
    weak = qserver("user", "passwd", "op2", "--password", "short", data=data)
    assert weak.returncode == 2 and "at least 10" in weak.stderr
    assert qserver("user", "remove", "op2", data=data).returncode == 0
    assert login(live_office, "op2", NEW_PASSWORD).status_code == 401
    nobody = qserver("user", "remove", "op2", data=data)
    assert nobody.returncode == 2 and "No staff account op2" in nobody.stderr

    devices = qserver("device", "list", data=data).stdout
    assert re.search(r"^board-1\s+display\s+never", devices, re.M)
    assert qserver("device", "revoke", "board-1", data=data).returncode == 0
    assert wait_until(lambda: not board.connected, 5)
    assert live_office.get("/api/v1/state", "display").status_code == 401
    assert "board-1" not in qserver("device", "list", data=data).stdout
    assert [(x["type"], x["operator"], x["data"]["via"]) for x in admin_lines(live_office)] == [
        ("admin.user_disabled", None, "cli"), ("admin.user_enabled", None, "cli"),
        ("admin.password_set", None, "cli"), ("admin.user_removed", None, "cli"),
        ("admin.device_revoked", None, "cli")]


# ---- finding: every `make run` minted new demo tokens, the old ones stayed valid ---------
def run_demo(data: Path, port: int) -> dict[str, str]:
    """Start `qserver demo` (what `make run` runs), read the tokens it prints, stop it."""
    proc = subprocess.Popen([QSERVER, "demo", "--data", str(data), "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    tokens = {}
    try:
        for line in proc.stdout:
            m = re.search(r"(qkiosk|qdisplay hall) --server \S+ --token (\S+)", line)
            if m:
                tokens[m.group(1)] = m.group(2)
            if "Data folder" in line:
                break
        assert wait_until(lambda: _up(port), 30)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    return tokens


def _up(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _works(data: Path, token: str) -> bool:
    import hashlib
    import sqlite3

    db = sqlite3.connect(data / DB_NAME)
    try:
        return db.execute("SELECT 1 FROM tokens WHERE hash=?",
                          (hashlib.sha256(token.encode()).hexdigest(),)).fetchone() is not None
    finally:
        db.close()


def test_make_run_reuses_its_demo_tokens_and_never_leaves_old_ones_valid(tmp_path):
    data, port = tmp_path / "demo-data", free_port()
    (data).mkdir()
    (data / "office.toml").write_text(__import__("queue_server.cli", fromlist=["demo_config"]).demo_config()
                                      + "\n[security]\nargon2_time_cost = 1\nargon2_memory_kib = 1024\n",
                                      encoding="utf-8")
    first = run_demo(data, port)
    second = run_demo(data, port)
    assert set(first) == {"qkiosk", "qdisplay hall"} and all(_works(data, t) for t in second.values())
    for kind, token in first.items():
        assert token == second[kind] or not _works(data, token), f"an old demo {kind} token still works"
    (data / "demo-devices.json").unlink()  # lost: new tokens, and the old ones stop working
    third = run_demo(data, port)
    assert all(_works(data, t) for t in third.values())
    assert not any(_works(data, t) for t in second.values() if t not in third.values())


# ---- attacks: sizes, shapes, a stale administrator's token, a cross-site form ------------
def test_hostile_admin_requests_are_refused_and_change_nothing(live_office):
    live = live_office
    before = live.app.store.last_seq()
    refused = (
        ("POST", "/api/v1/admin/users", {"login": "nina", "role": "operator", "password": LONG_PASSWORD}),  # argon2 cost
        ("POST", "/api/v1/admin/users", {"login": "nina", "role": "operator", "password": NEW_PASSWORD,
                                         "name": "N" * 101}),
        ("POST", "/api/v1/admin/users", {"login": "nina", "role": "operator", "password": NEW_PASSWORD,
                                         "is_root": True}),  # no extra fields
        ("POST", "/api/v1/admin/users", {"login": ["nina"], "role": "operator", "password": NEW_PASSWORD}),
        ("POST", "/api/v1/admin/users", {"login": "nina\n", "role": "operator", "password": NEW_PASSWORD}),
        ("POST", "/api/v1/admin/users/op2/password", {"password": LONG_PASSWORD}),
        ("POST", "/api/v1/admin/users/op2/password", {"password": NEW_PASSWORD, "login": "admin"}),
        ("POST", "/api/v1/admin/devices", {"name": "k" * 65, "kind": "kiosk"}),
        ("POST", "/api/v1/admin/devices", {"name": "../k1", "kind": "kiosk"}),
        ("POST", "/api/v1/admin/devices", {"name": "k1", "kind": "kiosk", "role": "admin"}),  # no widening
    )
    for method, path, body in refused:
        r = admin_call(live, method, path, body)
        assert r.status_code == 422 and r.json()["error"]["message"], (path, body, r.status_code, r.text[:200])
    deep = requests.post(live.url + "/api/v1/admin/users", data="[" * 5000 + "]" * 5000, timeout=10,
                         headers={**live.headers("admin"), "Content-Type": "application/json"})
    assert 400 <= deep.status_code < 500
    huge = requests.post(live.url + "/api/v1/admin/devices", data=b'{"name": "' + b"k" * 2_000_000 + b'"}',
                         timeout=20, headers={**live.headers("admin"), "Content-Type": "application/json"})
    assert huge.status_code in (413, 422)
    assert admin_call(live, "POST", f"/api/v1/admin/users/{'x' * 300}/disable").status_code in (404, 422)
    assert live.app.store.last_seq() == before and login(live, "op2").status_code == 200

    # a page's cookie session without the CSRF header (a cross-site form) changes nothing
    s = requests.Session()
    s.get(f"{live.url}/admin", timeout=5)
    assert s.post(f"{live.url}/login", data={"login": "admin", "password": PASSWORD, "next": "admin",
                                               "csrf_token": s.cookies.get("qcsrf")},
                  timeout=5, allow_redirects=False).status_code in (302, 303)
    assert s.post(f"{live.url}/api/v1/admin/users/op2/disable", timeout=5).status_code == 403
    assert s.post(f"{live.url}/api/v1/admin/users/op2/disable", timeout=5,
                  headers={"X-CSRF-Token": s.cookies.get("qcsrf")}).status_code == 204  # the page itself works

    # a second administrator, disabled: its token, still held, administers nothing
    assert admin_call(live, "POST", "/api/v1/admin/users", {"login": "adm2", "role": "admin",
                                                           "password": NEW_PASSWORD}).status_code == 201
    token = login(live, "adm2", NEW_PASSWORD).json()["token"]
    assert admin_call(live, "POST", "/api/v1/admin/users/adm2/disable").status_code == 204
    stale = requests.post(live.url + "/api/v1/admin/users/op1/disable", timeout=5,
                          headers={"Authorization": f"Bearer {token}"})
    assert stale.status_code == 401
    # a revoked device's token cannot beat, nor administer
    dev = admin_call(live, "POST", "/api/v1/admin/devices", {"name": "kiosk-9", "kind": "kiosk"}).json()["token"]
    assert admin_call(live, "DELETE", "/api/v1/admin/devices/kiosk-9").status_code == 204
    for path in ("/api/v1/devices/heartbeat", "/api/v1/admin/devices"):
        assert requests.post(live.url + path, json={}, timeout=5,
                             headers={"Authorization": f"Bearer {dev}"}).status_code == 401
    assert [x["type"] for x in admin_lines(live)] == [
        "admin.user_disabled", "admin.user_added", "admin.user_disabled", "admin.device_added",
        "admin.device_revoked"]
