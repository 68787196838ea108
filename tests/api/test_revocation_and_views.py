"""Live sockets end with their credentials; devices in the hall see only what the board shows."""
from __future__ import annotations

import time

import requests
import socketio
import websocket
from raw_sio import events, join, open_raw


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def client(live, token: str) -> socketio.Client:
    c = socketio.Client(reconnection=False)
    c.connect(live.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    return c


def test_logout_drops_the_users_live_socket(live_office):
    token = live_office.login("head")
    c = client(live_office, token)
    heard = []
    c.on("state", lambda body: heard.append(body))
    assert requests.post(f"{live_office.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"},
                         timeout=5).status_code == 204
    assert wait_until(lambda: not c.connected), "the socket outlived the logout"
    heard.clear()
    live_office.ticket("reception")
    time.sleep(0.3)
    assert heard == []  # and hears nothing more (no transfer notes after logout)


def test_revoking_a_device_token_drops_its_socket_at_once(live_office):
    board = client(live_office, live_office.tokens["display"])
    kiosk = client(live_office, live_office.tokens["kiosk"])
    live_office.app.accounts.revoke(live_office.tokens["display"])
    assert wait_until(lambda: not board.connected)
    assert kiosk.connected  # only that token
    kiosk.disconnect()


def test_disabling_a_subject_drops_every_socket_of_it(live_office):
    """The one call the admin tooling makes (`Accounts.revoke_subject`): every token of a
    user ends, and every live socket of them with it."""
    second = live_office.login("admin")
    a, b = client(live_office, live_office.tokens["admin"]), client(live_office, second)
    other = client(live_office, live_office.tokens["head"])
    live_office.app.accounts.revoke_subject("staff", "admin")
    assert wait_until(lambda: not a.connected and not b.connected)
    assert other.connected
    assert live_office.app.realtime.disconnect(kind="staff", subject="head") == 1  # the direct call
    assert wait_until(lambda: not other.connected)


def test_a_revoked_socket_is_closed_even_if_the_client_ignores_it(live_office):
    token = live_office.login("head")
    ws = open_raw(live_office.url)
    assert join(ws, {"token": token}) == "joined"
    live_office.app.accounts.revoke(token)
    try:
        got = events(ws, 2.0)
        live_office.ticket("reception")
        got += events(ws, 1.0)
    except websocket.WebSocketConnectionClosedException:
        got = []
    assert not [name for name, _ in got if name == "state"]
    assert not ws.connected or events(ws, 0.5) == []


def seed_a_transfer(live) -> None:
    live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    live.post("/api/v1/counters/1/start", "op1")
    live.post("/api/v1/counters/1/transfer", "op1", {"service_id": "consultation", "note": "Иванов, тел. 123"})
    live.post("/api/v1/counters/2/next", "op2")


def leaks(body) -> list[str]:
    text = str(body)
    return [w for w in ("Иванов", "'operator'", "'note'", "op1", "op2", "'history'") if w in text]


def test_devices_get_only_what_the_hall_board_shows(live_office):
    seed_a_transfer(live_office)
    for device in ("kiosk", "display"):
        state = live_office.get("/api/v1/state", device).json()
        assert leaks(state) == [], device
        assert state["counters"][1]["current"]["number"]  # the number is there
        snapshots = []
        c = socketio.Client(reconnection=False)
        c.on("snapshot", snapshots.append)
        c.connect(live_office.url, auth={"token": live_office.tokens[device]}, transports=["websocket"],
                  wait_timeout=5)
        assert wait_until(lambda got=snapshots: got)
        assert leaks(snapshots[0]) == [], device
        c.disconnect()
    staff = live_office.get("/api/v1/state", "head").json()
    assert "Иванов" in str(staff) and staff["counters"][0]["operator"] == "op1"  # staff still see it


def test_a_phone_hears_at_once_when_its_ticket_is_called(live_office):
    visit = live_office.ticket("reception")["visit_id"]
    ws = open_raw(live_office.url, source="127.0.8.1")
    assert join(ws, {"visit": visit}) == "joined"
    first = events(ws, 0.5)
    assert first and first[0][0] == "track" and first[0][1]["state"] == "queued"
    t0 = time.monotonic()
    live_office.post("/api/v1/counters/1/next", "op1")
    got = events(ws, 1.0)
    called = [body for name, body in got if name == "track" and body["state"] == "called"]
    assert called and called[0]["counter_id"] == "1"
    assert time.monotonic() - t0 < 1.5
    ws.close()


def test_a_phone_hears_when_people_ahead_move_up_and_others_hear_nothing(live_office):
    first = live_office.ticket("reception")["visit_id"]
    second = live_office.ticket("reception")["visit_id"]
    other = live_office.ticket("payments")["visit_id"]
    phones = {}
    for k, visit in enumerate((second, other)):
        ws = open_raw(live_office.url, source=f"127.0.8.{10 + k}")
        assert join(ws, {"visit": visit}) == "joined"
        assert events(ws, 0.3)[0][1]["ahead"] == (1 if visit == second else 0)
        phones[visit] = ws
    live_office.post("/api/v1/counters/1/next", "op1")  # calls `first`
    got = events(phones[second], 5.0)
    assert [body["ahead"] for name, body in got if name == "track"] == [0]  # once, within 3 s
    assert events(phones[other], 0.5) == []  # the cashier's queue did not move
    assert first
    for ws in phones.values():
        ws.close()
