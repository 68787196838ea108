"""The visitor's score at the counter: a rating pad on a real serial line (a pty pair), and
the counter display's touch keys (Qt offscreen), both against a real server."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from display_helpers import journal, wait_for

from counter_display.apps import CounterApp
from counter_display.rating_bridge import rating_bridge
from counter_display.rating_panel import RatingPrompt
from counter_display.server_api import ServerApi, StatusReporter
from hardware.rating_pads import parse_rating, score_of
from hardware.serial_port import Backoff

SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
pty_only = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX ptys")


def serve_one(live, counter: str = "3", service: str = "consultation") -> dict:
    ticket = live.ticket(service)
    live.post(f"/api/v1/counters/{counter}/next", f"op{counter}")
    live.post(f"/api/v1/counters/{counter}/start", f"op{counter}")
    live.app.clock.advance(240)
    live.post(f"/api/v1/counters/{counter}/finish", f"op{counter}", {})
    return ticket


def rated(live) -> list[dict]:
    return [e for e in journal(live) if e["type"] == "visit.rated"]


def test_the_pads_frame_and_its_keys():
    assert parse_rating(b"R3:5") == "3:5" and parse_rating(b"R03:1\r") == "3:1"
    assert parse_rating(b"RA2:4") == "A2:4"
    for noise in (b"B3", b"R3:6", b"R3:", b"R:5", b"R3:5x", b"r3:5", b""):
        assert parse_rating(noise) is None, noise
    assert [score_of(k, 3) for k in (1, 2, 3, 4)] == [1, 3, 5, None]
    assert [score_of(k, 5) for k in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]


@pty_only
@pytest.mark.parametrize("keys,line,score", [(5, b"R3:4\r\n", 4), (3, b"R03:2\n", 3)])
def test_a_rating_pad_scores_the_visit_just_served_at_its_counter(live_office, pty_pair, keys, line, score):
    master, name = pty_pair()
    api = ServerApi(live_office.url, live_office.tokens["buttons"])
    reporter = StatusReporter(api, retry_s=0.2)
    bridge = rating_bridge(api, [f"serial:{name}"], keys, reporter=reporter, backoff=Backoff(initial=0.1, maximum=0.5))
    bridge.start()
    try:
        assert bridge.listeners[0].wait_connected(3)
        ticket = serve_one(live_office)
        os.write(master, line)
        assert wait_for(lambda: len(bridge.results) == 1)
        assert bridge.results[0].reply.status == 201
        (e,) = rated(live_office)
        assert (e["visit"], e["data"]["score"], e["data"]["via"], e["data"]["keys"]) == (
            ticket["visit_id"], score, "pad", keys)
        assert e["data"]["served"] == [{"service": "consultation", "counter": "3", "operator": "op3"}]
        time.sleep(0.4)  # presses closer than 0.3 s are one press (contact bounce)
        os.write(master, line)  # a second press for the same visit: the server says no, nothing is added
        assert wait_for(lambda: len(bridge.results) == 2)
        assert bridge.results[1].reply.status == 409 and len(rated(live_office)) == 1
    finally:
        bridge.stop()
        reporter.stop()


def test_the_prompt_appears_after_a_service_and_goes_with_the_next_call():
    now = [0.0]
    prompt = RatingPrompt(show_s=60, clock=lambda: now[0])
    assert [prompt.update(k) for k in ("free", "called", "serving")] == [False, False, False]
    assert prompt.update("free") is True  # served, the counter is free: ask
    now[0] = 59
    assert prompt.showing()
    now[0] = 61
    assert not prompt.showing()  # a minute later the visitor has gone
    prompt.update("serving")
    assert prompt.update("free") is True
    assert prompt.update("called") is False  # the next visitor is called: not for them
    assert prompt.update("free") is False  # a no-show (called → free) is not a service


def test_the_counter_display_asks_for_a_score_and_sends_the_touch(live_office, qtbot):
    app = CounterApp(live_office.url, live_office.tokens["display"], "3", rating_keys=5)
    qtbot.addWidget(app.screen)
    app.screen.resize(800, 480)
    app.screen.show()
    app.start()
    try:
        qtbot.waitUntil(lambda: app.model.online and app.screen.shown is not None, timeout=5000)
        panel = app.rating
        assert not panel.isVisible()
        ticket = live_office.ticket("consultation")
        live_office.post("/api/v1/counters/3/next", "op3")
        live_office.post("/api/v1/counters/3/start", "op3")
        qtbot.waitUntil(lambda: app.screen.shown.kind == "serving", timeout=3000)
        assert not panel.isVisible()  # not during the service
        live_office.app.clock.advance(300)
        live_office.post("/api/v1/counters/3/finish", "op3", {})
        qtbot.waitUntil(panel.isVisible, timeout=3000)
        assert [b.text() for b in panel.buttons] == ["1", "2", "3", "4", "5"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        app.screen.grab().save(str(SHOTS / "counter-rating.png"))
        panel.buttons[4].click()
        qtbot.waitUntil(lambda: panel.sent == [(5, 201)], timeout=3000)
        app.screen.grab().save(str(SHOTS / "counter-rating-thanks.png"))
        qtbot.waitUntil(lambda: not panel.isVisible(), timeout=6000)  # thanks, then gone
        (e,) = rated(live_office)
        assert (e["visit"], e["data"]["score"], e["data"]["via"]) == (ticket["visit_id"], 5, "counter")
    finally:
        app.stop()
