"""Soak: the hall devices through an office day's worth of work at an accelerated rate.

What runs, as in an office:

* a real server (in `make bench` the real `qserver run`; the tests' short
  version uses their in-process server);
* `qdisplay hall` (1920×1080, ticker scrolling) and `qdisplay counter` (counter
  1) as real processes, each with ``--diagnostics FILE``: a heartbeat on the GUI
  thread records every stall, and /proc gives the RSS;
* the kiosk (``--kiosk-child``): a child process that builds the kiosk exactly as
  `qkiosk` does (``build_kiosk``) and has it issue tickets by taps, on 80 mm then
  58 mm paper, with the printer running out of paper now and then;
* the staff: four operators calling, recalling, starting, finishing,
  transferring, marking no-shows and pausing, over HTTP.

Pass: every process stays up; RSS after the warm-up grows by at most 10 % to
the end; no GUI stall over 200 ms after the warm-up; the screens end showing
the last call. The VM's own share of a stall is measured side by side: an idle
Qt process with the same heartbeat (``--idle-child``) runs through the whole
soak, and the figures name its longest stall too — the cores are shared with
other work, and a process that is not scheduled stalls however little it does.
A device's stall over 200 ms that the idle process shared (it stalled too, at the
same moment) is the machine's; the others are the device's own.

``python -m bench.soak_devices`` runs 2,000 calls and 2,000 tickets (``--tiny``:
150 and 120); figures go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.device_processes import Device
from client_common.diagnostics import rss_kib

WARMUP_SHARE = 0.15  # of the calls (at least WARMUP_MIN): caches fill, first paints are done
WARMUP_MIN = 60
PAUSE_REASONS = ("break", "paperwork", "lunch")


@dataclass
class Staff:
    """The office's people over HTTP: a kiosk token and an operator token per counter."""

    url: str
    kiosk_token: str
    operators: dict[str, str]  # counter id → token of the operator logged in there
    services: dict[str, list[str]]  # counter id → the services it serves
    http: requests.Session = field(default_factory=requests.Session)

    def post(self, path: str, token: str, body: dict | None = None) -> requests.Response:
        return self.http.post(self.url + path, json=body or {}, timeout=10,
                              headers={"Authorization": f"Bearer {token}"})

    def ticket(self, service: str) -> str:
        r = self.post("/api/v1/tickets", self.kiosk_token, {"service_id": service})
        r.raise_for_status()
        return r.json()["number"]

    def act(self, counter: str, action: str, body: dict | None = None) -> requests.Response:
        return self.post(f"/api/v1/counters/{counter}/{action}", self.operators[counter], body)


@dataclass
class Day:
    """What the staff did; ``calls`` counts calls and recalls (each one is a `called` push)."""

    calls: int = 0
    operations: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    last_call: tuple[str, str] | None = None

    def did(self, what: str) -> None:
        self.operations += 1
        self.counts[what] = self.counts.get(what, 0) + 1


def work(staff: Staff, calls: int, rate: float, seed: int = 7, on_call=None) -> Day:
    """Run the counters until ``calls`` calls and recalls, at most ``rate`` operations a second.

    ``on_call(day)`` runs after every call (the warm-up mark is taken there).
    """
    rng = random.Random(seed)
    day = Day()
    state: dict[str, tuple[str, str, int] | None] = dict.fromkeys(staff.operators)  # (what, number, recalls)
    every = 1.0 / rate
    next_at = time.monotonic()
    while day.calls < calls:
        next_at += every
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        counter = rng.choice(sorted(staff.operators))
        now = state[counter]
        if now is None:
            if rng.random() < 0.03:
                staff.act(counter, "pause", {"reason": rng.choice(PAUSE_REASONS)}).raise_for_status()
                state[counter] = ("paused", "", 0)
                day.did("pause")
                continue
            staff.ticket(rng.choice(staff.services[counter]))
            day.did("ticket")
            r = staff.act(counter, "next")
            if r.status_code == 200:
                number = r.json()["number"]
                state[counter] = ("called", number, 0)
                day.calls += 1
                day.last_call = (number, counter)
                day.did("next")
                if on_call:
                    on_call(day)
            continue
        what, number, recalls = now
        roll = rng.random()
        if what == "paused":
            staff.act(counter, "resume").raise_for_status()
            state[counter] = None
            day.did("resume")
        elif what == "called" and roll < 0.15 and recalls < 2:
            staff.act(counter, "recall").raise_for_status()
            state[counter] = ("called", number, recalls + 1)
            day.calls += 1
            day.last_call = (number, counter)
            day.did("recall")
            if on_call:
                on_call(day)
        elif what == "called" and roll < 0.25:
            staff.act(counter, "no-show").raise_for_status()
            state[counter] = None
            day.did("no-show")
        elif what == "called":
            staff.act(counter, "start").raise_for_status()
            state[counter] = ("serving", number, recalls)
            day.did("start")
        elif roll < 0.1:
            others = [s for c, ss in staff.services.items() if c != counter for s in ss]
            staff.act(counter, "transfer", {"service_id": rng.choice(others), "note": ""}).raise_for_status()
            state[counter] = None
            day.did("transfer")
        else:
            staff.act(counter, "finish", {"outcome": "served"}).raise_for_status()
            state[counter] = None
            day.did("finish")
    for counter, now in state.items():  # leave the hall tidy: nobody called, nobody paused
        if now is None:
            continue
        if now[0] == "paused":
            staff.act(counter, "resume")
        else:
            if now[0] == "called":
                staff.act(counter, "start")
            staff.act(counter, "finish", {"outcome": "served"})
    return day


@dataclass
class Figures:
    """One device through the soak."""

    name: str
    alive: bool
    rss_start_kib: int  # after the warm-up
    rss_end_kib: int
    max_stall_ms: float  # after the warm-up
    max_stall_warmup_ms: float
    work: str  # what it went through, in words
    stalls_over_200: int = 0  # after the warm-up
    stall_times: list = field(default_factory=list)  # (CLOCK_MONOTONIC at its end, ms), after the warm-up

    @property
    def rss_growth(self) -> float:
        return (self.rss_end_kib - self.rss_start_kib) / max(1, self.rss_start_kib)

    def line(self) -> str:
        return (f"{self.name}: {self.work}; {'up' if self.alive else 'DIED'}; RSS {self.rss_start_kib / 1024:.1f} → "
                f"{self.rss_end_kib / 1024:.1f} MiB ({self.rss_growth:+.1%}); longest GUI stall "
                f"{self.max_stall_ms:.0f} ms (warm-up {self.max_stall_warmup_ms:.0f} ms)")


def _stall_times(state: dict, since_s: float) -> list[tuple[float, float]]:
    """Stalls after ``since_s`` of uptime as (CLOCK_MONOTONIC when the late beat came, ms)."""
    start = state.get("clock_start", 0.0)
    return [(start + t, ms) for t, ms in state.get("stalls", []) if t >= since_s]


def own_stalls(device: list[tuple[float, float]], idle: list[tuple[float, float]], limit: float = 200.0,
               shared_ms: float = 100.0) -> list[tuple[float, float]]:
    """The device's stalls over ``limit`` ms that the idle process did not share.

    A stall of the idle heartbeat (over ``shared_ms``) overlapping the device's in
    time means the machine held both back; what remains is the device's own work.
    """
    def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
        a0, a1 = a[0] - a[1] / 1000 - 0.05, a[0] + 0.05
        b0, b1 = b[0] - b[1] / 1000, b[0]
        return a0 <= b1 and b0 <= a1

    return [s for s in device if s[1] > limit and not any(i[1] > shared_ms and overlaps(s, i) for i in idle)]


def _count_over(state: dict, since_s: float, limit: float = 200.0) -> int:
    return sum(1 for t, ms in state.get("stalls", []) if t >= since_s and ms > limit)


def _stalls_after(state: dict, since_s: float) -> tuple[float, float]:
    """(longest stall after ``since_s`` of uptime, longest before it) from a diagnostics state."""
    after = [ms for t, ms in state.get("stalls", []) if t >= since_s]
    before = [ms for t, ms in state.get("stalls", []) if t < since_s]
    return max(after, default=0.0), max(before, default=0.0)


def soak_displays(staff: Staff, display_token: str, folder: Path, calls: int, rate: float) -> tuple[Day, list[Figures]]:
    """`qdisplay hall` and `qdisplay counter 1` through ``calls`` calls; their figures."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    hall = Device.hall(staff.url, display_token, folder, "--size", "1920x1080", "--ticker",
                       "Оплатить счёт можно в терминале у входа. Приём документов — окна 2 и 3.", env=env)
    counter = Device.counter(staff.url, display_token, "1", folder, "--size", "800x480", env=env)
    devices = {"qdisplay hall": hall, "qdisplay counter": counter}
    try:
        for device in devices.values():
            device.wait_until(lambda s: s.get("connection") == "online", timeout=60)
        warm: dict[str, tuple[int, float]] = {}
        warmup_calls = min(calls, max(WARMUP_MIN, int(calls * WARMUP_SHARE)))

        def mark(day: Day) -> None:
            if day.calls == warmup_calls:
                for name, device in devices.items():
                    warm[name] = (rss_kib(device.proc.pid), device.state().get("uptime_s", 0.0))

        day = work(staff, calls, rate, on_call=mark)
        # one more call at counter 1: both screens must end up showing it
        number = staff.ticket(staff.services["1"][0])
        r = staff.act("1", "next")
        r.raise_for_status()
        number = r.json()["number"]
        day.calls += 1
        hall.wait_until(lambda s: s.get("top") == [number, "1"], timeout=60)
        counter.wait_until(lambda s: s.get("shown") == [number, "called"], timeout=60)
        staff.act("1", "start")
        staff.act("1", "finish", {"outcome": "served"})
        time.sleep(1.2)  # one more diagnostics write after the last paint
        figures = []
        for name, device in devices.items():
            state = device.state()
            after, before = _stalls_after(state, warm[name][1])
            figures.append(Figures(name, device.alive(), warm[name][0], rss_kib(device.proc.pid), after,
                                   before, f"{day.calls} calls and recalls, {day.operations} operations",
                                   _count_over(state, warm[name][1]), _stall_times(state, warm[name][1])))
        return day, figures
    finally:
        for device in devices.values():
            device.stop()


# ---- the kiosk ---------------------------------------------------------------------------
def kiosk_child(url: str, token: str, tickets: int, width: int, out: str) -> int:
    """Build the kiosk as `qkiosk` does and take ``tickets`` tickets by taps; figures to ``out``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QPushButton

    from client_common.diagnostics import Diagnostics
    from hardware.escpos_reader import parse_escpos
    from hardware.printer_spec import parse_printer_spec
    from hardware.printer_status import DLE_EOT_ONLINE, DLE_EOT_PAPER
    from hardware.printers import DummyPrinter
    from kiosk.app import build_kiosk
    from kiosk.config import build_config

    class RollPrinter(DummyPrinter):
        """A dummy that answers DLE EOT and whose roll can run out."""

        reads_back = True
        paper_out = False

        def _query(self, request: bytes) -> bytes | None:
            if request == DLE_EOT_PAPER:
                return bytes([0x72]) if self.paper_out else b"\x12"
            return b"\x12" if request == DLE_EOT_ONLINE else None

    app = QApplication.instance() or QApplication(["qkiosk"])
    rng = random.Random(11 + width)
    result = {"tickets": 0, "printed": 0, "not_printed": 0, "faults": 0, "width": width}

    def turn() -> None:
        """One turn of the event loop, as app.exec() would take it, deferred deletes included
        (processEvents alone leaves deleteLater'd widgets alive: a leak of the driver, not the kiosk)."""
        app.processEvents()
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def until(condition, what: str) -> None:
        end = time.monotonic() + 30
        while not condition():
            if time.monotonic() > end:
                raise RuntimeError(f"the kiosk never got to: {what}")
            turn()
            time.sleep(0.002)

    def tap(name: str) -> None:
        turn()
        button = kiosk.window.current_screen.findChild(QPushButton, name)
        if button is None or not button.isVisible():
            raise RuntimeError(f"no visible button {name}")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)

    printer = RollPrinter.build(parse_printer_spec("dummy"), 5.0, 0.5)
    config = build_config({"server": url, "token": token, "fullscreen": False, "paper_width": width,
                           "printer_check_s": 1, "health_interval_s": 10, "ticket_screen_s": 30})
    kiosk = build_kiosk(config, printer)
    kiosk.window.resize(1080, 1920)
    kiosk.window.show()
    kiosk.start()
    health = Diagnostics(Path(out).with_suffix(".diag.json"), kiosk.window, kiosk.status)
    health.start()
    until(lambda: kiosk.controller.screen == "start", "the start screen")
    warm = None
    for i in range(tickets):
        fault = i % 100 in (40, 41, 42)  # the roll runs out now and then, for three visitors
        printer.paper_out = fault
        if rng.random() < 0.1:
            tap("lang:en")
        services = [b.objectName() for b in kiosk.window.current_screen.findChildren(QPushButton)
                    if b.objectName().startswith("service:") and b.isVisible()]
        tap(rng.choice(sorted(services)))
        until(lambda: kiosk.controller.outcome is not None, "the ticket printed or not")
        number = kiosk.controller.ticket.number
        if kiosk.controller.outcome.printed:
            result["printed"] += 1
            if i % 10 == 0:  # the paper has the number on it (checked now and then: the check is ours, not the kiosk's work)
                parse_escpos(printer.output).line_with(number)
            printer.clear()
        else:
            result["not_printed"] += 1
        result["tickets"] += 1
        tap("done")
        if i % 100 == 42:
            result["faults"] += 1
            printer.paper_out = False  # staff load a new roll
            until(lambda: kiosk.controller.printer_fault is None, "the printer back")
        if warm is None and result["tickets"] == min(tickets, max(WARMUP_MIN, int(tickets * WARMUP_SHARE))):
            warm = (rss_kib(), time.monotonic() - health.started)
    health.stop()
    after, before = _stalls_after(health.snapshot(), warm[1])
    result.update(rss_start_kib=warm[0], rss_end_kib=rss_kib(), max_stall_ms=after, max_stall_warmup_ms=before,
                  stalls_over_200=_count_over(health.snapshot(), warm[1]),
                  stall_times=_stall_times(health.snapshot(), warm[1]))
    kiosk.close()
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


def soak_kiosk(url: str, token: str, folder: Path, tickets: int) -> Figures:
    """The kiosk through ``tickets`` tickets: half on 80 mm paper, half on 58 mm, one process each.

    A kiosk is configured for one roll, so each width is its own kiosk process,
    judged on its own; the figures are the worse of the two.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    repo = Path(__file__).resolve().parents[1]
    runs = []
    for width in (80, 58):
        out = folder / f"kiosk-soak-{width}.json"
        done = subprocess.run([sys.executable, "-m", "bench.soak_devices", "--kiosk-child", url, token,
                               str(tickets // 2), str(width), str(out)], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=3600)
        if done.returncode != 0 or not out.exists():
            return Figures("qkiosk", False, 0, 0, 0.0, 0.0, f"died ({done.returncode}): {done.stderr[-2000:]}")
        runs.append(json.loads(out.read_text(encoding="utf-8")))
    worst = max(runs, key=lambda r: (r["rss_end_kib"] - r["rss_start_kib"]) / r["rss_start_kib"])
    work_done = (f"{sum(r['tickets'] for r in runs)} tickets on 80 mm and 58 mm paper, "
                 f"{sum(r['not_printed'] for r in runs)} not printed in {sum(r['faults'] for r in runs)} paper-outs")
    return Figures("qkiosk", True, worst["rss_start_kib"], worst["rss_end_kib"],
                   max(r["max_stall_ms"] for r in runs), max(r["max_stall_warmup_ms"] for r in runs), work_done,
                   sum(r["stalls_over_200"] for r in runs),
                   [tuple(x) for r in runs for x in r["stall_times"]])


# ---- the baseline: an idle Qt process with the same heartbeat ------------------------------------
def idle_child(out: str) -> int:
    """A window that does nothing, with the devices' heartbeat: the stalls the machine alone causes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from client_common.diagnostics import Diagnostics

    app = QApplication(["idle"])
    window = QWidget()
    window.resize(320, 240)
    window.show()
    health = Diagnostics(out, window)
    health.start()
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    pulse = QTimer(interval=250, timeout=lambda: None)  # lets Python see SIGTERM
    pulse.start()
    try:
        return app.exec()
    finally:
        health.stop()


class Baseline:
    """The idle heartbeat process, running while the soak runs."""

    def __init__(self, folder: Path):
        repo = Path(__file__).resolve().parents[1]
        self.file = folder / "idle.json"
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.soak_devices", "--idle-child", str(self.file)],
                                     cwd=repo, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> tuple[float, int, list[tuple[float, float]]]:
        """(longest stall, stalls over 200 ms, every stall) of the idle process, after its first 5 s."""
        self.proc.terminate()
        self.proc.wait(10)
        state = json.loads(self.file.read_text(encoding="utf-8")) if self.file.exists() else {}
        return _stalls_after(state, 5.0)[0], _count_over(state, 5.0), _stall_times(state, 5.0)


# ---- make bench ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a short run; budgets printed, not checked")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=20.0, help="staff operations per second")
    parser.add_argument("--kiosk-child", nargs=5, metavar=("URL", "TOKEN", "TICKETS", "WIDTH", "OUT"))
    parser.add_argument("--idle-child", metavar="OUT")
    args = parser.parse_args(argv)
    if args.idle_child:
        return idle_child(args.idle_child)
    if args.kiosk_child:
        url, token, tickets, width, out = args.kiosk_child
        return kiosk_child(url, token, int(tickets), int(width), out)

    from . import history as H
    from .bench_display import serve_bench_office
    from .bench_server import login
    from .common import Reporter, log

    calls, tickets = (150, 120) if args.tiny else (args.calls, args.tickets)
    rep = Reporter("soak", budgets_on=not args.tiny)
    with tempfile.TemporaryDirectory(prefix="qoffice-soak-") as tmp:
        tokens, server = serve_bench_office(Path(tmp))
        baseline = Baseline(Path(tmp))
        try:
            counters = ("1", "2", "11", "27")  # two administrators, a consultant, a cashier
            operators = {c: login(server.url, H.operator_login(c), c) for c in counters}
            staff = Staff(server.url, tokens["kiosk"], operators, {c: list(H.COUNTERS[c]) for c in counters})
            log(f"displays: {calls} calls at up to {args.rate:g} operations a second")
            day, figures = soak_displays(staff, tokens["display"], Path(tmp), calls, args.rate)
            log(f"kiosk: {tickets} tickets")
            figures.append(soak_kiosk(server.url, tokens["kiosk"], Path(tmp), tickets))
        finally:
            idle_stall, idle_over, idle_stalls = baseline.stop()
            server.stop()
    for f in figures:
        key = f.name.replace("qdisplay ", "").replace("qkiosk", "kiosk")
        log(f.line())
        rep.figure(f"soak_{key}_stayed_up", 1 if f.alive else 0, f.work)
        rep.figure(f"soak_{key}_rss_after_warmup_mb", round(f.rss_start_kib / 1024, 1))
        rep.figure(f"soak_{key}_rss_end_mb", round(f.rss_end_kib / 1024, 1))
        rep.figure(f"soak_{key}_rss_growth_pct", round(f.rss_growth * 100, 1), "after the warm-up to the end")
        rep.figure(f"soak_{key}_max_gui_stall_ms", round(f.max_stall_ms, 1),
                   f"after the warm-up; during it {f.max_stall_warmup_ms:.0f} ms; "
                   f"{f.stalls_over_200} stalls over 200 ms")
        rep.figure(f"soak_{key}_own_stalls_over_200", len(own_stalls(f.stall_times, idle_stalls)),
                   "stalls over 200 ms the idle process did not share")
    rep.figure("soak_idle_baseline_max_stall_ms", round(idle_stall, 1),
               f"an idle Qt process with the same heartbeat, side by side: {idle_over} stalls over 200 ms")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
