"""The two spec files' body: our packages, their data files, hidden imports, exclusions, two programs.

Imported by ``qkiosk.spec`` and ``qdisplay.spec`` inside PyInstaller (the build
venv of ``python -m installers windows``). The role's packages are
:mod:`installers.roles`' (the Debian packages' own split), their data files the
top-level pyproject.toml's package-data patterns (what the wheels carry), so a
catalog added to the tree is in the next bundle without touching the spec.
"""
from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from installers.roles import DISTS, ROLES, closure  # noqa: E402

# Never in a hall PC's bundle (docs/install.md): the office server and the company's centre,
# their web, report and database stack, and whatever could drag them in.
SERVER_STACK = ("queue_server", "qcentral", "installers", "flask", "werkzeug", "jinja2", "itsdangerous",
                "gunicorn", "uvicorn", "a2wsgi", "uvloop", "httptools", "websockets", "gevent",
                "reportlab", "openpyxl", "psycopg", "psycopg_pool", "psycopg_binary", "argon2",
                "jsonschema", "sqlite_utils")
# Tcl/Tk: Pillow's optional ImageTk would bring ~10 MB that nothing here uses; setuptools
# (~4 MB, with distutils) only through babel's entry-point fallback for Python < 3.10
NOT_NEEDED = ("tkinter", "_tkinter", "setuptools", "pkg_resources", "distutils", "_distutils_hack")
# The hall programs use Babel for the .po catalogs only (client_common/i18n.py), which parses
# the catalogs' "Language: ru|en" headers; the other ~750 CLDR locales are 34 MB of nothing.
BABEL_LOCALES = ("root", "ru", "en")

# Our code imports these inside functions, after the program is up (a kiosk must start
# without python-escpos or libusb and say what is missing, hardware/printers.py); PyInstaller's
# scan sees such imports today, and naming them keeps a later switch to importlib from
# silently dropping a transport. The Qt plugins (platforms, image formats) come with
# PyInstaller's own PySide6 hooks.
# tzdata: zoneinfo reads it as package data, never imports it, and Windows has no time zone
# database of its own: without it the kiosk refuses timezone = "Europe/Moscow" and the board's
# clock shows the PC's time.
HIDDEN = {
    "kiosk": ("escpos.printer", "usb.backend.libusb1", "usb.backend.libusb0", "qrcode", "tzdata"),
    "display": ("tzdata",),
}
# Data of third-party packages that have no PyInstaller hook: (package, subfolder glob)
THIRD_PARTY_DATA = {
    "kiosk": (("escpos", "capabilities.json"),),  # the printer profiles, read at import
    "display": (),
}


def packages(role: str) -> list[str]:
    """Our top-level packages in ``role``'s distributions (common, hardware, kiosk…)."""
    return [p for dist in closure(ROLES[role].dist) for p in DISTS[dist].packages]


def other_roles_packages(role: str) -> list[str]:
    mine = set(packages(role))
    return sorted({p for d in DISTS.values() for p in d.packages} - mine)


def package_data_patterns() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["setuptools"]["package-data"]["*"]


def datas(role: str) -> list[tuple[str, str]]:
    """(file, folder in the bundle) for every package-data file of the role's packages."""
    found = []
    for top in packages(role):
        for init in sorted((ROOT / top).rglob("__init__.py")):
            package_dir = init.parent
            for pattern in package_data_patterns():
                for f in sorted(package_dir.glob(pattern)):
                    if f.is_file():
                        found.append((str(f), str(f.parent.relative_to(ROOT))))
    return found + third_party_datas(role)


def third_party_datas(role: str) -> list[tuple[str, str]]:
    from PyInstaller.utils.hooks import collect_data_files

    found = []
    for package, pattern in THIRD_PARTY_DATA[role]:
        found += collect_data_files(package, includes=[pattern])
    return found


def trim(toc: list[tuple]) -> list[tuple]:
    """The Analysis' data files without Babel's locales other than ``BABEL_LOCALES`` (and theirs)."""
    def wanted(dest: str) -> bool:
        path = Path(dest)
        if path.parent.as_posix() != "babel/locale-data":
            return True
        return path.stem.split("_")[0] in BABEL_LOCALES
    return [entry for entry in toc if wanted(entry[0])]


def excludes(role: str) -> list[str]:
    return [*SERVER_STACK, *NOT_NEEDED, *other_roles_packages(role)]


def hidden_imports(role: str) -> list[str]:
    return list(HIDDEN[role])


def entry(program: str) -> str:
    return str(HERE / f"{program}_main.py")


def build(role: str, program: str, analysis: Callable[..., Any], pyz: Callable[..., Any],
          exe: Callable[..., Any], collect: Callable[..., Any]) -> None:
    """The whole spec of ``program``; a spec file passes in the build classes PyInstaller gives it."""
    a = analysis([entry(program)], pathex=[str(ROOT), str(HERE)], datas=datas(role),
                 hiddenimports=hidden_imports(role), excludes=excludes(role), noarchive=False)
    a.datas = trim(a.datas)
    archive = pyz(a.pure)
    # one Analysis, two programs: the same code with and without a console window
    console = exe(archive, a.scripts, [], exclude_binaries=True, name=program, console=True, upx=False)
    windowed = exe(archive, a.scripts, [], exclude_binaries=True, name=program + "w", console=False, upx=False,
                   disable_windowed_traceback=True)  # no modal error box on a kiosk: qoffice_bundle logs it
    collect(console, windowed, a.binaries, a.datas, strip=False, upx=False, name=program)
