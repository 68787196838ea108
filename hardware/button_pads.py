"""Call-button pads: the "next visitor" buttons wired to a serial line.

A pad (or a small controller collecting several pads on RS-485) sends one
ASCII line per press::

    B<counter>\\r\\n        e.g.  B3\\r\\n   B12\\r\\n   B03\\r\\n

``<counter>`` is 1–8 letters or digits; an all-digit id loses its leading
zeros ("03" → "3") so DIP-switch numbering matches the counter ids in config.
``\\n`` alone ends a line too; anything else is ignored and logged. The frame
is documented in docs/hardware.md.

:class:`ButtonPadListener` reads in its own thread, survives the adapter being
unplugged (reports a :class:`DeviceFault`, reconnects with backoff) and never
lets a failing callback kill the reader. Turning a press into an API call is
the caller's business (``on_press``).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

import serial

from hardware.serial_port import Backoff, DeviceFault, SerialSpec, open_serial, parse_serial_spec

log = logging.getLogger(__name__)

PRESS_RE = re.compile(rb"B([0-9A-Za-z]{1,8})")
MAX_LINE = 64  # a longer run without a newline is line noise, dropped


def parse_press(line: bytes) -> str | None:
    """One line (without its ending) → the counter id pressed, or None."""
    match = PRESS_RE.fullmatch(line.strip())
    if match is None:
        return None
    counter = match.group(1).decode("ascii")
    return (counter.lstrip("0") or "0") if counter.isdigit() else counter


class ButtonPadListener:
    """Reads presses from one port and calls ``on_press(counter_id)``.

    ``on_fault(DeviceFault)`` is called each time the port cannot be opened
    or is lost; ``on_connect()`` (optional) each time it is (re)opened.
    Presses of the same counter closer than ``debounce_s`` count once: contact
    bounce and impatient double presses must not call two visitors.
    """

    def __init__(
        self,
        port_spec: str | SerialSpec,
        on_press: Callable[[str], None],
        on_fault: Callable[[DeviceFault], None] | None = None,
        *,
        on_connect: Callable[[], None] | None = None,
        debounce_s: float = 0.3,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        parse: Callable[[bytes], str | None] = parse_press,
    ):
        self.spec = port_spec if isinstance(port_spec, SerialSpec) else parse_serial_spec(port_spec)
        self.on_press, self.on_fault, self.on_connect = on_press, on_fault, on_connect
        self.debounce_s = debounce_s
        self.backoff = backoff if backoff is not None else Backoff(maximum=10.0)
        self.clock = clock
        self.parse = parse  # the line's frame: a call button's by default (rating_pads.parse_rating)
        self._last_press: dict[str, float] = {}
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name=f"buttons:{self.spec}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop reading; returns within about ``timeout`` seconds at worst."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = open_serial(self.spec, timeout=0.2)
            except DeviceFault as fault:
                self._report(DeviceFault(f"button pad on {self.spec}", fault.reason, self.backoff.failed()))
                self._stop.wait(self.backoff.remaining())
                continue
            self.backoff.succeeded()
            self._connected.set()
            log.info("button pad connected on %s", self.spec)
            if self.on_connect is not None:
                self._safe(self.on_connect)
            try:
                self._read(port)
                lost = None
            except (serial.SerialException, OSError) as exc:
                lost = exc
            self._connected.clear()
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass
            if lost is not None:
                self._report(DeviceFault(f"button pad on {self.spec}", f"port lost ({lost})", self.backoff.failed()))
                self._stop.wait(self.backoff.remaining())

    def _read(self, port: serial.Serial) -> None:
        buffer = b""
        while not self._stop.is_set():
            chunk = port.read(64)
            if not chunk:
                continue
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                self._line(line.rstrip(b"\r"))
            if len(buffer) > MAX_LINE:
                log.warning("button pad on %s: dropped noise %r", self.spec, buffer[:MAX_LINE])
                buffer = b""

    def _line(self, line: bytes) -> None:
        if not line.strip():
            return
        counter = self.parse(line)
        if counter is None:
            log.warning("button pad on %s: ignored line %r", self.spec, line)
            return
        now = self.clock()
        last = self._last_press.get(counter)
        if last is not None and now - last < self.debounce_s:
            log.info("button pad: repeated press of counter %s ignored", counter)
            return
        self._last_press[counter] = now
        self._safe(self.on_press, counter)

    def _report(self, fault: DeviceFault) -> None:
        log.warning("%s", fault)
        if self.on_fault is not None:
            self._safe(self.on_fault, fault)

    @staticmethod
    def _safe(callback: Callable, *args) -> None:
        try:
            callback(*args)
        except Exception:  # the bridge's bugs must not stop the pad
            log.exception("button pad callback failed")
