"""The visitor's score on the counter display: three or five big keys after the service.

When the visitor at this counter has been served and the counter is free again,
the display asks "how were you served?" for a minute (or until the counter calls
its next visitor); a touch sends the score for the visit just served there
(``POST /api/v1/counters/<id>/rating``, the server decides which visit) and
thanks the visitor. The request runs off the GUI thread; its answer comes back
through a Qt signal.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from counter_display import theme
from counter_display.server_api import Reply, ServerApi
from counter_display.texts import RATE_BAD, RATE_GOOD, RATE_PROMPT, RATE_THANKS, display_gettext
from hardware.rating_pads import PAD_SCORES

SHOW_S = 60.0  # how long the question stays after the service
THANKS_S = 3.0
KEY_COLOURS = {1: "#c62828", 2: "#ef6c00", 3: "#f9a825", 4: "#7cb342", 5: "#2e7d32"}


class RatingPrompt:
    """When to ask, decided without Qt: a service ended (serving → free) and the counter
    has not called anyone since, for `show_s` seconds."""

    def __init__(self, show_s: float = SHOW_S, clock: Callable[[], float] = time.monotonic):
        self.show_s, self.clock = show_s, clock
        self.previous: str | None = None
        self.until = 0.0

    def update(self, kind: str) -> bool:
        if self.previous == "serving" and kind == "free":
            self.until = self.clock() + self.show_s
        elif kind != "free":
            self.until = 0.0
        self.previous = kind
        return self.showing()

    def showing(self) -> bool:
        return self.clock() < self.until

    def answered(self) -> None:
        self.until = 0.0


class _Answers(QObject):
    came = Signal(int, int)  # status, score


class RatingPanel(QWidget):
    """The keys, laid over the lower part of the counter screen."""

    def __init__(self, parent: QWidget, api: ServerApi, counter_id: str, keys: int = 5, lang: str = "ru"):
        super().__init__(parent)
        self.api, self.counter_id, self.keys, self._ = api, counter_id, keys, display_gettext(lang)
        self.sent: list[tuple[int, int]] = []  # (score, status): what went to the server (tests)
        self.thanking = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rating")
        self._answers = _Answers()
        self._answers.came.connect(self._answered)
        self._hide_timer = QTimer(self, singleShot=True, timeout=self._finish)
        layout = QVBoxLayout(self)
        layout.addStretch(3)
        row = QHBoxLayout()
        self.buttons: list[QPushButton] = []
        for score in PAD_SCORES[keys]:
            b = QPushButton(str(score), self)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setStyleSheet(f"QPushButton {{ background: {KEY_COLOURS[score]}; color: white; border-radius: 16px;"
                            " font-weight: bold; }")
            b.clicked.connect(lambda _checked=False, s=score: self.rate(s))
            self.buttons.append(b)
            row.addWidget(b)
        layout.addLayout(row, 4)
        layout.addStretch(2)
        self.hide()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        size = max(12, int(self.height() * 0.16))
        for b in self.buttons:
            b.setMinimumHeight(int(self.height() * 0.4))
            f = theme.font(size)
            b.setFont(f)
        super().resizeEvent(event)

    def ask(self) -> None:
        self.thanking = False
        for b in self.buttons:
            b.show()
        self.setGeometry(self.parentWidget().rect().adjusted(0, int(self.parentWidget().height() * 0.22), 0, 0))
        self.show()
        self.raise_()

    def rate(self, score: int) -> None:
        for b in self.buttons:
            b.hide()
        self.thanking = True
        self.update()

        def send() -> None:
            reply: Reply = self.api.post(f"/api/v1/counters/{self.counter_id}/rating",
                                         {"score": score, "keys": self.keys})
            self._answers.came.emit(reply.status, score)
        self._pool.submit(send)
        self._hide_timer.start(int(THANKS_S * 1000))

    def _answered(self, status: int, score: int) -> None:
        self.sent.append((score, status))

    def _finish(self) -> None:
        self.thanking = False
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.fillRect(self.rect(), theme.BACKGROUND)
        w, h = self.width(), self.height()
        p.setPen(theme.TEXT)
        text = self._(RATE_THANKS) if self.thanking else self._(RATE_PROMPT)
        top = QRectF(w * 0.04, 0, w * 0.92, h * (0.9 if self.thanking else 0.3))
        p.setFont(theme.fit_font(text, top.width(), top.height() * 0.5))
        p.drawText(top, Qt.AlignmentFlag.AlignCenter, text)
        if not self.thanking:
            p.setPen(QColor(theme.MUTED))
            p.setFont(theme.fit_font(self._(RATE_GOOD), w * 0.3, h * 0.08, bold=False))
            under = QRectF(w * 0.04, h * 0.8, w * 0.92, h * 0.12)
            p.drawText(under, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._(RATE_BAD))
            p.drawText(under, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._(RATE_GOOD))
        p.end()

    def close_pool(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
