"""«О001» must not read as «0001»: every digit 0 of a ticket number is slashed, the letter О is not.

Checked on pixels: the middle of each glyph's oval is empty for the letter О and
inked for a zero, as painted by the helper the hall board, the counter screen and
the kiosk use (and by the kiosk's number label itself).
"""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from client_common.ticket_number import paint_number_centered
from counter_display import theme


def oval_centres_inked(image: QImage, font: QFont, rect: QRectF, text: str, ink_is_dark: bool) -> list[bool]:
    """For each glyph of ``text`` centred in ``rect``: is the middle of its box inked?"""
    m = QFontMetricsF(font)
    left = rect.center().x() - m.horizontalAdvance(text) / 2
    baseline = rect.center().y() + (m.ascent() - m.descent()) / 2
    mid_y = round(baseline - m.tightBoundingRect("0").height() / 2)
    inked = []
    for i, ch in enumerate(text):
        x = round(left + m.horizontalAdvance(text[:i]) + m.horizontalAdvance(ch) / 2)
        value = QColor(image.pixel(x, mid_y)).lightness()
        inked.append(value < 128 if ink_is_dark else value > 128)
    return inked


def test_zeros_are_slashed_and_the_letter_o_is_not(qtbot):
    font = theme.font(120)
    image = QImage(700, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setFont(font)
    p.setPen(QColor("black"))
    rect = QRectF(0, 0, 700, 200)
    paint_number_centered(p, rect, "О001")
    p.end()
    assert oval_centres_inked(image, font, rect, "О001", ink_is_dark=True) == [False, True, True, True]


def test_the_kiosk_shows_the_number_with_slashed_zeros(qtbot):
    from kiosk.ui.widgets import NumberLabel

    label = NumberLabel()
    label.setStyleSheet("QLabel { background: white; color: black; }")
    font = theme.font(120)
    label.setFont(font)
    label.setText("О100")
    label.resize(700, 200)
    qtbot.addWidget(label)
    image = label.grab().toImage()
    assert label.text() == "О100"  # what screen readers and tests read is unchanged
    assert oval_centres_inked(image, font, QRectF(label.contentsRect()), "О100", True) == [False, True, True, True]
