"""The ticket printer: one base class over python-escpos transports, chosen by a SPEC.

The kiosk calls ``open_printer(spec)`` once and ``print_ticket(printer, ticket, ...)``
per visitor. Each transport subclass only says how to build its python-escpos
device and, where the wire allows it, how to read one status byte back; everything
else (jobs, timeouts, fault mapping) lives in ``Printer`` so a new transport stays
a few lines. python-escpos itself is imported lazily: a kiosk without it gets a
PrinterConfigError sentence, not an ImportError traceback.

python-escpos takes raw bytes only through its private ``_raw``; the ticket's bytes
are ours (CP866 text, the slashed zero: ticket_layout.py), so each transport puts them
on the wire through the public object python-escpos opened for it (``device``: the
pyserial port, the socket, the file, the USB device) — the same call python-escpos
itself makes there. A raw CUPS job goes to pycups, or the ``lp`` command, directly.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from hardware.printer_spec import PrinterConfigError, PrinterSpec, parse_printer_spec
from hardware.printer_status import (
    DLE_EOT_ONLINE,
    DLE_EOT_PAPER,
    PrinterFault,
    PrinterStatus,
    decode_status,
    printer_status,
)
from hardware.ticket_layout import TicketData, ticket_bytes

__all__ = [
    "Printer",
    "PrinterConfigError",
    "PrinterFault",
    "PrinterStatus",
    "open_printer",
    "print_ticket",
    "printer_status",
]

_INSTALL_HINT = "install it with: pip install 'queue-office[hardware]'"


def _escpos_printers() -> Any:
    try:
        import escpos.printer
    except ImportError as exc:  # the optional 'hardware' extra is missing
        raise PrinterConfigError("", f"python-escpos is not installed; {_INSTALL_HINT}") from exc
    return escpos.printer


def _device_errors() -> tuple[type[BaseException], ...]:
    from escpos.exceptions import Error as EscposError

    return (OSError, EscposError, RuntimeError, AssertionError)


class Printer:
    """One thermal printer; ``write`` is the one transport method every subclass shares.

    Subclasses set ``transport``, build their python-escpos device in ``build``, put
    bytes on their wire in ``_send`` and, if the wire is two-way, implement ``_query``
    (one DLE EOT request, one reply byte).
    """

    transport: ClassVar[str] = ""
    keep_open: ClassVar[bool] = True  # False: one connection (or CUPS job) per ticket
    reads_back: ClassVar[bool] = False  # True: the wire carries DLE EOT replies

    def __init__(self, spec: PrinterSpec, device: Any, io_timeout: float, status_timeout: float):
        self.spec = spec
        self.escpos = device  # the python-escpos object (escpos.escpos.Escpos subclass)
        self.io_timeout = io_timeout
        self.status_timeout = status_timeout
        self._is_open = False
        self._jobs = 0

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.raw}>"

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Open the device now; raises PrinterFault('not_found') with the OS's words."""
        if self._is_open:
            return
        try:
            self.escpos.open()
            self._after_open()
        except (*_device_errors(), ValueError) as exc:
            self._discard()
            raise PrinterFault("not_found", f"{self.spec.raw}: {exc}") from exc
        self._is_open = True

    def write(self, data: bytes) -> None:
        """Send raw ESC/POS bytes; a failing or stalled device becomes PrinterFault."""
        with self.job():
            try:
                self._send(data)
            except _device_errors() as exc:
                self._discard()
                raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc

    @contextmanager
    def job(self) -> Iterator[Printer]:
        """Hold the connection for one ticket; per-job transports submit on exit."""
        self.connect()
        self._jobs += 1
        try:
            yield self
        except BaseException:
            self._jobs -= 1
            if self._jobs == 0 and not self.keep_open:
                self._discard()
            raise
        self._jobs -= 1
        if self._jobs == 0 and not self.keep_open:
            self.close()

    def read_status(self) -> PrinterStatus:
        """The printer's own answer (DLE EOT 1 and 4), or UNKNOWN if it cannot answer."""
        if not self.reads_back:
            return PrinterStatus.UNKNOWN  # don't even open a write-only device for this
        with self.job():
            try:
                online = self._query(DLE_EOT_ONLINE)
                paper = self._query(DLE_EOT_PAPER) if online is not None else None
            except _device_errors() as exc:
                self._discard()
                raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc
        return decode_status(online, paper)

    def _send(self, data: bytes) -> None:
        """Put ``data`` on the open device's wire."""
        raise NotImplementedError

    def _query(self, request: bytes) -> bytes | None:
        """Send one real-time request, return the reply (None: no reply, no way to read)."""
        return None

    def _after_open(self) -> None:
        """Apply timeouts python-escpos does not expose."""

    def close(self) -> None:
        """Finish and release the device; CUPS/lp submit the pending job here."""
        if not self._is_open:
            return
        self._is_open = False
        try:
            self.escpos.close()
        except _device_errors() as exc:
            raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc

    def _discard(self) -> None:
        """Drop the connection after a failure so the next job reconnects."""
        self._is_open = False
        try:
            self.escpos.close()
        except Exception:  # already failing; the first error is the one to report
            pass
        self.escpos.device = False  # python-escpos opens it afresh on the next job


class DummyPrinter(Printer):
    """Keeps the bytes in memory: tests, demos, a kiosk without a printer."""

    transport = "dummy"

    def __init__(self, spec: PrinterSpec, device: Any, io_timeout: float, status_timeout: float):
        super().__init__(spec, device, io_timeout, status_timeout)
        self._sent = bytearray()

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        return cls(spec, _escpos_printers().Dummy(), io_timeout, status_timeout)

    def _send(self, data: bytes) -> None:
        self._sent += data

    @property
    def output(self) -> bytes:
        """Everything printed since the start (or the last ``clear``)."""
        return bytes(self._sent)

    def clear(self) -> None:
        self._sent.clear()


class FilePrinter(Printer):
    """A device node (/dev/usb/lp0) or a plain file; write-only, so status is UNKNOWN."""

    transport = "file"

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        device = _escpos_printers().File(devfile=spec.path, auto_flush=True)
        return cls(spec, device, io_timeout, status_timeout)

    def _send(self, data: bytes) -> None:
        self.escpos.device.write(data)
        self.escpos.flush()


class SerialPrinter(Printer):
    """RS-232 / USB-serial printer via pyserial; reads DLE EOT replies."""

    transport = "serial"
    reads_back = True

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        printers = _escpos_printers()
        if not printers.Serial.is_usable():
            raise PrinterConfigError(spec.raw, f"serial printers need pyserial; {_INSTALL_HINT}")
        device = printers.Serial(devfile=spec.path, baudrate=spec.baudrate, timeout=status_timeout)
        return cls(spec, device, io_timeout, status_timeout)

    def _after_open(self) -> None:
        self.escpos.device.write_timeout = self.io_timeout

    def _send(self, data: bytes) -> None:
        self.escpos.device.write(data)

    def _query(self, request: bytes) -> bytes | None:
        port = self.escpos.device
        port.reset_input_buffer()  # a late reply to an earlier query must not be read as this one
        port.write(request)
        return port.read(1) or None

    def close(self) -> None:
        # python-escpos flushes (tcdrain) before closing, which can wait forever on a
        # flow-controlled port; closing without it is bounded by the kernel. Only an
        # open printer has a port to read (python-escpos opens one when asked for it).
        port = self.escpos.device if self._is_open else None
        self.escpos.device = False
        self._is_open = False
        if port:
            try:
                port.close()
            except OSError as exc:
                raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc

    def _discard(self) -> None:
        try:
            self.close()
        except PrinterFault:
            pass


class NetworkPrinter(Printer):
    """Raw TCP (port 9100); one connection per ticket so a rebooted printer is no trap."""

    transport = "net"
    reads_back = True
    keep_open = False

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        device = _escpos_printers().Network(host=spec.host, port=spec.port, timeout=io_timeout)
        return cls(spec, device, io_timeout, status_timeout)

    def _send(self, data: bytes) -> None:
        self.escpos.device.sendall(data)

    def _query(self, request: bytes) -> bytes | None:
        sock = self.escpos.device
        sock.setblocking(False)
        try:
            while sock.recv(64):  # drop anything stale
                pass
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(self.status_timeout)
        try:
            sock.sendall(request)
            return sock.recv(16)[:1] or None
        except TimeoutError:
            return None  # many network printers never answer DLE EOT on port 9100
        finally:
            sock.settimeout(self.io_timeout)


class UsbPrinter(Printer):
    """USB printer class device via pyusb/libusb; reads replies on the IN endpoint."""

    transport = "usb"
    reads_back = True

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        printers = _escpos_printers()
        if not printers.Usb.is_usable() or not _libusb_available():
            raise PrinterConfigError(
                spec.raw, f"USB printers need pyusb and the libusb-1.0 library; {_INSTALL_HINT}"
            )
        device = printers.Usb(
            idVendor=spec.vendor_id,
            idProduct=spec.product_id,
            timeout=int(io_timeout * 1000),
            in_ep=spec.in_ep,
            out_ep=spec.out_ep,
        )
        return cls(spec, device, io_timeout, status_timeout)

    def _send(self, data: bytes) -> None:
        self.escpos.device.write(self.spec.out_ep, data, int(self.io_timeout * 1000))

    def _query(self, request: bytes) -> bytes | None:
        import usb.core

        dev, ms = self.escpos.device, int(self.status_timeout * 1000)
        try:
            dev.read(self.spec.in_ep, 64, 10)  # drop a stale reply, if any
        except usb.core.USBTimeoutError:
            pass
        dev.write(self.spec.out_ep, request, ms)
        try:
            return bytes(dev.read(self.spec.in_ep, 16, ms))[:1] or None
        except usb.core.USBTimeoutError:
            return None


def _libusb_available() -> bool:
    import usb.backend.libusb0
    import usb.backend.libusb1

    return bool(usb.backend.libusb1.get_backend() or usb.backend.libusb0.get_backend())


class CupsQueuePrinter(Printer):
    """A raw CUPS queue: one job per ticket, through pycups, else the lp command (never a shell).

    Not through python-escpos's CupsPrinter and LP: both take bytes only through its
    private ``_raw``, and LP's flush at close depends on state only ``_raw`` sets.
    The bytes are gathered during the job and submitted in one piece on close.
    """

    transport = "cups"
    keep_open = False  # one CUPS job per ticket, submitted on close
    JOB_TITLE = "queue ticket"
    STOPPED = 5  # IPP printer-state: 3 idle, 4 printing, 5 stopped

    def __init__(self, spec: PrinterSpec, pycups: Any, io_timeout: float, status_timeout: float):
        super().__init__(spec, None, io_timeout, status_timeout)
        self.pycups = pycups  # the cups module, or None: the lp command
        self._pending = bytearray()

    @classmethod
    def build(cls, spec: PrinterSpec, io_timeout: float, status_timeout: float) -> Printer:
        try:
            import cups as pycups
        except ImportError:
            pycups = None
        if pycups is None and not (shutil.which("lp") and shutil.which("lpstat")):
            raise PrinterConfigError(
                spec.raw, "CUPS printing needs pycups (pip install pycups) or the 'lp' command"
            )
        return cls(spec, pycups, io_timeout, status_timeout)

    def connect(self) -> None:
        """Check that the queue exists; PrinterFault('not_found') if CUPS does not know it."""
        if self._is_open:
            return
        try:
            known = self._queue() is not None
        except self._errors() as exc:
            raise PrinterFault("not_found", f"{self.spec.raw}: {exc}") from exc
        if not known:
            raise PrinterFault("not_found", f"{self.spec.raw}: CUPS has no queue {self.spec.path!r}")
        self._pending.clear()
        self._is_open = True

    def _errors(self) -> tuple[type[BaseException], ...]:
        """What CUPS, pycups or lp raise when the queue cannot be reached or takes no job."""
        ipp = (self.pycups.IPPError,) if self.pycups is not None else ()
        return (OSError, RuntimeError, subprocess.SubprocessError, *ipp)

    def _queue(self) -> dict | None:
        """The queue's attributes (pycups), {} (lp: it exists), or None: no such queue."""
        if self.pycups is not None:
            return self.pycups.Connection().getPrinters().get(self.spec.path)
        done = subprocess.run(["lpstat", "-p", self.spec.path], capture_output=True,
                              timeout=self.io_timeout, check=False)
        return {} if done.returncode == 0 else None

    def _send(self, data: bytes) -> None:
        self._pending += data

    def close(self) -> None:
        """Submit the job gathered since the job began."""
        if not self._is_open:
            return
        self._is_open = False
        data, self._pending = bytes(self._pending), bytearray()
        if not data:
            return
        try:
            self._submit(data)
        except self._errors() as exc:
            raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc

    def _submit(self, data: bytes) -> None:
        if self.pycups is not None:
            with tempfile.NamedTemporaryFile(suffix=".prn") as f:
                f.write(data)
                f.flush()
                self.pycups.Connection().printFile(self.spec.path, f.name, self.JOB_TITLE,
                                                   {"document-format": self.pycups.CUPS_FORMAT_RAW})
            return
        done = subprocess.run(["lp", "-d", self.spec.path, "-t", self.JOB_TITLE, "-o", "raw"],
                              input=data, capture_output=True, timeout=self.io_timeout, check=False)
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip() or f"exit status {done.returncode}"
            raise RuntimeError(f"lp: {said}")

    def read_status(self) -> PrinterStatus:
        """CUPS knows whether the queue is stopped, nothing about paper; lp knows nothing.

        A queue busy printing the previous ticket is not offline."""
        if self.pycups is None:
            return PrinterStatus.UNKNOWN
        with self.job():
            try:
                queue = self._queue()
            except self._errors() as exc:  # CUPS itself cannot be reached
                raise PrinterFault("io_error", f"{self.spec.raw}: {exc}") from exc
        stopped = queue is None or queue.get("printer-state") == self.STOPPED
        return PrinterStatus.OFFLINE if stopped else PrinterStatus.UNKNOWN

    def _discard(self) -> None:
        # Drop the half-built job: nothing of it is submitted.
        self._is_open = False
        self._pending = bytearray()


PRINTER_CLASSES: dict[str, type[Printer]] = {
    cls.transport: cls
    for cls in (UsbPrinter, SerialPrinter, NetworkPrinter, CupsQueuePrinter, FilePrinter,
                DummyPrinter)
}


def open_printer(spec: str, io_timeout: float = 5.0, status_timeout: float = 0.5) -> Printer:
    """Build the printer a SPEC names; the device itself is opened by the first job.

    Raises PrinterConfigError for a bad SPEC or a missing backend library, so the kiosk
    can refuse a wrong config at start-up even while the printer is switched off.
    """
    parsed = parse_printer_spec(spec)
    return PRINTER_CLASSES[parsed.transport].build(parsed, io_timeout, status_timeout)


def print_ticket(
    printer: Printer, ticket: TicketData, width_mm: int = 80, lang: str = "ru"
) -> PrinterStatus:
    """Print one ticket with a status check before and after; returns the status after.

    Raises PrinterFault: before printing if the printer reports no paper or offline
    (nothing is sent), after printing if it ran out mid-ticket, or when the device
    cannot be opened or written. PAPER_LOW is returned, not raised: warn the staff.
    """
    data = ticket_bytes(ticket, width_mm, lang)
    with printer.job():
        before = printer.read_status()
        if before in (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE):
            raise PrinterFault(before.value, "reported before printing; nothing was sent")
        printer.write(data)
        after = printer.read_status()
    if after in (PrinterStatus.PAPER_OUT, PrinterStatus.OFFLINE):
        raise PrinterFault(after.value, "reported after printing; the ticket may be incomplete")
    return after
