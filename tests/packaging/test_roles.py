"""Each machine role's Python distribution carries only its own stack (docs/install.md).

The Debian packages are built and installed by `make test-install` (root, minutes);
these checks are the fast part that runs in `make test`: the roles' locks, the
wheels' contents, and the kiosk's and displays' imports with the server stack
made unimportable.
"""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from installers.roles import DISTS, ROLES, closure
from installers.wheels import ROOT, build_wheel, role_lock

SERVER_STACK = {"flask", "gunicorn", "uvicorn", "reportlab", "openpyxl", "psycopg", "psycopg-binary",
                "werkzeug", "sqlite-utils", "a2wsgi"}


def names(lock: list[str]) -> set[str]:
    return {line.split("==")[0] for line in lock}


@pytest.mark.parametrize("role", ["kiosk", "display"])
def test_the_hall_pcs_lock_holds_no_server_stack(role):
    lock = names(role_lock(ROLES[role].dist))
    assert not lock & SERVER_STACK, lock & SERVER_STACK
    assert "pyside6-essentials" in lock
    assert "queue-office-server" not in closure(ROLES[role].dist)


def test_the_server_lock_holds_no_qt_and_the_kiosk_no_socketio():
    server = names(role_lock("queue-office-server"))
    assert "flask" in server and not {n for n in server if n.startswith(("pyside6", "shiboken6"))}
    kiosk = names(role_lock("queue-office-kiosk"))
    assert "python-escpos" in kiosk and "python-socketio" not in kiosk and "num2words" not in kiosk
    assert "python-escpos" not in names(role_lock("queue-office-display"))  # serial only


def test_every_package_of_the_tree_is_in_one_distribution():
    packaged = [p for d in DISTS.values() for p in d.packages]
    assert len(packaged) == len(set(packaged))
    tree = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "installers"}
    assert tree - set(packaged) == {"qcentral"}  # the company's server: not packaged yet (docs/install.md)


def test_wheels_carry_every_data_file(tmp_path):
    """A file the code reads at run time (catalogs, office.example.toml, fonts) must be in the wheel."""
    for dist in DISTS.values():
        wheel = build_wheel(dist, tmp_path / "stage", tmp_path / "out")
        inside = set(zipfile.ZipFile(wheel).namelist())
        for package in dist.packages:
            for f in (ROOT / package).rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                    assert str(f.relative_to(ROOT)) in inside, f"{wheel.name} lacks {f.relative_to(ROOT)}"


BLOCKER = """
import importlib, importlib.abc, pkgutil, sys
FORBIDDEN = {forbidden!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            raise ImportError(f"{{name}} is not installed on this role's PC")
sys.meta_path.insert(0, Block())
for top in {packages!r}:
    pkg = importlib.import_module(top)
    for info in pkgutil.walk_packages(pkg.__path__, top + "."):
        if info.name not in {skip!r}:
            importlib.import_module(info.name)
print("imported")
"""


@pytest.mark.parametrize(("role", "forbidden"), [
    ("kiosk", {"flask", "gunicorn", "reportlab", "openpyxl", "werkzeug", "sqlite_utils", "queue_server",
               "counter_display", "socketio", "engineio", "num2words", "qcentral"}),
    ("display", {"flask", "gunicorn", "reportlab", "openpyxl", "werkzeug", "sqlite_utils", "queue_server",
                 "kiosk", "escpos", "qcentral"}),
])
def test_every_module_of_a_hall_role_imports_without_the_others(role, forbidden):
    packages = [p for d in closure(ROLES[role].dist) for p in DISTS[d].packages]
    skip: set[str] = set()
    if role == "display":  # the ticket's PNG rendering is the kiosk's (hardware[printers] brings Pillow)
        forbidden = forbidden | {"PIL", "qrcode"}
        skip = {"hardware.escpos_png"}
    code = BLOCKER.format(forbidden=sorted(forbidden), packages=packages, skip=sorted(skip))
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-2000:]
