"""The kiosk tells the office it is alive (issue #13, item 4): a heartbeat from the GUI thread's timer.

A frozen screen goes silent, the office journals it down, and up again when it thaws; a
revoked token is seen at the next heartbeat, without a visitor's touch. Real server (system
clock, a 6 s window so the server asks for a heartbeat every 2 s), real kiosk, Qt offscreen.
"""
from __future__ import annotations

import time

import requests
from kiosk_support import make_office_dir, serve_office, stop_live_office

from queue_server.app import CONFIG_NAME
from queue_server.domain import events as ev


def fast_watch_office(tmp_path):
    data = make_office_dir(tmp_path / "office")
    with (data / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write("\n[devices]\nsilent_after_s = 6\n")
    return serve_office(data)


def device_lines(live, name: str) -> list[str]:
    return [e.type for e in live.app.store.events_after(0) if e.operator == name
            and e.type in (ev.DEVICE_DOWN, ev.DEVICE_UP)]


def test_a_frozen_kiosk_goes_silent_and_is_journaled_down_then_up(qtbot, tmp_path, make_kiosk):
    live = fast_watch_office(tmp_path)
    try:
        kiosk = make_kiosk(live)
        watch = live.app.devices
        qtbot.waitUntil(lambda: watch.heard["kiosk-1"] >= 3, timeout=8000)  # every 2 s: the server said so
        assert kiosk.controller.heartbeat_timer.interval() == 2000
        heard = watch.heard["kiosk-1"]
        time.sleep(9)  # the GUI thread is blocked: no timer fires, so no heartbeat is asked for
        assert watch.heard["kiosk-1"] <= heard + 1  # at most the one already on its way
        assert device_lines(live, "kiosk-1") == [ev.DEVICE_DOWN]  # the watch's own thread saw the silence
        qtbot.waitUntil(lambda: device_lines(live, "kiosk-1") == [ev.DEVICE_DOWN, ev.DEVICE_UP], timeout=8000)
    finally:
        stop_live_office(live)


def test_a_revoked_kiosk_goes_out_of_service_at_its_next_heartbeat(qtbot, tmp_path, make_kiosk):
    live = fast_watch_office(tmp_path)
    try:
        kiosk = make_kiosk(live)
        qtbot.waitUntil(lambda: live.app.devices.heard["kiosk-1"] >= 1, timeout=8000)
        r = requests.delete(f"{live.url}/api/v1/admin/devices/kiosk-1", timeout=5,
                            headers={"Authorization": f"Bearer {live.login('admin')}"})
        assert r.status_code == 204
        qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=6000)
        assert "token" in kiosk.controller.oos_detail.lower() or "токен" in kiosk.controller.oos_detail.lower()
    finally:
        stop_live_office(live)
