"""Full screen with or without a window manager.

``showFullScreen()`` only *asks* the window manager (X11's _NET_WM_STATE, or
the Wayland compositor) to make the window fill the screen. A kiosk PC or a TV
box often runs the program straight on X with no window manager at all: then
nobody answers, and the board stayed a 640×480 window in the top-left corner,
the kiosk ~437×570 with its last button cut off. So we size the window to the
screen ourselves, frameless, and follow the screen when it changes (a TV
plugged in later, a rotated display); with a window manager or a kiosk
compositor (cage) the request is honoured as before and changes nothing.
"""
from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget


def show_full_screen(widget: QWidget, screen: QScreen | None = None) -> None:
    """Show ``widget`` covering the whole of ``screen`` (the primary one by default)."""
    screen = screen or QGuiApplication.primaryScreen()
    widget.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    if screen is not None:
        widget.setScreen(screen)
        widget.setGeometry(screen.geometry())

        def follow(rect: QRect) -> None:
            if widget.geometry() != rect:
                widget.setGeometry(rect)

        screen.geometryChanged.connect(follow)
    widget.showFullScreen()
