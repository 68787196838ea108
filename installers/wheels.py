"""Wheels per role from the one tree, and each role's pinned requirements from the one lock.

Each distribution in :mod:`installers.roles` is staged in a folder of its own
(its packages copied, a pyproject.toml written from the top-level one's metadata,
version ranges and package data) and built with setuptools without build
isolation, so no network is needed. A role's lock is the closure of its
requirements, walked through the installed metadata of the developer's venv,
which ``make`` installs from requirements.lock; every pin is checked against
that file, so the packages carry exactly the locked versions.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .roles import DISTS, Dist, closure

ROOT = Path(__file__).resolve().parents[1]


def project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def version() -> str:
    return project()["project"]["version"]


def ranges() -> dict[str, Requirement]:
    """Every third-party requirement of the top-level pyproject, by canonical name."""
    p = project()["project"]
    found: dict[str, Requirement] = {}
    for text in [*p["dependencies"], *(r for reqs in p["optional-dependencies"].values() for r in reqs)]:
        req = Requirement(text)
        found.setdefault(canonicalize_name(req.name), req)
    return found


def requirement(name: str, known: dict[str, Requirement], ver: str) -> str:
    """A requirement line for ``name`` (``flask``, ``python-socketio[client]``, ``queue-office-common``)."""
    base, _, extra = name.partition("[")
    extras = f"[{extra}" if extra else ""
    if base in DISTS:
        return f"{base}{extras}=={ver}"
    req = known.get(canonicalize_name(base))
    if req is None:
        raise KeyError(f"{base}: not a requirement of the top-level pyproject.toml; add it there first")
    return f"{req.name}{extras}{req.specifier}"


def pyproject_for(dist: Dist) -> str:
    """The staged distribution's pyproject.toml (TOML written by hand: a few flat tables)."""
    top = project()
    known, ver = ranges(), top["project"]["version"]

    def arr(items) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"
    lines = [
        '[build-system]', 'requires = ["setuptools>=68"]', 'build-backend = "setuptools.build_meta"', '',
        '[project]', f'name = "{dist.name}"', f'version = "{ver}"', f'description = "{dist.summary}"',
        f'requires-python = "{top["project"]["requires-python"]}"', 'license = { text = "MIT" }',
        f'dependencies = {arr(requirement(r, known, ver) for r in dist.requires)}', '',
    ]
    if dist.extras:
        lines.append('[project.optional-dependencies]')
        lines += [f'{k} = {arr(requirement(r, known, ver) for r in v)}' for k, v in dist.extras.items()]
        lines.append('')
    for table, scripts in (("scripts", dist.scripts), ("gui-scripts", dist.gui_scripts)):
        if scripts:
            lines.append(f'[project.{table}]')
            lines += [f'{k} = "{v}"' for k, v in scripts.items()]
            lines.append('')
    lines += ['[tool.setuptools.packages.find]', f'include = {arr(p + "*" for p in dist.packages)}', '',
              '[tool.setuptools.package-data]',
              f'"*" = {arr(top["tool"]["setuptools"]["package-data"]["*"])}', '']
    return "\n".join(lines)


def build_wheel(dist: Dist, stage: Path, out: Path) -> Path:
    """Build one distribution's wheel into ``out``; returns its path."""
    tree = stage / dist.name
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for package in dist.packages:
        shutil.copytree(ROOT / package, tree / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (tree / "pyproject.toml").write_text(pyproject_for(dist), encoding="utf-8")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(out), str(tree)], check=True)
    stem = dist.name.replace("-", "_")
    return next(out.glob(f"{stem}-{version()}-*.whl"))


def locked() -> dict[str, str]:
    """requirements.lock: canonical name → pinned version."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def role_lock(dist_name: str) -> list[str]:
    """``name==version`` for every third-party distribution the role needs, from the one lock."""
    known, pins = ranges(), locked()
    env = default_environment()
    wanted: dict[str, set[str]] = {}

    def visit(req: Requirement, extra: str = "") -> None:
        if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
            return
        key = canonicalize_name(req.name)
        extras = set(req.extras)
        if key in wanted and extras <= wanted[key]:
            return
        wanted.setdefault(key, set()).update(extras)
        if key not in pins:
            raise KeyError(f"{req.name} is needed but not pinned in requirements.lock (run make lock)")
        installed = metadata.distribution(req.name)
        if installed.version != pins[key]:
            raise RuntimeError(f"{req.name}: the venv has {installed.version}, requirements.lock pins "
                               f"{pins[key]}: run make")
        for sub in installed.requires or []:
            sub_req = Requirement(sub)
            if sub_req.marker is None or sub_req.marker.evaluate({**env, "extra": ""}):
                visit(sub_req)
            else:
                for e in wanted[key]:
                    if sub_req.marker.evaluate({**env, "extra": e}):
                        visit(sub_req, e)
                        break

    ver = version()
    for own, extras in closure(dist_name).items():
        d = DISTS[own]
        reqs = list(d.requires) + [r for e in sorted(extras) for r in d.extras[e]]
        for r in reqs:
            if r.split("[")[0] not in DISTS:
                visit(Requirement(requirement(r, known, ver)))
    return sorted(f"{name}=={pins[name]}" for name in wanted)
