"""Real device processes for tests and benches: Xvfb with no window manager, `qdisplay`/`qkiosk`.

Everything runs as the office runs it: an X server (Xvfb) with no window
manager at all, the installed entry points as child processes, and their
`--diagnostics FILE` read back (stalls, RSS, window and screen geometry).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent


def have_xvfb() -> bool:
    return shutil.which("Xvfb") is not None


class Xvfb:
    """An X server of one screen, ``width``×``height``, black root, no window manager."""

    def __init__(self, width: int, height: int):
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-br",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        number = b""
        with os.fdopen(read, "rb") as pipe:  # Xvfb writes its display number once it accepts clients
            number = pipe.readline().strip()
        if not number:
            self.proc.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number.decode()}"
        self.size = (width, height)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        return {**env, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def toplevel_windows(self) -> list[tuple[int, int, int, int]]:
        """(x, y, width, height) of every mapped top-level window, as the X server sees them."""
        out = subprocess.run(["xwininfo", "-root", "-children"], env=self.env(), capture_output=True,
                             text=True, timeout=10, check=True).stdout
        ids = [line.split()[0] for line in out.splitlines() if line.strip().startswith("0x")]
        windows = []
        for wid in ids:
            info = subprocess.run(["xwininfo", "-id", wid], env=self.env(), capture_output=True, text=True,
                                  timeout=10).stdout
            if "Map State: IsViewable" not in info:
                continue
            fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines())}
            windows.append((int(fields["Absolute upper-left X"]), int(fields["Absolute upper-left Y"]),
                            int(fields["Width"]), int(fields["Height"])))
        return windows

    def grab(self, path: Path) -> Path:
        """The whole screen as the X server has it (a PNG), taken by a separate Qt client."""
        code = ("import sys; from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]); "
                "ok = app.primaryScreen().grabWindow(0).save(sys.argv[1]); sys.exit(0 if ok else 1)")
        subprocess.run([sys.executable, "-c", code, str(path)], env=self.env(), timeout=30, check=True,
                       capture_output=True)
        return path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Device:
    """A `qdisplay`/`qkiosk` child process with ``--diagnostics`` read back."""

    def __init__(self, argv: list[str], diagnostics: Path, env: dict | None = None, log: Path | None = None):
        self.diagnostics = diagnostics
        self.log = log or diagnostics.with_suffix(".log")
        self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([*argv, "--diagnostics", str(diagnostics)], env=env or dict(os.environ),
                                     stdout=self._log_file, stderr=subprocess.STDOUT)

    @classmethod
    def hall(cls, url: str, token: str, folder: Path, *extra: str, env: dict | None = None) -> Device:
        return cls([str(BIN / "qdisplay"), "hall", "--server", url, "--token", token, "--voice", "none",
                    *extra], folder / "hall.json", env)

    @classmethod
    def counter(cls, url: str, token: str, counter: str, folder: Path, *extra: str,
                env: dict | None = None) -> Device:
        return cls([str(BIN / "qdisplay"), "counter", "--server", url, "--token", token, "--counter", counter,
                    *extra], folder / f"counter-{counter}.json", env)

    @classmethod
    def kiosk(cls, url: str, token: str, folder: Path, *extra: str, env: dict | None = None) -> Device:
        return cls([str(BIN / "qkiosk"), "--server", url, "--token", token, "--printer", "dummy", *extra],
                   folder / "kiosk.json", env)

    def state(self) -> dict:
        try:
            return json.loads(self.diagnostics.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_until(self, condition: Callable[[dict], bool], timeout: float = 30.0) -> dict:
        """Wait (on the file, not the clock) until ``condition(state)``; the state, or AssertionError."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            assert self.alive(), f"the device exited ({self.proc.returncode}): {self.output()[-3000:]}"
            state = self.state()
            if state and condition(state):
                return state
            time.sleep(0.05)
        raise AssertionError(f"device never got there; last state {state}; output {self.output()[-3000:]}")

    def output(self) -> str:
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()
        return self.proc.returncode
