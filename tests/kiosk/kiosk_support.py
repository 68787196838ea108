"""Kiosk test helpers: the real kiosk (offscreen Qt) against a real server on 127.0.0.1.

Printers are the hardware helper's DummyPrinter (or a subclass that answers the
status queries like a printer out of paper); servers are built by the same
``create_app`` as production. Nothing is patched.
"""
from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import requests

from hardware.printer_spec import parse_printer_spec
from hardware.printer_status import DLE_EOT_ONLINE, DLE_EOT_PAPER
from hardware.printers import DummyPrinter
from kiosk.config import build_config
from queue_server.app import create_app
from queue_server.cli import EXAMPLE


def _root_conftest():
    """tests/conftest.py by path: it is not a package, and "conftest" names many modules."""
    import importlib.util
    import sys

    name = "_kiosk_root_conftest"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_root = _root_conftest()
TEST_SECURITY, LiveOffice, make_office_dir = _root.TEST_SECURITY, _root.LiveOffice, _root.make_office_dir
stop_live_office, free_port = _root.stop_live_office, _root.free_port
EXAMPLE_CONFIG = EXAMPLE.read_text(encoding="utf-8") + TEST_SECURITY  # real working hours

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
STATUS_OK = b"\x12"
STATUS_PAPER_OUT = bytes([0x12 | 0x60])  # DLE EOT 4: roll paper end sensor


class StatusDummy(DummyPrinter):
    """The helper's DummyPrinter that also answers DLE EOT, like a serial printer would."""

    reads_back = True  # the wire answers DLE EOT, like serial, USB and many network printers
    paper_out = False

    def _query(self, request: bytes) -> bytes | None:
        if request == DLE_EOT_PAPER:
            return STATUS_PAPER_OUT if self.paper_out else STATUS_OK
        if request == DLE_EOT_ONLINE:
            return STATUS_OK
        return None


def dummy_printer(paper_out: bool = False) -> StatusDummy:
    printer = StatusDummy.build(parse_printer_spec("dummy"), 5.0, 0.5)
    printer.paper_out = paper_out
    return printer


def serve_office(data: Path, clock=None, port: int | None = None, tokens: dict | None = None) -> LiveOffice:
    """Start the real app on ``port`` (free one if None); keeps ``tokens`` when restarting."""
    from live_office import start_server

    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(data, clock=clock, base_url=url)
    if tokens is None:
        now = (clock or app.clock).now()
        tokens = {"kiosk": app.accounts.add_device("kiosk-1", "kiosk", now)}
    server = start_server(app, port)  # the previous server's socket may take a moment to go
    live = LiveOffice(app, url, port, tokens, server)
    if "head" not in tokens:
        tokens["head"] = live.login("head")
    return live


def fast_config(live: LiveOffice, **changes) -> object:
    values = {"server": live.url, "token": live.tokens["kiosk"], "fullscreen": False,
              "idle_timeout_s": 30, "ticket_screen_s": 30, "fault_screen_s": 60,
              "health_interval_s": 1, "retry_interval_s": 1, "printer_check_s": 1,
              "request_timeout_s": 3}
    values.update(changes)
    return build_config(values)


def journal(live: LiveOffice) -> list[dict]:
    import json

    r = requests.get(f"{live.url}/api/v1/journal", headers={"Authorization": f"Bearer {live.tokens['head']}"},
                     timeout=5)
    r.raise_for_status()
    return [json.loads(line) for line in r.text.splitlines() if line.strip()]


class SlowProxy:
    """An HTTP proxy in front of a real server that holds every answer for ``delay`` s."""

    def __init__(self, target: str, delay: float):
        self.target, self.delay = target, delay
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                time.sleep(proxy.delay)
                r = requests.request(self.command, proxy.target + self.path, data=body, headers=headers,
                                     timeout=10)
                self.send_response(r.status_code)
                for k in ("Content-Type",):
                    if k in r.headers:
                        self.send_header(k, r.headers[k])
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def visible(widgets):
    return [w for w in widgets if w.isVisible()]


def layout_problems(window, min_target: int) -> list[str]:
    """Touch targets under the floor, text that does not fit, widgets outside the window."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QStyle, QStyleOptionButton

    QApplication.processEvents()
    screen = window.current_screen
    area = QRect(QPoint(0, 0), window.size())
    problems = []
    for b in visible(screen.findChildren(QAbstractButton)):
        if min(b.width(), b.height()) < min_target:
            problems.append(f"button {b.objectName()} is {b.width()}x{b.height()} px < {min_target} px")
        rect = QRect(b.mapTo(window, QPoint(0, 0)), b.size())
        if not area.contains(rect):
            problems.append(f"button {b.objectName()} at {rect.getRect()} leaves the window")
        if b.text():
            option = QStyleOptionButton()
            b.initStyleOption(option)
            room = b.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, b).width()
            need = b.fontMetrics().horizontalAdvance(b.text())
            if need > room:
                problems.append(f"button {b.objectName()} text {b.text()!r} needs {need} px, has {room}")
    for label in visible(screen.findChildren(QLabel)):
        if not label.text():
            continue
        rect = QRect(label.mapTo(window, QPoint(0, 0)), label.size())
        if not area.contains(rect):
            problems.append(f"label {label.text()[:30]!r} at {rect.getRect()} leaves the window")
        if label.wordWrap():
            need = label.heightForWidth(label.width())
            if need > label.height() + 2:
                problems.append(f"label {label.text()[:30]!r} needs {need} px, has {label.height()}")
        else:
            need = label.fontMetrics().horizontalAdvance(label.text())
            if need > label.width() + 2:
                problems.append(f"label {label.text()[:30]!r} needs {need} px wide, has {label.width()}")
    return problems


def book_soon(live, service: str = "consultation", name: str = "Иванова Мария") -> str:
    """A booking of the first free slot of today (through the public API); its code."""
    now = live.app.clock.now().astimezone(live.app.service.office.tz)
    slots = requests.get(f"{live.url}/api/v1/slots", params={"service_id": service, "date": now.date().isoformat()},
                         timeout=5).json()["slots"]
    start = next(s["start"] for s in slots if s["free"] > 0)
    r = requests.post(f"{live.url}/api/v1/bookings", timeout=5, json={
        "service_id": service, "start": start, "name": name, "phone": f"+7912{len(live.app.service.office.bookings.bookings):07d}"})
    assert r.status_code == 201, r.text
    return r.json()["code"]


def walk_screens(qtbot, kiosk, live, printer):
    """Drive the kiosk through every screen by touches; yields each screen's name once it is up."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QPushButton

    ctrl = kiosk.controller

    def tap(name):
        QApplication.processEvents()
        button = kiosk.window.current_screen.findChild(QPushButton, name)
        assert button is not None, f"no button {name} on {ctrl.screen}"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        QApplication.processEvents()

    yield "start-en" if ctrl.lang == "en" else "start-ru"
    tap("lang:en")
    yield "start-en"
    tap("lang:ru")
    tap("large")
    yield "start-large" if ctrl.large else "start-ru"
    tap("large")
    tap("priority")
    yield "priority"
    tap("priority:veteran")
    yield "priority-chosen"
    for _ in range(3):
        live.ticket("payments")  # people ahead, for a realistic ticket screen
    tap("service:payments")
    qtbot.waitUntil(lambda: ctrl.screen == "ticket" and ctrl.outcome is not None, timeout=5000)
    yield "ticket"
    tap("done")
    code = book_soon(live)
    tap("booking")
    yield "check-in"
    for char in code[:6]:
        tap(f"key:{char}")
    yield "check-in-typing"
    for char in code[6:]:
        tap(f"key:{char}")
    tap("checkin:submit")
    qtbot.waitUntil(lambda: ctrl.screen == "ticket" and ctrl.outcome is not None, timeout=5000)
    yield "ticket-booked"
    tap("done")
    printer.paper_out = True
    tap("service:reception")
    qtbot.waitUntil(lambda: ctrl.screen == "ticket" and ctrl.outcome is not None, timeout=5000)
    yield "printer-fault"
    tap("done")
    yield "start-printer-fault"
    printer.paper_out = False
    stop_live_office(live)
    qtbot.waitUntil(lambda: ctrl.screen == "out_of_service", timeout=5000)
    yield "out-of-service"
