"""The displays' speed: `next` at a counter → hall board repainted, → LED frame on the wire.

What runs, each in its own process as in an office:

* the real `qserver run` (uvicorn, started as bench_server starts it) on a
  fresh benchmark office on 127.0.0.1;
* the hall board exactly as `qdisplay hall` builds it (HallApp: Socket.IO
  client thread → Qt signals → model → painted 1920×1080 widget, offscreen),
  with its voice on — espeak-ng renders every call, "played" in real time to a
  silent player — unless --no-voice. It prints a line each time it has
  painted a new call on top;
* the real `qdisplay led --port serial:<pty>` bridge, whose board is the
  master side of a pseudo-terminal read here.

Each sample: a ticket is issued; t0 just before `POST /api/v1/counters/1/next`
is sent; the board's time is when its process has *painted* the call on top,
the LED's when the last byte of the expected call frame is read on the pty.
All times are CLOCK_MONOTONIC (time.perf_counter), shared by the processes.
Then the visitor is started and finished, off the clock. Percentiles are
nearest-rank (bench/common.py). The machine's cores are shared by all four
processes: an office runs them on separate PCs.

    python -m bench.bench_display          # 200 calls, budgets checked
    python -m bench.bench_display --tiny   # 12 calls, budgets printed, not checked
"""
from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from . import history as H
from .bench_server import Server, login, session
from .common import REPO, Reporter, free_port, log, percentile

COUNTER = "1"


def prepare(data: Path) -> dict:
    from queue_server.app import DB_NAME
    from queue_server.auth import Accounts, password_hasher
    from queue_server.journal_store import JournalStore

    H.make_office(data, hours="always", cheap_passwords=True)
    store = JournalStore(data / DB_NAME)
    try:
        accounts = Accounts(store, hasher=password_hasher(1, 1024))
        now = datetime.now(UTC)
        return {"kiosk": accounts.add_device("bench-kiosk", "kiosk", now),
                "display": accounts.add_device("bench-hall-board", "display", now),
                "led": accounts.add_device("bench-led", "display", now)}
    finally:
        store.close()


def serve_bench_office(folder: Path) -> tuple[dict, Server]:
    """A fresh benchmark office in ``folder`` served by the real `qserver run`; (tokens, server)."""
    data = folder / "office"
    tokens = prepare(data)
    server = Server(data, free_port())
    log(f"starting qserver run on {server.url}")
    server.start()
    return tokens, server


# ---- the board's process ------------------------------------------------------------
def board_child(url: str, token: str, voice: bool) -> int:
    """`qdisplay hall` as the CLI builds it, reporting `called` arrivals and paints on stdout."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from counter_display.announce_players import Player, wav_duration
    from counter_display.apps import HallApp

    class RealTimeSilence(Player):
        """As long as the sound, but silent: keeps the queue as busy as a loudspeaker would."""

        name = "real-time-silence"

        def play(self, path):
            time.sleep(wav_duration(path))

    qt = QApplication([])
    hall = HallApp(url, token, voice="espeak" if voice else "none", player=RealTimeSilence(),
                   report_faults=False)
    hall.board.resize(1920, 1080)
    hall.board.show()
    emit = hall.client.link.on_called

    def called(body: dict) -> None:
        print(f"called {body.get('number')} {time.perf_counter():.6f}", flush=True)
        emit(body)

    hall.client.link.on_called = called
    shown = {"number": None}

    def painted() -> None:
        top = hall.board.shown_top
        if top is not None and top.number != shown["number"]:
            shown["number"] = top.number
            print(f"painted {top.number} {time.perf_counter():.6f}", flush=True)

    hall.board.paint_listeners.append(painted)
    link_status = hall.client.link.on_status

    def status(state: str, detail: str = "") -> None:
        print(f"status {state}", flush=True)
        link_status(state, detail)

    hall.client.link.on_status = status
    signal.signal(signal.SIGTERM, lambda *_: qt.quit())
    hall.start()
    try:
        return qt.exec()
    finally:
        hall.stop()


class Lines(threading.Thread):
    """Reads `kind value time` lines from a child and lets the bench wait for one."""

    def __init__(self, stream):
        super().__init__(name="child-lines", daemon=True)
        self.stream = stream
        self.seen: dict[tuple[str, str], float] = {}
        self.cond = threading.Condition()

    def run(self) -> None:
        for line in self.stream:
            parts = line.split()
            if len(parts) == 2:
                parts.append("0")
            if len(parts) != 3:
                continue
            with self.cond:
                self.seen.setdefault((parts[0], parts[1]), float(parts[2]))
                self.cond.notify_all()

    def wait(self, kind: str, value: str, timeout: float = 5.0) -> float | None:
        with self.cond:
            self.cond.wait_for(lambda: (kind, value) in self.seen, timeout)
            return self.seen.get((kind, value))


class PtyReader(threading.Thread):
    """The LED board's end of the wire: timestamps every complete frame."""

    def __init__(self, master: int):
        super().__init__(name="pty-reader", daemon=True)
        self.master = master
        self.frames: list[tuple[bytes, float]] = []
        self.cond = threading.Condition()
        self.stop = threading.Event()

    def run(self) -> None:
        buf = b""
        while not self.stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # EIO until the bridge opens its side
                time.sleep(0.01)
                continue
            now = time.perf_counter()
            buf += chunk
            while True:  # STX … ETX + two checksum characters
                end = buf.find(b"\x03")
                if end < 0 or len(buf) < end + 3:
                    break
                frame, buf = buf[: end + 3], buf[end + 3:]
                with self.cond:
                    self.frames.append((frame, now))
                    self.cond.notify_all()

    def wait_frame(self, frame: bytes, after: float, timeout: float = 5.0) -> float | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for got, at in self.frames:
                    if got == frame and at >= after:
                        return at
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


def _spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL, text=True)


def _end(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


# ---- the measurement ----------------------------------------------------------------
def run(samples: int, voice: bool, rep: Reporter) -> None:
    from hardware.led_boards import AsciiProtocol

    with tempfile.TemporaryDirectory(prefix="qoffice-bench-display-") as tmp:
        tokens, server = serve_bench_office(Path(tmp))
        master, slave = os.openpty()
        pty_name = os.ttyname(slave)
        os.close(slave)
        reader = PtyReader(master)
        reader.start()
        board = led = None
        try:
            board = _spawn(["-m", "bench.bench_display", "--board-child", server.url, tokens["display"],
                            *([] if voice else ["--no-voice"])])
            lines = Lines(board.stdout)
            lines.start()
            led = _spawn(["-m", "counter_display.cli", "led", "--server", server.url, "--token", tokens["led"],
                          "--port", f"serial:{pty_name}:115200"])
            if lines.wait("status", "online", 30) is None:
                raise RuntimeError("the board did not connect")
            if reader.wait_frame(AsciiProtocol().clear_frame(1), 0, 30) is None:
                raise RuntimeError("the LED bridge did not put its board right")
            time.sleep(1.0)  # let the board settle (first paint, service names)
            op = session(login(server.url, H.operator_login(COUNTER), COUNTER))
            kiosk = session(tokens["kiosk"])
            service = H.COUNTERS[COUNTER][0]
            proto = AsciiProtocol()
            board_ms, led_ms, push_ms, gui_ms = [], [], [], []
            warmup = 3
            log(f"{samples} calls at counter {COUNTER} (+{warmup} warm-up), voice {'on' if voice else 'off'}")
            for i in range(samples + warmup):
                r = kiosk.post(f"{server.url}/api/v1/tickets", json={"service_id": service}, timeout=10)
                r.raise_for_status()
                number = r.json()["number"]
                t0 = time.perf_counter()
                op.post(f"{server.url}/api/v1/counters/{COUNTER}/next", timeout=10).raise_for_status()
                t_board = lines.wait("painted", number)
                t_push = lines.wait("called", number)
                t_led = reader.wait_frame(proto.call_frame(1, number, COUNTER), t0)
                if t_board is None or t_led is None or t_push is None:
                    raise RuntimeError(f"call {number} never reached the {'LED' if t_led is None else 'board'}")
                if i >= warmup:
                    board_ms.append((t_board - t0) * 1000)
                    led_ms.append((t_led - t0) * 1000)
                    push_ms.append((t_push - t0) * 1000)
                    gui_ms.append((t_board - t_push) * 1000)
                for action in ("start", "finish"):
                    op.post(f"{server.url}/api/v1/counters/{COUNTER}/{action}", json={},
                            timeout=10).raise_for_status()
            note = (f"{len(board_ms)} calls; qserver, board and LED bridge as separate processes on "
                    f"{os.cpu_count()} cores; board 1920×1080 offscreen, voice {'on' if voice else 'off'}")
            rep.figure("display_next_to_called_event_median_ms", percentile(push_ms, 50),
                       "the server's share: `next` sent → `called` received by the board")
            rep.figure("display_next_to_called_event_p99_ms", percentile(push_ms, 99))
            rep.figure("display_called_event_to_board_painted_median_ms", percentile(gui_ms, 50),
                       "the board's share: `called` received → painted")
            rep.figure("display_called_event_to_board_painted_p99_ms", percentile(gui_ms, 99))
            rep.figure("display_next_to_board_median_ms", percentile(board_ms, 50), note)
            rep.figure("display_next_to_board_p99_ms", percentile(board_ms, 99))
            rep.figure("display_next_to_led_frame_median_ms", percentile(led_ms, 50), "pty, 115200 baud")
            rep.figure("display_next_to_led_frame_p99_ms", percentile(led_ms, 99))
        finally:
            _end(board)
            _end(led)
            reader.stop.set()
            server.stop()
            try:
                os.close(master)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bench_display", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="12 calls, budgets printed but not checked")
    p.add_argument("--samples", type=int, help="number of calls measured (default 200, tiny 12)")
    p.add_argument("--no-voice", action="store_true", help="leave the board's announcer off")
    p.add_argument("--board-child", nargs=2, metavar=("URL", "TOKEN"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.board_child:
        return board_child(*args.board_child, voice=not args.no_voice)
    rep = Reporter("display", budgets_on=not args.tiny)
    t0 = time.perf_counter()
    try:
        run(args.samples or (12 if args.tiny else 200), not args.no_voice, rep)
    except (RuntimeError, requests.RequestException) as exc:
        log(f"bench_display failed: {exc}")
        return 2
    rep.comment(f"bench_display took {time.perf_counter() - t0:.0f} s")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
