"""Call-button pads over a real serial line (a pty pair): a press calls a visitor on the server."""
from __future__ import annotations

import os
import time

import pytest
from display_helpers import journal, wait_for

from counter_display.button_bridge import ButtonBridge
from counter_display.server_api import ServerApi, StatusReporter
from hardware.serial_port import Backoff

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX ptys")


@pytest.fixture
def buttons():
    made = []

    def make(live, ports, **kw):
        api = ServerApi(live.url, live.tokens["buttons"])
        reporter = StatusReporter(api, retry_s=0.2)
        bridge = ButtonBridge(api, ports, reporter=reporter, backoff=Backoff(initial=0.1, maximum=0.5), **kw)
        bridge.start()
        made.append((bridge, reporter))
        return bridge, reporter

    yield make
    for bridge, reporter in made:
        bridge.stop()
        reporter.stop()


def current_number(live, counter: str):
    state = live.get("/api/v1/state", "head").json()
    (c,) = [c for c in state["counters"] if c["counter_id"] == counter]
    return c["current"]["number"] if c["current"] else None


def test_a_press_on_the_pad_calls_the_next_visitor_at_that_counter(live_office, buttons, pty_pair):
    master, name = pty_pair()
    bridge, _ = buttons(live_office, [f"serial:{name}:9600"])
    assert bridge.listeners[0].wait_connected(3)
    ticket = live_office.ticket("consultation")

    os.write(master, b"B3\r\n")

    assert wait_for(lambda: current_number(live_office, "3") == ticket["number"])
    assert wait_for(lambda: len(bridge.results) == 1)  # the answer reaches the bridge just after
    (result,) = bridge.results
    assert (result.counter_id, result.reply.status, result.called) == ("3", 200, ticket["number"])
    called = [e for e in journal(live_office) if e["type"] == "step.called"]
    assert called[-1]["counter"] == "3" and called[-1]["operator"] == "pad-1"  # the pad, not an operator


def test_presses_with_nobody_waiting_or_a_busy_counter_are_answered_not_crashed(live_office, buttons, pty_pair):
    master, name = pty_pair()
    bridge, _ = buttons(live_office, [f"serial:{name}"])
    assert bridge.listeners[0].wait_connected(3)
    os.write(master, b"B03\n")  # DIP switches say 03: counter 3; nobody is waiting
    assert wait_for(lambda: len(bridge.results) == 1)
    assert bridge.results[0].reply.status == 204
    live_office.ticket("reception")
    live_office.ticket("reception")
    os.write(master, b"B1\n")
    assert wait_for(lambda: len(bridge.results) == 2)
    time.sleep(0.4)  # presses closer than 0.3 s are one press (contact bounce)
    os.write(master, b"B1\n")  # still with the first visitor: the server says so
    assert wait_for(lambda: len(bridge.results) == 3, timeout=3)
    assert [r.reply.status for r in bridge.results] == [204, 200, 409]
    assert bridge.results[2].reply.message  # the server's words, logged for the technician


def test_an_unplugged_pad_is_reported_and_another_pad_still_works(live_office, buttons, pty_pair):
    master, name = pty_pair()
    bridge, reporter = buttons(live_office, ["serial:/dev/no-such-pad-qoffice", f"serial:{name}"])
    assert bridge.listeners[1].wait_connected(3)
    assert wait_for(lambda: reporter.sent.get("buttons no-such-pad-qoffice") == "fault")
    ticket = live_office.ticket("payments")
    os.write(master, b"B4\r\n")
    assert wait_for(lambda: current_number(live_office, "4") == ticket["number"])
    faults = [e for e in journal(live_office) if e["type"] == "device.fault"]
    assert faults[-1]["operator"] == "pad-1"
    assert faults[-1]["data"]["component"] == "buttons no-such-pad-qoffice"


def test_a_pad_lost_mid_day_is_reported_then_recovers(live_office, buttons, pty_pair, tmp_path):
    master, name = pty_pair()
    link = tmp_path / "ttyPAD"
    link.symlink_to(name)  # like /dev/serial/by-id/…: the name stays while the device comes and goes
    bridge, reporter = buttons(live_office, [f"serial:{link}"])
    assert bridge.listeners[0].wait_connected(3)
    link.unlink()
    pty_pair.unplug(master)  # unplugged: the reader gets an error
    assert wait_for(lambda: reporter.sent.get("buttons ttyPAD") == "fault", timeout=5)
    master2, name2 = pty_pair()
    link.symlink_to(name2)  # plugged back in
    assert wait_for(lambda: reporter.sent.get("buttons ttyPAD") == "ok", timeout=5)
    ticket = live_office.ticket("reception")
    os.write(master2, b"B1\n")
    assert wait_for(lambda: current_number(live_office, "1") == ticket["number"])


def test_a_press_while_the_server_is_down_is_retried_briefly_then_dropped(buttons, pty_pair):
    from live_office import free_port

    class Down:
        url = f"http://127.0.0.1:{free_port()}"
        tokens = {"buttons": "x"}

    bridge, _ = buttons(Down, [], press_ttl_s=0.6, retry_s=0.2)
    result = bridge.press("2")
    assert result.reply.status == 0 and result.attempts >= 2 and result.latency_s < 2
