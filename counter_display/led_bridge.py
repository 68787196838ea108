"""Serial LED boards driven by the server's calls (``qdisplay led``).

Each board is either a *hall* board (shows every call, newest on top) or a
*counter* board (shows its counter: the ticket called or served there,
"Закрыто", "Перерыв" or nothing). What a board should show is worked out from
the same :class:`~counter_display.board_model.BoardModel` the hall board uses;
:class:`~hardware.led_worker.LedBoardWorker` delivers it without ever blocking
the Socket.IO thread, re-sends once an unplugged board is back, and each
fault or recovery is reported to the server as a device status.

Boards are described as ``COUNTER=SPEC[@ADDRESS]`` (``hall=…`` for a hall
board); several addresses on one RS-485 line share one port.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from counter_display.board_model import BoardModel
from counter_display.server_api import StatusReporter
from counter_display.texts import CLOSED, display_gettext, pause_text
from hardware.led_boards import PROTOCOLS, LedBoard, LedProtocol, open_led_board
from hardware.led_worker import LedBoardWorker
from hardware.serial_port import SpecError

log = logging.getLogger(__name__)

HALL = "hall"


@dataclass(frozen=True)
class BoardSpec:
    """One board in config: where it hangs (a counter id or ``hall``) and how to reach it."""

    counter: str  # "hall" or a counter id
    port: str  # serial:/dev/ttyUSB0[:baud] or dummy
    address: int = 1
    protocol: str = "ascii"

    @property
    def is_hall(self) -> bool:
        return self.counter == HALL

    @property
    def component(self) -> str:
        """The name under which faults are reported (the API allows 40 characters)."""
        port = self.port.split(":", 2)[1] if self.port.startswith("serial:") else self.port
        return f"led {self.counter}@{self.address} {os.path.basename(port)}"[:40]


def parse_board(text: str, *, protocol: str = "ascii") -> BoardSpec:
    """``3=serial:/dev/ttyUSB0:9600@2`` → counter 3, that port, address 2 (``@1`` by default)."""
    counter, sep, rest = text.partition("=")
    if not sep or not counter.strip() or not rest.strip():
        raise SpecError(f"expected COUNTER=SPEC[@ADDRESS] (or hall=SPEC), got {text!r}")
    port, at, address = rest.rpartition("@")
    if not at:
        port, address = rest, "1"
    if not address.isdigit() or not 0 <= int(address) <= 255:
        raise SpecError(f"LED board address must be 0..255 in {text!r}")
    if protocol not in PROTOCOLS:
        raise SpecError(f"unknown LED protocol {protocol!r}; known: {sorted(PROTOCOLS)}")
    return BoardSpec(counter.strip(), port.strip(), int(address), protocol)


class SharedLineBoard(LedBoard):
    """A board with its own address on a line shared with other boards (RS-485).

    Frames are built with this board's address and written through the line's
    one port board, whose lock keeps frames from interleaving.
    """

    def __init__(self, line: LedBoard, protocol: LedProtocol, address: int):
        super().__init__(protocol, address)
        self.line = line

    @property
    def name(self) -> str:
        return f"LED board {self.address:02X} on {getattr(self.line, 'spec', self.line.name)}"

    def close(self) -> None:
        self.line.close()

    def _write(self, frame: bytes) -> None:
        self.line._write(frame)  # the transport method every LedBoard implements


def open_boards(specs: list[BoardSpec], **options) -> list[tuple[BoardSpec, LedBoard]]:
    """Open (lazily) every board; boards on the same port share it."""
    lines: dict[str, LedBoard] = {}
    out = []
    for spec in specs:
        if spec.port in lines:
            line = lines[spec.port]
            out.append((spec, SharedLineBoard(line, PROTOCOLS[spec.protocol](), spec.address)))
            continue
        board = open_led_board(spec.port, spec.protocol, spec.address, **options)
        lines[spec.port] = board
        out.append((spec, board))
    return out


class LedBridge:
    """Feeds ``snapshot``/``state``/``called`` to the boards; call the ``on_*`` from any thread."""

    def __init__(self, boards: list[tuple[BoardSpec, LedBoard]], *, reporter: StatusReporter | None = None,
                 lang: str = "ru", model: BoardModel | None = None):
        self.lang = lang
        self._ = display_gettext(lang)
        self.model = model or BoardModel()
        self.reporter = reporter
        self.boards = boards
        self.workers = [LedBoardWorker(board, on_fault=self._fault_cb(spec), on_recover=self._ok_cb(spec))
                        for spec, board in boards]
        self._shown: list[tuple | None] = [None] * len(boards)
        self._lock = threading.Lock()

    def start(self) -> None:
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        return all(worker.wait_idle(timeout) for worker in self.workers)

    # ---- server input ----------------------------------------------------------
    def on_snapshot(self, body: dict) -> None:
        """After every (re)connect: put every board right, even if it shows the same already."""
        with self._lock:
            self.model.apply_snapshot(body)
            self._refresh(force=True)

    def on_state(self, body: dict) -> None:
        with self._lock:
            self.model.apply_state(body)
            self._refresh(force=False)

    def on_called(self, body: dict) -> None:
        """A call (or recall) is shown at once — and again, even if it was shown before."""
        with self._lock:
            row = self.model.apply_called(body)
            if row is None:
                return
            wish = ("show_call", row.number, row.counter_id)
            for i, (spec, _board) in enumerate(self.boards):
                if spec.is_hall or spec.counter == row.counter_id:
                    self._send(i, wish)

    # ---- internals -------------------------------------------------------------
    def desired(self, spec: BoardSpec) -> tuple:
        """What ``spec``'s board should show now, as (LedBoard method, *args)."""
        if spec.is_hall:
            latest = self.model.latest_call()
            return ("show_call", latest.number, latest.counter_id) if latest else ("clear",)
        view = self.model.counters.get(spec.counter)
        if view is None:
            return ("clear",)
        if view.status == "closed":
            return ("show_text", self._(CLOSED))
        if view.status == "paused":
            return ("show_text", pause_text(view.pause_reason, self.lang))
        if view.number:
            return ("show_call", view.number, view.counter_id)
        return ("clear",)

    def _refresh(self, force: bool) -> None:
        for i, (spec, _board) in enumerate(self.boards):
            wish = self.desired(spec)
            if force or wish != self._shown[i]:
                self._send(i, wish)

    def _send(self, i: int, wish: tuple) -> None:
        self._shown[i] = wish
        method, *args = wish
        getattr(self.workers[i], method)(*args)

    def _fault_cb(self, spec: BoardSpec) -> Callable:
        def fault(f) -> None:
            if self.reporter is not None:
                self.reporter.fault(spec.component, f.reason)
        return fault

    def _ok_cb(self, spec: BoardSpec) -> Callable:
        def ok() -> None:
            if self.reporter is not None:
                self.reporter.ok(spec.component)
        return ok
