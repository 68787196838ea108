"""The small screen above or at one counter: its name and who is invited there.

Shows, filling the screen: the ticket being called or served, or "Закрыто"
(closed) / "Перерыв" (break, lunch, paperwork) when so, or "Свободно" when the
counter is open and waiting for its next visitor. A fresh call blinks for a
few seconds, like the hall board. Losing the server keeps the last picture
and adds a red line at the bottom.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from client_common.ticket_number import paint_number_centered
from counter_display import theme
from counter_display.board_model import BoardModel, CounterView
from counter_display.texts import (
    CLOSED,
    CONNECTING,
    COUNTER_N,
    FREE,
    NOW_CALLING,
    RECONNECTING,
    SERVING,
    display_gettext,
    pause_text,
)


@dataclass(frozen=True)
class CounterFace:
    """What the counter screen shows, decided without Qt."""

    title: str  # "Окно 3"
    main: str  # "А112", "Закрыто", "Перерыв", "Свободно"
    sub: str  # "Приглашается", "Идёт обслуживание" or ""
    kind: str  # called | serving | free | closed | paused | unknown


def counter_face(model: BoardModel, counter_id: str, lang: str = "ru") -> CounterFace:
    _ = display_gettext(lang)
    view: CounterView | None = model.counters.get(counter_id)
    title = view.name if view is not None else _(COUNTER_N).format(counter=counter_id)
    if view is None:
        return CounterFace(title, "", "", "unknown")
    if view.status == "closed":
        return CounterFace(title, _(CLOSED), "", "closed")
    if view.status == "paused":
        return CounterFace(title, pause_text(view.pause_reason, lang), "", "paused")
    if view.number and view.step_state == "called":
        return CounterFace(title, view.number, _(NOW_CALLING), "called")
    if view.number:
        return CounterFace(title, view.number, _(SERVING), "serving")
    return CounterFace(title, _(FREE), "", "free")


class CounterScreen(QWidget):
    def __init__(self, model: BoardModel, counter_id: str, *, lang: str = "ru",
                 parent: QWidget | None = None, clock: Callable[[], float] | None = None):
        super().__init__(parent)
        self.model, self.counter_id, self.lang = model, str(counter_id), lang
        self._ = display_gettext(lang)
        self.setWindowTitle(self._(COUNTER_N).format(counter=self.counter_id))
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(240, 120)
        self.shown: CounterFace | None = None  # the face as last painted (tests)
        model.listeners.append(self._model_changed)
        self._blink = QTimer(self, interval=100, timeout=self._tick)

    def face(self) -> CounterFace:
        return counter_face(self.model, self.counter_id, self.lang)

    def _fresh_call(self) -> bool:
        latest = self.model.latest_call()
        return latest is not None and latest.counter_id == self.counter_id and self.model.highlighted(latest)

    def _model_changed(self, what: str) -> None:
        if self._fresh_call() and not self._blink.isActive():
            self._blink.start()
        self.update()

    def _tick(self) -> None:
        if not self._fresh_call():
            self._blink.stop()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        face = self.face()
        w, h = self.width(), self.height()
        m = min(w, h) * 0.05
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        closed = face.kind in ("closed", "unknown")
        p.fillRect(self.rect(), theme.CLOSED_BG if closed else theme.BACKGROUND)
        title_h = h * 0.22
        p.fillRect(QRectF(0, 0, w, title_h), theme.HEADER)
        p.setPen(theme.TEXT)
        p.setFont(theme.fit_font(face.title, w - 2 * m, title_h * 0.62))
        p.drawText(QRectF(m, 0, w - 2 * m, title_h), Qt.AlignmentFlag.AlignCenter, face.title)

        online = self.model.online
        status_h = 0.0 if online else h * 0.14
        sub_h = h * 0.14 if face.sub else 0.0
        body = QRectF(m, title_h + m * 0.5, w - 2 * m, h - title_h - status_h - sub_h - m)
        color = self._main_color(face)
        is_number = face.kind in ("called", "serving")
        limit = body.height() * (0.95 if is_number else 0.5)
        f = theme.fit_font(face.main, body.width(), limit)
        cap = QFontMetricsF(f).capHeight()
        if is_number and cap > body.height() * 0.8:  # keep air above and below the digits
            f = theme.font(f.pixelSize() * body.height() * 0.8 / cap)
        p.setFont(f)
        p.setPen(color)
        if face.main and is_number:
            paint_number_centered(p, body, face.main)  # «О001»: the zeros slashed
        elif face.main:
            p.drawText(body, Qt.AlignmentFlag.AlignCenter, face.main)
        if face.sub:
            p.setPen(theme.MUTED if face.kind == "serving" else theme.ACCENT)
            p.setFont(theme.fit_font(face.sub, w - 2 * m, sub_h * 0.6, bold=False))
            p.drawText(QRectF(m, body.bottom(), w - 2 * m, sub_h), Qt.AlignmentFlag.AlignCenter, face.sub)
        if not online:
            r = QRectF(0, h - status_h, w, status_h)
            p.fillRect(r, theme.ALERT)
            text = self._(CONNECTING if self.model.connection == "connecting" else RECONNECTING)
            p.setPen(theme.TEXT)
            p.setFont(theme.fit_font(text, w - 2 * m, status_h * 0.5, bold=False, min_pixel_size=8))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
        self.shown = face

    def _main_color(self, face: CounterFace) -> QColor:
        if face.kind == "called":
            if self._fresh_call():
                latest = self.model.latest_call()
                return theme.ACCENT if self.model.blink_on(latest) else theme.TEXT
            return theme.ACCENT
        if face.kind == "paused":
            return theme.PAUSED
        if face.kind in ("closed", "unknown", "free"):
            return theme.MUTED
        return theme.TEXT
