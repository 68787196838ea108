"""A printed slip: a title, a code printed large, labelled lines, a QR code and a footer.

What a counter hands a customer when it registers something for them (an appeal's
acknowledgement: its code, the answer date, the QR of the status page). It knows
nothing of appeals: the server fills in the words. Built through python-escpos's
public API on a Dummy, so the bytes can be sent to any transport in one write:
the code page is fixed to CP866 (`charcode`, one ESC t for the slip, never
switched mid-line) and the QR is drawn by the printer itself (GS ( k).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

COLUMNS = {58: 32, 80: 48}
QR_MODULE = {58: 6, 80: 8}
# CP866 has no typographic quotes, dashes or "№": plain look-alikes instead of "?".
_PLAIN = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "—": "-", "–": "-",
                        "…": "...", "\u00a0": " ", "’": "'", "№": "N"})


@dataclass(frozen=True)
class SlipData:
    office: str
    title: str
    code: str  # printed large: what the customer reads aloud on the phone
    lines: tuple[tuple[str, str], ...] = ()  # (label, value)
    qr_url: str = ""
    qr_caption: str = ""
    footer: str = ""

    def __post_init__(self) -> None:
        if not self.code.strip():
            raise ValueError("SlipData.code must not be empty")


def plain(text: str) -> str:
    """Text as CP866 can print it."""
    return text.translate(_PLAIN)


def slip_bytes(slip: SlipData, width_mm: int = 80) -> bytes:
    """The whole slip as ESC/POS bytes for 58 or 80 mm paper."""
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    if width_mm not in COLUMNS:
        raise ValueError(f"paper width must be one of {sorted(COLUMNS)} mm, not {width_mm}")
    cols = COLUMNS[width_mm]
    p = Dummy()

    def line(text: str, *, size: int = 1, bold: bool = False, align: str = "center") -> None:
        p.set(align=align, custom_size=size > 1, width=size, height=size, bold=bold, normal_textsize=size == 1)
        for part in textwrap.wrap(plain(text), cols // size) or [""]:
            p.textln(part)

    p.hw("INIT")
    p.charcode("CP866")
    line(slip.office, bold=True)
    line(slip.title, size=2)
    line("-" * cols)
    size = max(1, min(3, cols // max(1, len(slip.code))))
    line(slip.code, size=size, bold=True)
    line("-" * cols)
    for label, value in slip.lines:
        line(f"{label}: {value}" if label else value, align="left")
    if slip.qr_url:
        p.ln()
        p.set(align="center")
        p.qr(slip.qr_url, native=True, size=QR_MODULE[width_mm], ec=QR_ECLEVEL_M)
        if slip.qr_caption:
            line(slip.qr_caption)
        line(slip.qr_url)
    if slip.footer:
        p.ln()
        line(slip.footer)
    p.cut()
    return p.output
