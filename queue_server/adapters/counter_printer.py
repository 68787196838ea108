"""Printing at a counter: the appeal's acknowledgement slip on the counter's own printer.

The console is a web page, so the server prints: a `[[counters]]` entry may name a
`printer` (a SPEC, as the kiosk's: `net:192.168.1.50`, `serial:/dev/ttyUSB0`,
`usb:04b8:0e15`, `cups:counter3`, `file:/dev/usb/lp0`) and its `paper_mm`. A
counter without one, or a printer that fails, gets the printable page instead
(`/appeals/<code>/slip`), which the console opens. One job at a time per counter;
a stalled printer costs the clerk `timeout_s` at most, never a lost appeal (the
appeal is journaled before anything is printed).
"""
from __future__ import annotations

import threading

from ..config import CounterPrinter

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class SlipNotPrinted(Exception):
    """The slip did not print; the message says why in words for the clerk's log."""


def _lock(spec: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(spec, threading.Lock())


def print_slip(printer: CounterPrinter, data: bytes, timeout_s: float = 5.0) -> None:
    """Send a slip's ESC/POS bytes to a counter's printer, checking its status where the
    wire can say (paper out, offline); raises SlipNotPrinted."""
    try:
        from hardware.printers import PrinterConfigError, PrinterFault, PrinterStatus, open_printer
    except ImportError as exc:  # the server was installed without the hardware extra
        raise SlipNotPrinted(f"printing needs python-escpos ({exc})") from None
    try:
        device = open_printer(printer.spec, io_timeout=timeout_s, status_timeout=min(0.5, timeout_s))
    except PrinterConfigError as exc:
        raise SlipNotPrinted(str(exc)) from None
    with _lock(printer.spec):
        try:
            with device.job():
                status = device.read_status()
                if status in (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE):
                    raise SlipNotPrinted(f"{printer.spec}: {status.value}")
                device.write(data)
        except PrinterFault as exc:
            raise SlipNotPrinted(str(exc)) from None
        finally:
            try:
                device.close()
            except PrinterFault:
                pass
