"""Logins over an untrusted hall network: throttled guessing, a password policy, argon2 bounded."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from live_office import PASSWORD

from queue_server.adapters.login_throttle import LoginThrottle
from queue_server.adapters.passwords import WeakPassword, check_password


def login_from(url: str, source: str, login: str, password: str) -> http.client.HTTPResponse:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    conn.request("POST", "/api/v1/auth/login", body=json.dumps({"login": login, "password": password}),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_guessing_is_answered_429_with_retry_after(live_office):
    codes = [login_from(live_office.url, "127.0.5.1", "head", f"guess-{i}").status for i in range(8)]
    assert codes[:5] == [401] * 5  # a few mistakes are free
    assert 429 in codes[5:]
    refused = login_from(live_office.url, "127.0.5.1", "head", PASSWORD)  # even the right one, from there
    assert refused.status == 429 and int(refused.getheader("Retry-After")) >= 1
    assert json.loads(refused.body)["error"]["code"] == "too_many_attempts"


def test_a_guesser_does_not_lock_the_clerk_out(live_office):
    """The clerk logs in at their PC; strangers at 25 machines then guess their password;
    the clerk's PC still gets in at once, and a new PC waits at most 30 s."""
    assert login_from(live_office.url, "127.0.6.1", "op2", PASSWORD).status == 200
    for i in range(25):
        login_from(live_office.url, f"127.0.6.{100 + i}", "op2", f"guess-{i}")
    new_pc = login_from(live_office.url, "127.0.6.2", "op2", PASSWORD)
    assert new_pc.status == 429 and int(new_pc.getheader("Retry-After")) <= 30
    assert login_from(live_office.url, "127.0.6.1", "op2", PASSWORD).status == 200


def test_the_back_off_doubles_and_forgets():
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("op1", "10.0.0.9")
    assert throttle.wait_s("op1", "10.0.0.9") == 0
    waits = []
    for _ in range(4):
        throttle.failed("op1", "10.0.0.9")
        waits.append(throttle.wait_s("op1", "10.0.0.9"))
    assert waits == [2, 4, 8, 16]
    now[0] += 3601
    assert throttle.wait_s("op1", "10.0.0.9") == 0


def test_a_login_flood_gets_429_at_once_and_tickets_go_on(live_office):
    """More password checks than may wait are refused at once (no thread held for them),
    and a kiosk's ticket is answered while the flood is on."""
    accounts = live_office.app.accounts
    real = accounts.hasher

    class SlowHasher:  # a real check, as slow as the office's standard cost
        def hash(self, password):
            return real.hash(password)

        def verify(self, hashed, password):
            time.sleep(0.3)
            return real.verify(hashed, password)

    accounts.hasher = SlowHasher()
    codes, lock = [], threading.Lock()

    def one(i):
        r = login_from(live_office.url, f"127.0.7.{i + 1}", "admin", "wrong-password")
        with lock:
            codes.append(r.status)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    live_office.ticket("reception")
    ticket_s = time.monotonic() - t0
    for t in threads:
        t.join(30)
    accounts.hasher = real
    assert codes.count(429) >= 30 - 18  # 2 checks run, 16 wait, the rest are refused
    assert ticket_s < 1.0


@pytest.mark.parametrize("password", ["123456", "qwerty12345", "Password2026!", "short-1", "aaaaaaaaaaaa",
                                      "ivanova-2026-x"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password(password, "ivanova")


def test_a_good_password_passes():
    check_password("kettle-on-the-third-floor", "ivanova")


def test_qserver_user_add_enforces_the_policy(office_dir):
    qserver = str(Path(sys.executable).with_name("qserver"))
    bad = subprocess.run([qserver, "user", "add", "boss", "--data", str(office_dir), "--role", "admin",
                          "--password", "123456"], capture_output=True, text=True)
    assert bad.returncode == 2 and "at least 10" in bad.stderr
    common = subprocess.run([qserver, "user", "add", "boss", "--data", str(office_dir), "--role", "admin",
                             "--password", "qwerty123456"], capture_output=True, text=True)
    assert common.returncode == 2 and "too common" in common.stderr
    good = subprocess.run([qserver, "user", "add", "boss", "--data", str(office_dir), "--role", "admin",
                           "--password", "kettle-on-the-third-floor"], capture_output=True, text=True)
    assert good.returncode == 0, good.stderr


def test_a_password_change_obeys_the_policy_and_ends_sessions(live_office):
    accounts = live_office.app.accounts
    with pytest.raises(WeakPassword):
        accounts.set_password("op3", "1234567890")
    accounts.set_password("op3", "a-much-better-phrase")
    assert live_office.get("/api/v1/state", "op3").status_code == 401  # the old session is over


def test_under_a_flood_strangers_are_checked_one_a_second_known_pcs_at_once():
    now = [1000.0]
    throttle = LoginThrottle(clock=lambda: now[0])
    throttle.succeeded("op1", "10.0.0.1")  # a counter's PC
    for i in range(30):
        throttle.failed(f"user{i}", f"10.9.0.{i}")
    assert throttle.edge_wait_s("10.0.0.1") == 0  # never held back
    assert throttle.edge_wait_s("10.0.0.2") == 0  # the slot of this second
    assert throttle.edge_wait_s("10.0.0.3") >= 1  # the next stranger waits
    now[0] += 1.0
    assert throttle.edge_wait_s("10.0.0.3") == 0
    now[0] += 61.0  # the flood is over
    assert throttle.edge_wait_s("10.0.0.4") == 0
    assert throttle.edge_wait_s("10.0.0.5") == 0
