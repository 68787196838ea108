"""Boards and bridges tell the office they are alive (issue #13, item 4).

A board beats from its GUI thread's timer: frozen, it goes silent and is journaled down
although its Socket.IO connection stays up (the link has threads of its own). A headless
bridge beats from a thread; when the server goes away it keeps trying, quietly, and
beats again as soon as the server is back on the same port.
"""
from __future__ import annotations

import time

from live_office import make_office_dir, start_live_office, stop_live_office

from counter_display.apps import HallApp
from counter_display.server_api import Heartbeat, ServerApi
from queue_server.app import CONFIG_NAME
from queue_server.domain import events as ev


def fast_watch_office(tmp_path):
    data = make_office_dir(tmp_path / "office")
    with (data / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write("\n[devices]\nsilent_after_s = 6\n")
    return start_live_office(data, login_staff=False)


def board_lines(live) -> list[str]:
    return [e.type for e in live.app.store.events_after(0) if e.operator == "board-1"
            and e.type in (ev.DEVICE_DOWN, ev.DEVICE_UP)]


def test_a_frozen_board_is_down_while_its_socket_stays_connected(qtbot, tmp_path):
    live = fast_watch_office(tmp_path)
    app = HallApp(live.url, live.tokens["display"], voice="none", report_faults=False)
    qtbot.addWidget(app.board)
    app.board.show()
    app.start()
    try:
        qtbot.waitUntil(lambda: live.app.devices.heard["board-1"] >= 3, timeout=8000)
        assert app.heartbeat.heartbeat.every_s == 2  # as the server asked
        time.sleep(9)  # the GUI thread is stuck
        assert live.app.realtime.connected().get("device") == 1  # the socket did not notice
        assert board_lines(live) == [ev.DEVICE_DOWN]
        qtbot.waitUntil(lambda: board_lines(live) == [ev.DEVICE_DOWN, ev.DEVICE_UP], timeout=8000)
    finally:
        app.stop()
        stop_live_office(live)


def test_a_bridge_keeps_beating_across_a_server_restart(restartable_office):
    live = restartable_office.live
    beat = Heartbeat(ServerApi(live.url, live.tokens["buttons"], timeout=2))
    beat.start()
    try:
        deadline = time.monotonic() + 8
        while live.app.devices.heard["pad-1"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live.app.devices.heard["pad-1"] == 1 and beat.every_s == 20  # the server's word: every 20 s
        restartable_office.stop()
        beat.every_s = 1.1  # a test does not wait 20 s
        beat.beat()
        time.sleep(2.5)
        assert beat.last_status == 0  # unreachable: it tried, and will try again
        live = restartable_office.start()
        deadline = time.monotonic() + 8
        while live.app.devices.heard["pad-1"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live.app.devices.heard["pad-1"] >= 1
    finally:
        beat.stop()
