"""The hall board: a TV showing "ticket → counter", queue lengths, the clock.

One painted widget over a :class:`~counter_display.board_model.BoardModel`.
Geometry comes from :func:`~counter_display.hall_layout.hall_layout`, a
function of the widget size only (landscape and portrait differ; sizes are
tested without looking at pixels). Each panel and call row is drawn once
into a pixmap and blitted afterwards: big antialiased glyphs cost
milliseconds, and the board repaints on every push and blink.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QWidget

from client_common.ticket_number import paint_number
from counter_display import theme
from counter_display.board_model import BoardModel, CallRow
from counter_display.hall_drawing import fits, name_size, paint_arrow, paint_speaker
from counter_display.hall_layout import HallLayout, hall_layout
from counter_display.texts import (
    BOOKED_FOR,
    CONNECTING,
    COUNTER,
    NO_CALLS,
    RECONNECTING,
    REFUSED,
    TICKET,
    WAITING,
    display_gettext,
)


class HallBoard(QWidget):
    """Paints the model; repaints when it changes, blinks the newest call, scrolls the ticker."""

    def __init__(self, model: BoardModel, *, lang: str = "ru", ticker: str = "",
                 clock: Callable[[], datetime] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.model, self.lang, self.ticker = model, lang, ticker.strip()
        self._ = display_gettext(lang)
        self.clock = clock or self._office_time
        self.setWindowTitle("Электронная очередь — табло" if lang == "ru" else "Queue — hall board")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(320, 240)
        self._layout: HallLayout | None = None
        self._layout_key: tuple = ()
        self._row_cache: dict[tuple, QPixmap] = {}
        self._panels: dict[str, tuple[tuple, QPixmap]] = {}
        self._ticker_strip: tuple[tuple, QPixmap] | None = None
        self._blink_phase: tuple | None = None
        self._prewarm_pending = False
        self._ticker_x = 24.0  # start just inside the left edge
        self.paints = 0
        self.shown_top: CallRow | None = None  # the top call as last painted (tests, bench)
        self.shown_connection = ""
        self.paint_listeners: list[Callable[[], None]] = []  # called after every paint (bench)
        model.listeners.append(self._model_changed)
        self._clock_timer = QTimer(self, interval=1000, timeout=self._tick_clock)
        self._clock_timer.start()
        self._blink_timer = QTimer(self, interval=50, timeout=self._tick_blink)
        self._ticker_timer = QTimer(self, interval=33, timeout=self._tick_ticker)
        if self.ticker:
            self._ticker_timer.start()

    def _office_time(self) -> datetime:
        """Now in the office's time zone (from the server), else this PC's."""
        try:
            if self.model.timezone:
                return datetime.now(ZoneInfo(self.model.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
        return datetime.now().astimezone()

    # ---- geometry --------------------------------------------------------
    def board_layout(self) -> HallLayout:
        key = (self.width(), self.height(), bool(self.ticker), max(len(self.model.queues), 1))
        if self._layout is None or self._layout_key != key:
            self._layout = hall_layout(key[0], key[1], ticker=key[2], queues=key[3])
            self._layout_key = key
        return self._layout

    def set_ticker(self, text: str) -> None:
        self.ticker = text.strip()
        self._ticker_timer.start() if self.ticker else self._ticker_timer.stop()
        self.update()

    # ---- reacting ----------------------------------------------------------
    def _model_changed(self, what: str) -> None:
        """Repaint only what changed: a push must not cost a full 1080p repaint."""
        if self.model.animating() and not self._blink_timer.isActive():
            self._blink_phase = None
            self._blink_timer.start()
        before = self._layout_key
        lay = self.board_layout()
        if self._layout_key != before:
            self.update()
        elif what == "called":
            self.repaint(lay.calls)  # at once: a call is what the hall is waiting to see
        elif what == "state":
            self.update(lay.calls.united(lay.queues).united(lay.header))
        elif what == "services":
            self.update(lay.queues)
        elif what == "caption":
            self.update(lay.caption)
        elif what == "connection":
            self.update(lay.header)
        else:
            self.update()

    def _tick_blink(self) -> None:
        """Repaint the newest row only when its blink phase flips (twice a second)."""
        top = self.model.latest_call()
        phase = (self.model.highlighted(top), self.model.blink_on(top)) if top else None
        if not self.model.animating():
            self._blink_timer.stop()
        if phase != self._blink_phase:
            self._blink_phase = phase
            self.update(self.board_layout().rows[0])

    def _tick_clock(self) -> None:
        self.update(self.board_layout().header)

    def _tick_ticker(self) -> None:
        lay = self.board_layout()
        if lay.ticker is not None:
            self._ticker_x -= max(1.0, lay.ticker.height() * 0.06)
            self.update(lay.ticker)

    # ---- painting ------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        lay = self.board_layout()
        area = event.rect()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(area, theme.BACKGROUND)
        model = self.model
        if area.intersects(lay.header):
            key = (model.office, model.online, self._connection_text(), self.clock().strftime("%H:%M"))
            self._blit(p, "header", lay.header, key, lambda q: self._paint_header(q, lay))
        if area.intersects(lay.calls):
            self._paint_calls(p, lay)
        if area.intersects(lay.queues):
            self._blit(p, "queues", lay.queues, (tuple(model.queues), lay.titles.height()),
                       lambda q: self._paint_queues(q, lay))
        if area.intersects(lay.caption):
            self._blit(p, "caption", lay.caption, (model.caption, lay.portrait),
                       lambda q: self._paint_caption(q, lay))
        if lay.ticker is not None and area.intersects(lay.ticker):
            self._paint_ticker(p, lay.ticker)
        p.end()
        self.paints += 1
        self.shown_top = self.model.latest_call()
        self.shown_connection = self.model.connection
        for listener in list(self.paint_listeners):
            listener()
        if not self._prewarm_pending:
            self._prewarm_pending = True
            QTimer.singleShot(0, self._prewarm)

    def _blit(self, p: QPainter, panel: str, rect: QRect, key: tuple, draw: Callable[[QPainter], None]) -> None:
        """Paint a panel from its cached picture; redraw the picture only when ``key`` changes.

        Large antialiased text costs milliseconds per string; the board repaints
        on every push and blinks, so each panel is drawn once per content.
        """
        full_key = (rect.x(), rect.y(), rect.width(), rect.height(), self.devicePixelRatioF(), *key)
        cached = self._panels.get(panel)
        if cached is None or cached[0] != full_key:
            ratio = self.devicePixelRatioF()
            pixmap = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(theme.BACKGROUND)
            q = QPainter(pixmap)
            q.setRenderHint(QPainter.RenderHint.Antialiasing)
            q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            q.translate(-rect.x(), -rect.y())
            draw(q)
            q.end()
            cached = self._panels[panel] = (full_key, pixmap)
        p.drawPixmap(rect.topLeft(), cached[1])

    def _paint_header(self, p: QPainter, lay: HallLayout) -> None:
        r, m = lay.header, lay.margin
        online = self.model.online
        p.fillRect(r, theme.HEADER if online else theme.ALERT)
        clock_text = self.clock().strftime("%H:%M")
        clock_font = theme.font(r.height() * 0.62)
        clock_w = QFontMetricsF(clock_font).horizontalAdvance(clock_text)
        p.setFont(clock_font)
        p.setPen(theme.TEXT)
        p.drawText(QRectF(r.right() - m - clock_w, r.top(), clock_w, r.height()),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, clock_text)
        title = self.model.office if online else self._connection_text()
        room = r.width() - 3 * m - clock_w
        f = theme.fit_font(title, room, r.height() * 0.42, bold=not online, min_pixel_size=r.height() * 0.25)
        p.setFont(f)
        text = QFontMetricsF(f).elidedText(title, Qt.TextElideMode.ElideRight, room)
        p.drawText(QRectF(r.left() + m, r.top(), room, r.height()), Qt.AlignmentFlag.AlignVCenter, text)

    def _connection_text(self) -> str:
        status = self.model.connection
        if status == "refused":
            return self._(REFUSED).format(reason=self.model.connection_detail)
        return self._(CONNECTING if status == "connecting" else RECONNECTING)

    def _paint_calls(self, p: QPainter, lay: HallLayout) -> None:
        t = lay.titles
        p.setPen(theme.MUTED)
        p.setFont(theme.font(t.height() * 0.62, bold=False))
        tx, tw = lay.ticket_col
        cx, cw = lay.counter_col
        pad = lay.margin
        p.drawText(QRect(tx + pad, t.top(), tw - pad, t.height()), Qt.AlignmentFlag.AlignVCenter,
                   self._(TICKET).upper())
        p.drawText(QRect(cx, t.top(), cw - pad, t.height()),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self._(COUNTER).upper())
        p.setPen(theme.DIVIDER)
        p.drawLine(t.left(), t.bottom(), t.right(), t.bottom())
        calls = self.model.calls
        if not calls:
            if self.model.has_state:
                p.setPen(theme.MUTED)
                p.setFont(theme.fit_font(self._(NO_CALLS), lay.calls.width() * 0.9, lay.number_px * 0.4))
                p.drawText(QRect(lay.calls.left(), lay.rows[0].top(), lay.calls.width(),
                                 lay.rows[-1].bottom() - lay.rows[0].top()),
                           Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._(NO_CALLS))
            return
        for row_rect, call in zip(lay.rows, calls, strict=False):
            self._paint_call(p, lay, row_rect, call)

    def _paint_call(self, p: QPainter, lay: HallLayout, r: QRect, call: CallRow) -> None:
        """Blit the row from a cache: big glyphs are slow to draw, a pixmap is not."""
        on, highlighted = self.model.blink_on(call), self.model.highlighted(call)
        style = "on" if on else ("lit" if highlighted else "plain")
        p.drawPixmap(r.topLeft(), self._row_pixmap(lay, r, call, style))

    def _row_pixmap(self, lay: HallLayout, r: QRect, call: CallRow, style: str) -> QPixmap:
        key = (r.width(), r.height(), r.left(), lay.number_px, call.number, call.counter_id, style, call.booked)
        pixmap = self._row_cache.get(key)
        if pixmap is None:
            ratio = self.devicePixelRatioF()
            pixmap = QPixmap(round(r.width() * ratio), round(r.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(theme.BACKGROUND)
            q = QPainter(pixmap)
            q.setRenderHint(QPainter.RenderHint.Antialiasing)
            q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self._draw_call(q, lay, QRect(0, 0, r.width(), r.height()), r.left(), call, style)
            q.end()
            self._row_cache[key] = pixmap
        return pixmap

    def _prewarm(self) -> None:
        """While idle, draw the looks rows will need next, so a new call only draws itself.

        The newest row needs its blinking and steady looks, and all rows their
        plain look (the newest becomes plain when the next call arrives).
        """
        self._prewarm_pending = False
        lay = self.board_layout()
        rows = list(zip(lay.rows, self.model.calls, strict=False))
        wanted = set()
        for i, (r, call) in enumerate(rows):
            for style in (("on", "lit", "plain") if i == 0 else ("plain",)):
                self._row_pixmap(lay, r, call, style)
                wanted.add((r.width(), r.height(), r.left(), lay.number_px, call.number, call.counter_id, style,
                            call.booked))
        # keep only the looks the rows on the board can need: a row is ~1 MB at 1080p, and
        # a cache of every recent call grew a board by 47 MB in 300 calls (the soak test)
        for key in [k for k in self._row_cache if k not in wanted]:
            del self._row_cache[key]

    def _draw_call(self, p: QPainter, lay: HallLayout, r: QRect, ox: int, call: CallRow, style: str) -> None:
        """One row in its own coordinates; ``ox`` is the row's left edge on the board."""
        pad = lay.margin
        inner = r.adjusted(0, round(r.height() * 0.04), 0, -round(r.height() * 0.04))
        if style == "on":
            path = QPainterPath()
            path.addRoundedRect(QRectF(inner), pad * 0.6, pad * 0.6)
            p.fillPath(path, theme.ACCENT)
            color = theme.ACCENT_TEXT
        else:
            color = theme.ACCENT if style == "lit" else theme.TEXT
            p.setPen(theme.DIVIDER)
            p.drawLine(r.left(), r.bottom(), r.right(), r.bottom())
        cap = QFontMetricsF(lay.number_font).capHeight()
        baseline = inner.center().y() + cap / 2
        tx, tw = lay.ticket_col
        cx, cw = lay.counter_col
        tx, cx = tx - ox, cx - ox
        p.setPen(color)
        f = theme.fit_font(call.number, tw - 2 * pad, lay.number_px)
        p.setFont(f)
        paint_number(p, tx + pad, baseline, call.number)  # «О001»: the zeros slashed
        if call.booked:  # small, between the number and the arrow: why this visitor came first
            ax, _aw = lay.arrow_col
            x0 = tx + pad + QFontMetricsF(f).horizontalAdvance(call.number) + pad * 0.6
            room = QRectF(x0, inner.top(), ax - ox - x0, inner.height())
            small = QFont(lay.number_font)
            small.setBold(False)
            small.setPixelSize(max(12, round(lay.number_px * 0.2)))
            p.setFont(small)
            p.drawText(room, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                       self._(BOOKED_FOR).format(time=call.booked))
        f = theme.fit_font(call.counter_id, cw - 2 * pad, lay.number_px)
        p.setFont(f)
        width = QFontMetricsF(f).horizontalAdvance(call.counter_id)
        p.drawText(QPointF(cx + cw - pad - width, baseline), call.counter_id)
        ax, aw = lay.arrow_col
        paint_arrow(p, QRectF(ax - ox + aw * 0.15, baseline - cap * 0.8, aw * 0.7, cap * 0.6),
                          color if style != "plain" else theme.MUTED)

    def _paint_queues(self, p: QPainter, lay: HallLayout) -> None:
        r, m = lay.queues, lay.margin
        path = QPainterPath()
        path.addRoundedRect(QRectF(r), m * 0.6, m * 0.6)
        p.fillPath(path, theme.PANEL)
        title_h = lay.titles.height()
        p.setPen(theme.MUTED)
        p.setFont(theme.font(title_h * 0.62, bold=False))
        p.drawText(QRect(r.left() + m, r.top(), r.width() - 2 * m, title_h), Qt.AlignmentFlag.AlignVCenter,
                   self._(WAITING).upper())
        queues = self.model.queues
        if not queues:
            return
        row_h = min((r.height() - title_h - m // 2) / len(queues), lay.number_px * 0.75)
        count_font = theme.font(row_h * 0.62)
        count_w = QFontMetricsF(count_font).horizontalAdvance("000")
        name_room = r.width() - 3 * m - count_w
        nf = theme.font(name_size(tuple(q.name for q in queues), name_room, row_h), bold=False)
        flags = int(Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap)
        y = r.top() + title_h
        for q in queues:
            rr = QRectF(r.left() + m, y, r.width() - 2 * m, row_h)
            p.setPen(theme.DIVIDER)
            p.drawLine(QPointF(rr.left(), rr.top()), QPointF(rr.right(), rr.top()))
            p.setFont(nf)
            p.setPen(theme.TEXT)
            p.drawText(QRectF(rr.left(), rr.top(), name_room, row_h), flags, q.name)
            p.setFont(count_font)
            p.drawText(rr, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, str(q.waiting))
            y += row_h

    def _paint_caption(self, p: QPainter, lay: HallLayout) -> None:
        caption = self.model.caption
        if not caption:
            return
        r, m = lay.caption, lay.margin
        path = QPainterPath()
        path.addRoundedRect(QRectF(r).adjusted(1.5, 1.5, -1.5, -1.5), m * 0.6, m * 0.6)  # stroke inside
        p.fillPath(path, theme.PANEL)
        pen = QPen(theme.ACCENT)
        pen.setWidthF(3.0)
        p.strokePath(path, pen)
        icon = min(r.height() * 0.5, r.width() * 0.18)
        paint_speaker(p, QRectF(r.left() + m, r.center().y() - icon / 2, icon, icon))
        text_rect = QRectF(r.left() + 2 * m + icon, r.top() + m / 2, r.width() - 3 * m - icon, r.height() - m)
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        size = min(r.height() * (0.42 if lay.portrait else 0.3), lay.number_px * 0.5)
        f = theme.font(size)
        while size > 12 and not fits(f, text_rect, caption, lines=2):
            size -= 2
            f = theme.font(size)
        p.setFont(f)
        p.setPen(theme.TEXT)
        p.drawText(text_rect, int(flags), caption)

    def _paint_ticker(self, p: QPainter, r: QRect) -> None:
        p.fillRect(r, theme.HEADER)
        f = theme.font(r.height() * 0.5, bold=False)
        gap = r.height() * 3
        span = round(QFontMetricsF(f).horizontalAdvance(self.ticker) + gap)
        if span <= gap:
            return
        key = (self.ticker, r.height(), span)
        if self._ticker_strip is None or self._ticker_strip[0] != key:
            strip = QPixmap(span, r.height())
            strip.fill(theme.HEADER)
            q = QPainter(strip)
            q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            q.setFont(f)
            q.setPen(theme.TEXT)
            q.drawText(QRectF(0, 0, span, r.height()), Qt.AlignmentFlag.AlignVCenter, self.ticker)
            q.end()
            self._ticker_strip = (key, strip)
        strip = self._ticker_strip[1]
        x = (self._ticker_x % span) - span  # seamless loop
        while x < r.width():
            p.drawPixmap(QPointF(x, r.top()), strip)
            x += span
