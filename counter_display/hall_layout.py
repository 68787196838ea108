"""Where everything goes on the hall board: a function of the screen size only.

* landscape — calls on the left (about two thirds), queue lengths and the
  caption being spoken on the right;
* portrait — calls on top, then the caption, then the queues.

Call numbers: in landscape their capitals and digits are at least 1/10 of the
screen height tall; in portrait their line height is at least 1/10 of the
height and their glyphs 1/10 of the width (so «А112 → 12» still fits).
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontMetricsF

from counter_display import theme

ROW_SPACING = 1.45  # row height / cap height of the numbers


@dataclass(frozen=True)
class HallLayout:
    portrait: bool
    header: QRect
    calls: QRect  # column titles + rows
    titles: QRect
    rows: tuple[QRect, ...]
    ticket_col: tuple[int, int]  # x, width
    arrow_col: tuple[int, int]
    counter_col: tuple[int, int]
    queues: QRect
    caption: QRect
    ticker: QRect | None
    number_px: int
    margin: int

    @property
    def number_font(self) -> QFont:
        return theme.font(self.number_px)


def hall_layout(width: int, height: int, *, ticker: bool = False, queues: int = 4) -> HallLayout:
    """Where everything goes on a ``width`` × ``height`` board."""
    w, h = max(width, 200), max(height, 200)
    portrait = h > w
    m = round(min(w, h) * 0.025)
    header_h = round(h * (0.06 if portrait else 0.085))
    ticker_h = round(h * (0.045 if portrait else 0.065)) if ticker else 0
    top, bottom = header_h + m, h - ticker_h - m
    titles_h = round(h * (0.035 if portrait else 0.05))
    if portrait:
        number_px = theme.size_for_line_height(h * 0.1)
        q_row_h = round(h * 0.048)
        queues_h = titles_h + max(queues, 1) * q_row_h
        caption_h = round(h * 0.075)
        queues_rect = QRect(m, bottom - queues_h, w - 2 * m, queues_h)
        caption_rect = QRect(m, queues_rect.top() - m - caption_h, w - 2 * m, caption_h)
        calls = QRect(m, top, w - 2 * m, caption_rect.top() - m - top)
    else:
        number_px = theme.size_for_cap_height(h * 0.1)
        side_w = round(w * 0.33)
        calls = QRect(m, top, w - side_w - 3 * m, bottom - top)
        side_x = calls.right() + 1 + m
        caption_h = round((bottom - top) * 0.3)
        caption_rect = QRect(side_x, bottom - caption_h, side_w, caption_h)
        queues_rect = QRect(side_x, top, side_w, caption_rect.top() - m - top)
    titles = QRect(calls.left(), calls.top(), calls.width(), titles_h)
    cap = QFontMetricsF(theme.font(number_px)).capHeight()
    area_top, area_h = titles.bottom() + 1, calls.bottom() - titles.bottom()
    n = max(1, int(area_h // (cap * ROW_SPACING)))
    row_h = area_h // n
    rows = tuple(QRect(calls.left(), area_top + i * row_h, calls.width(), row_h) for i in range(n))
    cw = calls.width()
    ticket_w, arrow_w = round(cw * 0.56), round(cw * 0.14)
    ticket_col = (calls.left(), ticket_w)
    arrow_col = (calls.left() + ticket_w, arrow_w)
    counter_col = (calls.left() + ticket_w + arrow_w, cw - ticket_w - arrow_w)
    ticker_rect = QRect(0, h - ticker_h, w, ticker_h) if ticker else None
    return HallLayout(portrait, QRect(0, 0, w, header_h), calls, titles, rows, ticket_col, arrow_col,
                      counter_col, queues_rect, caption_rect, ticker_rect, number_px, m)
