"""`qdisplay` as installed: commissioning commands, and the bridges as real processes."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from display_helpers import read_exactly, wait_for

from counter_display.cli import build_parser, main
from counter_display.texts import MSGIDS
from queue_server.i18n import po_messages

ROOT = Path(__file__).parents[2]
QDISPLAY = [sys.executable, "-m", "counter_display.cli"]


def spawn(*args: str) -> subprocess.Popen:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([*QDISPLAY, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    return proc.returncode, err


def test_test_led_sends_one_text_frame(pty_pair, capsys):
    master, name = pty_pair()
    assert main(["test-led", "--port", f"serial:{name}", "--text", "Проверка"]) == 0
    expected = b"\x0201T\x8f\xe0\xae\xa2\xa5\xe0\xaa\xa0\x03"
    got = read_exactly(master, len(expected) + 2)
    assert got.startswith(expected) and len(got) == len(expected) + 2
    assert "sent 15 bytes" in capsys.readouterr().out


def test_test_led_on_a_missing_port_says_so(capsys):
    assert main(["test-led", "--port", "serial:/dev/no-such-board-qoffice"]) == 1
    assert "cannot open port" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_test_announce_saves_a_wav(tmp_path, capsys):
    out = tmp_path / "call.wav"
    assert main(["test-announce", "--number", "А112", "--counter", "3", "--lang", "en", "--out", str(out)]) == 0
    with wave.open(str(out)) as w:
        assert 2.5 < w.getnframes() / w.getframerate() < 12


def test_led_bridge_process_drives_a_board(live_office, pty_pair):
    master, name = pty_pair()
    proc = spawn("led", "--server", live_office.url, "--token", live_office.tokens["display"],
                 "--port", f"serial:{name}", "--counter", "2")
    try:
        assert read_exactly(master, 7, timeout=15) == b"\x0201X\x035A"  # connected: counter 2 is free
        live_office.ticket("consultation")
        live_office.post("/api/v1/counters/2/next", "op2")
        assert read_exactly(master, 13) == b"\x0201C\x8a001\x1f2\x03D7"
    finally:
        code, err = finish(proc)
    assert code == 0, err


def test_buttons_process_calls_a_visitor(live_office, pty_pair):
    master, name = pty_pair()
    env_token = live_office.tokens["buttons"]
    os.environ["QOFFICE_TOKEN"] = env_token  # the token may come from the environment
    try:
        proc = spawn("buttons", "--server", live_office.url, "--port", f"serial:{name}")
    finally:
        del os.environ["QOFFICE_TOKEN"]
    try:
        ticket = live_office.ticket("payments")
        deadline = time.monotonic() + 15

        def called() -> bool:
            if time.monotonic() < deadline:
                os.write(master, b"B4\r\n")  # until the process has opened the port and heard it
            state = live_office.get("/api/v1/state", "head").json()
            (c,) = [c for c in state["counters"] if c["counter_id"] == "4"]
            return bool(c["current"]) and c["current"]["number"] == ticket["number"]
        assert wait_for(called, timeout=15, interval=0.4)
    finally:
        code, err = finish(proc)
    assert code == 0, err


def test_hall_process_starts_and_stops_cleanly(live_office):
    proc = spawn("hall", "--server", live_office.url, "--token", live_office.tokens["display"],
                 "--voice", "none", "--size", "960x540", "--ticker", "Добро пожаловать")
    time.sleep(3)
    assert proc.poll() is None, proc.stderr.read()
    code, err = finish(proc)
    assert code == 0 and "Traceback" not in err, err


def test_missing_token_is_a_clear_message(monkeypatch):
    monkeypatch.delenv("QOFFICE_TOKEN", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["hall", "--server", "http://127.0.0.1:9"])
    assert "no token" in str(exc.value)


def help_text(*args: str) -> str:
    """What `qdisplay ARGS --help` prints (argparse lists its actions only in its help)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([*args, "--help"])
    return out.getvalue()


def test_every_command_and_option_is_documented():
    doc = (ROOT / "docs" / "displays.md").read_text(encoding="utf-8")
    commands = re.search(r"\{([\w,-]+)\}", help_text()).group(1).split(",")
    assert "hall" in commands and "led" in commands
    for name in commands:
        assert f"qdisplay {name}" in doc, name
        flags = set(re.findall(r"(?<![\w-])--[a-z][\w-]*", help_text(name))) - {"--help"}
        assert flags, name
        for flag in sorted(flags):
            assert flag in doc, f"{name} {flag}"


def test_every_display_string_is_translated():
    for lang in ("ru", "en"):
        messages = po_messages(ROOT / "counter_display" / "locale" / lang / "LC_MESSAGES" / "counter_display.po")
        missing = [m for m in MSGIDS if not messages.get(m)]
        assert not missing, (lang, missing)


def test_verbose_is_taken_after_the_command_too():
    """docs/displays.md lists `-v` among each command's options: `qdisplay hall -v` must start."""
    for argv in (["hall", "--server", "http://x", "-v"], ["-v", "hall", "--server", "http://x"],
                 ["counter", "--server", "http://x", "--counter", "1", "--verbose"]):
        assert build_parser().parse_args(argv).verbose is True, argv
    assert build_parser().parse_args(["hall", "--server", "http://x"]).verbose is False
