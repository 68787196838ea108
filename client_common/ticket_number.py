"""Ticket numbers with a slashed zero: «О001» must not read as «0001».

The demo office (and many real ones) gives payments the prefix «О», and in
DejaVu Sans Bold the capital O and the digit 0 are nearly the same oval: on the
board, the counter screen and the kiosk «О001» read as zeros. No font we ship
has a slashed-zero feature (OpenType ``zero``), so the number is drawn as text
and every digit 0 gets a slash inside its oval, drawn here, in the pen's colour.
The text itself is unchanged (screen readers, tests and copies see «О001»).
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPen

SLASH_WIDTH = 0.075  # of the font's pixel size: thinner than the bold stroke, so the oval stays an oval


def paint_number(p: QPainter, left: float, baseline: float, text: str) -> None:
    """Draw ``text`` with its left end at ``left`` on ``baseline``, each digit 0 slashed."""
    p.drawText(QPointF(left, baseline), text)
    if "0" not in text:
        return
    font = p.font()
    metrics = QFontMetricsF(font)
    digit_h = metrics.tightBoundingRect("0").height()
    zero_w = metrics.horizontalAdvance("0")
    size = font.pixelSize() if font.pixelSize() > 0 else metrics.height()
    pen = QPen(p.pen().color())
    pen.setWidthF(max(1.0, size * SLASH_WIDTH))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.save()
    p.setPen(pen)
    for i, ch in enumerate(text):
        if ch != "0":
            continue
        x = left + metrics.horizontalAdvance(text[:i])
        p.drawLine(QPointF(x + zero_w * 0.30, baseline - digit_h * 0.18),
                   QPointF(x + zero_w * 0.70, baseline - digit_h * 0.82))
    p.restore()


def paint_number_centered(p: QPainter, rect: QRectF, text: str) -> None:
    """Draw ``text`` centred in ``rect`` on one line (as AlignCenter would), each 0 slashed."""
    metrics = QFontMetricsF(p.font())
    left = rect.center().x() - metrics.horizontalAdvance(text) / 2
    baseline = rect.center().y() + (metrics.ascent() - metrics.descent()) / 2
    paint_number(p, left, baseline, text)
