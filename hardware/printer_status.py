"""What the printer says about itself, decoded into words the kiosk can show.

ESC/POS printers answer the real-time query DLE EOT n with one status byte. We send
the same bytes python-escpos defines (RT_STATUS_ONLINE, RT_STATUS_PAPER) but decode
the reply here, because ``Escpos.paper_status()`` reports "paper adequate" and
``Escpos.is_online()`` "offline" when the printer does not answer at all; on a kiosk
silence must read as *unknown*, not as a healthy or a dead printer.
"""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Protocol

DLE_EOT_ONLINE = b"\x10\x04\x01"  # = escpos.constants.RT_STATUS_ONLINE
DLE_EOT_PAPER = b"\x10\x04\x04"  # = escpos.constants.RT_STATUS_PAPER
# Every DLE EOT reply has bits 1 and 4 set and bits 0 and 7 clear (Epson ESC/POS spec).
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE_BIT = 0x08  # n=1, bit 3
_NEAR_END_BITS = 0x0C  # n=4, bits 2-3: roll paper near-end sensor
_ROLL_END_BITS = 0x60  # n=4, bits 5-6: roll paper end sensor

LOCALE_DIR = Path(__file__).parent / "locale"


class PrinterStatus(StrEnum):
    """The printer's state as far as the transport lets us know it."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


FAULT_REASONS = ("paper_out", "offline", "not_found", "io_error")
_FAULT_TEXT = {
    "paper_out": "The printer is out of paper.",
    "offline": "The printer is not ready (cover open or printer error).",
    "not_found": "The printer is not connected or cannot be opened.",
    "io_error": "The printer stopped responding while printing.",
}


class PrinterFault(Exception):
    """A printer problem a person has to fix; ``reason`` is one of FAULT_REASONS."""

    def __init__(self, reason: str, detail: str = ""):
        if reason not in FAULT_REASONS:
            raise ValueError(f"unknown printer fault reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail

    def message(self, lang: str = "ru") -> str:
        """One sentence for the kiosk screen or the staff log, in the kiosk's language."""
        from client_common.i18n import translations

        return translations(str(LOCALE_DIR), "hardware", lang).gettext(_FAULT_TEXT[self.reason])


class StatusSource(Protocol):
    def read_status(self) -> PrinterStatus: ...


def printer_status(printer: StatusSource) -> PrinterStatus:
    """Ask the printer how it is; bounded by the transport's timeouts, never raises.

    A printer that cannot be reached at all is OFFLINE; a transport that cannot read
    back (file, dummy, lp) or a printer that stays silent is UNKNOWN.
    """
    try:
        return printer.read_status()
    except PrinterFault:
        return PrinterStatus.OFFLINE


def is_status_byte(reply: bytes | None) -> bool:
    """True when ``reply`` starts with a well-formed DLE EOT status byte."""
    return bool(reply) and (reply[0] & _FIXED_MASK) == _FIXED_BITS


def decode_status(online_reply: bytes | None, paper_reply: bytes | None) -> PrinterStatus:
    """Combine the replies to DLE EOT 1 and DLE EOT 4 (either may be missing)."""
    paper = paper_reply[0] if is_status_byte(paper_reply) else None
    online = online_reply[0] if is_status_byte(online_reply) else None
    if paper is not None and paper & _ROLL_END_BITS:
        return PrinterStatus.PAPER_OUT
    if online is not None and online & _OFFLINE_BIT:
        return PrinterStatus.OFFLINE
    if paper is not None and paper & _NEAR_END_BITS:
        return PrinterStatus.PAPER_LOW
    if online is None and paper is None:
        return PrinterStatus.UNKNOWN
    return PrinterStatus.OK

