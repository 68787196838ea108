"""LED boards above counters and in the hall, driven over a serial line.

Two things vary independently, so they are two small mappings chosen from config:

* the **protocol** — how a call or a line of text becomes bytes
  (:data:`PROTOCOLS`: ``"ascii"`` is ours, documented in docs/hardware.md;
  a vendor's protocol is one more :class:`LedProtocol` subclass);
* the **transport** — where the bytes go (:data:`TRANSPORTS`: ``serial:`` or
  ``dummy:``). Like python-escpos, a transport implements one method,
  :meth:`LedBoard._write`.

:class:`LedBoard` methods block for at most the write timeout (1 s by default)
and raise :class:`~hardware.serial_port.DeviceFault` when the board is
unreachable; call them from a worker thread (:mod:`hardware.led_worker` does
that and re-sends once the board is back), never from the GUI thread.
"""
from __future__ import annotations

import threading
from functools import reduce

import serial

from hardware.serial_port import (
    Backoff,
    DeviceFault,
    SerialSpec,
    SpecError,
    open_serial,
    parse_serial_spec,
)

STX, ETX, US, ACK, NAK = 0x02, 0x03, 0x1F, 0x06, 0x15
MAX_FIELD = 16  # bytes of a ticket number or counter id in a call frame
MAX_TEXT = 64  # bytes of a text line; longer text is cut

# Characters CP866 lacks but captions use: folded before encoding.
_FOLD = str.maketrans({"—": "-", "–": "-", "«": '"', "»": '"', "→": ">", "…": "...", "ё": "е", "Ё": "Е"})


class LedProtocol:
    """Builds the frames of one family of boards; knows nothing of ports."""

    name = "base"

    def call_frame(self, address: int, number: str, counter: str) -> bytes:
        raise NotImplementedError

    def text_frame(self, address: int, text: str) -> bytes:
        raise NotImplementedError

    def clear_frame(self, address: int) -> bytes:
        raise NotImplementedError

    def is_ack(self, reply: bytes) -> bool:
        """Whether a board's reply means "frame accepted" (used with ``expect_ack``)."""
        return reply == bytes([ACK])


def xor_checksum(data: bytes) -> int:
    return reduce(lambda acc, b: acc ^ b, data, 0)


def encode_field(text: str, limit: int) -> bytes:
    """Text → CP866 bytes a board can show: no control bytes, cut to ``limit``."""
    text = "".join(ch for ch in text.translate(_FOLD) if ch >= " " and ch != "\x7f")
    return text.encode("cp866", errors="replace")[:limit]


class AsciiProtocol(LedProtocol):
    """Our generic protocol: ``STX addr cmd payload ETX checksum`` (docs/hardware.md)."""

    name = "ascii"

    def frame(self, address: int, command: str, payload: bytes = b"") -> bytes:
        if not 0 <= address <= 0xFF:
            raise SpecError(f"LED board address must be 0..255, got {address}")
        body = f"{address:02X}{command}".encode("ascii") + payload + bytes([ETX])
        return bytes([STX]) + body + f"{xor_checksum(body):02X}".encode("ascii")

    def call_frame(self, address: int, number: str, counter: str) -> bytes:
        payload = encode_field(number, MAX_FIELD) + bytes([US]) + encode_field(counter, MAX_FIELD)
        return self.frame(address, "C", payload)

    def text_frame(self, address: int, text: str) -> bytes:
        return self.frame(address, "T", encode_field(text, MAX_TEXT))

    def clear_frame(self, address: int) -> bytes:
        return self.frame(address, "X")


PROTOCOLS: dict[str, type[LedProtocol]] = {"ascii": AsciiProtocol}


class LedBoard:
    """One board: protocol methods here, the transport in :meth:`_write`."""

    def __init__(self, protocol: LedProtocol | None = None, address: int = 1):
        self.protocol = protocol if protocol is not None else AsciiProtocol()
        self.address = address

    @property
    def name(self) -> str:
        return f"{type(self).__name__}#{self.address}"

    def show_call(self, number: str, counter: str) -> bytes:
        """Show "ticket → counter"; returns the frame sent."""
        return self._send(self.protocol.call_frame(self.address, number, counter))

    def show_text(self, text: str) -> bytes:
        return self._send(self.protocol.text_frame(self.address, text))

    def clear(self) -> bytes:
        return self._send(self.protocol.clear_frame(self.address))

    def close(self) -> None:
        """Release the port; the board reopens it on the next frame."""

    def _send(self, frame: bytes) -> bytes:
        self._write(frame)
        return frame

    def _write(self, frame: bytes) -> None:
        raise NotImplementedError


class DummyLedBoard(LedBoard):
    """Keeps frames in memory; set ``fault`` to make the next writes fail."""

    def __init__(self, spec: str = "dummy", protocol: LedProtocol | None = None, address: int = 1):
        super().__init__(protocol, address)
        self.frames: list[bytes] = []
        self.fault: DeviceFault | None = None

    @property
    def output(self) -> bytes:
        return b"".join(self.frames)

    def _write(self, frame: bytes) -> None:
        if self.fault is not None:
            raise self.fault
        self.frames.append(frame)


class SerialLedBoard(LedBoard):
    """A board on a serial port, reopened with backoff after any failure.

    While the port is down, writes fail at once with a :class:`DeviceFault`
    whose ``retry_in`` says when the next real attempt will be made; a write
    never takes longer than ``write_timeout`` (plus ``ack_timeout`` if the
    board is configured to acknowledge frames).
    """

    def __init__(
        self,
        spec: str | SerialSpec,
        protocol: LedProtocol | None = None,
        address: int = 1,
        *,
        write_timeout: float = 1.0,
        expect_ack: bool = False,
        ack_timeout: float = 0.5,
        backoff: Backoff | None = None,
    ):
        super().__init__(protocol, address)
        self.spec = spec if isinstance(spec, SerialSpec) else parse_serial_spec(spec)
        self.write_timeout, self.expect_ack, self.ack_timeout = write_timeout, expect_ack, ack_timeout
        self.backoff = backoff if backoff is not None else Backoff()
        self._port: serial.Serial | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"LED board {self.address:02X} on {self.spec}"

    @property
    def connected(self) -> bool:
        return self._port is not None

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _write(self, frame: bytes) -> None:
        with self._lock:
            port = self._connect()
            try:
                if self.expect_ack:
                    port.reset_input_buffer()
                written = port.write(frame)
                if written != len(frame):
                    raise serial.SerialTimeoutException(f"wrote {written} of {len(frame)} bytes")
                reply = port.read(1) if self.expect_ack else b""
            except (serial.SerialException, OSError) as exc:
                raise self._fail(f"write failed ({exc})") from exc
            if self.expect_ack and not reply:
                raise self._fail(f"no answer within {self.ack_timeout} s")
            if self.expect_ack and not self.protocol.is_ack(reply):
                # The board is alive but refused the frame: no reconnect needed.
                raise DeviceFault(self.name, f"frame rejected (reply {reply!r})", 0.0)
            self.backoff.succeeded()

    def _connect(self) -> serial.Serial:
        if self._port is not None:
            return self._port
        if not self.backoff.ready():
            raise DeviceFault(self.name, "offline, waiting to retry", self.backoff.remaining())
        try:
            timeout = self.ack_timeout if self.expect_ack else 0.2
            self._port = open_serial(self.spec, timeout=timeout, write_timeout=self.write_timeout)
        except DeviceFault as fault:
            raise DeviceFault(self.name, fault.reason, self.backoff.failed()) from fault
        return self._port

    def _fail(self, reason: str) -> DeviceFault:
        self._drop()
        return DeviceFault(self.name, reason, self.backoff.failed())

    def _drop(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except (serial.SerialException, OSError):
                pass
            self._port = None


TRANSPORTS: dict[str, type[LedBoard]] = {"serial": SerialLedBoard, "dummy": DummyLedBoard}


def open_led_board(spec: str, protocol: str = "ascii", address: int = 1, **options) -> LedBoard:
    """The board a config entry describes, e.g. ``("serial:/dev/ttyUSB0:9600", "ascii", 3)``.

    Unknown schemes or protocols raise :class:`SpecError` naming the known
    ones; the port itself is opened lazily on the first frame.
    """
    scheme = spec.partition(":")[0]
    if scheme not in TRANSPORTS:
        raise SpecError(f"unknown LED board transport {scheme!r} in {spec!r}; known: {sorted(TRANSPORTS)}")
    if protocol not in PROTOCOLS:
        raise SpecError(f"unknown LED protocol {protocol!r}; known: {sorted(PROTOCOLS)}")
    if not 0 <= address <= 0xFF:
        raise SpecError(f"LED board address must be 0..255, got {address}")
    return TRANSPORTS[scheme](spec, PROTOCOLS[protocol](), address, **options)


def test_led(port_spec: str, text: str) -> bytes:
    """Commissioning: send one text frame to the board and return its bytes.

    Raises :class:`DeviceFault` (with a plain reason) when the board is unreachable.
    """
    board = open_led_board(port_spec)
    try:
        return board.show_text(text)
    finally:
        board.close()


test_led.__test__ = False  # a commissioning helper, not a pytest test
