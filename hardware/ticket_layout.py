"""The queue ticket as ESC/POS: what a visitor reads on 58 mm and 80 mm paper.

Text is encoded here as CP866 after selecting that code page with ESC t, instead of
python-escpos's "magic" encoder: the magic encoder may switch code pages mid-line
and assumes the printer is still on the page it last selected, which is not true
after ESC @ or a power cycle. One explicit ESC t per ticket is what every
Cyrillic-capable ESC/POS printer understands.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALE_DIR = Path(__file__).parent / "locale"
CP866_ESC_T = 17  # ESC t 17 = PC866 (Cyrillic #2) on Epson and compatibles
ESC = b"\x1b"


@dataclass(frozen=True)
class PaperLayout:
    """Geometry of one paper width in font A (12 x 24 dots per character)."""

    width_mm: int
    columns: int
    dots: int
    qr_module: int  # dots per QR module
    max_number_size: int  # GS ! magnification cap for the ticket number


LAYOUTS = {
    58: PaperLayout(58, columns=32, dots=384, qr_module=6, max_number_size=6),
    80: PaperLayout(80, columns=48, dots=576, qr_module=8, max_number_size=8),
}

# CP866 has no typographic quotes, dashes or "≈": map them instead of printing "?".
_PLAIN = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "—": "-",
                        "–": "-", "≈": "~", "…": "...", "\u00a0": " ", "’": "'"})


@dataclass(frozen=True)
class TicketData:
    """Everything printed on one ticket; the server fills it, the printer never asks back."""

    office: str
    service_name: str
    number: str
    issued_at: datetime  # aware
    tz: str  # the office's time zone, e.g. "Europe/Moscow"
    ahead: int
    estimated_wait_s: int | None
    track_url: str
    footer: str = ""

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("TicketData.issued_at must be timezone-aware")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        if not self.number.strip():
            raise ValueError("TicketData.number must not be empty")


def encode_text(text: str) -> bytes:
    """Text as the printer's CP866 bytes; anything CP866 lacks becomes '?'."""
    return text.translate(_PLAIN).encode("cp866", errors="replace")


def ticket_gettext(lang: str) -> Any:
    """The ``_`` of the hardware catalog in one language."""
    from client_common.i18n import translations

    return translations(str(LOCALE_DIR), "hardware", lang).gettext


def slashed_zero_glyph() -> bytes:
    """Font A's digit 0 (12 × 24 dots) with a slash inside its oval, as ESC & column bytes.

    The offices give payments the prefix «О», and on paper «О001» read as «0001»: the
    printer's letter O and digit 0 are the same oval. The ticket number is printed with
    this glyph for 0 (ESC & defines it, ESC % 1 selects it for the number's line only);
    the bytes stay the text «О001».
    """
    cx, cy, rx, ry = 5.5, 11.8, 5.1, 7.6  # the oval of a digit of font A (rows 4–19), dot centres
    stroke = 2.5  # the line is printed bold: a bold stroke

    def inked(x: int, y: int) -> bool:
        outer = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0
        inner = ((x - cx) / (rx - stroke)) ** 2 + ((y - cy) / (ry - stroke)) ** 2 < 1.0
        # the slash: from the lower left to the upper right, inside the oval
        x0, y0, x1, y1 = 3.4, 16.0, 7.6, 7.6
        t = max(0.0, min(1.0, ((x - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / ((x1 - x0) ** 2 + (y1 - y0) ** 2)))
        near = ((x - (x0 + t * (x1 - x0))) ** 2 + (y - (y0 + t * (y1 - y0))) ** 2) ** 0.5 <= 0.95
        return (outer and not inner) or (near and outer)

    out = bytearray()
    for x in range(12):
        for band in range(3):
            byte = 0
            for bit in range(8):
                if inked(x, band * 8 + bit):
                    byte |= 0x80 >> bit
            out.append(byte)
    return bytes(out)


SLASHED_ZERO = ESC + b"&" + bytes([3, 0x30, 0x30, 12]) + slashed_zero_glyph()  # define, once per ticket


def number_size(number: str, layout: PaperLayout) -> int:
    """The largest GS ! magnification at which the number still fits on one line."""
    fits = layout.columns // max(1, len(number))
    return max(1, min(layout.max_number_size, fits))


def wait_minutes(estimated_wait_s: int) -> int:
    """Whole minutes, rounded up: promising less than we expect helps nobody."""
    return max(1, math.ceil(estimated_wait_s / 60))


def format_issued(ticket: TicketData, lang: str) -> str:
    local = ticket.issued_at.astimezone(ZoneInfo(ticket.tz))
    return local.strftime("%d.%m.%Y %H:%M" if lang == "ru" else "%Y-%m-%d %H:%M")


class _Job:
    """One ticket's bytes. python-escpos makes the commands it has a public call for (set,
    qr, cut) on its Dummy printer; the bytes it has none for (CP866 text after our own
    ESC t, the slashed zero's ESC & and ESC %) go in between, here: python-escpos takes
    raw bytes only through its private ``_raw``."""

    def __init__(self) -> None:
        from escpos.printer import Dummy

        self.escpos = Dummy()
        self._out = bytearray()

    def raw(self, data: bytes) -> None:
        self._take()
        self._out += data

    def output(self) -> bytes:
        self._take()
        return bytes(self._out)

    def _take(self) -> None:
        self._out += self.escpos.output
        self.escpos.clear()


def _render(job: _Job, ticket: TicketData, width_mm: int = 80, lang: str = "ru") -> None:
    """Emit one ticket into ``job``."""
    layout = LAYOUTS.get(width_mm)
    if layout is None:
        raise ValueError(f"paper width must be one of {sorted(LAYOUTS)} mm, not {width_mm}")
    _ = ticket_gettext(lang)
    cols = layout.columns
    printer = job.escpos

    def line(text: str, *, width: int = 1, height: int = 1, bold: bool = False) -> None:
        printer.set(custom_size=True, width=width, height=height, bold=bold)
        for part in textwrap.wrap(text, cols // width) or [""]:
            job.raw(encode_text(part) + b"\n")

    printer.hw("INIT")  # ESC @: forget whatever the previous job left selected
    job.raw(ESC + b"t" + bytes([CP866_ESC_T]))
    printer.set(align="center", font="a")
    line(ticket.office, bold=True)
    line(ticket.service_name, height=2)
    line("-" * cols)
    line(_("Your number"))
    size = number_size(ticket.number, layout)
    job.raw(SLASHED_ZERO + ESC + b"%\x01")  # the number's zeros slashed: «О001», not «0001»
    line(ticket.number, width=size, height=size, bold=True)
    job.raw(ESC + b"%\x00")
    line("-" * cols)
    line(_("Issued: {when}").format(when=format_issued(ticket, lang)))
    line(_("People ahead of you: {n}").format(n=ticket.ahead))
    if ticket.estimated_wait_s is not None:
        minutes = wait_minutes(ticket.estimated_wait_s)
        line(_("Estimated wait: ~{minutes} min").format(minutes=minutes), bold=True)
    if ticket.track_url:
        job.raw(b"\n")
        printer.qr(ticket.track_url, native=True, size=layout.qr_module, ec=_qr_ec_m())
        job.raw(b"\n")
        line(_("Scan the code to follow your queue on your phone"))
    job.raw(b"\n")
    line(ticket.footer or _("Please wait for your number on the hall screen. Thank you!"))
    printer.cut()


def ticket_bytes(ticket: TicketData, width_mm: int = 80, lang: str = "ru") -> bytes:
    """The whole ticket as one byte string, so a job reaches the printer in one write."""
    job = _Job()
    _render(job, ticket, width_mm, lang)
    return job.output()


def _qr_ec_m() -> int:
    from escpos.constants import QR_ECLEVEL_M

    return QR_ECLEVEL_M
