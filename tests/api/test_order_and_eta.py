"""What a visitor is told and when they are called, through the API with the fake clock.

Issue #15: after the wall clock stepped back 10 minutes, the newest ticket was
called first. Issue #13: one 1.2 s service step made "33 ahead" read as
"about 1 min".
"""
from __future__ import annotations

from datetime import timedelta


def test_a_clock_step_backwards_never_reorders_the_queue(live_office):
    clock = live_office.app.clock
    first = live_office.ticket()
    clock.advance(120)
    second = live_office.ticket()
    clock.set(clock.now() - timedelta(minutes=10))  # the wall clock steps back
    newest = live_office.ticket()
    assert (first["ahead"], second["ahead"], newest["ahead"]) == (0, 1, 2) and newest["position"] == 3
    clock.advance(60)
    track = live_office.get(f"/api/v1/track/{newest['visit_id']}").json()
    assert track["ahead"] == 2
    called = []
    for _ in range(3):
        r = live_office.post("/api/v1/counters/1/next", "op1")
        called.append(r.json()["number"])
        live_office.post("/api/v1/counters/1/finish", "op1")
    assert called == [first["number"], second["number"], newest["number"]]


def test_one_very_short_service_does_not_make_a_long_queue_look_short(live_office):
    clock = live_office.app.clock
    live_office.ticket()
    live_office.post("/api/v1/counters/1/next", "op1")
    live_office.post("/api/v1/counters/1/start", "op1")
    clock.advance(1.2)
    live_office.post("/api/v1/counters/1/finish", "op1")
    for _ in range(33):
        live_office.ticket()
    ticket = live_office.ticket()
    assert ticket["ahead"] == 33
    assert ticket["estimated_wait_s"] >= 33 * 300  # the administrator's 5-minute norm each, not 1.2 s
