"""Readable from 5 metres: glyph sizes measured on the rendered board, both orientations.

Also writes the screenshots in docs/: set QOFFICE_SCREENSHOTS=1 to refresh
docs/screenshots/hall-*.png and counter-*.png (otherwise they go to tmp).
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from display_helpers import busy_hall_model, busy_hall_snapshot
from PySide6.QtGui import QColor, QFontMetricsF, QImage

from counter_display import theme
from counter_display.board_model import BoardModel
from counter_display.counter_screen import CounterScreen
from counter_display.hall_board import HallBoard
from counter_display.hall_layout import hall_layout

DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
TICKER = "Уважаемые посетители! Оплатить счёт и передать показания можно без очереди в терминале у входа."


class Frozen:
    """A clock stopped 2 s after the call: the highlight is on, blinking has not gone off."""

    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def shots_dir(tmp_path):
    return DOCS if os.environ.get("QOFFICE_SCREENSHOTS") else tmp_path


def make_board(qtbot, w, h, ticker=TICKER, model=None):
    board = HallBoard(model or busy_hall_model(Frozen()), ticker=ticker, clock=lambda: datetime(2026, 11, 20, 10, 31))
    qtbot.addWidget(board)
    board.resize(w, h)
    board.show()
    qtbot.waitUntil(lambda: board.paints > 0)
    return board


def ink_rows(img: QImage, x0: int, x1: int, y0: int, y1: int, bright: int = 200) -> tuple[int, int] | None:
    """First and last pixel row inside the box holding near-white text pixels."""
    rows = [y for y in range(y0, y1) if any(QColor(img.pixel(x, y)).lightness() > bright
                                             for x in range(x0, x1, 2))]
    return (rows[0], rows[-1]) if rows else None


@pytest.mark.parametrize("w, h", [(1920, 1080), (1080, 1920), (1366, 768), (3840, 2160)])
def test_call_numbers_are_at_least_a_tenth_of_the_screen_height(qtbot, w, h):
    board = make_board(qtbot, w, h)
    lay = board.board_layout()
    metrics = QFontMetricsF(lay.number_font)
    assert metrics.height() >= h / 10  # the font's pixel height against the widget height
    if w > h:
        assert metrics.capHeight() >= h / 10  # landscape: capitals and digits alone
    else:
        assert metrics.capHeight() >= w / 10  # portrait: still ≥ 1/10 of the short side
    assert len(lay.rows) >= 5  # "the last several calls"
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "АБВКОЯЖЩ0123456789")  # Cyrillic glyphs, no boxes

    # Measure the ink: the second row (white on blue) — "К007" — in the ticket column.
    img = board.grab().toImage()
    row = lay.rows[1]
    tx, tw = lay.ticket_col
    top, bottom = ink_rows(img, tx, tx + tw, row.top(), row.bottom())
    ink = bottom - top + 1
    assert ink >= metrics.capHeight() - 2
    assert ink >= min(w, h) / 10
    # Nothing clipped: the numbers sit inside their columns and on screen.
    assert QFontMetricsF(lay.number_font).horizontalAdvance("А112") <= tw
    cx, cw = lay.counter_col
    assert cx + cw <= w and lay.rows[-1].bottom() < (lay.ticker.top() if lay.ticker else h)


def test_layout_turns_with_the_screen(qapp):  # fonts are measured: Qt needs its application
    land, port = hall_layout(1920, 1080, ticker=True), hall_layout(1080, 1920, ticker=True)
    assert not land.portrait and port.portrait
    assert land.queues.left() > land.calls.right()  # side by side
    assert port.queues.top() > port.calls.bottom()  # stacked
    for lay in (land, port):
        for r in (lay.calls, lay.queues, lay.caption, lay.ticker):
            assert r.top() >= lay.header.bottom() or r is lay.ticker
            assert 0 <= r.left() and r.right() < lay.header.width()
        assert not lay.calls.intersects(lay.queues) and not lay.caption.intersects(lay.queues)


def test_newest_call_is_drawn_highlighted(qtbot):
    board = make_board(qtbot, 1920, 1080)
    img = board.grab().toImage()
    r = board.board_layout().rows[0]
    assert QColor(img.pixel(r.left() + 8, r.center().y())) == theme.ACCENT
    r2 = board.board_layout().rows[1]
    assert QColor(img.pixel(r2.left() + 8, r2.center().y())) == theme.BACKGROUND


def test_screenshots(qtbot, shots_dir):
    """hall-landscape, hall-portrait, hall-reconnecting, counter-called/serving/break/closed."""
    saved = []
    for w, h, name in [(1920, 1080, "hall-1920x1080.png"), (1080, 1920, "hall-1080x1920.png")]:
        board = make_board(qtbot, w, h)
        board.grab().save(str(shots_dir / name))
        saved.append(name)
    model = busy_hall_model(Frozen())
    model.set_caption(None)
    model.set_connection("reconnecting", "connection lost")
    board = make_board(qtbot, 1920, 1080, model=model)
    board.grab().save(str(shots_dir / "hall-reconnecting.png"))
    saved.append("hall-reconnecting.png")

    model = busy_hall_model(Frozen())
    for counter, name in [("3", "counter-called.png"), ("1", "counter-serving.png"),
                          ("4", "counter-closed.png")]:
        saved.append(_counter_shot(qtbot, model, counter, shots_dir / name))
    pause = BoardModel()
    pause.apply_snapshot(busy_hall_snapshot())
    pause.set_connection("online")
    saved.append(_counter_shot(qtbot, pause, "3", shots_dir / "counter-break.png"))
    for name in saved:
        img = QImage(str(shots_dir / name))
        assert not img.isNull() and img.width() >= 800


def _counter_shot(qtbot, model, counter, path) -> str:
    screen = CounterScreen(model, counter)
    qtbot.addWidget(screen)
    screen.resize(800, 480)
    screen.show()
    qtbot.waitUntil(lambda: screen.shown is not None)
    screen.grab().save(str(path))
    return path.name
