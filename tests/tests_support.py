"""Scenario helpers shared by API tests (plain functions, not fixtures)."""
from __future__ import annotations

import time

from queue_server.auth import Principal


def wait_until(predicate, seconds: float = 8.0) -> bool:
    """True as soon as `predicate()` holds, False after `seconds` (a bound, never a pause)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def socket_client(live, token: str):
    """A real python-socketio client joined with `token` (no reconnection: a drop is final)."""
    import socketio

    c = socketio.Client(reconnection=False)
    c.connect(live.url, auth={"token": token}, transports=["websocket"], wait_timeout=5)
    return c


def operator(login: str = "op1", counter: str = "1") -> Principal:
    """Who runs a command in-process, as a login at `counter` would."""
    return Principal("staff", login, "operator", counter)


KIOSK = Principal("device", "kiosk-1", "kiosk")


def drive_a_morning(live) -> None:
    """A small morning: a transfer, a no-show, a finish with an appeal, a pause."""
    clock = live.app.clock
    a = live.ticket("reception")
    live.ticket("payments", priority="veteran")
    clock.advance(120)
    assert live.post("/api/v1/counters/1/next", "op1").json()["number"] == a["number"]
    clock.advance(30)
    live.post("/api/v1/counters/1/start", "op1")
    clock.advance(180)
    live.post("/api/v1/counters/1/transfer", "op1", {"service_id": "consultation", "note": "договор"})
    clock.advance(60)
    live.post("/api/v1/counters/2/next", "op2")
    live.post("/api/v1/counters/2/start", "op2")
    clock.advance(600)
    live.post("/api/v1/counters/2/finish", "op2", {"kind": "application", "topic": "technological_connection"})
    live.post("/api/v1/counters/4/next", "op4")
    clock.advance(60)
    live.post("/api/v1/counters/4/no-show", "op4")
    live.ticket("quick")
    live.post("/api/v1/counters/3/pause", "op3", {"reason": "paperwork"})
    clock.advance(30)
