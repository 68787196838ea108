"""Printer SPEC strings: the one config value that says where the ticket printer is.

A SPEC is parsed into a small frozen dataclass before any device is touched, so a
typo in the kiosk config is reported at start-up as a sentence that names the
wrong part, not later as a traceback from a USB or socket library.

    usb:VID:PID[:IN_EP:OUT_EP]   hex ids, e.g. usb:04b8:0e15 (endpoints default 82:01)
    serial:DEVICE[:BAUD]         serial:/dev/ttyUSB0:19200 (default 9600)
    net:HOST[:PORT]              net:192.168.1.50, net:[fe80::1]:9100 (default 9100)
    cups:QUEUE                   a raw CUPS queue, e.g. cups:kiosk_printer
    file:PATH                    file:/dev/usb/lp0, or a plain file (truncated on open)
    dummy                        keeps the bytes in memory (tests, demos)
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TRANSPORTS = ("usb", "serial", "net", "cups", "file", "dummy")
DEFAULT_BAUD = 9600
DEFAULT_NET_PORT = 9100
DEFAULT_USB_IN_EP = 0x82
DEFAULT_USB_OUT_EP = 0x01
_BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
_HEX16 = re.compile(r"^(0x)?[0-9a-fA-F]{1,4}$")
_HEX8 = re.compile(r"^(0x)?[0-9a-fA-F]{1,2}$")
_HOST = re.compile(r"^[A-Za-z0-9.\-_]+$")
# CUPS itself forbids spaces, '/', '#' and control characters in queue names.
_CUPS_QUEUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@\-]{0,126}$")


class PrinterConfigError(ValueError):
    """The printer SPEC (or the software it needs) is wrong; the message says what."""

    def __init__(self, spec: str, problem: str):
        super().__init__(f"printer {spec!r}: {problem}")
        self.spec = spec
        self.problem = problem


@dataclass(frozen=True)
class PrinterSpec:
    """A parsed SPEC; only the fields of its transport are set."""

    transport: str
    raw: str
    path: str = ""  # serial device, file path, or CUPS queue
    host: str = ""
    port: int = 0
    baudrate: int = 0
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int = DEFAULT_USB_IN_EP
    out_ep: int = DEFAULT_USB_OUT_EP


def parse_printer_spec(spec: str) -> PrinterSpec:
    """Parse a SPEC string; raise PrinterConfigError naming the bad part."""
    if not isinstance(spec, str) or not spec.strip():
        raise PrinterConfigError(str(spec), f"empty SPEC; use one of {', '.join(TRANSPORTS)}")
    raw = spec.strip()
    kind, _, rest = raw.partition(":")
    kind = kind.lower()
    parser = _PARSERS.get(kind)
    if parser is None:
        raise PrinterConfigError(
            raw, f"unknown transport {kind!r}; use one of {', '.join(TRANSPORTS)}"
        )
    return parser(raw, rest)


def _hex(raw: str, value: str, what: str, pattern: re.Pattern[str]) -> int:
    if not pattern.match(value):
        raise PrinterConfigError(raw, f"{what} {value!r} is not a hex number (e.g. 04b8)")
    number = int(value, 16)
    if number == 0:
        raise PrinterConfigError(raw, f"{what} must not be 0")
    return number


def _usb(raw: str, rest: str) -> PrinterSpec:
    parts = rest.split(":") if rest else []
    if len(parts) not in (2, 4):
        raise PrinterConfigError(raw, "USB needs usb:VID:PID or usb:VID:PID:IN_EP:OUT_EP (hex)")
    vid = _hex(raw, parts[0], "vendor id", _HEX16)
    pid = _hex(raw, parts[1], "product id", _HEX16)
    in_ep, out_ep = DEFAULT_USB_IN_EP, DEFAULT_USB_OUT_EP
    if len(parts) == 4:
        in_ep = _hex(raw, parts[2], "input endpoint", _HEX8)
        out_ep = _hex(raw, parts[3], "output endpoint", _HEX8)
    return PrinterSpec("usb", raw, vendor_id=vid, product_id=pid, in_ep=in_ep, out_ep=out_ep)


def _serial(raw: str, rest: str) -> PrinterSpec:
    device, baud = rest, DEFAULT_BAUD
    head, sep, tail = rest.rpartition(":")
    if sep and tail.isdigit():
        device, baud = head, int(tail)
        if baud not in _BAUDS:
            raise PrinterConfigError(
                raw, f"baud rate {baud} is not one of {', '.join(map(str, _BAUDS))}"
            )
    elif sep and not tail:
        raise PrinterConfigError(raw, "empty baud rate after ':'")
    if not device:
        raise PrinterConfigError(raw, "serial needs a device, e.g. serial:/dev/ttyUSB0[:9600]")
    if any(ord(c) < 32 for c in device):
        raise PrinterConfigError(raw, "serial device name contains control characters")
    return PrinterSpec("serial", raw, path=device, baudrate=baud)


def _net(raw: str, rest: str) -> PrinterSpec:
    port_text = ""
    if rest.startswith("["):  # [IPv6]:port
        host, sep, tail = rest[1:].partition("]")
        if not sep:
            raise PrinterConfigError(raw, "IPv6 address is missing its closing ']'")
        if tail:
            if not tail.startswith(":"):
                raise PrinterConfigError(raw, f"unexpected {tail!r} after the IPv6 address")
            port_text = tail[1:] or "?"
        if not re.fullmatch(r"[0-9A-Fa-f:.%a-z]+", host or "?"):
            raise PrinterConfigError(raw, f"{host!r} is not an IPv6 address")
    else:
        host, sep, port_text = rest.partition(":")
        if sep and not port_text:
            port_text = "?"
        if not host or not _HOST.match(host):
            raise PrinterConfigError(
                raw, "network needs a host name or IP address, e.g. net:192.168.1.50[:9100]"
            )
    port = DEFAULT_NET_PORT
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise PrinterConfigError(raw, f"port {port_text!r} is not a number from 1 to 65535")
        port = int(port_text)
    return PrinterSpec("net", raw, host=host, port=port)


def _cups(raw: str, rest: str) -> PrinterSpec:
    if not _CUPS_QUEUE.match(rest):
        raise PrinterConfigError(
            raw,
            "CUPS needs a queue name of letters, digits, '_', '-', '.', '@' "
            "(no spaces, '/' or '#'), e.g. cups:kiosk_printer",
        )
    return PrinterSpec("cups", raw, path=rest)


def _file(raw: str, rest: str) -> PrinterSpec:
    if not rest:
        raise PrinterConfigError(raw, "file needs a path, e.g. file:/dev/usb/lp0")
    if any(ord(c) < 32 for c in rest):
        raise PrinterConfigError(raw, "file path contains control characters")
    return PrinterSpec("file", raw, path=rest)


def _dummy(raw: str, rest: str) -> PrinterSpec:
    if rest:
        raise PrinterConfigError(raw, "dummy takes no arguments")
    return PrinterSpec("dummy", raw)


_PARSERS = {
    "usb": _usb,
    "serial": _serial,
    "net": _net,
    "cups": _cups,
    "file": _file,
    "dummy": _dummy,
}
