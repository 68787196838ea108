"""LED boards over a real serial line (a pty pair): API call → exact bytes on the wire."""
from __future__ import annotations

import os
import time

import pytest
from display_helpers import journal, read_exactly, wait_for

from counter_display.led_bridge import BoardSpec, LedBridge, open_boards, parse_board
from counter_display.link import RealtimeLink
from counter_display.server_api import ServerApi, StatusReporter
from hardware.serial_port import SpecError

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs POSIX ptys")

CLEAR_1 = b"\x0201X\x035A"  # STX "01" "X" ETX "5A"


@pytest.fixture
def led_bridge():
    made = []

    def make(live, specs, token="display", **options):
        reporter = StatusReporter(ServerApi(live.url, live.tokens[token]), retry_s=0.2)
        bridge = LedBridge(open_boards(specs, **options), reporter=reporter)
        link = RealtimeLink(live.url, live.tokens[token], on_snapshot=bridge.on_snapshot,
                            on_state=bridge.on_state, on_called=bridge.on_called)
        bridge.start()
        link.start()
        made.append((link, bridge, reporter))
        assert wait_for(lambda: link.status == "online")
        return bridge, reporter

    yield make
    for link, bridge, reporter in made:
        link.stop()
        bridge.stop()
        reporter.stop()


def test_a_call_through_the_api_writes_the_exact_frame_on_the_counters_board(live_office, led_bridge, pty_pair):
    master, name = pty_pair()
    led_bridge(live_office, [BoardSpec("3", f"serial:{name}:9600", 1)])
    # Connected: the snapshot puts the board right — counter 3 is open and free, so: clear.
    assert read_exactly(master, len(CLEAR_1)) == CLEAR_1

    live_office.ticket("consultation")  # К001
    assert live_office.post("/api/v1/counters/3/next", "op3").json()["number"] == "К001"
    frame = b"\x0201C\x8a001\x1f3\x03D6"  # STX "01" "C" "К001"(CP866) US "3" ETX "D6"
    assert read_exactly(master, len(frame)) == frame
    time.sleep(0.3)
    assert read_exactly(master, 1, timeout=0.2) == b"", "the state push after the call must not resend"


def test_hall_and_counter_boards_share_one_rs485_line(live_office, led_bridge, pty_pair, clock):
    master, name = pty_pair()
    port = f"serial:{name}"
    bridge, _ = led_bridge(live_office, [parse_board(f"hall={port}@1"), parse_board(f"1={port}@2")])
    hello = read_exactly(master, 2 * len(CLEAR_1))
    assert sorted([hello[:7], hello[7:]]) == sorted([CLEAR_1, b"\x0202X\x0359"])

    live_office.ticket("reception")  # А001
    live_office.post("/api/v1/counters/1/next", "op1")
    hall_frame, counter_frame = b"\x0201C\x80001\x1f1\x03DE", b"\x0202C\x80001\x1f1\x03DD"
    both = read_exactly(master, 2 * 13)
    assert sorted([both[:13], both[13:]]) == sorted([hall_frame, counter_frame])

    live_office.post("/api/v1/counters/1/start", "op1")
    live_office.post("/api/v1/counters/1/finish", "op1")
    assert read_exactly(master, 7) == b"\x0202X\x0359"  # counter 1 is free again; the hall board keeps А001
    live_office.post("/api/v1/counters/1/pause", "op1", {"reason": "break"})
    assert read_exactly(master, 14) == b"\x0202T\x8f\xa5\xe0\xa5\xe0\xeb\xa2\x0393"  # "Перерыв"


def test_an_unplugged_board_is_reported_and_the_others_keep_working(live_office, led_bridge, pty_pair):
    master, name = pty_pair()
    bridge, reporter = led_bridge(live_office, [
        BoardSpec("2", "serial:/dev/does-not-exist-qoffice", 1), BoardSpec("3", f"serial:{name}", 1)])
    assert read_exactly(master, len(CLEAR_1)) == CLEAR_1
    live_office.ticket("consultation")
    live_office.post("/api/v1/counters/3/next", "op3")
    assert read_exactly(master, 13) == b"\x0201C\x8a001\x1f3\x03D6"
    assert wait_for(lambda: reporter.sent.get("led 2@1 does-not-exist-qoffice") == "fault")
    faults = [e for e in journal(live_office) if e["type"] == "device.fault"]
    assert faults and faults[-1]["data"]["component"] == "led 2@1 does-not-exist-qoffice"
    assert "cannot open port" in faults[-1]["data"]["message"]


def test_a_silent_board_is_a_fault_and_is_shown_the_call_once_it_answers(live_office, led_bridge, pty_pair):
    """With acknowledgements on, a board that never answers is reported; answering again recovers it."""
    master, name = pty_pair()
    _, reporter = led_bridge(live_office, [BoardSpec("3", f"serial:{name}")], expect_ack=True, ack_timeout=0.5)
    component = f"led 3@1 {os.path.basename(name)}"
    assert read_exactly(master, 7) == CLEAR_1  # sent, but nobody answers
    assert wait_for(lambda: reporter.sent.get(component) == "fault", timeout=5)
    faults = [e for e in journal(live_office) if e["type"] == "device.fault"]
    assert "no answer" in faults[-1]["data"]["message"]
    live_office.ticket("consultation")
    live_office.post("/api/v1/counters/3/next", "op3")
    call = b"\x0201C\x8a001\x1f3\x03D6"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the board is back: it ACKs whatever it gets
        got = read_exactly(master, 1, timeout=0.2)
        if got:
            rest = read_exactly(master, 12, timeout=1) if got == b"\x02" else b""
            os.write(master, b"\x06")
            if got + rest == call:
                break
    assert got + rest == call  # the worker re-sent the latest wish, the call
    assert wait_for(lambda: reporter.sent.get(component) == "ok", timeout=5)


def test_board_specs_are_checked():
    assert parse_board("3=serial:/dev/ttyUSB0:9600@4") == BoardSpec("3", "serial:/dev/ttyUSB0:9600", 4)
    assert parse_board("hall=serial:COM3") == BoardSpec("hall", "serial:COM3", 1)
    for bad in ("serial:/dev/ttyUSB0", "3=", "3=serial:/dev/x@300"):
        with pytest.raises(SpecError):
            parse_board(bad)
