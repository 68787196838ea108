"""Colours and font sizing for screens read from across a hall.

Sizes are never fixed in points: every font is derived from the widget's
pixel size (and, for the call numbers, from a minimum glyph height), so the
same code fills a 1080p TV, a portrait TV or a 7" counter screen. DejaVu Sans
(package fonts-dejavu-core) is preferred: it has full Cyrillic and wide,
open digits; any sans-serif font is the fallback.
"""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QFontMetricsF

FONT_FAMILY = "DejaVu Sans"

BACKGROUND = QColor("#0b1d33")  # deep blue: calm, high contrast with white and amber
PANEL = QColor("#13294a")
HEADER = QColor("#06101f")
DIVIDER = QColor("#2a4468")
TEXT = QColor("#ffffff")
MUTED = QColor("#a9bdd4")
ACCENT = QColor("#ffc400")  # the newest call: amber, readable for most colour-blind people
ACCENT_TEXT = QColor("#10151c")
ALERT = QColor("#c62828")  # no connection
CLOSED_BG = QColor("#1c1f24")
PAUSED = QColor("#ffb74d")


def font(pixel_size: float, *, bold: bool = True) -> QFont:
    """The board's font at a pixel size (shared, cached: do not modify the result)."""
    return _font(max(1, round(pixel_size)), bold)


@lru_cache(maxsize=512)
def _font(pixel_size: int, bold: bool) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPixelSize(pixel_size)
    f.setBold(bold)
    return f


@lru_cache(maxsize=64)
def _ratios(bold: bool) -> tuple[float, float]:
    """(cap height, line height) per pixel of font size, measured once on a large size."""
    m = QFontMetricsF(font(200, bold=bold))
    return m.capHeight() / 200, m.height() / 200


def size_for_cap_height(cap_px: float, *, bold: bool = True) -> int:
    """The smallest pixel size whose capital letters and digits are at least ``cap_px`` tall."""
    size = max(1, int(cap_px / _ratios(bold)[0]))
    while QFontMetricsF(font(size, bold=bold)).capHeight() < cap_px:
        size += 1
    return size


def size_for_line_height(line_px: float, *, bold: bool = True) -> int:
    """The smallest pixel size whose line height (QFontMetrics.height) is at least ``line_px``."""
    size = max(1, int(line_px / _ratios(bold)[1]))
    while QFontMetricsF(font(size, bold=bold)).height() < line_px:
        size += 1
    return size


def fit_font(text: str, max_width: float, max_pixel_size: float, *, bold: bool = True,
             min_pixel_size: float = 10) -> QFont:
    """The largest font up to ``max_pixel_size`` in which ``text`` fits ``max_width``."""
    size = max(min_pixel_size, max_pixel_size)
    f = font(size, bold=bold)
    width = QFontMetricsF(f).horizontalAdvance(text)
    if width > max_width > 0:
        size = max(min_pixel_size, size * max_width / width)
        f = font(size, bold=bold)
        while size > min_pixel_size and QFontMetricsF(f).horizontalAdvance(text) > max_width:
            size -= 1
            f = font(size, bold=bold)
    return f
