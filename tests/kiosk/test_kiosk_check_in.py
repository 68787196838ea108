"""A booked visitor checks in at the kiosk: the USB barcode scanner is a keyboard (characters
and an Enter, fast), typed into the window in-process with pytest-qt; or the on-screen keypad.
The real server (fake clock: Friday 10:00 in Moscow) and the dummy printer; nothing patched."""
from __future__ import annotations

from datetime import timedelta

import pytest
from kiosk_support import book_soon, dummy_printer, journal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from hardware.escpos_reader import parse_escpos
from kiosk.model import ScanBuffer, code_from_keys

RUSSIAN_KEYS = str.maketrans("QWERTYUIOPASDFGHJKLZXCVBNM", "ЙЦУКЕНГШЩЗФЫВАПРОЛДЯЧСМИТЬ")


def shown_texts(kiosk) -> str:
    QApplication.processEvents()
    return "\n".join(w.text() for w in kiosk.window.current_screen.findChildren(QLabel) if w.isVisible())


def scan(qtbot, kiosk, text: str) -> None:
    """What a keyboard-wedge scanner sends: the characters, then Enter, a few ms apart."""
    qtbot.keyClicks(kiosk.window, text, delay=2)
    qtbot.keyClick(kiosk.window, Qt.Key.Key_Return)


def tap(qtbot, kiosk, name: str) -> None:
    QApplication.processEvents()
    button = kiosk.window.current_screen.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), f"no visible button {name}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def checked_in(live) -> list[dict]:
    return [e for e in journal(live) if e["type"] == "booking.checked_in"]


def test_a_scan_at_the_start_screen_checks_in_and_prints_the_ticket(qtbot, live_office, make_kiosk):
    printer = dummy_printer()
    kiosk = make_kiosk(live_office, printer)
    code = book_soon(live_office)  # consultation at 10:30, and it is 10:00
    scan(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket" and kiosk.controller.outcome is not None,
                    timeout=5000)
    texts = shown_texts(kiosk)
    assert "К001" in texts and "Запись на 10:30: вас пригласят в назначенное время" in texts
    assert "Приоритет: по записи" in texts
    (e,) = checked_in(live_office)
    assert e["data"]["code"] == code and e["data"]["via"] == "kiosk" and e["operator"] == "kiosk-1"
    receipt = parse_escpos(printer.output)
    assert "К001" in receipt.line_with("К001").text


def russian_layout_scan(kiosk, code: str) -> None:
    """A scanner's keys as the Russian layout turns them into text: the key of K, the text «Л»."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for char in code:
        key = Qt.Key(ord(char)) if char.isalnum() else Qt.Key.Key_unknown
        text = char.translate(RUSSIAN_KEYS)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(kiosk.window, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(kiosk.window, QKeyEvent(kind, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"))


def test_a_scanner_on_the_russian_layout_is_read_by_key_position(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    code = book_soon(live_office)
    typed = code.translate(RUSSIAN_KEYS)  # what the scanner "types" with the Russian layout on
    assert code_from_keys(typed) == code
    russian_layout_scan(kiosk, code)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    assert checked_in(live_office)[0]["data"]["code"] == code


def test_the_on_screen_keypad(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    code = book_soon(live_office, "payments")
    tap(qtbot, kiosk, "booking")
    assert kiosk.controller.screen == "check_in"
    submit = kiosk.window.current_screen.findChild(QPushButton, "checkin:submit")
    for char in code[:7]:
        tap(qtbot, kiosk, f"key:{char}")
    assert not submit.isEnabled()
    tap(qtbot, kiosk, "key:Z")
    tap(qtbot, kiosk, "checkin:erase")
    tap(qtbot, kiosk, f"key:{code[7]}")
    assert kiosk.window.current_screen.findChild(QLabel, "checkin:code").text() == f"{code[:4]}-{code[4:]}"
    tap(qtbot, kiosk, "checkin:submit")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    assert "О001" in shown_texts(kiosk)


def test_refusals_are_shown_in_the_visitors_words(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    # a booking for tomorrow
    r = live_office.post("/api/v1/bookings", "op1", {"service_id": "reception", "start": "2026-11-21T10:00:00+03:00",
                                                      "name": "Петров", "phone": "+79160000001"})
    tomorrow = r.json()["code"]
    scan(qtbot, kiosk, tomorrow)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "notice", timeout=5000)
    texts = shown_texts(kiosk)
    assert "Не удалось отметиться" in texts and "Запись на 21.11 в 10:00: отметьтесь в этот день" in texts
    tap(qtbot, kiosk, "notice:ok")
    # a code nobody has
    scan(qtbot, kiosk, "ZZZZZZZZ")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "notice", timeout=5000)
    assert "Записи с таким кодом нет" in shown_texts(kiosk)
    tap(qtbot, kiosk, "notice:ok")
    # something that is not a code at all (a shop's barcode)
    scan(qtbot, kiosk, "4607001771234")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "check_in", timeout=5000)
    assert "Это не код записи" in shown_texts(kiosk)
    assert checked_in(live_office) == []


def test_a_late_visitor_is_told_they_are_in_the_general_queue(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    code = book_soon(live_office)  # 10:30
    live_office.app.clock.advance(timedelta(minutes=46).total_seconds())  # 10:46: more than 15 min late
    scan(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    texts = shown_texts(kiosk)
    assert "Ваша запись была на 10:30: вы опоздали больше чем на 15 мин, поэтому вы в общей очереди" in texts
    assert "по записи" not in texts
    assert checked_in(live_office)[0]["data"]["late"] is True


def test_typing_slowly_is_not_a_scan(qtbot, live_office, make_kiosk):
    """Keys pressed longer ago than the scanner's pace do not prefix the next scan."""
    buffer = ScanBuffer()
    buffer.feed("X", 0.0)
    buffer.feed("K7M2QXPA", 5.0)
    assert buffer.enter(5.05) == "K7M2QXPA"
    buffer.feed("K7M2", 10.0)
    assert buffer.enter(11.0) is None  # an Enter long after: nothing
    kiosk = make_kiosk(live_office)
    code = book_soon(live_office)
    qtbot.keyClicks(kiosk.window, "JUNK")
    qtbot.wait(600)
    scan(qtbot, kiosk, code)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)


@pytest.mark.parametrize("screen", ["priority", "ticket"])
def test_a_scan_elsewhere_than_start_or_check_in_is_ignored(qtbot, live_office, make_kiosk, screen):
    kiosk = make_kiosk(live_office)
    code = book_soon(live_office)
    if screen == "priority":
        tap(qtbot, kiosk, "priority")
    else:
        tap(qtbot, kiosk, "service:reception")
        qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    scan(qtbot, kiosk, code)
    qtbot.wait(300)
    assert kiosk.controller.screen == screen and checked_in(live_office) == []
