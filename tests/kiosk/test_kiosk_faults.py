"""Failures never leave a frozen screen: printer faults, a server that stops, a slow server."""
from __future__ import annotations

import time

from kiosk_support import SlowProxy, dummy_printer, journal, serve_office, stop_live_office
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QPushButton
from test_kiosk_ticket import shown_texts, tap

from hardware.escpos_reader import parse_escpos


def device_events(live) -> list[tuple[str, str]]:
    return [(e["type"], e["data"].get("component", "")) for e in journal(live) if e["type"].startswith("device.")]


def test_paper_out_still_gives_a_number_and_tells_the_server(qtbot, live_office, make_kiosk):
    printer = dummy_printer()
    kiosk = make_kiosk(live_office, printer)
    printer.paper_out = True  # runs out after start-up
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
    assert kiosk.controller.screen == "ticket"
    text = shown_texts(kiosk)
    assert "А001" in text
    assert "запомните или сфотографируйте свой номер" in text
    assert "закончилась бумага" in text.lower() or "бумаг" in text.lower()
    assert printer.output == b""  # nothing was sent to a printer without paper
    qtbot.waitUntil(lambda: ("device.fault", "printer") in device_events(live_office), timeout=5000)
    fault = next(e for e in journal(live_office) if e["type"] == "device.fault")
    assert fault["operator"] == "kiosk-1" and "paper_out" in fault["data"]["message"]
    assert live_office.post("/api/v1/counters/1/next", "op1").json()["number"] == "А001"

    tap(qtbot, kiosk, "done")
    text = shown_texts(kiosk)
    assert "Принтер талонов не работает" in text
    assert "будет напечатан" not in text and "номер будет показан на экране" in text  # no false promise

    printer.paper_out = False  # staff load a new roll
    qtbot.waitUntil(lambda: kiosk.controller.printer_fault is None, timeout=5000)
    qtbot.waitUntil(lambda: ("device.ok", "printer") in device_events(live_office), timeout=5000)
    text = shown_texts(kiosk)
    assert "Принтер талонов не работает" not in text and "талон будет напечатан" in text
    tap(qtbot, kiosk, "service:reception")
    qtbot.waitUntil(lambda: kiosk.controller.outcome is not None and kiosk.controller.ticket.number == "А002",
                    timeout=5000)
    assert kiosk.controller.outcome.printed
    parse_escpos(printer.output).line_with("А002")


def test_a_printer_out_of_paper_at_start_is_reported_before_anyone_touches(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office, dummy_printer(paper_out=True))
    qtbot.waitUntil(lambda: kiosk.controller.printer_fault is not None, timeout=5000)
    qtbot.waitUntil(lambda: ("device.fault", "printer") in device_events(live_office), timeout=5000)
    assert "Принтер талонов не работает" in shown_texts(kiosk)


def test_server_stops_then_comes_back_on_the_same_port(qtbot, office_dir, clock, make_kiosk):
    live = serve_office(office_dir, clock)
    kiosk = make_kiosk(live)
    stop_live_office(live)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=5000)
    text = shown_texts(kiosk)
    assert "Терминал временно не работает" in text and "обратитесь к администратору" in text
    assert "This kiosk is temporarily out of service" in text  # both languages: we cannot know
    buttons = [b for b in kiosk.window.current_screen.findChildren(QPushButton) if b.isVisible()]
    assert not buttons  # nothing to press that could not work

    again = serve_office(office_dir, clock, port=live.port, tokens=live.tokens)
    try:
        qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=8000)
        tap(qtbot, kiosk, "service:payments")
        qtbot.waitUntil(lambda: kiosk.controller.outcome is not None, timeout=5000)
        assert kiosk.controller.ticket.number == "О001"
        assert [e["data"]["number"] for e in journal(again) if e["type"] == "visit.issued"] == ["О001"]
    finally:
        stop_live_office(again)


def test_a_touch_while_the_server_is_down_goes_out_of_service(qtbot, office_dir, clock, make_kiosk):
    live = serve_office(office_dir, clock)
    kiosk = make_kiosk(live, health_interval_s=60)
    stop_live_office(live)
    tap(qtbot, kiosk, "service:payments")
    qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=5000)


def test_slow_server_never_blocks_the_screen(qtbot, live_office, make_kiosk):
    proxy = SlowProxy(live_office.url, 0.0)
    try:
        kiosk = make_kiosk(live_office, server=proxy.url, health_interval_s=60)
        ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(10)
        proxy.delay = 1.5
        t0 = time.monotonic()
        tap(qtbot, kiosk, "service:quick")
        assert time.monotonic() - t0 < 0.3  # the tap returned at once
        assert kiosk.controller.screen == "busy"
        assert "Выдаём талон" in shown_texts(kiosk)
        qtbot.wait(1000)
        during = [t for t in ticks if t0 < t < t0 + 1.0]
        assert len(during) >= 30, f"the GUI thread ran only {len(during)} timer ticks in a second"
        assert max(b - a for a, b in zip(during, during[1:], strict=False)) < 0.2
        qtbot.waitUntil(lambda: kiosk.controller.screen == "ticket", timeout=5000)
        timer.stop()
    finally:
        proxy.close()


def test_a_server_slower_than_the_timeout_ends_out_of_service_not_frozen(qtbot, live_office, make_kiosk):
    proxy = SlowProxy(live_office.url, 0.0)
    try:
        kiosk = make_kiosk(live_office, server=proxy.url, request_timeout_s=1)
        proxy.delay = 2.5
        t0 = time.monotonic()
        tap(qtbot, kiosk, "service:quick")
        qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=4000)
        assert time.monotonic() - t0 < 2.5
        proxy.delay = 0.0
        qtbot.waitUntil(lambda: kiosk.controller.screen == "start", timeout=8000)
    finally:
        proxy.close()


def test_a_refused_token_is_out_of_service_with_a_reason(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office, token="not-a-real-token", wait_start=False)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=5000)
    assert "ключ (токен)" in shown_texts(kiosk)


def test_a_refused_token_stays_out_of_service_until_it_is_accepted(qtbot, live_office, make_kiosk):
    kiosk = make_kiosk(live_office, token="not-a-real-token", wait_start=False)
    qtbot.waitUntil(lambda: kiosk.controller.screen == "out_of_service", timeout=5000)
    screens = []
    kiosk.controller.screen_changed.connect(screens.append)
    qtbot.wait(2500)  # a few retry rounds: no flapping back to the start screen
    assert screens == [] and kiosk.controller.screen == "out_of_service"
