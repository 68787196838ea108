"""The kiosk window: one stacked widget, one screen per controller state."""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from .. import controller as c
from ..model import ScanBuffer
from .checkin_screen import CheckInScreen
from .screens import BusyScreen, NoticeScreen, OutOfServiceScreen, PriorityScreen, TicketScreen
from .start_screen import StartScreen
from .theme import Metrics, screen_dpi, stylesheet

TOUCH_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)


class KioskWindow(QWidget):
    def __init__(self, ctrl: c.KioskController, dpi: float | None = None):
        super().__init__()
        self.ctrl = ctrl
        self._dpi_override = dpi
        self.setObjectName("KioskRoot")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setWindowTitle("qkiosk")
        self.setCursor(Qt.CursorShape.BlankCursor if ctrl.config.fullscreen else Qt.CursorShape.ArrowCursor)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        box.addWidget(self.stack)
        self.screens = {
            c.LOADING: BusyScreen(ctrl, "loading"),
            c.START: StartScreen(ctrl),
            c.PRIORITY: PriorityScreen(ctrl),
            c.BUSY: BusyScreen(ctrl, "busy"),
            c.TICKET: TicketScreen(ctrl),
            c.NOTICE: NoticeScreen(ctrl),
            c.OUT_OF_SERVICE: OutOfServiceScreen(ctrl),
            c.CHECK_IN: CheckInScreen(ctrl),
        }
        for screen in self.screens.values():
            self.stack.addWidget(screen)
        self._style_key = None
        ctrl.screen_changed.connect(self._on_screen)
        ctrl.office_changed.connect(lambda _o: self.refresh())
        ctrl.mode_changed.connect(self.refresh)
        ctrl.ticket_changed.connect(lambda _t: self.refresh())
        ctrl.print_finished.connect(lambda _o: self.refresh())
        ctrl.printer_changed.connect(lambda _f: self.refresh())
        self._touch_filter = _TouchFilter(ctrl)
        self.installEventFilter(self._touch_filter)
        self.scan = ScanBuffer()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the scanner types into the window
        self._on_screen(ctrl.screen)

    # ---- the barcode scanner (a keyboard wedge) ----------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Characters and an Enter from the USB scanner (no other keyboard is plugged in)."""
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            text = self.scan.enter(now)
            if text:
                self.ctrl.scanned(text)
            return
        if event.text() and event.text().isprintable():
            self.scan.feed(event.text(), now)
            return
        super().keyPressEvent(event)

    # ---- geometry ------------------------------------------------------------
    def dpi(self) -> float:
        if self._dpi_override:
            return self._dpi_override
        screen = self.screen()
        return screen_dpi(screen.physicalDotsPerInch() if screen else None, self.ctrl.config.screen_dpi)

    def metrics(self) -> Metrics:
        return Metrics(self.dpi(), max(1, self.width()), max(1, self.height()), self.ctrl.large)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refresh()

    # ---- drawing -------------------------------------------------------------
    def _on_screen(self, screen: str) -> None:
        if screen == c.START:
            self.screens[c.START].reset()
        self.stack.setCurrentWidget(self.screens[screen])
        self.refresh()

    def refresh(self) -> None:
        m = self.metrics()
        key = (m.width, m.height, m.dpi, m.large)
        if key != self._style_key:
            self._style_key = key
            self.setStyleSheet(stylesheet(m))
        current = self.screens[self.ctrl.screen]
        current.refresh(m)

    @property
    def current_screen(self) -> QWidget:
        return self.stack.currentWidget()


class _TouchFilter(QObject):
    """Any press anywhere restarts the idle countdown (installed on the app by ``run``)."""

    def __init__(self, ctrl):
        super().__init__()
        self.ctrl = ctrl

    def eventFilter(self, obj, event) -> bool:
        if event.type() in TOUCH_EVENTS:
            self.ctrl.touch()
        return False
