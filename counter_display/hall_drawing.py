"""Small drawing helpers of the hall board: shapes drawn, not icon files, and text fitting."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPolygonF

from counter_display import theme


def paint_arrow(p: QPainter, r: QRectF, color: QColor) -> None:
    """A thick right arrow filling ``r``."""
    shaft = r.height() * 0.28
    head = min(r.width() * 0.45, r.height() * 0.9)
    cy = r.center().y()
    poly = QPolygonF([
        QPointF(r.left(), cy - shaft / 2), QPointF(r.right() - head, cy - shaft / 2),
        QPointF(r.right() - head, r.top()), QPointF(r.right(), cy),
        QPointF(r.right() - head, r.bottom()), QPointF(r.right() - head, cy + shaft / 2),
        QPointF(r.left(), cy + shaft / 2),
    ])
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    p.drawPolygon(poly)


def paint_speaker(p: QPainter, r: QRectF) -> None:
    """A loudspeaker with sound waves, drawn (no icon files, no emoji font needed)."""
    w, h = r.width(), r.height()
    body = QPolygonF([
        QPointF(r.left(), r.top() + h * 0.35), QPointF(r.left() + w * 0.22, r.top() + h * 0.35),
        QPointF(r.left() + w * 0.5, r.top() + h * 0.1), QPointF(r.left() + w * 0.5, r.top() + h * 0.9),
        QPointF(r.left() + w * 0.22, r.top() + h * 0.65), QPointF(r.left(), r.top() + h * 0.65),
    ])
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(theme.ACCENT)
    p.drawPolygon(body)
    pen = p.pen()
    pen.setStyle(Qt.PenStyle.SolidLine)
    pen.setColor(theme.ACCENT)
    pen.setWidthF(max(2.0, w * 0.07))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for k in (0.35, 0.6):
        arc = QRectF(r.left() + w * 0.5 - w * k, r.center().y() - h * k, 2 * w * k, 2 * h * k)
        p.drawArc(arc, -45 * 16, 90 * 16)


@lru_cache(maxsize=16)
def name_size(names: tuple[str, ...], room: float, row_h: float) -> float:
    """One size for every service name: the largest that fits each in two lines."""
    size = row_h * 0.42
    while size > row_h * 0.25 and not all(
            fits(theme.font(size, bold=False), QRectF(0, 0, room, row_h * 0.92), n, lines=2)
            for n in names):
        size -= 1
    return size


def fits(f: QFont, rect: QRectF, text: str, *, lines: int) -> bool:
    """Whether ``text`` word-wrapped in ``rect`` takes at most ``lines`` lines and no word is cut."""
    m = QFontMetricsF(f)
    if any(m.horizontalAdvance(word) > rect.width() for word in text.split()):
        return False
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
    height = m.boundingRect(rect, flags, text).height()
    return height <= min(rect.height(), m.lineSpacing() * lines + 1)
