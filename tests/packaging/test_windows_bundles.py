"""The PyInstaller bundles of qkiosk and qdisplay (docs/install.md, Windows), run as built.

Built here on Linux by the same specs a Windows machine uses, so what is checked is
the spec: the catalogs, the printer transports, libusb, the Qt plugins, the time
zones, the two executables, and that no server package came along. Building takes
a minute or two, so `make test` skips this file and `make test-windows-bundles`
builds the bundles into dist/windows and runs it (QOFFICE_BUNDLES names the folder).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from hardware.escpos_reader import parse_escpos

FOLDER = os.environ.get("QOFFICE_BUNDLES", "")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not FOLDER, reason="make test-windows-bundles builds the bundles and runs this")]

# Windows has no system time zone database: no search path, so zoneinfo must find the bundle's tzdata
LIKE_WINDOWS = {"QT_QPA_PLATFORM": "offscreen", "PYTHONTZPATH": ""}
SERVER_STACK = {"queue_server", "qcentral", "flask", "werkzeug", "jinja2", "gunicorn", "uvicorn", "a2wsgi",
                "uvloop", "reportlab", "openpyxl", "psycopg", "psycopg_pool", "psycopg_binary", "argon2",
                "jsonschema", "sqlite_utils", "gevent", "setuptools", "pkg_resources", "tkinter"}


def bundle(program: str) -> Path:
    return Path(FOLDER).resolve() / program


def run(program: str, *args: str, windowed: bool = False, env: dict | None = None, timeout: float = 120,
        **kwargs) -> subprocess.CompletedProcess:
    exe = bundle(program) / (program + ("w" if windowed else ""))
    env = {**os.environ, **LIKE_WINDOWS, **(env or {})}
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def module_names(program: str) -> set[str]:
    """Top-level names of every module and file in the bundle: its archive and its folder."""
    listing = subprocess.run([str(Path(sys.executable).parent / "pyi-archive_viewer"), "-r", "-b",
                              str(bundle(program) / program)], capture_output=True, text=True, check=True).stdout
    names = {line.strip().split(".")[0] for line in listing.splitlines() if line.startswith(" ")}
    internal = bundle(program) / "_internal"
    names |= {p.name.split(".")[0].split("-")[0] for p in internal.iterdir()}
    return names


@pytest.mark.parametrize(("program", "args", "says"), [
    ("qkiosk", ["--help"], "Touchscreen ticket kiosk"),
    ("qdisplay", ["hall", "--help"], "usage: qdisplay hall"),
    ("qdisplay", ["--help"], "test-announce"),
])
def test_help(program, args, says):
    done = run(program, *args)
    assert done.returncode == 0 and says in done.stdout, done.stderr


@pytest.mark.parametrize(("lang", "width", "number", "heading", "columns", "magnified"), [
    ("ru", 80, "К-042", "Ваш номер", 48, 8),
    ("en", 58, "C-042", "Your number", 32, 6),
])
def test_test_print_writes_the_sample_ticket(tmp_path, lang, width, number, heading, columns, magnified):
    out = tmp_path / "ticket.bin"
    done = run("qkiosk", "test-print", "--printer", f"file:{out}", "--lang", lang, "--width", str(width))
    assert done.returncode == 0 and "Sample ticket sent" in done.stdout, done.stderr
    receipt = parse_escpos(out.read_bytes())
    receipt.line_with(heading)  # the catalog of the bundle, in the language asked for
    assert receipt.line_with(number).width == magnified  # the big number
    assert len(receipt.cuts) == 1 and receipt.cuts[0].partial is False
    assert receipt.qr_codes[0].payload == "https://queue.example.org/t/TEST-042"
    assert receipt.codepages == [17]  # CP866: Cyrillic the printer prints
    assert max(len(line.text) for line in receipt.lines) <= columns


def test_a_usb_printer_is_looked_for_through_the_bundled_libusb(tmp_path):
    """Not "USB printers need pyusb and the libusb-1.0 library": the bundle found both, no device."""
    done = run("qkiosk", "test-print", "--printer", "usb:04b8:0e15")
    assert done.returncode == 1 and "not_found" in done.stderr and "libusb" not in done.stderr, done.stderr


def test_test_announce_writes_the_spoken_call(tmp_path):
    out = tmp_path / "call.wav"
    done = run("qdisplay", "test-announce", "--out", str(out))
    assert done.returncode == 0 and f"saved: {out}" in done.stdout, done.stderr
    assert "Талон А сто двенадцать — окно номер три" in done.stderr  # the log: words from the bundle's num2words
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert 2.0 < wav.getnframes() / wav.getframerate() < 8.0  # chime and speech, not the chime alone


def test_the_windowed_programs_log_to_a_file(tmp_path):
    """qkioskw / qdisplayw as Task Scheduler starts them on Windows: no console at all."""
    out = tmp_path / "ticket.bin"
    closed = {"stdin": subprocess.DEVNULL, "preexec_fn": lambda: (os.close(1), os.close(2))}
    env = {**LIKE_WINDOWS, "LOCALAPPDATA": str(tmp_path)}
    kiosk = subprocess.run([str(bundle("qkiosk") / "qkioskw"), "test-print", "--printer", f"file:{out}"],
                           env={**os.environ, **env}, timeout=120, **closed)
    assert kiosk.returncode == 0 and out.stat().st_size > 200
    log = (tmp_path / "queue-office" / "logs" / "qkiosk.log").read_text(encoding="utf-8")
    assert "Sample ticket sent to file:" in log
    board = subprocess.run([str(bundle("qdisplay") / "qdisplayw"), "hall"], env={**os.environ, **env},
                           timeout=120, **closed)
    assert board.returncode == 1
    log = (tmp_path / "queue-office" / "logs" / "qdisplay.log").read_text(encoding="utf-8")
    assert "qdisplay hall: no server" in log


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from live_office import make_office_dir, start_live_office, stop_live_office

    live = start_live_office(make_office_dir(tmp_path_factory.mktemp("bundles") / "office"))
    live.ticket("reception")
    live.post("/api/v1/counters/1/next", "op1")
    yield live
    stop_live_office(live)


def token_file(folder: Path, token: str) -> Path:
    path = folder / "device.token"
    path.write_text(token + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


def test_the_hall_board_and_the_kiosk_run_from_their_bundles(office, tmp_path):
    """The Qt programs themselves, offscreen, against a real server: Qt's plugins and our code load."""
    from bench.device_processes import Device

    env = {**os.environ, **LIKE_WINDOWS}
    board = Device([str(bundle("qdisplay") / "qdisplay"), "hall", "--server", office.url, "--token-file",
                    str(token_file(tmp_path, office.tokens["display"])), "--voice", "none"],
                   tmp_path / "hall.json", env)
    kiosk = Device([str(bundle("qkiosk") / "qkiosk"), "--server", office.url, "--token-file",
                    str(token_file(tmp_path, office.tokens["kiosk"])), "--printer", f"file:{tmp_path}/lp0",
                    "--windowed"], tmp_path / "kiosk.json", env)
    try:
        state = board.wait_until(lambda s: s.get("connection") == "online" and s.get("top"), timeout=60)
        assert state["top"] == ["А001", "1"] and state["paints"] > 0
        state = kiosk.wait_until(lambda s: s.get("showing") == "start", timeout=60)
        assert state["window"][2] >= 810 and state["window"][3] >= 1440  # --windowed: 810×1440 and a frame
    finally:
        assert board.stop() == 0, board.output()[-2000:]
        assert kiosk.stop() == 0, kiosk.output()[-2000:]


@pytest.mark.parametrize(("program", "not_there"), [
    ("qkiosk", {"counter_display", "socketio", "engineio", "num2words"}),
    ("qdisplay", {"kiosk", "escpos", "usb", "PIL", "qrcode"}),
])
def test_no_server_package_and_no_other_role_in_the_bundle(program, not_there):
    names = module_names(program)
    assert {"client_common", "hardware", "PySide6", "babel"} <= names
    assert not names & (SERVER_STACK | not_there), names & (SERVER_STACK | not_there)


@pytest.mark.parametrize(("program", "files"), [
    ("qkiosk", ["kiosk/locale/ru/LC_MESSAGES/kiosk.po", "kiosk/locale/en/LC_MESSAGES/kiosk.po",
                "hardware/locale/ru/LC_MESSAGES/hardware.po", "escpos/capabilities.json",
                "tzdata/zoneinfo/Europe/Moscow", "tzdata/zoneinfo/Asia/Yekaterinburg",
                "babel/locale-data/ru.dat", "babel/locale-data/root.dat"]),
    ("qdisplay", ["counter_display/locale/ru/LC_MESSAGES/counter_display.po",
                  "hardware/locale/en/LC_MESSAGES/hardware.po", "tzdata/zoneinfo/Europe/Moscow",
                  "babel/locale-data/en.dat"]),
])
def test_the_data_files_and_qt_plugins_are_in_the_bundle(program, files):
    internal = bundle(program) / "_internal"
    missing = [f for f in files if not (internal / f).is_file()]
    assert not missing
    assert not (internal / "babel/locale-data/de.dat").exists()  # the other CLDR locales stay out
    plugins = internal / "PySide6/Qt/plugins"
    for plugin in ("platforms/libqoffscreen.so", "platforms/libqxcb.so", "platforms/libqminimal.so",
                   "imageformats/libqjpeg.so"):
        assert (plugins / plugin).is_file(), plugin


def test_build_figures_are_recorded():
    figures = json.loads((Path(FOLDER) / "build.json").read_text())
    for role, program in (("kiosk", "qkiosk"), ("display", "qdisplay")):
        assert figures[role]["bytes"] > 50 * 2**20 and figures[role]["total_s"] > 0
        print(f"{program}: {figures[role]['bytes'] / 2**20:.0f} MiB, {figures[role]['files']} files, "
              f"built in {figures[role]['total_s']:.0f} s (venv {figures[role]['venv_s']:.0f} s)")
