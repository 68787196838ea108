"""A touch on a service issues a ticket on the real server and prints it on the dummy printer."""
from __future__ import annotations

from kiosk_support import dummy_printer, journal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from hardware.escpos_reader import parse_escpos


def tap(qtbot, kiosk, name: str) -> None:
    QApplication.processEvents()
    button = kiosk.window.current_screen.findChild(QPushButton, name)
    assert button is not None and button.isVisible(), f"no visible button {name}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def shown_texts(kiosk) -> str:
    QApplication.processEvents()  # widgets added to a shown layout appear on the next turn
    screen = kiosk.window.current_screen
    return "\n".join(w.text() for w in screen.findChildren(QLabel) if w.isVisible())


def test_touch_issues_prints_and_shows_the_ticket(qtbot, live_office, make_kiosk):
    printer = dummy_printer()
    kiosk = make_kiosk(live_office, printer)
    assert "Администратор" in shown_texts(kiosk)
    tap(qtbot, kiosk, "service:payments")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)

    state = live_office.get("/api/v1/state", "kiosk").json()
    assert next(q for q in state["queues"] if q["service_id"] == "payments")["waiting"] == 1
    issued = [e for e in journal(live_office) if e["type"] == "visit.issued"]
    assert len(issued) == 1 and issued[0]["data"]["number"] == "О001"

    receipt = parse_escpos(printer.output)
    assert receipt.codepages == [17]  # CP866
    assert "О001" in receipt.line_with("О001").text
    assert receipt.line_with("О001").height > 1
    receipt.line_with("Оплата и показания")
    receipt.line_with("Центр обслуживания клиентов")
    assert len(receipt.qr_codes) == 1
    assert receipt.qr_codes[0].payload == f"{live_office.url}/t/{issued[0]['visit']}"
    assert len(receipt.cuts) == 1

    assert kiosk.controller.screen == "ticket"
    text = shown_texts(kiosk)
    assert "О001" in text and "Ваш номер" in text and "Возьмите талон" in text
    assert "Перед вами никого нет" in text
    # the counter calls exactly that ticket
    assert live_office.post("/api/v1/counters/4/next", "op4").json()["number"] == "О001"


def test_ticket_screen_shows_people_ahead_and_returns_to_start(qtbot, live_office, make_kiosk):
    live_office.ticket("payments")
    live_office.ticket("payments")
    kiosk = make_kiosk(live_office, ticket_screen_s=1)
    tap(qtbot, kiosk, "service:payments")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    text = shown_texts(kiosk)
    assert "Перед вами в очереди: 2" in text
    assert "Ожидание: около" in text
    qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=3000)


def test_done_button_returns_at_once(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    tap(qtbot, kiosk, "done")
    assert kiosk.controller.screen == "start"


def test_after_done_the_next_visitor_starts_in_the_office_language(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    tap(qtbot, kiosk, "lang:en")
    tap(qtbot, kiosk, "large")
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    assert "Your number" in shown_texts(kiosk)
    tap(qtbot, kiosk, "done")
    text = shown_texts(kiosk)
    assert "Выберите услугу" in text and "Choose a service" not in text
    assert not kiosk.controller.large


def test_when_the_ticket_screen_times_out_the_next_visitor_gets_russian(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office, ticket_screen_s=1)
    tap(qtbot, kiosk, "lang:en")
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=5000)
    assert "Выберите услугу" in shown_texts(kiosk)


def test_a_second_tap_does_not_issue_a_second_ticket(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    button = kiosk.window.findChild(QPushButton, "service:quick")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
    qtbot.wait(200)
    assert len([e for e in journal(live_office) if e["type"] == "visit.issued"]) == 1


def test_english_ticket(qtbot, live_office, make_kiosk):
    printer = dummy_printer()
    kiosk = make_kiosk(live_office, printer)
    tap(qtbot, kiosk, "lang:en")
    assert "Payments and meter readings" in shown_texts(kiosk)
    assert "Choose a service" in shown_texts(kiosk)
    tap(qtbot, kiosk, "service:payments")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
    assert "Your number" in shown_texts(kiosk)
    receipt = parse_escpos(printer.output)
    receipt.line_with("Payments and meter readings")
    receipt.line_with("Your number")


def test_priority_choice_reaches_the_server(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    tap(qtbot, kiosk, "priority")
    assert kiosk.controller.screen == "priority"
    assert "Ветераны" in shown_texts(kiosk)
    tap(qtbot, kiosk, "priority:veteran")
    assert kiosk.controller.screen == "start"
    assert "Приоритетный талон (ветеран)" in shown_texts(kiosk)
    assert not kiosk.window.findChild(QPushButton, "priority").isVisible()
    tap(qtbot, kiosk, "service:consultation")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
    assert "Приоритет: ветеран" in shown_texts(kiosk)
    issued = [e for e in journal(live_office) if e["type"] == "visit.issued"]
    assert issued[-1]["data"]["priority"] == "veteran"
    tap(qtbot, kiosk, "done")
    # the priority was for that visitor only
    assert kiosk.controller.priority is None
    assert kiosk.window.findChild(QPushButton, "priority").isVisible()


def test_priority_can_be_cancelled(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office)
    tap(qtbot, kiosk, "priority")
    tap(qtbot, kiosk, "priority:back")
    assert kiosk.controller.screen == "start" and kiosk.controller.priority is None
    tap(qtbot, kiosk, "priority")
    tap(qtbot, kiosk, "priority:disabled")
    tap(qtbot, kiosk, "priority:cancel")
    assert kiosk.controller.priority is None
    tap(qtbot, kiosk, "service:quick")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
    issued = [e for e in journal(live_office) if e["type"] == "visit.issued"]
    assert issued[-1]["data"].get("priority") is None


def test_idle_screens_return_to_start_and_reset_the_language(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office, idle_timeout_s=1)
    tap(qtbot, kiosk, "lang:en")
    tap(qtbot, kiosk, "large")
    tap(qtbot, kiosk, "priority")
    assert kiosk.controller.screen == "priority"
    qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=3000)
    qtbot.waitUntil(lambda: kiosk.controller.lang == "ru" and not kiosk.controller.large, timeout=3000)
    assert "Выберите услугу" in shown_texts(kiosk)


def test_office_closed_shows_the_servers_sentence(qtbot, closed_office, make_kiosk):
    kiosk = make_kiosk(closed_office, idle_timeout_s=2)
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "notice", timeout=5000)
    assert "Талон не выдан" in shown_texts(kiosk)
    assert kiosk.controller.notice_text  # the server's own words
    qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=4000)
