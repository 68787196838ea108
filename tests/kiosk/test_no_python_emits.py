"""The kiosk never emits a Qt signal from Python.

PySide6 6.12.0 leaks a reference to True on every Python `Signal.emit()`
(a long-running kiosk would abort with "bool_dealloc"), and on 6.10–6.11 an
exception handled on a worker thread can stay pending into GUI code. So
results reach the GUI through posted events (kiosk/workers.py) and the
controller notifies its views in plain Python (kiosk.controller.Notice).
"""
from __future__ import annotations

import re
from pathlib import Path

KIOSK = Path(__file__).parents[2] / "kiosk"


def test_no_qt_signal_is_declared_or_emitted_in_kiosk_code():
    offenders = []
    for path in KIOSK.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bSignal\(", text):
            offenders.append(f"{path.name}: declares a Qt Signal")
    assert not offenders, offenders


def test_controller_notices_reach_their_slots():
    from kiosk.controller import Notice

    seen = []
    n = Notice()
    n.connect(seen.append)
    n.connect(lambda value: seen.append(value * 2))
    n.emit(21)
    assert seen == [21, 42]
