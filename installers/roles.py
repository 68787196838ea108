"""The machine roles as data: which Python distributions each Debian package carries.

One source tree, several distributions: a kiosk PC installs ``queue-office-kiosk``
and what it needs (``-common``, ``-hardware[printers]``, PySide6, python-escpos), never
Flask, reportlab or the server. Each third-party requirement is named here
by name only; its version range is the top-level pyproject.toml's, and its pinned
version the one lock's (requirements.lock), so the developer's ``pip install -e .``
and the packages never disagree.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement


def _server_requirements() -> tuple[str, ...]:
    """The server carries the top-level pyproject's own dependencies, named once there."""
    top = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    return tuple(Requirement(text).name for text in top["project"]["dependencies"])


@dataclass(frozen=True)
class Dist:
    """A Python distribution built from the tree: its packages, requirements and commands."""

    name: str
    summary: str
    packages: tuple[str, ...]
    requires: tuple[str, ...]  # names from pyproject.toml (with [extras]) or our own dists
    extras: dict[str, tuple[str, ...]] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    gui_scripts: dict[str, str] = field(default_factory=dict)


DISTS = {d.name: d for d in (
    Dist("queue-office-common", "What the kiosk, the displays and the server share (catalogs, codes, Qt helpers)",
         ("client_common",), ("babel",)),
    Dist("queue-office-hardware", "Thermal printers, serial LED boards and call-button pads",
         ("hardware",), ("pyserial",), extras={"printers": ("python-escpos", "pyusb")}),
    Dist("queue-office-server", "The office server: journal, queues, API, console, reports",
         ("queue_server",),
         ("queue-office-common", *_server_requirements()),
         scripts={"qserver": "queue_server.cli:main"}),
    Dist("queue-office-kiosk", "The touchscreen ticket kiosk (qkiosk)",
         ("kiosk",),
         ("queue-office-common", "queue-office-hardware[printers]", "pyside6-essentials", "requests",
          "tzdata"),
         gui_scripts={"qkiosk": "kiosk.cli:main"}),
    Dist("queue-office-display", "Hall board, counter displays, voice, LED and button bridges (qdisplay)",
         ("counter_display",),
         ("queue-office-common", "queue-office-hardware", "pyside6-essentials", "num2words", "requests",
          "python-socketio[asyncio-client]", "aiohttp"),
         scripts={"qdisplay": "counter_display.cli:main"}),
)}


@dataclass(frozen=True)
class Role:
    """One Debian package: a machine role, its venv under /opt/queue-office/<slug>."""

    slug: str
    package: str
    dist: str
    commands: tuple[str, ...]
    depends: tuple[str, ...]  # Debian packages beyond python3 and adduser
    description: str


ROLES = {r.slug: r for r in (
    Role("server", "queue-office-server", "queue-office-server", ("qserver",),
         (),
         "office server of the electronic queue\n"
         "The one source of truth for a customer service office: the journal (SQLite),\n"
         "queues, call policy, the HTTP API and Socket.IO push, the operator console,\n"
         "the head's dashboard, nightly backups and daily reports. Runs as the\n"
         "queue-office system user (queue-office.service)."),
    Role("kiosk", "queue-office-kiosk", "queue-office-kiosk", ("qkiosk",),
         ("cage", "fonts-dejavu-core", "libegl1", "libgl1", "libfontconfig1", "libxkbcommon0",
          "libwayland-client0", "libwayland-cursor0", "libwayland-egl1", "libdbus-1-3", "libusb-1.0-0"),
         "touchscreen ticket kiosk of the electronic queue\n"
         "A PC by the entrance where visitors take a ticket: starts by itself into\n"
         "the kiosk program (cage, no desktop) as the queue-kiosk user and prints on\n"
         "a thermal printer (USB, serial, network or CUPS)."),
    Role("display", "queue-office-display", "queue-office-display", ("qdisplay",),
         ("cage", "fonts-dejavu-core", "espeak-ng", "alsa-utils", "libegl1", "libgl1", "libfontconfig1",
          "libxkbcommon0", "libwayland-client0", "libwayland-cursor0", "libwayland-egl1", "libdbus-1-3"),
         "hall board and counter displays of the electronic queue\n"
         "The hall board (a TV) and counter screens start by themselves (cage, no\n"
         "desktop) as the queue-display user and announce calls by voice; the\n"
         "headless LED board and call-button bridges run as services."),
)}


def closure(dist: str) -> dict[str, set[str]]:
    """``dist`` and our distributions it requires (dependencies first), each with the extras asked for."""
    seen: dict[str, set[str]] = {}

    def visit(name: str) -> None:
        base, _, extra = name.partition("[")
        if base not in DISTS:
            return
        extras = {e for e in extra.rstrip("]").split(",") if e}
        if base in seen and extras <= seen[base]:
            return
        for req in DISTS[base].requires:
            visit(req)
        seen.setdefault(base, set()).update(extras)
    visit(dist)
    return seen
