"""Sizes and colours: every touch target at least 15 mm, text sized from the screen.

Millimetres become pixels through the screen's physical DPI (96 when the screen
does not report a believable one, or what the ``screen_dpi`` setting says).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

ASSUMED_DPI = 96.0
MIN_TARGET_MM = 15.0
FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", "Noto Sans", sans-serif'


def screen_dpi(physical_dpi: float | None, configured: int = 0) -> float:
    """The DPI to size targets by: the setting, else the screen's, else 96."""
    if configured:
        return float(configured)
    if physical_dpi is None or not math.isfinite(physical_dpi) or not 50 <= physical_dpi <= 1000:
        return ASSUMED_DPI
    return float(physical_dpi)


@dataclass(frozen=True)
class Metrics:
    dpi: float
    width: int
    height: int
    large: bool = False

    def mm(self, millimetres: float) -> int:
        return math.ceil(millimetres * self.dpi / 25.4)

    @property
    def portrait(self) -> bool:
        return self.height >= self.width

    @property
    def min_target(self) -> int:
        return self.mm(MIN_TARGET_MM)

    @property
    def _u(self) -> float:
        return min(self.width, self.height) / 100 * (1.3 if self.large else 1.0)

    def _px(self, units: float, min_mm: float) -> int:
        return max(self.mm(min_mm), round(units * self._u))

    @property
    def body(self) -> int:
        return self._px(3.0, 4.0)

    @property
    def hint(self) -> int:
        return self._px(2.5, 3.5)

    @property
    def name(self) -> int:
        return self._px(4.0, 5.5)

    @property
    def title(self) -> int:
        return self._px(4.6, 6.0)

    @property
    def small(self) -> int:
        return self._px(2.0, 3.0)

    @property
    def gap(self) -> int:
        return max(self.mm(3), round(1.6 * self._u))

    @property
    def target(self) -> int:
        """Height of an ordinary button: comfortably above the 15 mm floor."""
        return max(self.min_target, round(self.body * 2.6))

    def number(self, text: str) -> int:
        """Font size of the big ticket number: as large as fits the screen's width."""
        by_width = self.width * 0.85 / (0.68 * max(3, len(text)))
        return int(min(self.height * 0.2, by_width))

    @property
    def columns(self) -> int:
        return 1 if self.portrait else 2

    @property
    def per_page(self) -> int:
        rows = (5 if self.large else 6) if self.portrait else (2 if self.large else 3)
        return rows * self.columns


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    muted: str
    header_bg: str
    header_text: str
    button_bg: str
    button_text: str
    button_border: str
    pressed_bg: str
    accent_bg: str  # priority
    accent_text: str
    accent_border: str
    alert_bg: str
    alert_text: str
    ok_text: str
    border_px: int


NORMAL = Palette(
    background="#EEF2F7", text="#10233F", muted="#33475B", header_bg="#0B3C7D",
    header_text="#FFFFFF", button_bg="#FFFFFF", button_text="#0B3C7D", button_border="#7C93B5",
    pressed_bg="#CFE0F7", accent_bg="#FFE08A", accent_text="#3D2600", accent_border="#B45309",
    alert_bg="#B00020", alert_text="#FFFFFF", ok_text="#0B6B2E", border_px=2)
CONTRAST = Palette(
    background="#000000", text="#FFFFFF", muted="#FFFFFF", header_bg="#000000",
    header_text="#FFFF00", button_bg="#000000", button_text="#FFFF00", button_border="#FFFF00",
    pressed_bg="#333300", accent_bg="#FFFF00", accent_text="#000000", accent_border="#FFFFFF",
    alert_bg="#FFFF00", alert_text="#000000", ok_text="#7CFF7C", border_px=5)


def palette(large: bool) -> Palette:
    """Large-text mode is also the high-contrast mode: one switch, one thing to find."""
    return CONTRAST if large else NORMAL


def stylesheet(m: Metrics) -> str:
    p = palette(m.large)
    radius = max(6, m.mm(2))
    return f"""
QWidget#KioskRoot, QStackedWidget, QWidget[screen="true"] {{
    background: {p.background}; color: {p.text}; font-family: {FONT_FAMILY}; }}
QLabel {{ color: {p.text}; font-size: {m.body}px; background: transparent; }}
QLabel[role="title"] {{ font-size: {m.title}px; font-weight: bold; }}
QLabel[role="hint"], QLabel[role="muted"] {{ color: {p.muted}; font-size: {m.hint}px; }}
QLabel[role="small"] {{ color: {p.muted}; font-size: {m.small}px; }}
QLabel[role="name"] {{ color: {p.button_text}; font-size: {m.name}px; font-weight: bold; }}
QLabel[role="number"] {{ font-weight: bold; }}
QLabel[role="big"] {{ font-size: {m.name}px; }}
QLabel[role="ok"] {{ color: {p.ok_text}; font-size: {m.name}px; font-weight: bold; }}
QWidget[role="header"] {{ background: {p.header_bg}; border-bottom: {p.border_px}px solid {p.button_border}; }}
QWidget[role="header"] QLabel {{ color: {p.header_text}; }}
QWidget[role="alert"] {{ background: {p.alert_bg}; border-radius: {radius}px; }}
QWidget[role="alert"] QLabel {{ color: {p.alert_text}; font-weight: bold; }}
QWidget[role="alert"] QLabel[role="title"] {{ font-size: {m.name}px; }}
QWidget[role="banner"] {{ background: {p.accent_bg}; border: {p.border_px + 1}px solid {p.accent_border};
    border-radius: {radius}px; }}
QWidget[role="banner"] QLabel {{ color: {p.accent_text}; font-weight: bold; }}
QPushButton {{
    background: {p.button_bg}; color: {p.button_text}; font-size: {m.body}px; font-weight: bold;
    border: {p.border_px}px solid {p.button_border}; border-radius: {radius}px;
    min-height: {m.target}px; min-width: {m.target}px; padding: 0 {m.gap}px; }}
QPushButton:pressed {{ background: {p.pressed_bg}; }}
QPushButton:disabled {{ color: {p.muted}; border-style: dashed; }}
QPushButton[role="service"] {{ border-width: {p.border_px + 1}px; text-align: left; }}
QPushButton[role="priority"], QPushButton[role="accent"] {{
    background: {p.accent_bg}; color: {p.accent_text}; border: {p.border_px + 2}px solid {p.accent_border}; }}
QPushButton[role="priority"] QLabel {{ color: {p.accent_text}; }}
QPushButton[role="header"] {{ background: transparent; color: {p.header_text};
    border: {p.border_px}px solid {p.header_text}; }}
QPushButton[role="header"][current="true"] {{ background: {p.header_text}; color: {p.header_bg}; }}
"""
