"""The Qt binding holds up for an office day: tens of thousands of screen calls, no refcount drift.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on ordinary calls
(``QLabel.setText``, ``update()``, a ``paintEvent``…); the hall board and the
kiosk aborted with "Fatal Python error: none_dealloc" within minutes. The probe
runs in a child process, so a binding that aborts fails this test instead of
killing the test run. Needs only PySide6 and pytest (``--noconftest`` runs it in
a bare venv against any PySide6 version).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("qt_refcount_probe.py")
ROUNDS = 20000  # per group: more than a busy board makes of each call in a day


def _run_probe(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    return subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True,
                          timeout=600, env=env)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal from 3.12")
def test_screen_calls_do_not_move_the_refcount_of_none_true_or_false():
    done = _run_probe(str(ROUNDS))
    report = done.stdout + done.stderr
    assert "none_dealloc" not in report and "bool_dealloc" not in report, report
    assert done.returncode == 0, report
    lines = [line for line in done.stdout.splitlines() if "None:" in line]
    assert len(lines) == 10, report  # every group ran
    for line in lines:
        drifts = [int(cell.split(":")[1]) for cell in line.split() if cell.startswith(("None:", "True:", "False:"))]
        assert all(abs(d) <= 100 for d in drifts), f"refcount drift over {ROUNDS} calls: {line.strip()}"
    assert "attribute named _ left an error pending:" in done.stdout, report


def test_our_qobjects_have_no_class_attribute_named_underscore():
    """PySide6 6.8–6.11 leave an IndexError pending after a lookup of ``_`` on a QObject.

    The kiosk's controller had a ``_`` property; on 6.9.3 every fault path (server
    down, token refused) then died with SystemError and the kiosk never went out of
    service (tests/kiosk/test_kiosk_faults.py). Every QObject class of the devices
    is checked, so a new one cannot bring the name back.
    """
    import importlib
    import pkgutil

    from PySide6.QtCore import QObject

    root = Path(__file__).parents[2]
    checked = []
    for package in ("kiosk", "kiosk.ui", "counter_display"):
        for info in pkgutil.iter_modules([str(root / package.replace(".", "/"))]):
            module = importlib.import_module(f"{package}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, QObject) and value.__module__ == module.__name__:
                    checked.append(value)
                    assert not any("_" in vars(k) for k in value.__mro__), value
    assert len(checked) >= 10, checked
