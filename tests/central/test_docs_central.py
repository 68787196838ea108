"""docs/central.md stays complete: every command, every endpoint, every alert code."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from qcentral.cli import parser

ROOT = Path(__file__).parents[2]
DOC = (ROOT / "docs/central.md").read_text(encoding="utf-8")


def _choices(*args: str) -> list[str]:
    """The sub-commands `qcentral ARGS --help` lists in its usage line ({a,b,c})."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        parser().parse_args([*args, "--help"])
    found = re.search(r"\{([\w,]+)\}", out.getvalue())
    return found.group(1).split(",") if found else []


def _commands() -> list[str]:
    out = []
    for name in _choices():
        out += [f"{name} {sub}" for sub in _choices(name)] or [name]
    return out


def test_every_command_is_documented():
    commands = _commands()
    missing = [c for c in commands if f"qcentral --db URL {c}" not in DOC]
    assert len(commands) >= 8 and not missing, missing


def test_every_endpoint_is_documented():
    source = "".join((ROOT / "qcentral" / name).read_text(encoding="utf-8") for name in ("api.py",))
    routes = re.findall(r'@flask\.(?:get|post)\("([^"]+)"\)', source)
    missing = [r for r in routes if re.sub(r"<int:(\w+)>", r"{id}", r) not in DOC]
    assert routes and not missing, missing


def test_every_alert_code_is_documented():
    source = (ROOT / "qcentral/live.py").read_text(encoding="utf-8")
    codes = {c for c in re.findall(r'"code": "(\w+)"', source) if not c.endswith("_")} | {"link_late", "link_down"}
    missing = [c for c in codes if f"`{c}`" not in DOC]
    assert not missing, missing
