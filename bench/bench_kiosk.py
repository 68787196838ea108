"""The kiosk's speed: touch → ticket bytes at the printer, start → first usable screen, memory.

What runs: the real `qserver run` (uvicorn, as bench_server starts it) on a
fresh benchmark office on 127.0.0.1. Each kiosk is its own process, built
exactly as `qkiosk` builds it (kiosk.app.build_kiosk, offscreen Qt at
1080×1920) with the hardware helper's DummyPrinter, timed where the bytes
reach `Printer.write`. So the start figure includes Python, Qt, python-escpos
and the first round trips to the server (services, token check), and RSS is
the kiosk's alone (VmHWM, its peak).

Each touch: a mouse click on a service button (t0) → the ticket's ESC/POS
bytes handed to the printer (the POST /api/v1/tickets round trip, layout,
status checks); then "Done" returns to the start screen, off the clock.
Percentiles are nearest-rank (bench/common.py).

    python -m bench.bench_kiosk          # 3 kiosk starts × 30 touches, budgets checked
    python -m bench.bench_kiosk --tiny   # 1 start × 3 touches, budgets printed, not checked
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import REPO, Reporter, free_port, log, median, percentile


# ---- one kiosk process -------------------------------------------------------------
def kiosk_process(url: str, token: str, touches: int) -> None:
    """Runs in the child: start the kiosk, wait for the first usable screen, touch."""
    from kiosk.process import prepare_process

    prepare_process()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPushButton

    from hardware.printer_spec import parse_printer_spec
    from hardware.printers import DummyPrinter
    from kiosk.app import build_kiosk
    from kiosk.config import build_config

    class TimedDummy(DummyPrinter):
        written_at: float | None = None

        def write(self, data: bytes) -> None:
            super().write(data)
            self.written_at = time.perf_counter()

    app = QApplication(["qkiosk-bench"])
    printer = TimedDummy.build(parse_printer_spec("dummy"), 5.0, 0.5)
    config = build_config({"server": url, "token": token, "fullscreen": False, "health_interval_s": 60})
    kiosk = build_kiosk(config, printer)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    kiosk.start()
    ctrl = kiosk.controller

    def pump_until(cond, timeout: float = 15.0) -> None:
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                raise SystemExit(f"bench_kiosk: the kiosk stayed on {ctrl.screen!r}")
            app.processEvents()
            time.sleep(0.0002)

    def button(name: str) -> QPushButton | None:
        return kiosk.window.current_screen.findChild(QPushButton, name)

    pump_until(lambda: ctrl.screen == "start" and button("service:payments") is not None)
    app.processEvents()  # painted: the visitor can touch it
    ready = time.time()
    latencies = []
    for _ in range(touches):
        printer.written_at = None
        target = button("service:payments")
        t0 = time.perf_counter()
        QTest.mouseClick(target, Qt.MouseButton.LeftButton)
        pump_until(lambda: printer.written_at is not None)
        latencies.append((printer.written_at - t0) * 1000)
        pump_until(lambda: ctrl.screen == "ticket" and ctrl.outcome is not None)
        QTest.mouseClick(button("done"), Qt.MouseButton.LeftButton)
        pump_until(lambda: ctrl.screen == "start" and button("service:payments") is not None)
    kiosk.close()
    status = Path("/proc/self/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"ready": ready, "touch_ms": latencies, "rss_mb": peak_kb / 1024}), flush=True)


def run_kiosk(url: str, token: str, touches: int) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "bench.bench_kiosk", "--child", url, token, str(touches)],
                          cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"the kiosk process failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1])
    result["start_s"] = result["ready"] - t0
    return result


# ---- the office and the figures ---------------------------------------------------
def kiosk_token(data: Path) -> str:
    from queue_server.app import DB_NAME
    from queue_server.auth import Accounts, password_hasher
    from queue_server.journal_store import JournalStore

    store = JournalStore(data / DB_NAME)
    try:
        return Accounts(store, hasher=password_hasher(1, 1024)).add_device("bench-kiosk", "kiosk",
                                                                           datetime.now(UTC))
    finally:
        store.close()


def run(starts: int, touches: int, rep: Reporter) -> None:
    from . import history as H  # not in the kiosk processes: they import only what qkiosk does
    from .bench_server import Server

    with tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp:
        data = H.make_office(Path(tmp) / "office", hours="always", cheap_passwords=True)
        token = kiosk_token(data)
        server = Server(data, free_port())
        log(f"bench_kiosk: server up in {server.start():.1f} s")
        try:
            results = []
            for i in range(starts):
                results.append(run_kiosk(server.url, token, touches))
                log(f"bench_kiosk: kiosk {i + 1}/{starts} usable after {results[-1]['start_s']:.2f} s")
        finally:
            server.stop()
    touch = [ms for r in results for ms in r["touch_ms"]]
    start = [r["start_s"] for r in results]
    rep.figure("kiosk_touch_to_printer_median_ms", median(touch), f"{len(touch)} touches")
    rep.figure("kiosk_touch_to_printer_p99_ms", percentile(touch, 99), f"max {max(touch):.1f} ms")
    rep.figure("kiosk_start_to_first_screen_s", max(start),
               f"slowest of {starts} starts; median {median(start):.2f} s")
    rep.figure("kiosk_rss_mb", max(r["rss_mb"] for r in results), "peak VmHWM of a kiosk process")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.bench_kiosk", description=__doc__.split("\n\n")[0])
    p.add_argument("--tiny", action="store_true", help="1 start × 3 touches, budgets printed but not checked")
    p.add_argument("--starts", type=int, help="kiosk processes started (default 3, tiny 1)")
    p.add_argument("--touches", type=int, help="touches per kiosk (default 30, tiny 3)")
    p.add_argument("--child", nargs=3, metavar=("URL", "TOKEN", "N"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kiosk_process(args.child[0], args.child[1], int(args.child[2]))
        return 0
    rep = Reporter("kiosk", budgets_on=not args.tiny)
    t0 = time.perf_counter()
    try:
        run(args.starts or (1 if args.tiny else 3), args.touches or (3 if args.tiny else 30), rep)
    except RuntimeError as exc:
        log(f"bench_kiosk failed: {exc}")
        return 2
    rep.comment(f"bench_kiosk took {time.perf_counter() - t0:.0f} s")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
