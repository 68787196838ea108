"""The Windows bundles' inputs, checked without building (the build itself: test_windows_bundles.py).

The build venv's requirement files are cut from requirements.lock and must follow
it; the specs must carry every catalog of the role's packages and exclude the
server stack; a program started without a console (qkioskw.exe) must still leave
its log, its printed lines and its traceback somewhere.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from installers.bundles import BUNDLES, requirements_text
from installers.wheels import ROOT

WINDOWS = ROOT / "installers" / "windows"
sys.path.insert(0, str(WINDOWS))
import bundle_spec  # noqa: E402


@pytest.mark.parametrize("role", sorted(BUNDLES))
def test_the_build_venv_requirements_follow_the_lock(role):
    written = BUNDLES[role].requirements.read_text(encoding="utf-8")
    assert written == requirements_text(role), (
        "requirements.lock changed: run `python -m installers windows --requirements`")
    pins = {line.split("==")[0] for line in written.splitlines() if line and not line.startswith("#")}
    assert {"pyinstaller", "pyinstaller-hooks-contrib", "pyside6-essentials", "tzdata"} <= pins
    assert not pins & {"flask", "werkzeug", "uvicorn", "reportlab", "openpyxl", "psycopg", "psycopg-binary",
                       "gunicorn", "a2wsgi", "uvloop", "gevent", "argon2-cffi"}


@pytest.mark.parametrize(("role", "packages", "not_packages"), [
    ("kiosk", {"client_common", "hardware", "kiosk"}, {"counter_display", "queue_server"}),
    ("display", {"client_common", "hardware", "counter_display"}, {"kiosk", "queue_server"}),
])
def test_each_spec_carries_its_packages_catalogs_and_excludes_the_rest(role, packages, not_packages):
    tree = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    ours = [(Path(src).relative_to(ROOT), dest) for src, dest in bundle_spec.datas(role)
            if Path(src).is_relative_to(ROOT) and Path(src).relative_to(ROOT).parts[0] in tree]
    carried = {src.as_posix() for src, _ in ours}
    catalogs = {p.relative_to(ROOT).as_posix() for top in packages for p in (ROOT / top).rglob("*.po")}
    assert catalogs and catalogs <= carried
    assert all(dest == str(src.parent) for src, dest in ours)  # kiosk/locale/ru/LC_MESSAGES, as in the tree
    assert not {c for c in carried if c.split("/")[0] in not_packages}
    excludes = set(bundle_spec.excludes(role))
    assert not_packages <= excludes and {"flask", "reportlab", "openpyxl", "psycopg", "uvicorn"} <= excludes
    assert not packages & excludes


def test_only_russian_english_and_root_babel_locales_stay():
    toc = [(f"babel/locale-data/{name}.dat", "src", "DATA")
           for name in ("root", "ru", "ru_RU", "en", "en_GB", "de", "fr_CA", "zh_Hans")]
    toc.append(("babel/global.dat", "src", "DATA"))
    kept = [dest for dest, _, _ in bundle_spec.trim(toc)]
    assert kept == ["babel/locale-data/root.dat", "babel/locale-data/ru.dat", "babel/locale-data/ru_RU.dat",
                    "babel/locale-data/en.dat", "babel/locale-data/en_GB.dat", "babel/global.dat"]


PROGRAM = textwrap.dedent("""
    import logging, sys
    sys.path.insert(0, {windows!r})
    import qoffice_bundle
    qoffice_bundle.LOG_BYTES = {log_bytes}
    def main():
        print("Sample ticket sent to file:x (80 mm)")
        for i in range({lines}):
            logging.getLogger("kiosk").info("line %d of the log", i)
        {end}
    sys.exit(qoffice_bundle.run("qtest", main))
""")


def run_without_console(tmp_path: Path, end: str, lines: int = 1, log_bytes: int = 1_000_000):
    """The program as Windows starts qkioskw.exe: no stdout, no stderr (closed, so Python has None)."""
    code = PROGRAM.format(windows=str(WINDOWS), end=end, lines=lines, log_bytes=log_bytes)
    env = {**os.environ, "LOCALAPPDATA": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL, timeout=60,
                          preexec_fn=lambda: (os.close(1), os.close(2)))  # noqa: PLW1509 - no threads here
    return done.returncode, tmp_path / "queue-office" / "logs"


def test_a_program_without_a_console_logs_to_a_file(tmp_path):
    status, logs = run_without_console(tmp_path, 'return 0')
    assert status == 0
    text = (logs / "qtest.log").read_text(encoding="utf-8")
    assert "INFO qtest: Sample ticket sent to file:x (80 mm)" in text  # print() went to the log
    assert "INFO kiosk: line 0 of the log" in text


def test_its_traceback_and_its_exit_sentence_are_in_the_log(tmp_path):
    status, logs = run_without_console(tmp_path, 'raise RuntimeError("the printer thread died")')
    assert status == 1
    text = (logs / "qtest.log").read_text(encoding="utf-8")
    assert "qtest stopped on an unexpected error" in text and "RuntimeError: the printer thread died" in text
    status, logs = run_without_console(tmp_path, 'raise SystemExit("qdisplay hall: no server")')
    assert status == 1
    assert "ERROR qtest: qdisplay hall: no server" in (logs / "qtest.log").read_text(encoding="utf-8")


def test_the_log_of_a_program_that_runs_for_months_is_bounded(tmp_path):
    status, logs = run_without_console(tmp_path, 'return 0', lines=4000, log_bytes=20_000)
    assert status == 0
    files = sorted(p.name for p in logs.iterdir())
    assert files == ["qtest.log", *(f"qtest.log.{i}" for i in range(1, 6))]
    assert all(p.stat().st_size <= 20_000 for p in logs.iterdir())
