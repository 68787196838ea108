"""Serial lines shared by LED boards and call-button pads.

Both device families hang off cheap USB-to-RS-232/RS-485 adapters that get
unplugged, renumbered and power-cycled while the office is open. Everything
here exists so that such a device turns into a typed, explainable fault
(:class:`DeviceFault`) and a later reconnection, never into a frozen screen:
every open and write has a timeout, and :class:`Backoff` spaces out retries so a
missing adapter is not hammered ten times a second.

A port is named by a SPEC string taken from config::

    serial:/dev/ttyUSB0          9600 baud, 8N1 (the default)
    serial:/dev/ttyUSB0:19200    another speed
    serial:COM3:9600             Windows
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import serial

DEFAULT_BAUDRATE = 9600
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


class DeviceFault(Exception):
    """A device that cannot be reached right now: unplugged, busy, silent.

    ``device`` names the port (for the operator), ``reason`` says what went
    wrong in plain words, ``retry_in`` is how many seconds until the next
    attempt is worth making (``None`` when unknown).
    """

    def __init__(self, device: str, reason: str, retry_in: float | None = None):
        super().__init__(f"{device}: {reason}")
        self.device = device
        self.reason = reason
        self.retry_in = retry_in


class SpecError(ValueError):
    """A port SPEC in config that cannot be understood: a config error, not a fault."""


@dataclass(frozen=True)
class SerialSpec:
    port: str
    baudrate: int = DEFAULT_BAUDRATE

    def __str__(self) -> str:
        return f"serial:{self.port}:{self.baudrate}"


def parse_serial_spec(spec: str) -> SerialSpec:
    """``serial:<port>[:<baud>]`` → :class:`SerialSpec`; raises :class:`SpecError`."""
    scheme, sep, rest = spec.partition(":")
    if scheme != "serial" or not sep or not rest:
        raise SpecError(f"expected serial:<port>[:<baud>], got {spec!r}")
    port, baudrate = rest, DEFAULT_BAUDRATE
    head, colon, tail = rest.rpartition(":")
    # The last field is a speed only if it is all digits: "COM3" and
    # "/dev/ttyUSB0" end in digits but carry no colon before them.
    if colon and tail.isdigit():
        port, baudrate = head, int(tail)
        if baudrate not in BAUDRATES:
            raise SpecError(f"unsupported baud rate {baudrate} in {spec!r}; use one of {BAUDRATES}")
    if not port:
        raise SpecError(f"no port in {spec!r}")
    return SerialSpec(port, baudrate)


def open_serial(
    spec: SerialSpec, *, timeout: float = 0.2, write_timeout: float = 1.0
) -> serial.Serial:
    """Open a port 8N1 without flow control, with read and write timeouts.

    The timeouts are the point: a board that stops reading can delay a caller
    by at most ``write_timeout`` seconds. Failure raises :class:`DeviceFault`.
    """
    try:
        return serial.Serial(
            port=spec.port,
            baudrate=spec.baudrate,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=timeout,
            write_timeout=write_timeout,
            xonxoff=False,
            rtscts=False,
            dsrdtr=False,
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise DeviceFault(str(spec), f"cannot open port ({exc})") from exc


class Backoff:
    """When to try a failed device again: 0.5 s, 1 s, 2 s … up to ``maximum``.

    The clock is injectable so tests can step time instead of sleeping.
    """

    def __init__(
        self,
        initial: float = 0.5,
        factor: float = 2.0,
        maximum: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.initial, self.factor, self.maximum = initial, factor, maximum
        self.clock = clock
        self.failures = 0
        self._next_at = 0.0

    def failed(self) -> float:
        """Record a failure; return the delay until the next attempt."""
        delay = min(self.maximum, self.initial * self.factor**self.failures)
        self.failures += 1
        self._next_at = self.clock() + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self._next_at = 0.0

    def remaining(self) -> float:
        """Seconds left before another attempt is due (0 when due now)."""
        return max(0.0, self._next_at - self.clock())

    def ready(self) -> bool:
        return self.remaining() == 0.0
