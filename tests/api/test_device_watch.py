"""The office knows when a device is down (issue #13, item 4), against the real server.

Heartbeats over HTTP with device tokens, the watch's sweep driven with the office's fake
clock (the sweeping thread runs too: both take the same locks), the dashboard's live
`device` push heard by a real Socket.IO client, restarts on the same data folder.
"""
from __future__ import annotations

import requests
import socketio
from live_office import start_live_office, stop_live_office
from tests_support import wait_until

from queue_server.domain import events as ev

WINDOW = 60


def by_hand(live) -> None:
    """Sweeps only when the test says (the watch's own thread would sweep every second too)."""
    live.app.devices.stop()


def beat(live, token: str) -> requests.Response:
    return requests.post(f"{live.url}/api/v1/devices/heartbeat", json={}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"})


def lines(live, *types: str) -> list:
    return [e for e in live.app.store.events_after(0) if e.type in types]


def add_devices(live, n: int) -> dict[str, str]:
    now = live.app.clock.now()
    return {f"board-{i:02}": live.app.accounts.add_device(f"board-{i:02}", "display", now) for i in range(n)}


def test_a_silent_device_raises_a_live_alert_with_its_name_and_since_when_and_it_clears(live_office):
    live, clock = live_office, live_office.app.clock
    by_hand(live)
    heard: list[dict] = []
    head = socketio.Client(reconnection=False)
    head.on("device", heard.append)
    head.connect(live.url, auth={"token": live.tokens["head"]}, transports=["websocket"], wait_timeout=5)
    r = beat(live, live.tokens["kiosk"])
    assert r.status_code == 200 and r.json() == {"every_s": 20, "silent_after_s": WINDOW}
    last_beat = clock.now()
    clock.advance(WINDOW - 1)
    assert live.app.devices.sweep() == []
    clock.advance(2)
    (down,) = live.app.devices.sweep()
    assert (down.type, down.operator, down.data["kind"]) == (ev.DEVICE_DOWN, "kiosk-1", "kiosk")
    assert down.data["since"] == "2026-11-20T07:00:00.000Z" and down.data["silent_s"] == 61
    assert wait_until(lambda: [d["type"] for d in heard] == ["device.down"])
    assert heard[0]["device"] == "kiosk-1" and heard[0]["since"] == down.data["since"]
    today = live.get("/api/v1/dashboard/today", "head").json()
    assert today["devices_down"] == [{"device": "kiosk-1", "kind": "kiosk", "since": "2026-11-20T07:00:00.000Z"}]
    clock.advance(300)
    assert live.app.devices.sweep() == []  # journaled once, not every second
    assert last_beat < clock.now()
    assert beat(live, live.tokens["kiosk"]).status_code == 200
    (up,) = live.app.devices.sweep()
    assert up.type == ev.DEVICE_UP and up.data["down_s"] == 361
    assert wait_until(lambda: [d["type"] for d in heard] == ["device.down", "device.up"])
    assert live.get("/api/v1/dashboard/today", "head").json()["devices_down"] == []
    head.disconnect()


def test_heartbeats_are_not_journaled_and_are_for_devices_only_and_rate_limited(live_office):
    live = live_office
    by_hand(live)
    tokens = add_devices(live, 10)
    before = live.app.store.last_seq()
    assert beat(live, live.tokens["display"]).status_code == 200
    assert beat(live, live.tokens["display"]).status_code == 429  # within the same second
    for _ in range(3):
        live.app.clock.advance(20)
        for token in (live.tokens["display"], *tokens.values()):
            assert beat(live, token).status_code == 200
        assert live.app.devices.sweep() == []
    assert live.app.store.last_seq() == before  # 34 heartbeats, not a line in the journal
    assert beat(live, live.tokens["head"]).status_code == 403
    assert beat(live, "not-a-token").status_code == 401
    assert requests.post(f"{live.url}/api/v1/devices/heartbeat", json={}, timeout=5).status_code == 401
    big = requests.post(f"{live.url}/api/v1/devices/heartbeat", json={"x": "y" * 100}, timeout=5,
                        headers={"Authorization": f"Bearer {live.tokens['buttons']}"})
    assert big.status_code == 422


def test_twenty_devices_going_and_coming_back_are_one_transaction_each_way(live_office):
    live, clock = live_office, live_office.app.clock
    by_hand(live)
    tokens = add_devices(live, 20)
    for token in tokens.values():
        assert beat(live, token).status_code == 200
    clock.advance(WINDOW + 1)  # the hall's network switch is down
    went = live.app.devices.sweep()
    assert len(went) == 20 and {e.type for e in went} == {ev.DEVICE_DOWN}
    assert [e.seq for e in went] == list(range(went[0].seq, went[0].seq + 20))  # one commit, in a row
    clock.advance(120)
    for token in tokens.values():
        assert beat(live, token).status_code == 200
    back = live.app.devices.sweep()
    assert len(back) == 20 and {e.type for e in back} == {ev.DEVICE_UP} and len({e.at for e in back}) == 1
    assert live.app.devices.sweep() == []


def test_a_server_restart_raises_no_false_alarm_and_remembers_who_was_down(office_dir, clock):
    live = start_live_office(office_dir, clock)
    by_hand(live)
    tokens = add_devices(live, 20)
    try:
        for token in tokens.values():
            beat(live, token)
        clock.advance(WINDOW + 5)
        beat(live, tokens["board-00"])
        went = live.app.devices.sweep()
        assert sorted(e.operator for e in went) == sorted(set(tokens) - {"board-00"})
    finally:
        stop_live_office(live)  # keeps when each device was last heard
    clock.advance(3600)  # the server was off for an hour
    live = start_live_office(office_dir, clock, login_staff=False)
    by_hand(live)
    try:
        seq = live.app.store.last_seq()
        assert {d["device"] for d in live.app.devices.down_now()} == set(tokens) - {"board-00"}
        clock.advance(30)
        assert live.app.devices.sweep() == []  # board-00 has not beaten yet: within the grace
        for token in tokens.values():
            beat(live, token)
        back = live.app.devices.sweep()  # the nineteen come back; board-00 was never down
        assert len(back) == 19 and {e.type for e in back} == {ev.DEVICE_UP}
        clock.advance(WINDOW)
        for token in tokens.values():
            assert beat(live, token).status_code == 200
        assert live.app.devices.sweep() == []
        assert live.app.store.last_seq() == seq + 19
    finally:
        stop_live_office(live)


def test_a_device_silent_across_a_restart_goes_down_after_the_grace(office_dir, clock):
    live = start_live_office(office_dir, clock, login_staff=False)
    try:
        beat(live, live.tokens["kiosk"])
    finally:
        stop_live_office(live)
    clock.advance(600)
    live = start_live_office(office_dir, clock, login_staff=False)
    by_hand(live)
    try:
        clock.advance(WINDOW - 1)
        assert live.app.devices.sweep() == []
        clock.advance(1)
        (down,) = live.app.devices.sweep()
        assert down.operator == "kiosk-1" and down.data["since"] == "2026-11-20T07:00:00.000Z"
    finally:
        stop_live_office(live)


def test_revoking_a_down_device_clears_its_alert(live_office):
    live, clock = live_office, live_office.app.clock
    by_hand(live)
    beat(live, live.tokens["display"])
    clock.advance(WINDOW + 1)
    live.app.devices.sweep()
    assert [d["device"] for d in live.get("/api/v1/dashboard/today", "head").json()["devices_down"]] == ["board-1"]
    r = requests.delete(f"{live.url}/api/v1/admin/devices/board-1", headers=live.headers("admin"), timeout=5)
    assert r.status_code == 204
    assert live.get("/api/v1/dashboard/today", "head").json()["devices_down"] == []
    clock.advance(3600)
    assert live.app.devices.sweep() == []
