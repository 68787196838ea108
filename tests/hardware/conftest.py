"""Real wires for printer tests: a pty pair and a TCP socket on 127.0.0.1.

The "printer" on the far end is a few lines that collect every byte and answer the
real-time status request DLE EOT n with a byte we choose, as a thermal printer does.
"""
from __future__ import annotations

import os
import select
import socket
import threading
from datetime import UTC, datetime

import pytest

from hardware.ticket_layout import TicketData

TRACK_URL = "https://queue.example.org/t/7F3K-042"


@pytest.fixture
def ticket() -> TicketData:
    return TicketData(
        office="Центр обслуживания клиентов",
        service_name="Оплата счетов",
        number="К-042",
        issued_at=datetime(2025, 3, 12, 11, 5, tzinfo=UTC),
        tz="Europe/Moscow",
        ahead=3,
        estimated_wait_s=14 * 60 + 10,
        track_url=TRACK_URL,
        footer="Спасибо, что пришли к нам",
    )


class PrinterEnd:
    """The printer's side of a wire: records bytes, answers DLE EOT n from ``replies``.

    ``replies[n]`` is a list of reply bytes used in turn (the last one repeats);
    a missing ``n`` means the printer stays silent, like many network printers.
    """

    def __init__(self, replies: dict[int, list[bytes]] | None = None):
        self.replies = {n: list(r) for n, r in (replies or {}).items()}
        self.received = bytearray()
        self._scanned = 0
        self.lock = threading.Lock()

    def feed(self, chunk: bytes) -> bytes:
        """Take bytes off the wire; return what the printer sends back."""
        out = bytearray()
        with self.lock:
            self.received += chunk
            data = self.received
            i = data.find(b"\x10\x04", self._scanned)
            while i != -1 and i + 2 < len(data):
                n = data[i + 2]
                answers = self.replies.get(n)
                if answers:
                    out += answers.pop(0) if len(answers) > 1 else answers[0]
                self._scanned = i + 3
                i = data.find(b"\x10\x04", self._scanned)
        return bytes(out)

    def data(self) -> bytes:
        with self.lock:
            return bytes(self.received)


class PtyPrinter(PrinterEnd):
    """A serial printer on the master side of a pty; ``spec`` names the slave."""

    def __init__(self, replies: dict[int, list[bytes]] | None = None):
        super().__init__(replies)
        self.master, self.slave = os.openpty()
        self.spec = f"serial:{os.ttyname(self.slave)}:19200"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the serial side closed and reopens; keep listening
                self._stop.wait(0.01)
                continue
            reply = self.feed(chunk)
            if reply:
                os.write(self.master, reply)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)


class TcpPrinter(PrinterEnd):
    """A raw-TCP (port 9100 style) printer on 127.0.0.1, one connection at a time."""

    def __init__(self, replies: dict[int, list[bytes]] | None = None):
        super().__init__(replies)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.1)
        self.spec = f"net:127.0.0.1:{self.server.getsockname()[1]}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.1)
                while not self._stop.is_set():
                    try:
                        chunk = conn.recv(4096)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not chunk:
                        break
                    reply = self.feed(chunk)
                    if reply:
                        conn.sendall(reply)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()


@pytest.fixture
def pty_printer():
    made: list[PtyPrinter] = []

    def make(replies: dict[int, list[bytes]] | None = None) -> PtyPrinter:
        made.append(PtyPrinter(replies))
        return made[-1]

    yield make
    for end in made:
        end.close()


@pytest.fixture
def tcp_printer():
    made: list[TcpPrinter] = []

    def make(replies: dict[int, list[bytes]] | None = None) -> TcpPrinter:
        made.append(TcpPrinter(replies))
        return made[-1]

    yield make
    for end in made:
        end.close()
