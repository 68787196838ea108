"""Wiring: one function builds the kiosk for production, tests and the benchmark alike."""
from __future__ import annotations

import importlib
import logging
import signal
from dataclasses import dataclass

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from client_common.diagnostics import Diagnostics
from client_common.fullscreen import show_full_screen
from hardware.printer_spec import parse_printer_spec
from hardware.printers import Printer

from .api_client import ServerClient
from .config import KioskConfig, require_server
from .controller import KioskController
from .printing import TicketPrinter
from .process import prepare_process
from .ui.window import KioskWindow
from .workers import Tasks

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    config: KioskConfig
    controller: KioskController
    window: KioskWindow
    printer: TicketPrinter

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.window._touch_filter)
        self.controller.start()
        # the first ticket screen draws a QR code: load its library now, off the GUI thread
        self.controller.tasks.run(lambda: importlib.import_module("qrcode"))

    def status(self) -> dict:
        """The kiosk's own counters for the diagnostics file."""
        ctrl = self.controller
        return {"showing": ctrl.screen, "tickets": ctrl.tickets_issued,
                "printer_fault": ctrl.printer_fault is not None}

    def close(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.window._touch_filter)
        self.controller.shutdown()
        self.window.close()


def build_kiosk(config: KioskConfig, printer: Printer | None = None, dpi: float | None = None) -> Kiosk:
    """Build (not start) the kiosk; ``printer`` replaces the one the config names (tests)."""
    require_server(config)
    parse_printer_spec(config.printer)  # PrinterConfigError: a wrong SPEC stops the start
    client = ServerClient(config.server, config.token, timeout=config.request_timeout_s)
    # the device itself is opened on the printer thread (see TicketPrinter)
    ticket_printer = TicketPrinter(printer, config.printer, config.paper_width, config.timezone)
    controller = KioskController(config, client, ticket_printer, Tasks())
    window = KioskWindow(controller, dpi)
    return Kiosk(config, controller, window, ticket_printer)


def run(config: KioskConfig, diagnostics: str = "") -> int:
    """Start the kiosk full screen and run until the window is closed or SIGTERM.

    ``diagnostics``: a file for the GUI thread's stalls, memory and window
    (client_common.diagnostics), for soak tests and troubleshooting.
    """
    prepare_process()
    app = QApplication.instance() or QApplication(["qkiosk"])
    app.setApplicationName("qkiosk")
    kiosk = build_kiosk(config)
    if config.fullscreen:
        show_full_screen(kiosk.window)  # also without a window manager
    else:
        kiosk.window.resize(810, 1440)
        kiosk.window.show()
    kiosk.start()
    health = Diagnostics(diagnostics, kiosk.window, kiosk.status) if diagnostics else None
    if health is not None:
        health.start()
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    pulse = QTimer()  # lets Python see the signals while Qt's loop runs
    pulse.start(250)
    pulse.timeout.connect(lambda: None)
    try:
        return app.exec()
    finally:
        if health is not None:
            health.stop()
        kiosk.close()
