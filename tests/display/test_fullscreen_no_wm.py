"""Full screen with no window manager: the board and the kiosk cover the whole screen themselves.

A kiosk PC or a TV box runs `qkiosk` / `qdisplay` straight on X with no
window manager. Here: a real Xvfb (1920×1080 and 1080×1920, black root, no
window manager), the real `qdisplay hall`, `qdisplay counter` and `qkiosk`
processes with `--fullscreen` (the kiosk's default) against a real server.
Each must cover the screen exactly — as the X server reports it (xwininfo),
as the program reports it (`--diagnostics`), and in a screen grab with not one
black pixel of the root showing — and the kiosk must have no button cut off.
QOFFICE_SCREENSHOTS=1 writes the grabs into docs/screenshots/.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from live_office import start_live_office, stop_live_office
from PySide6.QtGui import QImage

from bench.device_processes import Device, Xvfb, have_xvfb

pytestmark = [pytest.mark.skipif(not have_xvfb() or not shutil.which("xwininfo"),
                                 reason="needs Xvfb and xwininfo (make apt)"), pytest.mark.slow]

DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
SIZES = [(1920, 1080), (1080, 1920)]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from live_office import make_office_dir

    live = start_live_office(make_office_dir(tmp_path_factory.mktemp("fullscreen") / "office"))
    live.ticket("payments")
    live.post("/api/v1/counters/4/next", "op4")
    live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    yield live
    stop_live_office(live)


def black_pixels(png: Path) -> int:
    """Pure-black pixels on a grid over the grab: the root showing where the window does not reach."""
    image = QImage(str(png))
    step = 8
    black = 0
    for y in [*range(0, image.height(), step), image.height() - 1]:
        for x in [*range(0, image.width(), step), image.width() - 1]:
            if image.pixel(x, y) & 0xFFFFFF == 0:
                black += 1
    return black


def out_dir(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("QOFFICE_SCREENSHOTS") else tmp_path


def check_covers(xvfb: Xvfb, device: Device, ready, shot: Path) -> dict:
    w, h = xvfb.size
    state = device.wait_until(lambda s: ready(s) and s.get("window") == [0, 0, w, h], timeout=30)
    assert state["screen"] == [0, 0, w, h]
    assert (0, 0, w, h) in xvfb.toplevel_windows()
    xvfb.grab(shot)
    assert black_pixels(shot) == 0, f"the root shows in {shot}"
    return state


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_hall_board_fills_a_screen_with_no_window_manager(office, tmp_path, size):
    xvfb = Xvfb(*size)
    board = Device.hall(office.url, office.tokens["display"], tmp_path, "--fullscreen", "--ticker",
                        "Оплатить счёт можно в терминале у входа", env=xvfb.env())
    try:
        shot = out_dir(tmp_path) / f"xvfb-hall-{size[0]}x{size[1]}.png"
        state = check_covers(xvfb, board, lambda s: s.get("connection") == "online" and s.get("top"), shot)
        assert state["top"] == ["А001", "1"]
    finally:
        assert board.stop() == 0
        xvfb.stop()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_kiosk_fills_a_screen_and_keeps_every_button_on_it(office, tmp_path, size):
    xvfb = Xvfb(*size)
    kiosk = Device.kiosk(office.url, office.tokens["kiosk"], tmp_path, env=xvfb.env())
    try:
        shot = out_dir(tmp_path) / f"xvfb-kiosk-{size[0]}x{size[1]}.png"
        state = check_covers(xvfb, kiosk, lambda s: s.get("showing") == "start", shot)
        assert state["buttons_outside"] == []
    finally:
        assert kiosk.stop() == 0
        xvfb.stop()


def test_the_counter_display_fills_its_screen(office, tmp_path):
    xvfb = Xvfb(1024, 600)  # a 7" counter screen
    counter = Device.counter(office.url, office.tokens["display"], "1", tmp_path, "--fullscreen",
                             env=xvfb.env())
    try:
        shot = out_dir(tmp_path) / "xvfb-counter-1024x600.png"
        state = check_covers(xvfb, counter, lambda s: s.get("shown") and s["shown"][0] == "А001", shot)
        assert state["shown"] == ["А001", "called"]
    finally:
        assert counter.stop() == 0
        xvfb.stop()
