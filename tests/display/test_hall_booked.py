"""The hall sees why a visitor came first: a number called for its booking carries «по записи
на 10:30» on the board (from the `called` push's reason and from the state's recent calls)."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from display_helpers import busy_hall_snapshot
from PySide6.QtGui import QColor

from counter_display import theme
from counter_display.board_model import BoardModel
from counter_display.hall_board import HallBoard

DOCS = Path(__file__).parents[2] / "docs" / "screenshots"
BOOKED_CALL = {"number": "К008", "counter_id": "2", "at": "2026-11-20T07:31:00Z", "visit_id": "v8", "lang": "ru",
               "reason": {"code": "appointment", "template": "Appointment at {due}: …",
                          "params": {"priority": "appointment", "wait_min": 1.0, "norm_min": 20.0, "due": "10:30"}}}


class Frozen:
    def __call__(self):
        return 100.0


def model_with(call: dict | None) -> BoardModel:
    model = BoardModel(clock=Frozen())
    model.apply_snapshot(busy_hall_snapshot())
    model.set_connection("online")
    if call:
        model.apply_called(call)
    return model


def test_the_board_model_keeps_the_booked_time_from_a_call_and_from_the_state():
    model = model_with(BOOKED_CALL)
    assert model.calls[0].booked == "10:30"
    snapshot = busy_hall_snapshot()
    snapshot["recent_calls"][0]["appointment"] = "09:45"
    model.apply_snapshot(snapshot)
    assert model.calls[0].booked == "09:45"  # the state's list is the board's list
    assert all(c.booked == "" for c in model.calls[1:])


def test_the_booked_time_is_drawn_under_the_number(qtbot, tmp_path):
    """The same row with and without the mark: only the space between the number and the arrow differs."""
    images = []
    for call in (BOOKED_CALL, {k: v for k, v in BOOKED_CALL.items() if k != "reason"}):
        board = HallBoard(model_with(call), clock=lambda: datetime(2026, 11, 20, 10, 31))
        qtbot.addWidget(board)
        board.resize(1920, 1080)
        board.show()
        qtbot.waitUntil(lambda board=board: board.paints > 0)
        images.append(board.grab().toImage())
        row = board.board_layout().rows[0]
        tx, tw = board.board_layout().ticket_col
        if call.get("reason"):
            out = DOCS if os.environ.get("QOFFICE_SCREENSHOTS") else tmp_path
            board.grab().save(str(out / "hall-booked.png"))
    booked, plain = images
    ax, _aw = board.board_layout().arrow_col
    differs = [(x, y) for y in range(row.top(), row.bottom(), 2) for x in range(row.left(), row.right(), 3)
               if QColor(booked.pixel(x, y)) != QColor(plain.pixel(x, y))]
    assert len(differs) > 50  # the words are there…
    assert all(tx < x < ax and row.top() <= y <= row.bottom() for x, y in differs)  # …in the row, before the arrow
    assert QColor(booked.pixel(row.left() + 8, row.center().y())) == theme.ACCENT  # still the new call's colour
